"""Every endpoint of the JSON API, including malformed and oversized uploads."""

import io
import time

import pytest

import openpyxl
import yaml

from detente.web.app import MAX_UPLOAD_BYTES


def test_index_and_vendored_plotly_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "/vendor/plotly.min.js" in page.text
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text
    script = client.get("/vendor/plotly.min.js")
    assert script.status_code == 200 and "plotly" in script.text[:2000].lower()
    assert client.get("/static/app.js").status_code == 200


def test_lists_bundled_scenarios_and_models(client):
    ids = [s["id"] for s in client.get("/api/scenarios").json()]
    assert "ukraine-2024-11" in ids
    models = {m["name"]: m for m in client.get("/api/models").json()}
    assert models["median"]["options"]["properties"]["quota"]["default"] == 0.5
    assert models["smp"]["short_title"] == "KTAB SMP" and models["median"]["short_title"] == models["median"]["title"]
    assert client.get("/api/version").json()["detente"]


def test_unknown_bundled_scenario_is_404(client):
    assert client.get("/api/scenarios/atlantis").status_code == 404


def test_new_scenario_template_is_valid(client):
    scenario = client.get("/api/new").json()["scenario"]
    assert client.post("/api/validate", json={"scenario": scenario}).json() == {"valid": True, "problems": []}


def test_forecast_halving_us_capability_moves_territory_toward_kyiv(client, ukraine):
    def territory(scenario):
        records = client.post("/api/forecast", json={"scenario": scenario, "models": ["compromise"]}).json()["forecasts"]
        return next(r["value"] for r in records if r["issue"] == "territory")

    before = territory(ukraine)
    usa = next(a for a in ukraine["actors"] if a["id"] == "USA")
    usa["capability"] /= 2
    after = territory(ukraine)
    assert after < before, "Kyiv's position is 5 on the territory scale; losing US weight (at 55) moves the mean down"


def test_forecast_with_options_and_bad_options(client, ukraine):
    ok = client.post("/api/forecast", json={"scenario": ukraine, "models": ["median"], "settings": ["quota=0.74"]})
    assert ok.status_code == 200
    bad = client.post("/api/forecast", json={"scenario": ukraine, "models": ["median"], "settings": ["quota=many"]})
    assert bad.status_code == 400 and "quota" in bad.json()["error"]
    unknown = client.post("/api/forecast", json={"scenario": ukraine, "models": ["oracle"]})
    assert unknown.status_code == 400 and "unknown model" in unknown.json()["error"]


def test_validation_names_each_offending_field(client, ukraine):
    ukraine["actors"][0]["stances"]["territory"]["position"] = 500
    ukraine["actors"][1]["capability"] = -1
    result = client.post("/api/validate", json={"scenario": ukraine}).json()
    assert not result["valid"]
    fields = {p["field"]: p["message"] for p in result["problems"]}
    assert fields["actors[UKR].stances.territory.position"] == "position 500 lies outside the scale [0, 100]"
    assert "capability must be > 0" in fields["actors[UKR-PUB].capability"]
    refused = client.post("/api/forecast", json={"scenario": ukraine})
    assert refused.status_code == 422 and len(refused.json()["problems"]) == 2


def test_upload_each_format(client, ukraine):
    yaml_text = client.post("/api/export/yaml", json={"scenario": ukraine}).content
    assert client.post("/api/upload", files={"file": ("u.yaml", yaml_text)}).json()["scenario"]["id"] == "ukraine-2024-11"
    csv_text = client.post("/api/export/csv", json={"scenario": ukraine}).content
    assert len(client.post("/api/upload", files={"file": ("u.csv", csv_text)}).json()["scenario"]["actors"]) == 13
    xlsx = client.post("/api/export/xlsx", json={"scenario": ukraine})
    assert xlsx.headers["content-disposition"].endswith('.xlsx"')
    assert len(client.post("/api/upload", files={"file": ("u.xlsx", xlsx.content)}).json()["scenario"]["issues"]) == 4


