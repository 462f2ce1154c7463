"""Forecasts across the snapshots of a series, beside what happened; the backtest of a snapshot
against its series' history."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import detente
from detente.analysis.backtest import load_cases, run_backtest
from detente.analysis.timeline import resolve_timeline, series_timeline
from detente.cli import app
from detente.errors import UsageError

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def ukraine_timeline():
    return series_timeline("ukraine", ["compromise", "median"])


def test_the_series_runs_every_snapshot_in_date_order(ukraine_timeline):
    dates = [s.as_of for s in ukraine_timeline.snapshots]
    assert dates == sorted(dates) and len(dates) == 7
    frame = ukraine_timeline.to_frame()
    for snapshot in ("ukraine-2024-11", "ukraine-2025-12"):
        expected = detente.forecast(detente.load(snapshot), ["compromise"])["compromise"].forecast["territory"]
        row = frame[(frame.snapshot == snapshot) & (frame.model == "compromise") & (frame.issue == "territory")]
        assert row.value.item() == pytest.approx(expected)
    wide = ukraine_timeline.wide("kursk")
    assert list(wide.columns) == ["2024-11-14", "2025-03-14", "2025-06-10"]  # Kursk left the talks after June 2025
    assert list(wide.index) == ["compromise", "median"]


def test_events_carry_their_kind_and_states_are_never_outcomes(ukraine_timeline):
    territory = ukraine_timeline.events("territory")
    assert {e["kind"] for e in territory} == {"event", "state"}
    assert all(e["label"] == "state of the talks (not an outcome)" for e in territory if e["kind"] == "state")
    (kursk,) = [e for e in ukraine_timeline.events("kursk") if e["kind"] == "outcome"]
    assert (kursk["date"], kursk["value"], kursk["label"]) == ("2025-04-26", 100, "outcome")
    assert "aljazeera.com" in kursk["sources"]


def test_since_keeps_later_snapshots_and_events():
    result = resolve_timeline(["ukraine"], ["compromise"], since="2025-06-01")
    assert [s.id for s in result.snapshots] == ["ukraine-2025-06", "ukraine-2025-08", "ukraine-2025-11", "ukraine-2025-12"]
    assert min(e["date"] for e in result.events()) >= "2025-06-01"


def test_snapshots_given_one_by_one_take_their_series_history():
    result = resolve_timeline(["ukraine-2024-11", "ukraine-2025-12"], ["compromise"])
    assert result.series == "ukraine" and result.history is not None


@pytest.mark.parametrize(
    "names, since, message",
    [
        (["atlantis"], None, "give a bundled series (ukraine) or at least two snapshots"),
        (["ukraine"], "June", "--since must be a date YYYY-MM-DD"),
        (["ukraine"], "2030-01-01", "at least two snapshots"),
    ],
)
def test_bad_requests_are_user_errors(names, since, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        resolve_timeline(names, ["compromise"], since=since)


# -- backtest against the history ---------------------------------------------------------------


def test_the_november_2024_snapshot_is_scored_on_settled_issues_only():
    cases, _ = load_cases(["ukraine-2024-11"])
    result = run_backtest(cases, ["compromise", "exchange"])
    scored = result.records
    assert sorted(set(scored.issue)) == ["aid", "kursk"]
    kursk = scored[(scored.model == "compromise") & (scored.issue == "kursk")]
    assert kursk.outcome.item() == 100 and kursk.abs_error.item() == pytest.approx(100 - kursk.forecast.item())
    assert "Al Jazeera" in kursk.source.item() and "2025-04-26" in kursk.source.item()
    states = result.states
    assert sorted(set(states.issue)) == ["security", "territory"]
    territory = states[(states.model == "compromise") & (states.issue == "territory")]
    assert (territory.state.item(), territory.state_date.item()) == (62, "2025-12-28")
    summary = result.summary()
    assert summary.set_index("model").loc["compromise", "n"] == 2  # the states never enter the accuracy summary


def test_cli_backtest_of_a_snapshot_labels_the_state_of_the_talks():
    result = invoke("backtest", "ukraine-2024-11", "-m", "compromise", "-m", "eum", "--no-store")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "NOT an outcome; not scored" in text and "62.0 on 2025-12-28" in text
    assert not re.search(r"\d…|…\d", result.output)  # no number is cut
    data = json.loads(invoke("backtest", "ukraine-2024-11", "-m", "compromise", "-f", "json", "--no-store").stdout)
    assert [r["n"] for r in data["summary"]] == [2]
    assert {r["issue"] for r in data["against_state_of_talks"]["detail"]} == {"territory", "security"}
    assert data["against_state_of_talks"]["note"].startswith("not outcomes")


# -- the command ---------------------------------------------------------------------------------


def test_cli_timeline_table_csv_and_chart(tmp_path):
    result = invoke("timeline", "ukraine", "-m", "compromise", "-m", "median")
    assert result.exit_code == 0, result.output
    # at 80 columns what happened is a list under its dates, each kind whole with its value
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert any(re.match(r"  2025-\d\d-\d\d  state of the talks \(not an outcome\), \d+\.\d", line) for line in lines)
    assert any(line.strip() == "25  Russian withdrawal to the lines of 23 February 2022" for line in lines)  # anchors in full
    assert "2025" in result.output and "12-29" in result.output
    assert not re.search(r"\d…|…\d", result.output)  # at 80 columns no number is cut (anchor labels are shortened on purpose)
    rows = invoke("timeline", "ukraine", "-m", "compromise", "-i", "kursk", "-f", "csv").stdout.strip().splitlines()
    assert rows[0] == "snapshot,as_of,model,issue,value,status_quo" and len(rows) == 1 + 3
    target = tmp_path / "territory.png"
    drawn = invoke("timeline", "ukraine", "-m", "compromise", "-i", "territory", "--since", "2024-11-01", "-o", target)
    assert drawn.exit_code == 0, drawn.output
    assert target.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "args, message",
    [
        (["atlantis"], "give a bundled series"),
        (["ukraine", "-i", "crimea"], "unknown issue 'crimea'"),
        (["ukraine", "-o", "chart.gif"], "cannot write a chart as '.gif'"),
    ],
)
def test_cli_timeline_errors_are_messages(args, message):
    result = invoke("timeline", *args, "-m", "compromise")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
