"""End-to-end: the web app in headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from detente.io import DEFAULT_SCENARIO, load
from detente.web.app import create_app

from .conftest import serve_in_thread

ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    yield from serve_in_thread(create_app(store_path=str(store)))


def open_page(browser, server, width=1400, height=1000, strict_csp=False):
    """A new browser tab on the app. Playwright's wait_for_function evaluates its predicate as a
    string, which the app's Content-Security-Policy forbids: tests that use it bypass the policy;
    the arrival and accessibility tests keep it, so the app itself is shown to run under it."""
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=not strict_csp)
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.console_errors = []
    page.outside_requests = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("request", lambda request: request.url.startswith(server) or request.url.startswith(("blob:", "data:")) or page.outside_requests.append(request.url))
    page.goto(server + "/")
    return page


@pytest.fixture
def page(browser, server, request):
    page = open_page(browser, server, strict_csp=request.node.name.startswith("test_on_arrival"))
    yield page
    page.context.close()


def territory_forecast(page, model="compromise") -> float:
    cell = page.locator(f'#forecast-table td[data-model="{model}"][data-issue="territory"]')
    cell.wait_for()
    return float(cell.inner_text())


def only_models(page, *names) -> None:
    page.wait_for_selector("#model-choices input[value=compromise]")
    for box in page.locator("#model-choices input[type=checkbox]").all():
        box.set_checked(box.get_attribute("value") in names)


def wait_for_forecast(page) -> None:
    page.wait_for_selector("#forecast-table td[data-issue=territory]")
    page.wait_for_selector("#dashboard .chart .main-svg")


def test_on_arrival_the_default_scenario_is_open_with_its_forecast_and_charts(page):
    wait_for_forecast(page)
    from detente.io import DEFAULT_SCENARIO, load

    assert page.input_value("#bundled") == DEFAULT_SCENARIO
    cards = page.locator("#dashboard .issue-card")
    assert cards.count() == len(load(DEFAULT_SCENARIO).issues)
    assert "Model spread" in cards.first.inner_text()
    assert page.locator("#dashboard .chart .main-svg").count() >= 4
    assert page.locator("#header-title").inner_text().startswith("Ukraine")
    chart_text = " ".join(page.locator("#dashboard .chart").all_text_contents())
    assert "&quot;" not in chart_text and "&#x27;" not in chart_text and "undefined" not in page.inner_text("body")
    # results come first: the dashboard is above the run controls and the editor
    assert page.locator("#results").bounding_box()["y"] < page.locator("#run").bounding_box()["y"] < page.locator("#editor").bounding_box()["y"]
    assert page.console_errors == [] and page.outside_requests == []


def test_halving_us_capability_moves_the_territory_forecast_toward_kyiv_and_marks_results_stale_until_rerun(page):
    ARTIFACTS.mkdir(exist_ok=True)
    wait_for_forecast(page)
    before = territory_forecast(page)
    kyiv = float(page.input_value('[data-field="actors[UKR].stances.territory.position"]'))
    assert page.locator("#stale-mark").is_hidden()

    usa = page.locator('[data-field="actors[USA].capability"]')
    usa.fill(str(float(usa.input_value()) / 2))
    page.wait_for_selector("#stale-mark", state="visible")
    assert "Out of date" in page.inner_text("#stale-mark") and "stale" in page.get_attribute("#results", "class")
    page.wait_for_selector("#validity.ok")
    page.click("#run-forecast")
    page.wait_for_function(f"document.querySelector('#forecast-table td[data-model=\"compromise\"][data-issue=\"territory\"]').textContent !== '{before:.1f}'")
    after = territory_forecast(page)
    page.wait_for_selector("#stale-mark", state="hidden")
    page.wait_for_selector("#runs-list table")
    assert abs(after - kyiv) < abs(before - kyiv)
    assert page.console_errors == [] and page.outside_requests == []


def test_edits_survive_a_reload_and_switching_scenario_asks_first(page):
    wait_for_forecast(page)
    field = page.locator('[data-field="actors[USA].capability"]')
    field.fill("12.5")
    page.wait_for_selector("#dirty-mark", state="visible")
    page.reload()
    page.wait_for_selector("#restored", state="visible")
    assert page.input_value('[data-field="actors[USA].capability"]') == "12.5"
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    other = [o for o in page.locator("#bundled option").evaluate_all("options => options.map(o => o.value)") if o and o != DEFAULT_SCENARIO][0]
    page.select_option("#bundled", other)
    page.wait_for_timeout(300)
    assert messages and "Discard" in messages[0]
    assert page.input_value('[data-field="actors[USA].capability"]') == "12.5"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#discard-draft")
    page.wait_for_selector("#dirty-mark", state="hidden")
    page.wait_for_function("document.querySelector('[data-field=\"actors[USA].capability\"]').value !== '12.5'")
    assert page.evaluate("localStorage.getItem('detente.draft')") is None


def test_a_broken_upload_keeps_the_page_and_shows_the_lines(page, tmp_path):
    wait_for_forecast(page)
    broken = tmp_path / "broken.csv"
    broken.write_text("actor,issue,position,salience,capability\nA,x,50,50,1\nB,x,fifty,50,1\n")
    page.set_input_files("#upload", str(broken))
    error = page.locator("#load-error")
    error.wait_for(state="visible")
    text = error.inner_text()
    assert "broken.csv" in text and "fifty" in text and "line 3" in text
    assert page.locator("#editor").is_visible()  # the scenario that was open stays open


def test_a_yaml_file_with_value_errors_opens_in_the_editor_to_fix(page, tmp_path, client):
    wait_for_forecast(page)
    scenario = client.get("/api/scenarios/ukraine-2024-11").json()["scenario"]
    scenario["actors"][0]["stances"]["territory"]["position"] = 500
    path = tmp_path / "talks.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    page.set_input_files("#upload", str(path))
    page.wait_for_selector("#load-error", state="visible")
    assert "line" in page.inner_text("#load-error")
    page.click("#open-draft")
    message = page.locator('.cell-error[data-for="actors[UKR].stances.territory.position"]')
    message.wait_for(state="visible")
    assert "500" in message.inner_text() and page.locator("#run-forecast").is_disabled()
    page.fill('[data-field="actors[UKR].stances.territory.position"]', "5")
    page.wait_for_selector("#validity.ok")


def test_cell_messages_follow_renamed_actors_and_issues(page):
    wait_for_forecast(page)
    page.fill('[data-field="actors[RUS].id"]', "RUSX")
    page.fill('[data-field="issues[aid].id"]', "aid2")
    field = page.locator('[data-field="actors[RUSX].stances.aid2.salience"]')
    field.fill("180")
    message = page.locator('.cell-error[data-for="actors[RUSX].stances.aid2.salience"]')
    message.wait_for(state="visible")
    assert "salience 180 lies outside 0..100" in message.inner_text()
    assert page.locator("#general-problems").is_hidden()
    field.fill("")
    page.fill('[data-field="actors[RUSX].capability"]', "-3")
    page.locator('[data-cell="actors[RUSX].capability"] .cell-error').wait_for(state="visible")


def test_a_scenario_on_0_to_1_saliences_says_so_and_flags_a_value_typed_on_0_to_100(page, tmp_path, client):
    wait_for_forecast(page)
    scenario = client.get("/api/scenarios/ukraine-2024-11").json()["scenario"]
    for actor in scenario["actors"]:
        for stance in actor["stances"].values():
            stance["salience"] = round(stance["salience"] / 100, 3)
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    page.set_input_files("#upload", str(path))
    page.wait_for_function("document.querySelector('#salience-scale').textContent.startsWith('salience 0–1')")
    page.wait_for_selector("#validity.ok")
    page.fill('[data-field="actors[RUS].stances.kursk.salience"]', "50")
    message = page.locator('.cell-error[data-for="actors[RUS].stances.kursk.salience"]')
    message.wait_for(state="visible")
    assert "0–100" in message.inner_text() and "0–1" in message.inner_text()
    assert "off this scale" in page.inner_text("#salience-scale")
    assert page.locator("#run-forecast").is_disabled()


def test_compare_with_a_stored_run_shows_the_shift_and_explains_otherwise(page):
    wait_for_forecast(page)
    before = territory_forecast(page)
    page.wait_for_selector("#runs-list tbody tr")
    first_run = page.locator("#runs-list tbody tr").first.get_attribute("data-run")
    page.fill('[data-field="actors[USA].capability"]', "10")
    page.wait_for_selector("#validity.ok")
    page.click("#run-forecast")
    page.wait_for_function(f"document.querySelector('#forecast-table td[data-model=\"compromise\"][data-issue=\"territory\"]').textContent !== '{before:.1f}'")
    page.wait_for_function(f"document.querySelector('#runs-list tbody tr').getAttribute('data-run') !== '{first_run}'")
    page.locator(f'#runs-list tbody tr[data-run="{first_run}"]').get_by_role("button", name="Compare").click()
    page.wait_for_selector(f"#forecast-table th:text('Run {first_run}')")
    row = page.locator("#forecast-table tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert float(cells[3]) == before
    assert float(cells[4]) == round(float(cells[2]) - before, 1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#new-scenario")
    page.wait_for_function("document.querySelector('#scenario-id').value === 'new-scenario'")
    page.locator(f'#runs-list tbody tr[data-run="{first_run}"]').get_by_role("button", name="Compare").click()
    page.wait_for_selector("#run-error", state="visible")
    assert "Run a forecast first" in page.inner_text("#run-error")


def test_two_clicks_give_one_monte_carlo_job_that_shows_progress_and_cancels_within_two_seconds(page):
    wait_for_forecast(page)
    only_models(page, "smp")
    page.fill("#draws", "200000")
    page.click("#run-simulate")
    page.click("#run-simulate", force=True)  # disabled: a second click starts nothing
    page.wait_for_selector("#job:not([hidden])")
    page.wait_for_function("document.querySelector('#job-progress').value > 0", timeout=30_000)
    second = page.evaluate("""async () => {
        const body = JSON.stringify({ scenario: { detente: 1, id: 'x', issues: [], actors: [] } });
        return (await fetch('/api/jobs/simulate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status;
    }""")
    assert second in (409, 422)
    assert "of 200,000" in page.inner_text("#job-text")
    page.screenshot(path=str(ARTIFACTS / "web-progress.png"), full_page=False)
    started = time.time()
    page.click("#job-cancel")
    page.wait_for_selector("#run-error", state="visible", timeout=10_000)
    assert time.time() - started < 2.5  # the job is ended within 2 s; the page polls every 0.25 s
    assert "cancelled" in page.inner_text("#run-error")
    assert page.locator("#job").is_hidden() and page.locator("#run-simulate").is_enabled()



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


def test_reopening_each_kind_of_run_shows_what_it_was(page):
    wait_for_forecast(page)
    only_models(page, "compromise", "median")
    page.fill("#draws", "300")
    page.click("#run-simulate")
    page.wait_for_selector("#analysis-simulate table", timeout=60_000)
    assert "Monte Carlo over 300 draws" in page.inner_text("#analysis-simulate")
    page.fill("#levers", "USA.capability*0.5")
    page.fill("#whatif-draws", "200")
    page.click("#run-whatif")
    page.wait_for_selector("#analysis-whatif table", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('#runs-list tbody tr').length >= 3")
    runs = {row.locator("td").nth(2).inner_text(): row.get_attribute("data-run") for row in page.locator("#runs-list tbody tr").all()}

    page.fill("#levers", "")
    page.locator(f'#runs-list tr[data-run="{runs["whatif"]}"]').get_by_role("button", name="Reopen").click()
    page.wait_for_function(f"document.querySelector('#run-banner').textContent.includes('What-if run {runs['whatif']}')")
    assert "levers applied" in page.inner_text("#run-banner") and "USA.capability*0.5" in page.inner_text("#run-banner")
    assert page.input_value("#levers") == "USA.capability*0.5"
    assert "Baseline 5–95 %" in page.inner_text("#analysis-whatif")
    for kind in ("simulate", "forecast"):
        page.locator(f'#runs-list tr[data-run="{runs[kind]}"]').get_by_role("button", name="Reopen").click()
        page.wait_for_function(f"document.querySelector('#run-banner').textContent.includes('run {runs[kind]}')")
        assert "undefined" not in page.inner_text("#results")
    assert "(0–100)" in page.inner_text("#forecast-table")


def test_sensitivity_analyses_every_checked_model_with_names_and_a_show_all(page):
    wait_for_forecast(page)
    only_models(page, "compromise", "median")
    page.click("#run-sensitivity")
    page.wait_for_selector("#table-leave-one-out", timeout=60_000)
    section = page.inner_text("#analysis-sensitivity")
    assert "compromise" in section and "median" in section
    effects = page.locator("#table-sensitivity tbody tr")
    assert effects.count() == 25
    page.locator("#analysis-sensitivity button.show-all").first.click()
    assert effects.count() > 40
    models = set(page.locator("#table-sensitivity tbody tr td:first-child").all_inner_texts())
    assert len(models) == 2
    assert "Russia" in page.inner_text("#table-leave-one-out")


def test_a_second_writer_is_told_instead_of_overwriting(browser, server):
    alice, bob = open_page(browser, server), open_page(browser, server)
    try:
        for person in (alice, bob):
            wait_for_forecast(person)
        alice.click("#save-scenario")
        alice.wait_for_function("document.querySelector('#save-message').textContent.includes('version 1')")
        for person in (alice, bob):
            person.reload()
            person.wait_for_function("document.querySelectorAll('#saved option').length > 1")
            person.once("dialog", lambda dialog: dialog.accept())
            person.select_option("#saved", DEFAULT_SCENARIO)
            person.wait_for_selector("#saved-version:text('saved version 1')")
        alice.fill("#scenario-title", "Alice's version")
        alice.click("#save-scenario")
        alice.wait_for_function("document.querySelector('#save-message').textContent.includes('version 2')")
        bob.fill("#scenario-title", "Bob's version")
        bob.click("#save-scenario")
        bob.wait_for_function("document.querySelector('#save-message').textContent.startsWith('Not saved')")
        assert "saved by someone else" in bob.inner_text("#save-message")
    finally:
        alice.context.close()
        bob.context.close()


@pytest.mark.parametrize("width", [1400, 390])
def test_no_serious_accessibility_violations_and_no_sideways_scroll(browser, server, width):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = open_page(browser, server, width=width, height=900, strict_csp=True)
    try:
        wait_for_forecast(page)
        page.wait_for_timeout(500)
        results = axe.Axe().run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator("main").count() == 1
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the results"
        charts = page.locator("#dashboard .chart .main-svg")
        assert charts.first.bounding_box()["width"] > 0.75 * min(width, 620)
        if width == 390:  # the charts name models by their short titles (from /api/models)
            ticks = page.eval_on_selector_all("#dashboard .chart .ytick text", "texts => texts.map((t) => t.textContent)")
            assert "KTAB SMP" in ticks and not any("Spatial Model" in tick for tick in ticks), ticks
            page.evaluate("document.querySelector('#results').scrollIntoView()")
        page.screenshot(path=str(ARTIFACTS / f"web-{width}.png"), full_page=False)
    finally:
        page.context.close()


def test_advice_from_the_page_lists_plans_and_pivotal_actors(page):
    wait_for_forecast(page)
    only_models(page, "compromise", "median")
    page.fill("#advise-target", "territory<=35")
    page.click("#run-advise")
    page.wait_for_selector("#table-advice-plan-1", timeout=120_000)
    text = page.inner_text("#analysis-advise")
    assert "reached" in text and "Persuade" in text
    assert page.locator("#table-advice-pivots").count() == 1
    assert page.console_errors == [] and page.outside_requests == []


def test_on_a_phone_a_monte_carlo_table_keeps_its_words_whole_and_scrolls_sideways_in_its_box(browser, server):
    page = open_page(browser, server, width=390, height=844)
    try:
        wait_for_forecast(page)
        only_models(page, "compromise", "median")
        page.fill("#draws", "50")
        page.click("#run-simulate")
        page.wait_for_selector("#table-simulate tbody tr")
        tallest = page.evaluate("Math.max(...[...document.querySelectorAll('#table-simulate tr')].map((r) => r.getBoundingClientRect().height))")
        page.locator("#analysis-simulate").screenshot(path=str(ARTIFACTS / "web-390-simulate.png"))
        assert tallest < 220, f"a row of the Monte Carlo table is {tallest:.0f} px tall: words broken letter by letter"
        headers = page.eval_on_selector_all("#table-simulate thead th", "ths => ths.map((t) => t.textContent)")
        groups = page.eval_on_selector_all("#table-simulate th[scope=rowgroup]", "ths => ths.map((t) => t.textContent)")
        assert headers[0] == "Model" and "Issue" not in headers  # each issue heads its rows once
        assert groups[0].startswith(load(DEFAULT_SCENARIO).issues[0].label) and len(groups) == len(set(groups)) >= 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator("#analysis-simulate .scroll").first
        assert box.evaluate("(b) => b.scrollWidth > b.clientWidth")  # the table scrolls within its box
        axe = pytest.importorskip("axe_playwright_python.sync_playwright")
        results = axe.Axe().run(page, context="#analysis-simulate")
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()  # a scrolling box must be reachable by keyboard
        assert "name them with --model" not in page.inner_text("#analysis-simulate")
        page.wait_for_selector("#analysis-simulate .chart .main-svg")
        notes = page.locator("#analysis-simulate .chart").first.evaluate("(c) => c.layout.annotations.map((a) => a.text)")
        first_anchor = load(DEFAULT_SCENARIO).issues[0].sorted_anchors()[0][1]
        assert not any(first_anchor.split(",")[0].split()[-1] in text for text in notes), notes  # labels under the axis would overlap here
    finally:
        page.context.close()
