"""The HTML report: complete, self-contained, printable, and buildable from a stored run."""

from __future__ import annotations

import re

import pytest

import detente
from detente.errors import UsageError
from detente.report import chartdata as cd
from detente.report import html
from detente.report.table import format_value


@pytest.fixture(scope="module")
def page(report_file):
    path, data = report_file
    return path.read_text(encoding="utf-8"), data


def test_every_issue_model_and_forecast_is_in_the_report(page, ukraine):
    text, data = page
    assert [r.model for r in data.forecast.results] == detente.models.default_names()
    for issue in ukraine.issues:
        assert f'id="issue-{issue.id}"' in text
        assert issue.label.replace("'", "&#x27;") in text
        section = text.split(f'id="issue-{issue.id}"')[1].split("</section>")[0]
        k = ukraine.issue_ids.index(issue.id)
        for result in data.forecast.results:
            row = re.search(rf'<tr class="forecast" data-model="{re.escape(result.model)}">(.*?)</tr>', section).group(1)
            assert cd.model_title(result.model).replace("&", "&amp;") in row
            assert f'<td class="num">{format_value(issue, float(result.values[k]))}</td>' in row


def test_each_issue_has_a_plain_language_summary(page, ukraine):
    text, _ = page
    summary = text.split('id="summary"')[1].split("</section>")[0]
    assert summary.count('class="summary-issue"') == len(ukraine.issues)
    assert "stays at the status quo because Ukraine (government) and Russia stand on opposite sides" in summary
    assert "of the effective power (capability x salience) wants less than the status quo" in summary


def test_the_charts_that_apply_are_there(page, ukraine):
    text, data = page
    charts = text.count('class="plotly-graph-div"')
    dynamic = [r for r in data.forecast.results if hasattr(r, "positions")]
    per_issue = 2 + len(dynamic)  # landscape, distribution, one paths chart per round-based model
    perception, exchanges = 2, 1
    timeline = len({"territory", "security", "kursk", "aid"})  # issues present in at least two Ukraine snapshots (kursk: 2024-11 to 2025-06)
    tornado = len(ukraine.issues)
    assert charts == per_issue * len(ukraine.issues) + perception + exchanges + timeline + tornado
    assert text.count('<img class="chart-static"') == charts


def test_the_report_is_self_contained(page):
    text, _ = page
    from plotly.offline import get_plotlyjs

    assert text.count(get_plotlyjs()) == 1, "plotly.js is embedded exactly once"
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', text), "nothing is loaded from the network"
    assert "@media print" in text


def test_the_scenario_tables_carry_every_stance_with_its_basis_and_source(page, ukraine):
    text, _ = page
    table = text.split('<table class="stakeholders">')[1].split("</table>")[0]
    assert table.count('<tr class="stance">') == sum(len(a.stances) for a in ukraine.actors)
    assert "58% reject giving up land under any circumstances" in table
    assert 'title="KIIS survey on territorial concessions, Kyiv International Institute of Sociology, 2024-11-12">kiis-2024-11<' in table
    anchors = text.split('id="scenario"')[1]
    for issue in ukraine.issues:
        for _, label in issue.sorted_anchors():
            assert label.replace("'", "&#x27;") in anchors


def test_monte_carlo_and_sensitivity_sections(page, ukraine):
    text, data = page
    mc = text.split('id="montecarlo"')[1].split("</section>")[0]
    assert "60 draws (seed 3)" in mc
    assert mc.count("<tr>") == 1 + len(data.simulation.models) * len(ukraine.issues)
    sens = text.split('id="sensitivity"')[1].split("</section>")[0]
    assert "Russia" in sens and "closed form" in sens


def test_every_forecast_shows_its_calibrated_interval_and_band_probabilities(page, ukraine):
    from detente.models.predictive import EXPLANATION, band_probabilities

    text, data = page
    assert html.html.escape(EXPLANATION) in text
    section = text.split('id="issue-territory"')[1].split("</section>")[0]
    issue = ukraine.issue("territory")
    for result in data.forecast.results:
        row = re.search(rf'<tr class="forecast" data-model="{re.escape(result.model)}">(.*?)</tr>', section).group(1)
        q05, _, _, q95 = result.intervals()[0]
        assert f'<td class="num interval">{format_value(issue, q05)}–{format_value(issue, q95)}</td>' in row
        shares = [round(100 * p) for _, _, _, p in band_probabilities(result)[0]]
        assert re.findall(r"(\d+)%</span>", row) == [str(v) for v in shares]


def test_a_report_from_a_stored_run(tmp_path, ukraine):
    from detente.store import Store

    with Store(tmp_path / "runs.sqlite") as store:
        run_id = store.record_forecast(detente.forecast(ukraine, ["compromise", "eum"]))
        run = store.get(run_id)
    data = html.from_run(run)
    text = html.render(data)
    assert f"stored run {run_id}" in text
    assert 'data-model="eum"' in text and 'data-model="median"' not in text
    territory = format_value(ukraine.issue("territory"), run.forecast()["compromise"].forecast["territory"])
    assert f'<td class="num">{territory}</td>' in text
    assert 'id="montecarlo"' not in text


def test_the_report_file_must_be_html(tmp_path, ukraine):
    data = html.ReportData(detente.forecast(ukraine, ["compromise"]))
    with pytest.raises(UsageError, match=".html"):
        html.write(data, tmp_path / "report.pdf")


def test_a_report_from_a_what_if_or_backtest_run_is_refused_with_a_message(tmp_path, ukraine):
    from detente.errors import UsageError
    from detente.store import Store

    with Store(tmp_path / "runs.sqlite") as store:
        run_id = store.record("whatif", [ukraine, ukraine], {"notes": [], "forecasts": []}, ["compromise"], {})
        run = store.get(run_id)
    with pytest.raises(UsageError, match=f"run {run_id} is a whatif run: a report is made from a forecast or simulate run"):
        html.from_run(run)


def test_what_each_model_said_then_and_what_happened(page):
    text, data = page
    section = text.split('id="what-happened"')[1].split("</section>")[0]
    kursk = section.split("The Kursk salient")[1].split("<h3>")[0]
    assert "<strong>Outcome, 2025-04-26:</strong>" in kursk
    k = data.scenario.issue_ids.index("kursk")
    compromise = float(data.forecast["compromise"].values[k])
    assert f"<td class=\"num\">{format_value(data.scenario.issue('kursk'), compromise)}</td><td class=\"num\">{format_value(data.scenario.issue('kursk'), 100 - compromise)}</td>" in kursk
    territory = section.split("Territorial settlement")[1].split("<h3>")[0]
    assert "State of the talks (not an outcome), 2025-12-28" in territory and "Gap to the state of the talks" in territory
    assert "Outcome," not in territory
    assert "aljazeera.com" in kursk


def test_no_history_section_without_a_history():
    data = html.build(detente.load("ec-emission-1994"), ["compromise"], draws=0, sensitivity_model=None)
    assert data.history is None and 'id="what-happened"' not in html.render(data)
