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
