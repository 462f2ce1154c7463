"""The report of the default scenario in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): it renders without console errors or network requests, shows every issue and every
model's forecast, and prints with a static image for every chart. Screenshots go to tests/_artifacts/."""

from __future__ import annotations

import pytest

from detente.report import chartdata as cd
from detente.report.table import format_value

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def opened(browser, report_file):
    path, data = report_file
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems, requests = [], []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url}"))
    page.on("request", lambda request: request.url.startswith(("file:", "data:", "blob:")) or requests.append(request.url))
    page.goto(path.as_uri(), timeout=120_000)  # the same patience for loading as for drawing: a shared machine loads a 6 MB page slowly
    page.wait_for_selector("body[data-print-ready=yes]", timeout=120_000)
    yield page, data, problems, requests
    page.close()


def test_the_report_renders_without_errors_or_network(opened, artifacts):
    page, _, problems, requests = opened
    assert problems == []
    assert requests == [], "the report must not touch the network"
    charts = page.locator(".chart-live .plotly-graph-div")
    assert charts.count() > 20
    assert page.locator(".chart-live .plotly-graph-div .main-svg").count() >= charts.count(), "every chart has drawn"
    page.screenshot(path=str(artifacts / "report-top.png"))
    page.locator("figure.chart").first.screenshot(path=str(artifacts / "report-landscape.png"))
    page.locator("#summary").screenshot(path=str(artifacts / "report-summary.png"))


def test_every_issue_title_and_every_forecast_is_visible(opened, ukraine):
    page, data, _, _ = opened
    for k, issue in enumerate(ukraine.issues):
        section = page.locator(f"#issue-{issue.id}")
        assert section.locator("h2").inner_text() == issue.label
        rows = section.locator("table.forecasts tr.forecast")
        assert rows.count() == len(data.forecast.results)
        for n, result in enumerate(data.forecast.results):
            cells = rows.nth(n).locator("td")
            assert cells.nth(0).inner_text() == cd.model_title(result.model)
            assert cells.nth(1).inner_text() == format_value(issue, float(result.values[k]))
            assert cells.nth(1).is_visible()


def test_printing_shows_a_static_image_for_every_chart(opened, artifacts, tmp_path):
    page, _, problems, _ = opened
    page.emulate_media(media="print")
    try:
        images = page.locator("img.chart-static")
        assert images.count() == page.locator(".chart-live .plotly-graph-div").count()
        sources = images.evaluate_all("nodes => nodes.map(n => n.getAttribute('src') || '')")
        assert all(src.startswith("data:image/svg+xml") for src in sources)
        assert images.first.is_visible()
        assert not page.locator(".chart-live").first.is_visible()
        assert page.locator("nav.toc").is_hidden()
        page.set_viewport_size({"width": 760, "height": 1100})
        page.locator("#issue-territory figure.chart").first.screenshot(path=str(artifacts / "report-print-landscape.png"))
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 10
        (artifacts / "report.pdf").write_bytes(pdf)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 1000})
    assert problems == []


def test_on_a_phone_the_page_does_not_scroll_sideways_and_wide_tables_scroll_in_their_box(opened, artifacts):
    page, _, problems, _ = opened
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.wait_for_timeout(500)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        table = page.locator("table.forecasts").first
        assert table.evaluate("(t) => t.getBoundingClientRect().right") <= 390
        assert table.locator("td").nth(1).is_visible()
        page.locator("#issue-territory").screenshot(path=str(artifacts / "report-390-territory.png"))
    finally:
        page.set_viewport_size({"width": 1280, "height": 1000})
    assert problems == []
