"""The command line as a user meets it: output, formats, and clean errors."""

import json

from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "160"})


def test_forecast_default_scenario_table_places_forecasts_among_anchors():
    result = invoke("forecast")
    assert result.exit_code == 0, result.output
    assert "Territorial settlement" in result.output
    assert "Compromise (weighted mean)" in result.output
    assert "between 'Russian withdrawal to the lines of 23" in result.output
    assert "How to read this" in result.output


def test_forecast_json_records_are_in_issue_units():
    result = invoke("forecast", "ukraine-2024-11", "--model", "compromise", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["scenario"] == "ukraine-2024-11"
    territory = next(r for r in data["forecasts"] if r["issue"] == "territory")
    assert territory["model"] == "compromise"
    assert 0 < territory["value"] < 100


def test_forecast_csv_has_a_row_per_model_and_issue():
    result = invoke("forecast", "ukraine-2024-11", "-m", "compromise", "-m", "median", "-f", "csv")
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("scenario,model,issue,value")
    assert len(lines) == 1 + 2 * 4


def test_help_names_the_default_scenario():
    from detente.io import DEFAULT_SCENARIO

    assert DEFAULT_SCENARIO in invoke("forecast", "--help").output


def test_models_may_be_given_as_a_comma_separated_list():
    listed = invoke("forecast", "ukraine-2024-11", "-m", "compromise, median", "-f", "csv").output
    assert listed == invoke("forecast", "ukraine-2024-11", "-m", "compromise", "-m", "median", "-f", "csv").output
    assert "unknown model 'oracle'" in invoke("forecast", "-m", "median,oracle").output


def test_set_passes_typed_options():
    plain = json.loads(invoke("forecast", "-m", "median", "-f", "json").output)
    qualified = json.loads(invoke("forecast", "-m", "median", "--set", "quota=0.74", "-f", "json").output)
    assert [r["value"] for r in plain["forecasts"]] != [r["value"] for r in qualified["forecasts"]]


def test_unknown_option_is_a_clear_error():
    result = invoke("forecast", "--set", "quorum=0.7")
    assert result.exit_code == 2
    assert "unknown option 'quorum'" in result.output
    assert "Traceback" not in result.output


def test_bad_option_value_is_a_clear_error():
    result = invoke("forecast", "-m", "median", "--set", "quota=lots")
    assert result.exit_code == 2
    assert "option 'quota' of model 'median'" in result.output


def test_unknown_model_and_missing_file():
    assert "unknown model 'oracle'" in invoke("forecast", "-m", "oracle").output
    result = invoke("forecast", "no-such-file.yaml")
    assert result.exit_code == 2
    assert "no-such-file.yaml" in result.output and "no such file" in result.output


def test_models_lists_options_with_defaults():
    result = invoke("models")
    assert "quota = 0.5" in result.output
    assert "compromise" in result.output and "nash" in result.output


def test_models_at_80_columns_gives_each_option_a_line_of_its_own():
    lines = runner.invoke(app, ["models"], env={"COLUMNS": "80"}).output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert any(line.strip().startswith("quota = 0.5") and "share of the weight" in line for line in lines)
    assert any(line.startswith("smp  KTAB Spatial Model of Politics") for line in lines)


def test_scenarios_lists_bundled_ids():
    result = invoke("scenarios")
    assert "ukraine-2024-11" in result.output and "2024-11-14" in result.output


def test_validate_reports_every_problem(tmp_path):
    text = (
        "detente: 1\nid: broken\nissues:\n  - id: a\n    scale: [0, 10]\nactors:\n"
        "  - id: X\n    capability: 1\n    stances:\n      a: {position: 11, salience: 50}\n"
        "  - id: X\n    capability: -2\n    stances:\n      b: {position: 1, salience: 50}\n"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert "broken.yaml:10" in result.output and "position 11 lies outside the scale [0, 10]" in result.output
    assert "duplicate actor id 'X'" in result.output
    assert "capability must be > 0" in result.output
    assert "unknown issue id 'b'" in result.output


def test_validate_says_valid():
    result = invoke("validate", "ukraine-2024-11")
    assert result.exit_code == 0 and "valid" in result.output


def test_convert_yaml_to_csv_and_back(tmp_path):
    csv_path = tmp_path / "u.csv"
    assert invoke("convert", "ukraine-2024-11", str(csv_path)).exit_code == 0
    rows = [line for line in csv_path.read_text().splitlines() if not line.startswith("#")]
    assert rows[0].lower().startswith("actor")
    yaml_path = tmp_path / "back.yaml"
    assert invoke("convert", str(csv_path), str(yaml_path)).exit_code == 0
    import detente

    assert detente.load(str(yaml_path)) == detente.load("ukraine-2024-11")


def test_rounds_refuses_a_static_model():
    result = invoke("rounds", "-m", "median")
    assert result.exit_code == 2 and "has no rounds" in result.output


def test_report_to_a_missing_folder_fails_before_any_work():
    result = invoke("report", "-o", "/nonexistent-folder/report.html")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_backtest_on_a_deu_file_without_scoreable_issues_says_so(tmp_path):
    header_only = tmp_path / "deu.csv"
    header_only.write_text("prnrnmc;isnrnmc;prnr;prname;isnr;proc;pcom;scom;pde;sde;pfr;sfr;rp;out\n", encoding="utf-8")
    result = invoke("backtest", "--deu", str(header_only), "--no-store")
    assert result.exit_code == 2, result.output
    assert "deu.csv: no issue has a known outcome" in result.output and "Traceback" not in result.output


def test_convert_and_draft_into_a_missing_folder_are_messages(tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Russia said it wants peace. Ukraine said it wants its land back.", encoding="utf-8")
    missing = tmp_path / "no-such-folder"
    for args in (["convert", "ukraine-2024-11", str(missing / "out.yaml")], ["draft", str(article), "-o", str(missing / "draft.yaml")]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert "no-such-folder" in result.output and "No such file or directory" in result.output
        assert not isinstance(result.exception, OSError)


def test_forecast_shows_the_calibrated_interval_with_every_digit_at_80_columns():
    records = json.loads(invoke("forecast", "-m", "compromise", "-m", "consensus", "-f", "json", "--no-store").output)["forecasts"]
    narrow = runner.invoke(app, ["forecast", "-m", "compromise", "-m", "consensus", "--no-store"], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    assert "90% interval" in narrow.output
    for record in records:
        assert f"{record['q05']:.1f}–{record['q95']:.1f}" in narrow.output
    hidden = runner.invoke(app, ["forecast", "-m", "compromise", "--no-intervals", "--no-store"], env={"COLUMNS": "80"})
    assert hidden.exit_code == 0 and "90% interval" not in hidden.output


def test_forecast_csv_and_json_carry_the_interval_ends():
    rows = invoke("forecast", "-m", "compromise", "-f", "csv", "--no-store").output.splitlines()
    assert rows[0].split(",")[-4:] == ["q05", "q25", "q75", "q95"]


def test_a_stored_forecast_reopens_as_csv_with_the_columns_it_was_printed_with():
    import csv
    import io

    printed = list(csv.DictReader(io.StringIO(invoke("forecast", "ukraine-2024-11", "-m", "compromise", "-f", "csv").output)))
    run_id = json.loads(invoke("runs", "list", "-f", "json").output)[0]["id"]
    reopened = list(csv.DictReader(io.StringIO(invoke("runs", "show", str(run_id), "-f", "csv").output)))
    assert [(r["model"], r["issue"], r["value"], r["q05"], r["q95"]) for r in reopened] == [
        (r["model"], r["issue"], r["value"], r["q05"], r["q95"]) for r in printed
    ]
    assert reopened[0]["run"] == str(run_id)
