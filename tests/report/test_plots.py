"""Every static chart renders to PNG for the Ukraine scenario with the elements it should show, and
stays legible with 30 actors and long anchor texts (no two labels overlap)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.text import Text

from detente.report import chartdata as cd
from detente.report import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render(fig, artifacts, name):
    """Save to tests/_artifacts/NAME.png (kept for looking at) and check it is a non-trivial PNG."""
    path = plots.save(fig, artifacts / f"chart-{name}.png")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 20_000, "a chart with content compresses to more than 20 kB"
    return path


def with_gid(fig, gid, kind=object):
    return [a for a in fig.findobj(lambda a: a.get_gid() == gid) if isinstance(a, kind)]


def legend_labels(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def text_boxes(fig, gid):
    """Window extents of the texts with ``gid``: the text alone, without an annotation's leader line."""
    renderer = fig.canvas.get_renderer()
    return [Text.get_window_extent(t, renderer) for t in with_gid(fig, gid, Text) if t.get_text()]


def overlapping(boxes, slack=0.5):
    pairs = []
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        if a.x0 + slack < b.x1 and b.x0 + slack < a.x1 and a.y0 + slack < b.y1 and b.y0 + slack < a.y1:
            pairs.append((i, j))
    return pairs


def groups_of(scenario):
    """Each group once, sorted (legends fill row by row, so their entries come out of matplotlib column-wise)."""
    return sorted(dict.fromkeys(cd.group_of(a) for a in scenario.actors))


def legend_groups(fig):
    labels = legend_labels(fig)
    assert len(labels) == len(set(labels))
    return sorted(labels)


# -- 1. landscape ----------------------------------------------------------------------------------


def test_landscape_has_a_mark_per_actor_a_legend_entry_per_group_and_every_forecast(ukraine, ukraine_forecast, simulation, artifacts):
    bands = simulation.to_frame()
    fig = plots.landscape(ukraine_forecast, "territory", bands)
    render(fig, artifacts, "landscape")
    (actors,) = with_gid(fig, "actors", PathCollection)
    assert len(actors.get_offsets()) == len(ukraine.actors)
    positions = sorted(actors.get_offsets()[:, 0])
    assert positions == pytest.approx(sorted(a.stances["territory"].position for a in ukraine.actors))
    sizes = actors.get_sizes()
    russia = [a.id for a in ukraine.actors].index("RUS")
    assert sizes[russia] == sizes.max(), "Russia has the most capability x salience on territory"
    assert legend_groups(fig) == groups_of(ukraine)
    marks = with_gid(fig, "forecast-mark")
    assert len(marks) == len(ukraine_forecast.results) + 1  # every model and the status quo
    assert len(with_gid(fig, "mc-band")) == 3  # the three simulated models
    assert sorted(t.get_text() for t in with_gid(fig, "actor-label")) == sorted(cd.short_name(a) for a in ukraine.actors)
    assert len(with_gid(fig, "anchor-label")) == len(ukraine.issue("territory").anchors)


def test_landscape_of_a_scenario_without_forecasts(ukraine, artifacts):
    fig = plots.landscape(ukraine, "aid")
    assert with_gid(fig, "forecast-mark") and len(with_gid(fig, "forecast-mark")) == 1  # the status quo only
    render(fig, artifacts, "landscape-no-models")


def test_landscape_with_30_actors_and_long_anchors_has_no_overlapping_labels(crowded_scenario, artifacts):
    import detente

    fig = plots.landscape(detente.forecast(crowded_scenario, ["compromise", "median"]), "deal")
    render(fig, artifacts, "landscape-30-actors")
    labels = text_boxes(fig, "actor-label")
    assert len(labels) == 30
    assert overlapping(labels) == []
    (actors,) = with_gid(fig, "actors", PathCollection)
    assert len(actors.get_offsets()) == 30
    # no label covers another actor's circle
    centres = actors.get_offset_transform().transform(actors.get_offsets())
    radii = np.sqrt(actors.get_sizes()) / 2 * fig.dpi / 72
    for box in labels:
        near_x = np.clip(centres[:, 0], box.x0, box.x1)
        near_y = np.clip(centres[:, 1], box.y0, box.y1)
        inside = np.hypot(near_x - centres[:, 0], near_y - centres[:, 1]) < radii - 1
        assert not inside.any()
    anchors = text_boxes(fig, "anchor-label")
    assert len(anchors) == 10
    assert overlapping(anchors) == []
    assert legend_groups(fig) == groups_of(crowded_scenario)


