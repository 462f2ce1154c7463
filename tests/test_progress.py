"""Progress of long runs (issue 15): the library reports rounds through a callback, the command
line draws them as a bar on a terminal's stderr and prints nothing of it anywhere else."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

from rich.console import Console
from typer.testing import CliRunner

from detente import cli
from detente.forecast import forecast
from detente.io import save
from detente.models.base import report_step, reporting_steps
from tests.models.test_scale import crowd


def test_dynamic_models_report_each_round_with_their_limit():
    steps = []
    result = forecast(crowd(12, 2), ["compromise", "eum", "smp", "exchange"], ["eum.max_rounds=4", "smp.max_turns=3", "exchange.rounds=3"],
                      on_step=lambda *s: steps.append(s))
    by_model = {name: [(done, at_most) for n, done, at_most in steps if n == name] for name in ("compromise", "eum", "smp", "exchange")}
    assert by_model["compromise"] == []  # a static model has no rounds
    assert by_model["eum"] == [(k, 4) for k in range(1, len(by_model["eum"]) + 1)] and by_model["eum"]
    assert by_model["smp"] == [(k, 3) for k in range(1, len(result["smp"].positions))]
    assert by_model["exchange"] == [(k, 3) for k in range(1, len(result["exchange"].positions))] and by_model["exchange"]


def test_reporting_steps_is_scoped_to_its_block():
    seen = []
    with reporting_steps(lambda done, at_most: seen.append((done, at_most))):
        report_step(1, 5)
    report_step(2, 5)  # outside the block: nobody listens
    assert seen == [(1, 5)]


def test_forecast_draws_a_round_bar_on_a_terminal(tmp_path, monkeypatch):
    path = tmp_path / "crowd.yaml"
    save(crowd(12, 2), path)
    screen = io.StringIO()
    monkeypatch.setattr(cli, "errors", Console(file=screen, force_terminal=True, width=120))
    output = CliRunner().invoke(cli.app, ["forecast", str(path), "-m", "smp", "--set", "max_turns=3", "--no-store", "-f", "json"])
    assert output.exit_code == 0, output.output
    assert "running smp (1/1) on 12 actors x 2 issues" in screen.getvalue()
    assert re.search(r"round [23] \(at most 3\)", screen.getvalue())  # drawn a few times a second: at least the last turn
    assert json.loads(output.stdout)["forecasts"]  # the bar stays off stdout


def test_forecast_prints_no_progress_into_a_pipe(tmp_path):
    path = tmp_path / "crowd.yaml"
    save(crowd(30, 2), path)
    run = subprocess.run(
        [sys.executable, "-m", "detente.cli", "forecast", str(path), "-m", "eum", "-m", "smp", "--no-store", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert len(json.loads(run.stdout)["forecasts"]) == 4
