"""Commands that used to do less than asked without saying so, and messages that said it badly."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()

SCENARIO = """detente: 1
id: t
issues:
  - id: a
    scale: {scale}
actors:
  - id: A
    capability: 1
    stances: {{a: {{position: 10, salience: 60}}}}
  - id: B
    capability: 1
    stances: {{a: {{position: 20, salience: {salience}}}}}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_sensitivity_analyses_every_model_given():
    result = runner.invoke(app, ["sensitivity", "-m", "compromise", "-m", "median", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(io.StringIO(result.output)).model) == {"compromise", "median"}
    data = json.loads(runner.invoke(app, ["sensitivity", "-m", "compromise", "-m", "median", "-f", "json"]).output)
    assert [d["model"] for d in data] == ["compromise", "median"]
    table = runner.invoke(app, ["sensitivity", "-m", "compromise", "-m", "median"], env={"COLUMNS": "160"}).output
    assert "What moves the compromise forecast" in table and "What moves the median forecast" in table


def test_rounds_shows_every_model_given():
    result = runner.invoke(app, ["rounds", "-m", "eum", "-m", "smp", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(io.StringIO(result.output)).model) == {"eum", "smp"}


def test_a_lever_set_naming_an_unknown_actor_is_not_valid(tmp_path):
    path = write(tmp_path, SCENARIO.format(scale="[0, 100]", salience=40) + "levers:\n  bad: ['XYZ.capability*2']\n  good: ['A.capability*2']\n")
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 1
    assert "levers.bad" in result.output and "unknown actor 'XYZ'" in result.output
    assert "levers.good" not in result.output


def test_a_salience_below_one_in_a_0_to_100_file_is_warned_about(tmp_path):
    path = write(tmp_path, SCENARIO.format(scale="[0, 100]", salience=0.6))
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 0
    assert "actors[B].stances.a.salience" in result.output and "write 60" in result.output
    assert "1 warning" in result.output
    forecast = runner.invoke(app, ["forecast", path, "-m", "compromise", "--no-store"])
    assert "warning: actors[B].stances.a.salience" in forecast.output
    clean = runner.invoke(app, ["validate", write(tmp_path, SCENARIO.format(scale="[0, 100]", salience=40), "clean.yaml")])
    assert "warning" not in clean.output


def test_a_tab_in_the_yaml_indentation_is_named(tmp_path):
    path = write(tmp_path, "detente: 1\nid: t\nissues:\n\t- id: a\n")
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 1
    assert ":4:" in result.output and "tab" in result.output and "spaces" in result.output


def test_a_scale_written_as_text_gets_one_message_with_the_fix(tmp_path):
    path = write(tmp_path, SCENARIO.format(scale="0-100", salience=40))
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 1
    assert "1 problem\n" in result.output  # not the same fault twice, once in pydantic's words
    assert "write [0, 100]" in result.output
    assert "valid tuple" not in result.output


def test_counts_agree_with_their_nouns(tmp_path):
    single = write(tmp_path, SCENARIO.format(scale="[0, 100]", salience=40))
    result = runner.invoke(app, ["validate", single], env={"COLUMNS": "300"})
    assert "(2 actors, 1 issue)" in result.output
    backtest = runner.invoke(app, ["backtest", str(Path(__file__).parent / "data" / "emission-standards-bdm1994.yaml"), "-m", "compromise", "--no-store"], env={"COLUMNS": "200"})
    assert "1 case:" in backtest.output and "1 cases" not in backtest.output


def test_version():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"detente {version('detente')}"


def test_convert_and_draft_refuse_to_overwrite_without_force(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("my edits\n", encoding="utf-8")
    refused = runner.invoke(app, ["convert", "ukraine-2024-11", str(target)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert target.read_text(encoding="utf-8") == "my edits\n"
    article = Path(__file__).parent / "data" / "draft" / "heldout-ceasefire.txt"
    refused = runner.invoke(app, ["draft", str(article), "-o", str(target)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert target.read_text(encoding="utf-8") == "my edits\n"
    assert runner.invoke(app, ["convert", "ukraine-2024-11", str(target), "--force"]).exit_code == 0
    assert "ukraine-2024-11" in target.read_text(encoding="utf-8")


def test_the_report_counts_one_issue_as_one_issue():
    import detente
    from detente.report import html

    scenario = detente.load("ec-emission-1994")
    lead = html._summary_section(html.ReportData(detente.forecast(scenario, ["compromise"])))
    assert "10 actors, 1 issue." in lead


def test_plot_refuses_options_its_chart_would_ignore(tmp_path):
    for args, option in ((["plot", "tornado", "--actor", "RUS"], "--actor"), (["plot", "paths", "-n", "100"], "--draws")):
        result = runner.invoke(app, [*args, "-o", str(tmp_path / "c.png")])
        assert result.exit_code == 2 and option in result.output, result.output
        assert not (tmp_path / "c.png").exists()
