"""Output a user pipes, saves or reads in a narrow terminal: no number is ever cut, every
`-f csv` is one tidy table with clean numbers, and JSON numbers carry no binary noise."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from detente.cli import app

DATA = Path(__file__).parent / "data"
CASE = str(DATA / "emission-standards-bdm1994.yaml")
ARTICLE = str(DATA / "draft" / "heldout-ceasefire.txt")
runner = CliRunner()

# A digit, a decimal point or a sign next to an ellipsis: a number cut to fit.
CUT_NUMBER = re.compile(r"[\d.]…|…[\d.]|[-+\[]…")


def commands(tmp: Path) -> list[list[str]]:
    """Every command of the CLI (but `serve`), in the order a user meets them; runs stored by the
    first ones are shown and diffed by the last."""
    return [
        ["forecast"],
        ["forecast", "ktab-dummy-3dim"],
        ["models"],
        ["scenarios"],
        ["validate", "ukraine-2024-11"],
        ["convert", "ukraine-2024-11", str(tmp / "copy.csv")],
        ["rounds", "-m", "smp"],
        ["rounds", "-m", "exchange"],
        ["rounds", "-m", "eum", "-i", "territory"],
        ["exchanges"],
        ["backtest", CASE, "-m", "compromise", "-m", "median", "-m", "eum"],
        ["draft", ARTICLE, "-o", str(tmp / "draft.yaml")],
        ["simulate", "-m", "compromise", "-m", "smp", "-n", "30"],
        ["sensitivity", "-m", "compromise"],
        ["whatif", "-l", "drop:HUN", "-m", "compromise", "-m", "eum", "-n", "20"],
        ["compare", "ukraine-2023-06", "ukraine-2024-11", "-m", "compromise", "-m", "nash"],
        ["plot", "landscape", "-o", str(tmp / "chart.png")],
        ["runs", "list"],
        ["runs", "show", "1"],
        ["runs", "show", "2"],
        ["runs", "show", "3"],
        ["runs", "show", "4"],
        ["runs", "diff", "1", "2"],
    ]


def assert_no_cut_number(text: str, command: list[str]) -> None:
    cut = [line for line in text.splitlines() if CUT_NUMBER.search(line)]
    assert not cut, f"`detente {' '.join(command)}` cut a number:\n" + "\n".join(cut)


@pytest.mark.slow
def test_no_command_cuts_a_number_at_80_columns(tmp_path):
    for command in commands(tmp_path):
        result = runner.invoke(app, command, env={"COLUMNS": "80"})
        assert result.exit_code == 0, (command, result.output)
        assert_no_cut_number(result.output, command)


@pytest.mark.slow
def test_no_command_cuts_a_number_through_a_pipe(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env["DETENTE_STORE"] = str(tmp_path / "runs.sqlite")
    for command in [["forecast", "-m", "compromise"], ["rounds", "-m", "smp"], ["scenarios"], ["backtest", CASE, "-m", "compromise", "-m", "median"], ["runs", "list"], ["runs", "show", "latest"]]:
        done = subprocess.run([sys.executable, "-m", "detente.cli", *command], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, (command, done.stderr)
        assert_no_cut_number(done.stdout, command)
    wide = max(len(line) for line in done.stdout.splitlines())
    assert wide <= 80  # the reopened backtest is laid out for the 80 columns a pipe gets


def test_runs_diff_at_80_columns_puts_each_model_on_one_line(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    for models in (["-m", "compromise", "-m", "median"], ["-m", "compromise", "--set", "median.quota=0.6", "-m", "median"]):
        assert runner.invoke(app, ["forecast", *models, "--store", store]).exit_code == 0
    result = runner.invoke(app, ["runs", "diff", "1", "2", "--store", store], env={"COLUMNS": "80"})
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    rows = [line for line in lines if "Compromise" in line]
    assert len(rows) >= 4 and all(re.match(r"Compromise +[\d.]+ +[\d.]+ +(?:0\.0|[+-]\d)", line) for line in rows)  # one line, with its numbers
    assert any(line.strip() == "Territorial settlement" for line in lines)  # the issue as a heading
    assert any("options.median.quota" in line and "0.6" in line for line in lines)


def test_compare_at_80_columns_gives_each_issue_a_heading_and_each_model_one_line():
    result = runner.invoke(app, ["compare", "ukraine-2023-06", "ukraine-2024-11", "-m", "compromise", "-m", "nash"], env={"COLUMNS": "80"})
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert any(line.strip() == "Territorial settlement" for line in lines)
    rows = [line for line in lines if line.startswith("Nash bargaining")]
    assert len(rows) >= 3 and all(re.match(r"Nash bargaining +[\d.–]+ +[\d.–]+ +(?:[+\-]\d|0\.0|–)", line) for line in rows), rows


CSV_COMMANDS = [
    (["forecast", "-m", "compromise", "-m", "eum"], {"scenario", "model", "issue", "value"}),
    (["rounds", "-m", "smp"], {"scenario", "model", "issue", "round", "actor", "position", "forecast"}),
    (["rounds", "-m", "eum"], {"scenario", "model", "issue", "round", "actor", "position", "forecast"}),
    (["exchanges"], {"scenario", "model", "round", "actor"}),
    (["simulate", "-m", "compromise", "-n", "20"], {"scenario", "model", "issue", "band", "probability"}),
    (["sensitivity"], {"scenario", "model", "actor", "issue", "effect"}),
    (["whatif", "-l", "drop:HUN", "-m", "compromise"], {"scenario", "model", "issue", "baseline", "changed", "shift"}),
    (["compare", "ukraine-2023-06", "ukraine-2024-11", "-m", "compromise"], {"first_scenario", "second_scenario", "model", "issue"}),
    (["backtest", CASE, "-m", "compromise"], {"case", "model", "issue", "forecast", "outcome"}),
    (["runs", "list"], {"id", "kind", "scenario_id", "models"}),
    (["runs", "show", "latest"], {"run", "kind", "scenario", "model", "issue", "value"}),
]


@pytest.mark.slow
@pytest.mark.parametrize("command,keys", CSV_COMMANDS, ids=[" ".join(c[:2]) for c, _ in CSV_COMMANDS])
def test_every_csv_is_one_tidy_table_with_clean_numbers(command, keys):
    if command[0] == "runs":
        assert runner.invoke(app, ["forecast", "-m", "compromise"]).exit_code == 0
    result = runner.invoke(app, [*command, "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines.count(lines[0]) == 1  # one header, not one per issue
    frame = pd.read_csv(io.StringIO(result.output))
    assert keys <= set(frame.columns), frame.columns
    assert not frame.duplicated(subset=[c for c in frame.columns if c in keys and frame[c].dtype == object] or None).all()
    for column in frame.select_dtypes("number").columns:
        for value in frame[column].dropna():
            assert len(repr(float(value)).replace("-", "").replace(".", "").lstrip("0")) <= 12, (column, value)


def test_rounds_csv_has_a_row_per_issue_round_and_actor():
    result = runner.invoke(app, ["rounds", "ukraine-2024-11", "-m", "smp", "-f", "csv"])
    frame = pd.read_csv(io.StringIO(result.output))
    assert set(frame.issue) == {"territory", "security", "kursk", "aid"}
    per_issue = frame.groupby("issue").size()
    rounds = frame.groupby("issue")["round"].nunique()
    assert (per_issue == rounds * 13).all()  # 13 actors in ukraine-2024-11
    assert not frame.duplicated(["issue", "round", "actor"]).any()


def test_json_numbers_carry_no_binary_noise():
    from detente.report.export import tidy

    assert tidy({"a": [0.1 + 0.2, float("nan")], "b": 1}) == {"a": [0.3, None], "b": 1}
    result = runner.invoke(app, ["sensitivity", "-f", "json"])
    numbers = re.findall(r"-?\d+\.\d+(?:e-?\d+)?", result.output)
    assert numbers and all(len(n.lstrip("-").replace(".", "").lstrip("0").split("e")[0]) <= 10 for n in numbers)
    json.loads(result.output)


@pytest.mark.parametrize("model", ["exchange", "smp"])
def test_rounds_at_80_columns_fit_them_with_every_actor_and_number_whole(model):
    result = runner.invoke(app, ["rounds", "-m", model, "-i", "security"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert_no_cut_number(result.output, ["rounds", model])
    header = next(line for line in lines if "forecast" in line and "round" in line)
    assert "UKR" in header  # every actor with a stance keeps its column; the others are named under the table
    assert "HUN" in header or "HUN" in next(line for line in lines if "No stance on this issue:" in line)


def test_exchanges_at_80_columns_give_each_trade_a_short_block_with_whole_moves():
    result = runner.invoke(app, ["exchanges", "--round", "1"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    first = json.loads(runner.invoke(app, ["exchanges", "--round", "1", "-f", "json"]).stdout)[0]
    move = f"{first['old']:.1f} → {first['new']:.1f}"
    assert any(move in line and "Ukraine" in line for line in lines), move  # an actor's move stays on one line
    count = len(json.loads(runner.invoke(app, ["exchanges", "--round", "1", "-f", "json"]).stdout))
    assert len(lines) <= 3 * count + 12  # about three lines a trade, not five
