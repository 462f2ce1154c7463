"""The forecast table's number formatting."""

from detente.report.table import format_value
from detente.scenario import Issue


def test_values_keep_the_scale_decimals_and_huge_values_stay_short():
    assert format_value(Issue(id="i", scale=(0, 100)), 42.25) == "42.2"
    assert format_value(Issue(id="i", scale=(4, 10)), 7.0) == "7.000"
    assert format_value(Issue(id="i", scale=(0, 1e300)), 5e299) == "5e+299"


def test_a_status_quo_without_anchor_labels_leaves_no_dangling_comma():
    from rich.console import Console

    from detente.forecast import forecast
    from detente.report.table import forecast_table
    from detente.scenario import Scenario

    scenario = Scenario.from_dict(
        {
            "detente": 1,
            "id": "bare",
            "issues": [{"id": "i", "status_quo": 40}],
            "actors": [
                {"id": "A", "capability": 1, "stances": {"i": {"position": 10, "salience": 1}}},
                {"id": "B", "capability": 1, "stances": {"i": {"position": 90, "salience": 1}}},
            ],
        }
    )
    console = Console(width=120, record=True)
    console.print(forecast_table(forecast(scenario, ["compromise"])))
    text = console.export_text()
    assert "status quo 40.0\n" in text and "status quo 40.0," not in text


def test_at_80_columns_each_model_takes_one_line_and_the_anchors_are_named_once_below():
    from rich.console import Console

    from detente.forecast import forecast
    from detente.io import load
    from detente.report.table import forecast_table

    scenario = load("ukraine-2024-11")
    result = forecast(scenario, ["compromise", "median", "eum"])
    console = Console(width=80, record=True)
    console.print(forecast_table(result, width=80))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    territory = scenario.issues[0]
    for title, model in (("Compromise (weighted mean)", "compromise"), ("Weighted median", "median")):
        row = next(line for line in lines if line.startswith(title))
        value = float(result[model].values[0])
        relation, points = territory.placement(value)
        expected = "–".join(f"{p:g}" for p in points) if relation == "between" else f"{relation} {points[0]:g}"
        assert row.rstrip().endswith(expected) or f"{expected} [" in row, row
        for point in points:  # every anchor a row refers to is spelled out under the issue's table
            label = territory.anchors[point].split(";")[0]
            assert any(line.strip().startswith(f"{point:g} ") and label[:20] in line for line in lines), label


def test_a_wide_console_keeps_the_labels_in_the_rows():
    from rich.console import Console

    from detente.forecast import forecast
    from detente.io import load
    from detente.report.table import forecast_table

    result = forecast(load("ukraine-2024-11"), ["compromise"])
    console = Console(width=200, record=True)
    console.print(forecast_table(result, width=200))
    row = next(line for line in console.export_text().splitlines() if line.startswith("Compromise"))
    assert "between '" in row or "at '" in row or "near '" in row


def test_at_80_columns_the_status_quo_is_placed_by_anchor_points_whose_labels_follow_in_full():
    from rich.console import Console

    from detente.forecast import forecast
    from detente.io import load
    from detente.report.table import forecast_table

    scenario = load("ukraine-2024-11")
    security = next(issue for issue in scenario.issues if issue.id == "security")
    console = Console(width=80, record=True)
    console.print(forecast_table(forecast(scenario, ["compromise"]), width=80))
    text = console.export_text()
    heading = next(line for line in text.splitlines() if line.startswith(security.label))
    relation, points = security.placement(security.status_quo)
    assert relation == "between"
    assert heading.rstrip().endswith(f"status quo {security.status_quo:.1f} ({points[0]:g}–{points[1]:g})"), heading
    assert "…" not in text.split(security.label)[1].split("Anchors:")[0]
    for point in points:
        assert f"{point:g}  {security.anchors[point].split(';')[0][:30]}" in text


def test_a_rounds_table_of_many_actors_shows_the_movers_that_fit_whole():
    import numpy as np
    import pandas as pd

    from detente.report.table import render_text, rounds_table

    rng = np.random.default_rng(0)
    actors = [f"actor{i}" for i in range(60)]
    positions = np.repeat(rng.uniform(0, 100, (1, 60)), 6, axis=0)
    movers = [7, 19, 42]
    positions[3:, movers] += np.array([30.0, -25.0, 40.0])  # three actors move a lot, a few others a little
    positions[4:, [1, 2, 3]] += 1.0
    frame = pd.concat([pd.DataFrame({"round": range(6), "forecast": positions.mean(axis=1)}), pd.DataFrame(positions, columns=actors)], axis=1)
    for width in (80, 160):
        text = render_text(rounds_table(frame, Issue(id="i", scale=(0, 100)), "smp: i", None, width, actors), width=width)
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= width, max(lines, key=len)
        header = next(line for line in lines if line.lstrip().startswith(("round", "┃ round")))
        assert all(f"actor{m} " in header + " " for m in movers), header  # the big movers are always shown
        shown = sum(f"actor{i} " in header + " " for i in range(60))
        assert 3 <= shown < 60 and f"The {shown} of 60 actors whose positions moved most" in " ".join(text.split())
        assert "…" not in text


def test_a_shift_that_rounds_to_nothing_has_no_sign():
    from detente.report.table import shift_text

    issue = Issue(id="i", scale=(0, 100))
    assert [shift_text(issue, v) for v in (-0.01, 0.04, 0.0, -0.06, 2.0, None, float("nan"))] == ["0.0", "0.0", "0.0", "-0.1", "+2.0", "–", "–"]
    assert shift_text(issue, -3.0, minus="−") == "−3.0"


def test_results_printed_in_python_are_laid_out_for_the_console_width():
    """In a notebook or a script, printing a result with rich takes the console's width as the CLI does."""
    from rich.console import Console

    from detente import load
    from detente.analysis.compare import compare

    result = compare(load("ukraine-2023-06"), load("ukraine-2024-11"), ["compromise", "nash"])
    for width in (80, 140):
        console = Console(width=width, record=True, color_system=None)
        console.print(result)
        text = console.export_text()
        assert max(len(line) for line in text.splitlines()) <= width and "…" not in text
        assert ("ukraine-2024-11" in text) and (("┃" in text) == (width >= 120))  # a box only when it is wide