def test_long_anchor_texts_wrap_within_their_room(crowded_scenario):
    issue = crowded_scenario.issue("deal")
    labels = cd.anchor_labels(issue, axis_width_in=8.5)
    assert {a.row for a in labels} == {0, 1}, "ten anchors on 8.5 inches alternate between two rows"
    for anchor in labels:
        assert len(anchor.lines) <= 6
        assert all(len(line) <= 40 for line in anchor.lines)
    original = dict(issue.sorted_anchors())
    first = labels[0]
    assert " ".join(first.lines).rstrip("…").split()[:5] == original[0].split()[:5]


# -- 2. paths --------------------------------------------------------------------------------------


def test_paths_draw_every_actor_and_the_forecast(ukraine, eum_result, artifacts):
    fig = plots.paths(eum_result, "kursk")
    render(fig, artifacts, "paths")
    paths = with_gid(fig, "actor-path")
    assert len(paths) == len(ukraine.actors)
    (forecast,) = with_gid(fig, "forecast-path")
    rounds = eum_result.rounds_run["kursk"]
    assert list(forecast.get_xdata()) == list(range(rounds + 1))
    k = ukraine.issue_ids.index("kursk")
    assert np.allclose(forecast.get_ydata(), eum_result.round_forecasts[: rounds + 1, k])
    assert legend_groups(fig) == groups_of(ukraine)
    assert overlapping(text_boxes(fig, "end-label")) == []


def test_paths_with_30_actors_keep_end_labels_apart(crowded_scenario, artifacts):
    from detente.models.base import DynamicResult

    rng = np.random.default_rng(0)
    batch = crowded_scenario.batch()
    start = crowded_scenario.to_units(batch.position[0])
    rounds = 6
    target = np.nanmean(start, axis=0)
    positions = np.stack([start + (target - start) * t / rounds * rng.uniform(0.6, 1.0, start.shape) for t in range(rounds + 1)])
    result = DynamicResult("eum", {}, crowded_scenario, positions[-1].mean(axis=0), positions=positions, round_forecasts=positions.mean(axis=1))
    fig = plots.paths(result, "deal")
    render(fig, artifacts, "paths-30-actors")
    labels = text_boxes(fig, "end-label")
    assert len(labels) == 31
    assert overlapping(labels) == []
    assert overlapping(text_boxes(fig, "anchor-label")) == []


# -- 3. perception ---------------------------------------------------------------------------------


def test_perception_chart_places_every_other_actor_and_labels_the_regions(ukraine, eum_result, artifacts):
    frame = cd.perception_frame(eum_result, 1, "USA", "territory")
    fig = plots.perception(frame, "USA", 1, "territory", ukraine)
    render(fig, artifacts, "perception")
    (points,) = with_gid(fig, "actors", PathCollection)
    assert len(points.get_offsets()) == len(ukraine.actors) - 1
    assert np.allclose(points.get_offsets(), frame[["E_ij", "E_ji"]].to_numpy())
    regions = " ".join(t.get_text() for t in with_gid(fig, "region-label"))
    for word in ("CONFLICT", "COMPROMISE", "CAPITULATE", "COMPEL", "STATUS QUO"):
        assert word in regions
    assert overlapping(text_boxes(fig, "actor-label") + text_boxes(fig, "region-label")) == []


def test_perception_with_30_synthetic_points_keeps_labels_apart(crowded_scenario, artifacts):
    rng = np.random.default_rng(4)
    others = [a.id for a in crowded_scenario.actors[1:]]
    frame = pd.DataFrame({"actor": others, "E_ij": rng.normal(0, 0.4, len(others)), "E_ji": rng.normal(0.1, 0.4, len(others))})
    fig = plots.perception(frame, "A00", 2, "deal", crowded_scenario)
    render(fig, artifacts, "perception-30-actors")
    assert overlapping(text_boxes(fig, "actor-label")) == []