def test_exports_are_real_files(client, ukraine):
    assert yaml.safe_load(client.post("/api/export/yaml", json={"scenario": ukraine}).text)["id"] == "ukraine-2024-11"
    book = openpyxl.load_workbook(io.BytesIO(client.post("/api/export/xlsx", json={"scenario": ukraine}).content))
    assert book.active.max_row > 13
    assert client.post("/api/export/pdf", json={"scenario": ukraine}).status_code == 422


def test_malformed_uploads_get_clear_errors(client):
    broken = b"detente: 1\nid: x\nissues: [{id: a}]\nactors:\n  - {id: A, capability: 1, stances: {a: {position: 500, salience: 50}}}\n"
    response = client.post("/api/upload", files={"file": ("broken.yaml", broken)})
    assert response.status_code == 422
    messages = " ".join(p["message"] for p in response.json()["problems"])
    assert "position 500 lies outside the scale" in messages and "at least two actors" in messages
    assert client.post("/api/upload", files={"file": ("bad.yaml", b"a: [unclosed")}).status_code == 422
    assert client.post("/api/upload", files={"file": ("empty.yaml", b"")}).status_code == 422
    binary = client.post("/api/upload", files={"file": ("x.csv", b"\x00\x01\x02" * 100)})
    assert binary.status_code == 422 and "binary" in binary.text


def test_yaml_tags_that_build_objects_are_refused(client):
    evil = b"!!python/object/apply:os.system ['echo hacked']\n"
    response = client.post("/api/upload", files={"file": ("evil.yaml", evil)})
    assert response.status_code == 422


def test_oversized_upload_is_refused(client):
    big = b"#" * (MAX_UPLOAD_BYTES + 10)
    response = client.post("/api/upload", files={"file": ("big.csv", big)})
    assert response.status_code == 413


def test_oversized_json_body_is_refused_before_it_is_parsed(client, ukraine):
    from detente.web.app import MAX_REQUEST_BYTES

    bloated = {**ukraine, "description": "x" * (MAX_REQUEST_BYTES + 10)}
    response = client.post("/api/validate", json={"scenario": bloated})
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]


def test_upload_filename_is_never_used_as_a_path(client, ukraine):
    text = client.post("/api/export/yaml", json={"scenario": ukraine}).content
    response = client.post("/api/upload", files={"file": ("../../etc/passwd.yaml", text)})
    assert response.status_code == 200


def test_unknown_job_is_404(client):
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.delete("/api/jobs/nope").status_code == 404


def test_forecasts_are_stored_and_can_be_reopened(client, ukraine):
    response = client.post("/api/forecast", json={"scenario": ukraine, "models": ["compromise", "median"]}).json()
    runs = client.get("/api/runs").json()
    assert [r["id"] for r in runs] == [response["run"]]
    stored = client.get(f"/api/runs/{response['run']}").json()
    assert stored["scenario"]["id"] == "ukraine-2024-11" and stored["kind"] == "forecast"
    values = {(r["model"], r["issue"]): r["value"] for r in stored["forecasts"]}
    assert values[("compromise", "territory")] == pytest.approx(next(r["value"] for r in response["forecasts"] if r["model"] == "compromise" and r["issue"] == "territory"))
    assert client.get("/api/runs/999").status_code == 404


def test_a_refused_scenario_stores_nothing(client, ukraine):
    ukraine["actors"][0]["stances"]["territory"]["position"] = 500
    assert client.post("/api/forecast", json={"scenario": ukraine}).status_code == 422
    assert client.get("/api/runs").json() == []


def test_report_is_one_self_contained_html_file(client, ukraine):
    response = client.post("/api/report", json={"scenario": ukraine, "models": ["compromise", "median"]})
    assert response.status_code == 200 and response.headers["content-disposition"].endswith('-report.html"')
    html = response.text
    for issue in ukraine["issues"]:
        assert issue["title"].replace("'", "&#x27;") in html or issue["title"] in html
    assert "<script src=\"http" not in html


