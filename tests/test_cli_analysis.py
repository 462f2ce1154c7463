"""The analysis commands (simulate, sensitivity, whatif, compare) as a user meets them."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def clean_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def test_simulate_table_shows_intervals_and_band_probabilities():
    result = invoke("simulate", "-m", "compromise", "-n", "500")
    assert result.exit_code == 0, result.output
    assert "Territorial settlement (scale 0–100; 500 draws)" in result.output
    assert "5% – 95%" in result.output and "P(25–50)" in result.output
    assert "seed 0" in result.output


def test_simulate_at_80_columns_keeps_each_model_on_one_line_with_whole_intervals(tmp_path):
    import re

    result = runner.invoke(app, ["simulate", "-n", "60", "--seed", "2", "--store", str(tmp_path / "runs.sqlite")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    summaries = json.loads(runner.invoke(app, ["simulate", "-n", "60", "--seed", "2", "-f", "json", "--no-store"]).stdout)["summaries"]
    first = next(r for r in summaries if r["issue"] == "territory" and r["model"] == "compromise")
    interval = f"{first['q05']:.1f}–{first['q95']:.1f}"
    row = next(line for line in lines if interval in line)
    assert f"{first['point']:.1f}" in row and f"{first['median']:.1f}" in row
    assert len(re.findall(r"\d+\.\d–\d+\.\d", row)) == 3, row  # inputs, model error, both: each whole on the model's line
    territory = lines[: next(i for i, line in enumerate(lines) if line.startswith("Share of draws"))]
    for title in ("Compromise", "Expected utility", "KTAB SMP", "Exchange model"):  # long titles shortened, not wrapped
        row = next(line for line in territory if line.startswith(title + " "))
        assert len(re.findall(r"\d+\.\d–\d+\.\d", row)) == 3, row


def test_simulate_json_is_reproducible_and_seed_dependent():
    first = json.loads(invoke("simulate", "-m", "compromise", "-n", "400", "--seed", "3", "-f", "json").output)
    again = json.loads(invoke("simulate", "-m", "compromise", "-n", "400", "--seed", "3", "-f", "json").output)
    other = json.loads(invoke("simulate", "-m", "compromise", "-n", "400", "--seed", "4", "-f", "json").output)
    assert first == again
    assert first["summaries"] != other["summaries"]
    territory = next(r for r in first["summaries"] if r["issue"] == "territory")
    assert territory["q05"] < territory["median"] < territory["q95"]
    assert sum(b["probability"] for b in territory["bands"]) == pytest.approx(1)


def test_simulate_csv_has_a_row_per_model_issue_and_band():
    lines = invoke("simulate", "ukraine-2024-11", "-m", "compromise", "-m", "median", "-n", "300", "-f", "csv").output.strip().splitlines()
    assert lines[0].startswith("scenario,model,issue,point,median,q05,q95")
    # territory and security have 4 bands, kursk and aid 2
    assert len(lines) == 1 + 2 * (4 + 4 + 2 + 2)


def test_simulate_writes_the_raw_draws_as_parquet(tmp_path):
    path = tmp_path / "draws.parquet"
    result = invoke("simulate", "-m", "compromise", "-n", "300", "--draws-out", str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(path)
    assert len(frame) == 300 and list(frame.columns[:2]) == ["draw", "model"]


def test_simulate_says_when_every_spread_is_zero(tmp_path):
    scenario = tmp_path / "plain.yaml"
    scenario.write_text(
        "detente: 1\nid: plain\nissues:\n  - id: x\nactors:\n"
        "  - {id: A, capability: 1, stances: {x: {position: 10, salience: 50}}}\n"
        "  - {id: B, capability: 1, stances: {x: {position: 90, salience: 50}}}\n"
    )
    result = invoke("simulate", str(scenario), "-m", "compromise", "-n", "100")
    assert result.exit_code == 0, result.output
    assert "every input spread is zero" in result.output
    widened = json.loads(invoke("simulate", str(scenario), "-m", "compromise", "-n", "300", "--position-sd", "10%", "-f", "json").output)
    record = widened["summaries"][0]
    assert record["q95"] - record["q05"] > 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["-n", "0"], "number of draws"),
        (["--seed", "-2"], "seed"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:9"], "not both"),
        (["--position-sd", "wide"], "position_sd"),
        (["-m", "oracle"], "unknown model"),
        (["--set", "quorum=2"], "unknown option"),
    ],
)
def test_simulate_bad_arguments_are_clean_errors(args, message):
    clean_error(invoke("simulate", "-m", "compromise", *args), message)


def test_simulate_unreachable_scheduler_is_a_clean_error(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("detente.analysis.montecarlo.CONNECT_TIMEOUT", "1s")
    clean_error(invoke("simulate", "-m", "compromise", "-n", "10", "--scheduler", "tcp://127.0.0.1:9"), "cannot reach the Dask scheduler")


def test_sensitivity_ranks_inputs_and_lists_leave_one_out():
    result = invoke("sensitivity", "-m", "compromise", "--top", "5")
    assert result.exit_code == 0, result.output
    assert "closed form" in result.output
    assert "Leave one actor out" in result.output
    data = json.loads(invoke("sensitivity", "-m", "compromise", "-f", "json").output)
    effects = [abs(row["effect"]) for row in data["effects"]]
    assert effects == sorted(effects, reverse=True)
    assert data["effects"][0]["actor"] == "RUS"


def test_sensitivity_finite_differences_for_other_models_and_csv():
    lines = invoke("sensitivity", "-m", "median", "-f", "csv").output.strip().splitlines()
    assert lines[0] == "scenario,model,method,actor,input,input_issue,issue,low,high,effect"
    assert "finite differences" in lines[1]


@pytest.mark.parametrize(
    "args, message",
    [(["--position-step", "0"], "position step"), (["-m", "median", "--method", "closed"], "closed-form"), (["--method", "magic"], "magic")],
)
def test_sensitivity_bad_arguments_are_clean_errors(args, message):
    clean_error(invoke("sensitivity", *args), message)


def test_whatif_shows_baseline_and_levers_side_by_side():
    result = invoke("whatif", "--lever", "USA.capability*0.5", "--lever", "drop:HUN", "-m", "compromise")
    assert result.exit_code == 0, result.output
    assert "What if: USA.capability*0.5; drop:HUN" in result.output
    data = json.loads(invoke("whatif", "-l", "USA.capability*0.5", "-l", "drop:HUN", "-m", "compromise", "-f", "json").output)
    aid = next(r for r in data["forecasts"] if r["issue"] == "aid")
    assert aid["shift"] == pytest.approx(aid["changed"] - aid["baseline"], abs=1e-5)
    assert aid["shift"] < 0  # the US and Hungary are the actors pulling aid toward a cut-off


def test_whatif_with_draws_adds_intervals():
    data = json.loads(invoke("whatif", "-l", "RUS.salience*0.5", "-m", "compromise", "-n", "500", "-f", "json").output)
    assert data["draws"] == 500
    row = data["forecasts"][0]
    assert row["baseline_q05"] <= row["baseline_median"] <= row["baseline_q95"]
    assert row["changed_q05"] <= row["changed_median"] <= row["changed_q95"]


def test_whatif_applies_a_named_lever_set_from_the_file(tmp_path):
    from detente.io import load, save

    scenario = load("ukraine-2024-11").with_updates(levers={"us-exit": ["USA.capability*0.2", "USA.aid.position=100"]})
    path = tmp_path / "with-levers.yaml"
    save(scenario, path)
    named = json.loads(invoke("whatif", str(path), "-l", "us-exit", "-m", "compromise", "-f", "json").output)
    spelled = json.loads(invoke("whatif", str(path), "-l", "USA.capability*0.2", "-l", "USA.aid.position=100", "-m", "compromise", "-f", "json").output)
    assert named["levers"] == ["USA.capability*0.2", "USA.aid.position=100"]
    assert named["forecasts"] == spelled["forecasts"]


@pytest.mark.parametrize(
    "lever, message",
    [
        ("USA.capabilty*0.5", "unknown input 'capabilty'"),
        ("drop:XYZ", "unknown actor 'XYZ'"),
        ("USA.power=2", "cannot read lever"),
        ("UKR.territory.position-50", "outside 0..100"),
        ("USA.position*2", "positions cannot be scaled"),
        ("add:CHN territory=60@50", "needs capability"),
        ("add:USA capability=1 territory=60@50", "already in the scenario"),
        ("USA.territory=40", "POSITION@SALIENCE"),
    ],
)
def test_whatif_bad_levers_are_clean_errors(lever, message):
    clean_error(invoke("whatif", "ukraine-2024-11", "-l", lever, "-m", "compromise"), message)


def test_whatif_without_levers_is_a_clean_error():
    clean_error(invoke("whatif", "-m", "compromise"), "no lever given")


def test_compare_shows_both_snapshots_and_the_shift():
    result = invoke("compare", "ukraine-2023-06", "ukraine-2024-11", "-m", "compromise")
    assert result.exit_code == 0, result.output
    assert "ukraine-2023-06 → ukraine-2024-11" in result.output
    assert "issues only in ukraine-2024-11: kursk" in result.output
    data = json.loads(invoke("compare", "ukraine-2023-06", "ukraine-2024-11", "-m", "compromise", "-f", "json").output)
    territory = next(r for r in data["forecasts"] if r["issue"] == "territory")
    assert territory["shift"] == pytest.approx(territory["second"] - territory["first"], abs=1e-5)
    kursk = next(r for r in data["forecasts"] if r["issue"] == "kursk")
    assert kursk["first"] is None and kursk["shift"] is None


def test_compare_needs_two_scenarios_and_known_files():
    assert invoke("compare", "ukraine-2024-11").exit_code == 2
    clean_error(invoke("compare", "ukraine-2024-11", "no-such-file.yaml"))


def test_simulate_csv_gives_each_band_its_probability_with_and_without_model_error():
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(invoke("simulate", "-m", "compromise", "-n", "200", "-f", "csv").output))
    sums = frame.groupby(["model", "issue"])[["probability", "combined_probability"]].sum()
    assert ((sums - 1).abs() < 1e-9).all().all(), sums
    assert (frame["combined_probability"] != frame["probability"]).any()  # the model error spreads the draws