def test_perception_regions_follow_the_spec():
    e_ij = np.array([0.5, 0.2, -0.1, -0.5, 0.3, -0.2])
    e_ji = np.array([0.2, 0.5, 0.4, 0.2, -0.4, -0.3])
    assert list(cd.perception_region(e_ij, e_ji)) == ["conflict_win", "conflict_lose", "compromise", "capitulate", "compel", "status_quo"]


# -- 4. exchanges ----------------------------------------------------------------------------------


def test_exchanges_rank_the_largest_trades(ukraine, exchange_result, artifacts):
    frame = cd.exchanges_frame(exchange_result)
    fig = plots.exchanges(frame, ukraine, top=20)
    render(fig, artifacts, "exchanges")
    bars = [p for container in with_gid(fig, "exchange-bar") for p in getattr(container, "patches", [container])]
    widths = sorted((p.get_width() for p in bars), reverse=True)
    assert len(widths) == min(20, len(frame))
    assert np.allclose(widths, frame["gain"].nlargest(len(widths)))


def test_exchanges_from_a_documented_frame():
    frame = pd.DataFrame({"actor_i": ["A", "B"], "actor_j": ["C", "A"], "issue_i": ["p", "q"], "issue_j": ["q", "p"], "gain": [0.2, 0.5]})
    fig = plots.exchanges(frame)
    bars = [p for container in with_gid(fig, "exchange-bar") for p in getattr(container, "patches", [container])]
    assert sorted(p.get_width() for p in bars) == [0.2, 0.5]
    assert cd.exchange_labels(frame)[0] == "A ⇄ C: A gives on p, C on q"
    with pytest.raises(ValueError, match="missing gain"):
        cd.normalise_exchanges(frame.drop(columns="gain"))


# -- 5. distribution -------------------------------------------------------------------------------


def test_distribution_shows_each_model_and_band_probabilities_that_add_up(ukraine, simulation, artifacts):
    draws = cd.simulation_draws(simulation)
    fig = plots.distribution(draws, ukraine, "territory")
    render(fig, artifacts, "distribution")
    bars = with_gid(fig, "histogram")
    assert len(bars) == 60 * len(simulation.models)  # 60 bins per model
    assert len({round(b.get_y(), 6) for b in bars}) == len(simulation.models)  # one row each
    shown = [float(t.get_text().rstrip("%")) for t in with_gid(fig, "band-probability")]
    assert abs(sum(shown) - 100 * len(simulation.models)) <= 2 * len(shown)  # rounding of each shown share
    expected = cd.band_probabilities(ukraine.issue("territory"), simulation.model_values("compromise")[:, 0])
    assert expected["probability"].sum() == pytest.approx(1.0)


def test_band_probabilities_count_an_anchor_in_the_band_above(ukraine):
    issue = ukraine.issue("kursk")  # anchors 0, 50, 100
    frame = cd.band_probabilities(issue, np.array([0, 10, 50, 50, 99, 100]))
    assert list(frame["probability"]) == pytest.approx([2 / 6, 4 / 6])


# -- 6. tornado ------------------------------------------------------------------------------------


def test_tornado_puts_the_widest_swing_on_top(ukraine, sensitivity_result, artifacts):
    frame = cd.tornado_frame(sensitivity_result, "territory")
    assert set(frame.columns) >= {"input", "low", "high", "base"}
    fig = plots.tornado(frame, ukraine.issue("territory"), top=12)
    render(fig, artifacts, "tornado")
    low = [p for c in with_gid(fig, "tornado-low") for p in getattr(c, "patches", [c])]
    high = [p for c in with_gid(fig, "tornado-high") for p in getattr(c, "patches", [c])]
    assert len(low) == len(high) == 12
    swings = [abs(h.get_width() - lo.get_width()) for lo, h in zip(sorted(low, key=lambda p: -p.get_y()), sorted(high, key=lambda p: -p.get_y()))]
    assert swings == sorted(swings, reverse=True)
    ticks = fig.axes[0].get_yticklabels()
    top_label = max(ticks, key=lambda t: t.get_position()[1]).get_text()
    assert top_label.startswith("Russia"), "Russia's inputs move the territorial compromise most"