def test_analysis_jobs_run_to_completion(client, ukraine):
    def finish(kind, **extra):
        job = client.post(f"/api/jobs/{kind}", json={"scenario": ukraine, "models": ["compromise"], **extra}).json()
        for _ in range(300):
            view = client.get(f"/api/jobs/{job['id']}").json()
            if view["status"] not in ("queued", "running"):
                return view
            time.sleep(0.05)
        raise AssertionError(f"{kind} job did not finish")

    simulation = finish("simulate", draws=200, seed=3)
    assert simulation["status"] == "done" and simulation["total"] == 200
    territory = next(r for r in simulation["result"]["summaries"] if r["issue"] == "territory")
    assert territory["q05"] < territory["median"] < territory["q95"]
    sensitivity = finish("sensitivity", model="compromise")
    assert sensitivity["status"] == "done" and sensitivity["result"]["tables"][0]["rows"][0][1]
    lever = finish("whatif", levers=["USA.capability*0.5"])
    shift = next(r for r in lever["result"]["rows"] if r["issue"] == "territory")["shift"]
    assert shift < 0
    kinds = {r["kind"] for r in client.get("/api/runs").json()}
    assert {"simulate", "whatif"} <= kinds


def test_bad_lever_is_refused_before_a_job_starts(client, ukraine):
    response = client.post("/api/jobs/whatif", json={"scenario": ukraine, "levers": ["USA.charm*2"]})
    assert response.status_code == 400 and "unknown input 'charm'" in response.json()["error"]


def test_openapi_schema_lists_every_action(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/forecast", "/api/validate", "/api/upload", "/api/export/{fmt}", "/api/jobs/simulate", "/api/jobs/sensitivity", "/api/jobs/whatif", "/api/report", "/api/runs", "/api/runs/{run_id}"):
        assert path in paths


def test_series_are_listed_with_their_snapshots_oldest_first(client):
    (series,) = client.get("/api/series").json()
    assert series["series"] == "ukraine" and series["history"] is True
    ids = [s["id"] for s in series["snapshots"]]
    assert ids[:2] == ["ukraine-2023-06", "ukraine-2024-11"] and ids[-1] == "ukraine-2025-12"
    dates = [s["as_of"] for s in series["snapshots"]]
    assert dates == sorted(dates)


def test_series_timeline_has_a_chart_per_issue_and_the_history(client):
    data = client.get("/api/series/ukraine/timeline").json()
    issues = list(dict.fromkeys(r["issue"] for r in data["forecasts"]))
    assert len(data["figures"]) == len(issues) and issues[0] == "territory"
    assert any(e["kind"] == "outcome" and e["issue"] == "kursk" for e in data["events"])
    names = [t.get("name") for t in data["figures"][0]["data"]]
    assert "state of the talks (not an outcome)" in names
    assert client.get("/api/series/atlantis/timeline").status_code == 404


def test_quotes_in_titles_and_anchors_reach_the_charts_as_quotes(client, ukraine):
    import json

    ukraine["issues"][0]["title"] = 'The "line of contact" & <the rest>'
    ukraine["issues"][0]["anchors"] = {"0": "Russia's \"maximal\" claim", "100": "Kyiv's 1991 borders"}
    figures = client.post("/api/charts/landscape", json={"scenario": ukraine, "models": ["compromise"]}).json()["figures"]
    text = json.dumps(figures)
    assert "&quot;" not in text and "&#x27;" not in text
    assert '\\"line of contact\\"' in text and "&amp;" in text and "&lt;the rest&gt;" in text


def test_a_yaml_file_with_fixable_value_errors_comes_back_as_a_draft_with_its_lines(client, ukraine):
    text = client.post("/api/export/yaml", json={"scenario": ukraine}).text
    broken = text.replace("capability: ", "capability: lots #", 1).encode()
    response = client.post("/api/upload", files={"file": ("talks.yaml", broken)})
    assert response.status_code == 422
    body = response.json()
    assert body["draft"]["id"] == "ukraine-2024-11" and len(body["draft"]["actors"]) == 13
    assert any(p["line"] and "capability" in (p["field"] or "") for p in body["problems"])
    unreadable = client.post("/api/upload", files={"file": ("talks.yaml", b"issues: [unclosed\n")})
    assert unreadable.status_code == 422 and "draft" not in unreadable.json()
