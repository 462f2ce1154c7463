"""`detente plot` and `detente report` as a user meets them."""

from __future__ import annotations

from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def test_plot_writes_the_chart_in_the_format_of_the_extension(tmp_path):
    for kind, suffix, extra in (("landscape", ".png", ["--issue", "security"]), ("tornado", ".svg", []), ("perception", ".pdf", ["--actor", "USA"])):
        target = tmp_path / f"{kind}{suffix}"
        result = invoke("plot", kind, "ukraine-2024-11", "-o", target, *extra)
        assert result.exit_code == 0, result.output
        assert f"wrote {target}" in result.output
        assert target.stat().st_size > 10_000


def test_plot_timeline_of_given_snapshots(tmp_path):
    target = tmp_path / "timeline.png"
    result = invoke("plot", "timeline", "ukraine-2023-06", "ukraine-2024-11", "-i", "aid", "-m", "compromise", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.exists()


def test_plot_mistakes_are_messages(tmp_path):
    cases = [
        (["plot", "landscape", "-o", tmp_path / "chart.gif"], "use .png, .svg or .pdf"),
        (["plot", "paths", "-m", "compromise", "-o", tmp_path / "p.png"], "has no rounds"),
        (["plot", "perception", "--actor", "Nobody", "-o", tmp_path / "p.png"], "unknown actor 'Nobody'"),
        (["plot", "landscape", "--issue", "nothing", "-o", tmp_path / "p.png"], "unknown issue 'nothing'"),
        (["plot", "tornado", "-m", "compromise", "-m", "median", "-o", tmp_path / "p.png"], "give one --model"),
        (["plot", "backtest", "ukraine-2024-11", "-o", tmp_path / "p.png"], "records an outcome"),
        (["plot", "sunburst", "-o", tmp_path / "p.png"], "is not one of 'landscape'"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert not (tmp_path / "p.png").exists()


def test_report_writes_one_html_file(tmp_path):
    target = tmp_path / "report.html"
    result = invoke("report", "-m", "compromise", "-m", "nash", "--draws", "0", "--no-timeline", "-o", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "Ukraine-Russia settlement talks" in text and 'data-model="nash"' in text
    assert 'id="timeline"' not in text and 'id="montecarlo"' not in text


def test_report_from_the_latest_stored_run(tmp_path):
    store = tmp_path / "runs.sqlite"
    assert invoke("forecast", "-m", "median", "--store", store).exit_code == 0
    target = tmp_path / "run.html"
    result = invoke("report", "--run", "latest", "--store", store, "--no-timeline", "-o", target)
    assert result.exit_code == 0, result.output
    assert "stored run 1" in target.read_text(encoding="utf-8")
    mixed = invoke("report", "ukraine-2024-11", "--run", "1", "--store", store, "-o", target)
    assert mixed.exit_code == 2 and "--run reports on the stored run" in mixed.output