# -- 7. backtest -----------------------------------------------------------------------------------


def test_backtest_plots_every_forecast_against_its_outcome(artifacts):
    rng = np.random.default_rng(2)
    rows = []
    for case in range(6):
        outcome = rng.uniform(0, 10)
        for model in ("compromise", "median", "nash"):
            rows.append({"case": f"c{case}", "issue": "i", "model": model, "forecast": outcome + rng.normal(0, 1), "outcome": outcome, "lo": 0.0, "hi": 10.0})
    frame = pd.DataFrame(rows)
    fig = plots.backtest(frame)
    render(fig, artifacts, "backtest")
    points = with_gid(fig, "backtest-point", PathCollection)
    assert sum(len(p.get_offsets()) for p in points) == len(frame)
    errors = cd.backtest_errors(frame)
    assert errors["abs_error"].to_numpy() == pytest.approx(10 * (frame["forecast"] - frame["outcome"]).abs().to_numpy())
    assert legend_labels(fig) == [cd.model_title(m) for m in ("compromise", "median", "nash")]


# -- 8. timeline -----------------------------------------------------------------------------------


def test_timeline_follows_each_model_across_the_ukraine_snapshots(ukraine, artifacts):
    import detente

    snapshots = cd.snapshots_of(ukraine)[:2]
    assert [s.id for s in snapshots] == ["ukraine-2023-06", "ukraine-2024-11"]
    forecasts = [detente.forecast(s, ["compromise", "median"]) for s in snapshots]
    fig = plots.timeline(forecasts, "territory")
    render(fig, artifacts, "timeline")
    lines = with_gid(fig, "model-line")
    assert len(lines) == 2
    assert np.allclose(lines[0].get_ydata(), [f["compromise"].forecast["territory"] for f in forecasts])
    (status_quo,) = with_gid(fig, "status-quo")
    assert list(status_quo.get_ydata()) == [50, 50]
    frame = cd.timeline_frame(forecasts)
    assert "kursk" not in set(frame[frame["scenario"] == "ukraine-2023-06"]["issue"])  # the 2023 snapshot has no Kursk issue


def test_save_refuses_unknown_formats(ukraine, tmp_path):
    from detente.errors import UsageError

    with pytest.raises(UsageError, match=".png, .svg or .pdf"):
        plots.save(plots.landscape(ukraine), tmp_path / "chart.gif")


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_vector_formats(ukraine, tmp_path, suffix):
    path = plots.save(plots.landscape(ukraine), tmp_path / f"chart{suffix}")
    head = path.read_bytes()[:200]
    assert (b"<svg" in head or b"<?xml" in head) if suffix == ".svg" else head.startswith(b"%PDF")


def test_timeline_marks_what_happened_on_a_time_axis(artifacts):
    from detente.analysis.timeline import resolve_timeline
    from detente.report import charts

    result = resolve_timeline(["ukraine"], ["compromise", "median"], since="2024-11-01")
    kursk = charts.timeline_chart(result, "kursk")
    render(kursk, artifacts, "timeline-kursk")
    (star,) = with_gid(kursk, "outcome")
    assert list(star.get_ydata()) == [100]  # Russia said it retook all of Kursk on 26 April 2025
    assert not with_gid(kursk, "state")  # a settled issue shows no state of the talks
    territory = charts.timeline_chart(result, "territory")
    states = with_gid(territory, "state")
    assert sorted(float(s.get_ydata()[0]) for s in states) == [62.0, 80.0]
    assert not with_gid(territory, "outcome")  # the territory is not settled: no outcome is drawn
    assert len(with_gid(territory, "event")) == len([e for e in result.events("territory") if e["kind"] == "event"])
    caption = " ".join(t.get_text() for t in territory.texts)
    assert "it is not an outcome" in caption and "Gold star" not in caption
    from matplotlib import dates as mdates

    line = with_gid(territory, "model-line")[0]
    expected = mdates.date2num([pd.Timestamp(s.as_of).to_pydatetime() for s in result.snapshots])
    assert np.allclose(line.get_xdata(), expected)  # a time axis: each snapshot at its date, not evenly spaced
