"""End-to-end: the web app in headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from detente.web.app import create_app

ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    instance = uvicorn.Server(uvicorn.Config(create_app(store_path=str(store)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not instance.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.console_errors = []
    page.outside_requests = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("request", lambda request: request.url.startswith(server) or request.url.startswith("blob:") or request.url.startswith("data:") or page.outside_requests.append(request.url))
    page.goto(server + "/")
    yield page
    context.close()


def territory_forecast(page) -> float:
    cell = page.locator('#forecast-table td[data-model="compromise"][data-issue="territory"]')
    cell.wait_for()
    return float(cell.inner_text())


def run_compromise_only(page) -> None:
    page.wait_for_selector("#model-choices input[value=compromise]")
    for box in page.locator("#model-choices input[type=checkbox]").all():
        box.set_checked(box.get_attribute("value") == "compromise")
    page.click("#run-forecast")


def test_halving_us_capability_moves_the_territory_forecast_toward_kyiv(page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.select_option("#bundled", "ukraine-2024-11")
    page.wait_for_selector('[data-field="actors[USA].capability"]')
    run_compromise_only(page)
    before = territory_forecast(page)
    kyiv = float(page.input_value('[data-field="actors[UKR].stances.territory.position"]'))

    usa = page.locator('[data-field="actors[USA].capability"]')
    usa.fill(str(float(usa.input_value()) / 2))
    page.wait_for_selector("#validity.ok")
    page.click("#run-forecast")
    page.wait_for_function(f"document.querySelector('#forecast-table td[data-model=\"compromise\"][data-issue=\"territory\"]').textContent !== '{before:.1f}'")
    after = territory_forecast(page)
    page.wait_for_selector("#charts .chart .main-svg")
    page.wait_for_selector("#runs-list table")
    page.screenshot(path=str(ARTIFACTS / "web-forecast.png"), full_page=True)

    assert abs(after - kyiv) < abs(before - kyiv)
    assert page.console_errors == []
    assert page.outside_requests == []


def test_a_broken_upload_shows_the_error_and_keeps_the_page(page, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("actor,issue,position,salience,capability\nA,x,50,50,1\nB,x,fifty,50,1\n")
    page.set_input_files("#upload", str(broken))
    error = page.locator("#load-error")
    error.wait_for(state="visible")
    text = error.inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-upload-error.png"), full_page=False)
    assert "broken.csv" in text and "fifty" in text
    assert page.locator("#editor").is_hidden()


def test_invalid_cell_shows_its_message_next_to_it(page):
    page.select_option("#bundled", "ukraine-2024-11")
    field = page.locator('[data-field="actors[RUS].stances.kursk.salience"]')
    field.wait_for()
    field.fill("180")
    message = page.locator('.cell-error[data-for="actors[RUS].stances.kursk.salience"]')
    message.wait_for(state="visible")
    assert "salience 180 lies outside 0..100" in message.inner_text()
    assert page.locator("#run-forecast").is_disabled()
    page.screenshot(path=str(ARTIFACTS / "web-validation.png"), full_page=False)


def test_compare_with_a_stored_run_shows_the_shift(page):
    page.select_option("#bundled", "ukraine-2024-11")
    run_compromise_only(page)
    before = territory_forecast(page)
    page.wait_for_selector("#runs-list table")
    usa = page.locator('[data-field="actors[USA].capability"]')
    usa.fill("10")
    page.wait_for_selector("#validity.ok")
    page.click("#run-forecast")
    page.wait_for_function(f"document.querySelector('#forecast-table td[data-model=\"compromise\"][data-issue=\"territory\"]').textContent !== '{before:.1f}'")
    page.wait_for_function("document.querySelectorAll('#runs-list tbody tr').length >= 2")
    page.locator("#runs-list tbody tr").last.get_by_role("button", name="Compare").click()
    page.wait_for_selector("#forecast-table th:text('Stored run')")
    row = page.locator("#forecast-table tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert float(cells[3]) == before
    assert float(cells[4]) == round(float(cells[2]) - before, 1)
    page.screenshot(path=str(ARTIFACTS / "web-compare.png"), full_page=False)


def test_a_long_monte_carlo_run_shows_progress_and_can_be_cancelled(page):
    page.select_option("#bundled", "ukraine-2024-11")
    page.wait_for_selector("#model-choices input[value=smp]")
    for box in page.locator("#model-choices input[type=checkbox]").all():
        box.set_checked(box.get_attribute("value") == "smp")
    page.fill("#draws", "50000")
    page.click("#run-simulate")
    page.wait_for_selector("#job:not([hidden])")
    page.wait_for_function("document.querySelector('#job-progress').value > 0", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "web-progress.png"), full_page=False)
    page.click("#job-cancel")
    message = page.locator("#run-error")
    message.wait_for(state="visible", timeout=30_000)
    assert "Cancelled" in message.inner_text()
    assert page.locator("#job").is_hidden()


def test_the_snapshots_of_a_series_are_grouped_and_show_their_timeline(page):
    group = page.locator("#bundled optgroup")
    group.first.wait_for(state="attached")
    assert group.first.get_attribute("label") == "ukraine: 7 dated snapshots"
    assert page.locator("#bundled optgroup option").count() == 7
    assert page.is_hidden("#series-hook")
    page.select_option("#bundled", "ukraine-2024-11")
    page.click("#show-timeline")
    page.wait_for_selector("#timeline-charts .chart .main-svg", timeout=60_000)
    assert page.locator("#timeline-charts .chart").count() == 6  # territory, security, kursk, aid, ceasefire, sanctions
    page.select_option("#bundled", "ec-emission-1994")
    assert page.is_hidden("#series-hook") and page.locator("#timeline-charts .chart").count() == 0
    assert page.console_errors == [] and page.outside_requests == []
