"""Round for round against reference programs, on random scenarios (issue 16).

The expected numbers in ``tests/data/reference_runs/`` were produced by the reference programs
themselves (see each file's ``about``) on scenarios drawn by :mod:`tests.models.random_scenarios`;
the full comparisons (hundreds of cases) are summarised in docs/models/.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from detente.cli import app
from detente.models.eum import ExpectedUtilityModel
from detente.scenario import Scenario
from tests.models.random_scenarios import random_scenario

RUNS = Path(__file__).resolve().parents[1] / "data" / "reference_runs"
SCHOLZ = json.loads((RUNS / "eum_scholz_random.json").read_text())["cases"]


def test_the_fixtures_inputs_are_the_generators():
    for case in SCHOLZ:
        assert case["scenario"] == random_scenario(case["seed"])


@pytest.mark.parametrize("case", SCHOLZ, ids=[f"seed{c['seed']}" for c in SCHOLZ])
def test_scholz_replication_runs_every_round_as_the_scholz_code(case):
    result = ExpectedUtilityModel(preset="scholz_replication", max_rounds=case["rounds"]).run(Scenario.from_dict(case["scenario"]))
    for k, issue in enumerate(result.scenario.issue_ids):
        assert result.rounds_run[issue] == case["rounds"]
        assert result.notes[issue].startswith(f"ran {case['rounds']} rounds as the Scholz code does")
        np.testing.assert_allclose(result.positions[:, :, k], case["positions"][issue], rtol=0, atol=1e-7)


def test_paper_preset_keeps_its_stopping_rule():
    case = SCHOLZ[0]
    result = ExpectedUtilityModel(preset="paper", max_rounds=case["rounds"]).run(Scenario.from_dict(case["scenario"]))
    assert result.options["detect_cycles"] and result.options["stop_rounds"] == 1
    assert all(reason != "round_limit" for reason in result.stop_reason.values())


def test_cli_rounds_with_the_scholz_preset_runs_the_references_rounds(tmp_path):
    case = SCHOLZ[0]
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case["scenario"]))
    output = CliRunner().invoke(
        app, ["rounds", str(path), "-m", "eum", "--set", "preset=scholz_replication", "--set", "max_rounds=10", "-f", "json"]
    )
    assert output.exit_code == 0, output.output
    data = json.loads(output.output)
    assert len(data["rounds"]) == 11
    for issue, expected in case["positions"].items():
        assert data["issues"][issue]["rounds"] == 10
        got = [[state["positions"][actor["id"]][issue] for actor in case["scenario"]["actors"]] for state in data["rounds"]]
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    table = CliRunner().invoke(app, ["rounds", str(path), "-m", "eum", "--set", "preset=scholz_replication", "--set", "max_rounds=10"], env={"COLUMNS": "160"})
    assert "ran 10 rounds as the Scholz code does" in table.output
