"""Every kind of run the commands store can be listed, shown (table and JSON), diffed and, where a
report makes sense, reported on: a property test stores runs of every kind and reopens them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from detente.cli import app

CASE = str(Path(__file__).parent / "data" / "emission-standards-bdm1994.yaml")
CHEAP_MODELS = ["compromise", "median", "nash"]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "80"})


def command_for(kind: str, models: list[str], draws: int, seed: int) -> list[str]:
    chosen = [part for model in models for part in ("-m", model)]
    if kind == "forecast":
        return ["forecast", "ukraine-2024-11", *chosen]
    if kind == "simulate":
        return ["simulate", "ukraine-2024-11", *chosen, "-n", str(draws), "--seed", str(seed)]
    if kind == "whatif":
        return ["whatif", "ukraine-2024-11", "-l", "drop:HUN", *chosen] + (["-n", str(draws), "--seed", str(seed)] if seed % 2 else [])
    return ["backtest", CASE, *chosen, "--draws", str(draws), "--seed", str(seed)]


KINDS = ["forecast", "simulate", "whatif", "backtest"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.lists(st.sampled_from(KINDS), min_size=2, max_size=3),
    models=st.lists(st.sampled_from(CHEAP_MODELS), min_size=1, max_size=3, unique=True),
    draws=st.integers(10, 40),
    seed=st.integers(0, 5),
)
def test_every_stored_run_kind_can_be_listed_shown_diffed_and_reported(tmp_path_factory, kinds, models, draws, seed):
    store = str(tmp_path_factory.mktemp("store") / "runs.sqlite")
    for kind in kinds:
        made = invoke(*command_for(kind, models, draws, seed), "--store", store)
        assert made.exit_code == 0, made.output
    listed = invoke("runs", "list", "--store", store, "-f", "json")
    assert listed.exit_code == 0, listed.output
    runs = json.loads(listed.output)
    assert [r["kind"] for r in runs] == list(reversed(kinds))
    for run in runs:
        shown = invoke("runs", "show", str(run["id"]), "--store", store)
        assert shown.exit_code == 0, shown.output
        assert f"{run['id']} ({run['kind']})" in shown.output
        data = json.loads(invoke("runs", "show", str(run["id"]), "--store", store, "-f", "json").output)
        assert data["kind"] == run["kind"] and data["models"] == run["models"]
        report = invoke("report", "--run", str(run["id"]), "--store", store, "-o", str(tmp_path_factory.mktemp("report") / "r.html"), "--no-timeline")
        if run["kind"] in {"forecast", "simulate"}:
            assert report.exit_code == 0, report.output
        else:
            assert report.exit_code == 2 and f"is a {run['kind']} run" in report.output
            assert "Traceback" not in report.output
    diff = invoke("runs", "diff", str(runs[-1]["id"]), str(runs[0]["id"]), "--store", store)
    assert diff.exit_code == 0, diff.output
    assert json.loads(invoke("runs", "diff", str(runs[-1]["id"]), str(runs[0]["id"]), "--store", store, "-f", "json").output)["first"] == runs[-1]["id"]


def _store(tmp_path: Path, *command: str) -> str:
    store = str(tmp_path / "runs.sqlite")
    made = invoke(*command, "--store", store)
    assert made.exit_code == 0, made.output
    return store


def test_a_stored_simulation_shows_its_summaries_and_notes(tmp_path):
    store = _store(tmp_path, "simulate", "ukraine-2024-11", "-n", "40", "--seed", "3")
    shown = invoke("runs", "show", "latest", "--store", store)
    assert shown.exit_code == 0, shown.output
    assert "Monte Carlo: 40 draws, seed 3" in shown.output
    assert "draws=40" in shown.output  # the command's options, not per-model options
    assert "leaves out by default" in shown.output.replace("\n", " ")  # the stored notes


def test_a_stored_simulation_shows_the_tables_the_command_printed(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    printed = invoke("simulate", "ukraine-2024-11", "-m", "compromise", "-m", "median", "-n", "40", "--seed", "3", "--store", store)
    assert printed.exit_code == 0, printed.output
    shown = invoke("runs", "show", "latest", "--store", store)
    assert shown.exit_code == 0, shown.output
    tables = printed.output.split("How to read this")[0]
    assert tables.strip() and tables.strip() in shown.output


def test_a_stored_whatif_shows_baseline_changed_and_shift(tmp_path):
    store = _store(tmp_path, "whatif", "ukraine-2024-11", "-l", "drop:HUN", "-m", "compromise")
    shown = invoke("runs", "show", "latest", "--store", store)
    assert shown.exit_code == 0, shown.output
    assert "What if: drop:HUN" in shown.output
    lines = shown.output.splitlines()
    heading = next(n for n, line in enumerate(lines) if "Western military" in line)  # at 80 columns each issue is a heading
    row = next(line for line in lines[heading:] if line.startswith("Compromise"))
    baseline, changed, shift = re.findall(r"[-+]?\d+\.\d", row)
    assert float(changed) - float(baseline) == pytest.approx(float(shift), abs=0.11)


def test_a_stored_backtest_shows_its_accuracy_table(tmp_path):
    store = _store(tmp_path, "backtest", CASE, "-m", "compromise", "-m", "median")
    shown = invoke("runs", "show", "latest", "--store", store)
    assert shown.exit_code == 0, shown.output
    assert "MAE" in shown.output and "median" in shown.output


def test_a_stored_whatif_shows_the_tables_the_command_printed(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    printed = invoke("whatif", "ukraine-2024-11", "-l", "drop:HUN", "-m", "compromise", "-m", "median", "-n", "20", "--seed", "4", "--store", store)
    assert printed.exit_code == 0, printed.output
    shown = invoke("runs", "show", "latest", "--store", store)
    assert shown.exit_code == 0, shown.output
    tables = printed.output.split("Stored as run")[0].strip()
    assert tables and tables in shown.output


@pytest.mark.parametrize("kind", ["simulate", "whatif", "backtest"])
def test_a_reopened_run_gives_the_csv_its_command_printed(tmp_path, kind):
    store = str(tmp_path / "runs.sqlite")
    printed = invoke(*command_for(kind, ["compromise", "median"], 30, 3), "--store", store, "-f", "csv").output.splitlines()
    reopened = invoke("runs", "show", "latest", "--store", store, "-f", "csv").output.splitlines()
    shown = [line.split(",", 2)[2] for line in reopened[1:]]
    if kind == "simulate":
        assert "combined_probability" in printed[0]
    if kind == "backtest":  # the printed rows do not name the scenario; the reopened ones do, in third place
        reopened_columns, printed_columns = reopened[0].split(","), printed[0].split(",")
        assert reopened_columns[:3] == ["run", "kind", "scenario"] and reopened_columns[3:] == printed_columns
        shown = [line.split(",", 3)[3] for line in reopened[1:]]
    else:
        assert reopened[0] == "run,kind," + printed[0]
    assert shown == printed[1:] and len(printed) > 2
