"""The analysis jobs as the page starts them: the command line's defaults, one job per kind,
a cancel that is quick at any draw count, every chosen model analysed, readable tables."""

from __future__ import annotations

import time

import pytest

from detente.analysis.montecarlo import default_simulation_models


def wait_for(client, job_id, timeout=120.0, until=lambda view: view["status"] not in ("queued", "running")):
    deadline = time.time() + timeout
    while time.time() < deadline:
        view = client.get(f"/api/jobs/{job_id}").json()
        if until(view):
            return view
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not get there in {timeout} s: {view}")


def test_monte_carlo_without_models_runs_the_command_lines_default_set_and_says_what_is_left_out(client, ukraine):
    job = client.post("/api/jobs/simulate", json={"scenario": ukraine, "draws": 256}).json()
    view = wait_for(client, job["id"])
    default, left_out = default_simulation_models()
    assert view["status"] == "done", view["error"]
    assert view["result"]["models"] == default
    # the exchange model runs its draws in lockstep now, so only consensus (a second exchange run per draw) is left out
    assert left_out == ["consensus"] and "exchange" in default
    assert any("consensus" in note for note in view["result"]["notes"])
    models = {m["name"]: m for m in client.get("/api/models").json()}
    assert [name for name, m in models.items() if m["simulation_default"]] == default


def test_a_second_job_of_the_same_kind_is_refused_while_the_first_runs(client, ukraine):
    first = client.post("/api/jobs/simulate", json={"scenario": ukraine, "draws": 200_000, "models": ["smp"]}).json()
    second = client.post("/api/jobs/simulate", json={"scenario": ukraine, "draws": 10, "models": ["compromise"]})
    assert second.status_code == 409
    assert "already running" in second.json()["error"] and second.json()["job"]["id"] == first["id"]
    other_kind = client.post("/api/jobs/sensitivity", json={"scenario": ukraine, "models": ["compromise"]})
    assert other_kind.status_code == 200
    client.delete(f"/api/jobs/{first['id']}")
    wait_for(client, first["id"], timeout=10)
    assert client.post("/api/jobs/simulate", json={"scenario": ukraine, "draws": 10, "models": ["compromise"]}).status_code == 200


@pytest.mark.parametrize("models", [None, ["smp"]])
def test_a_200000_draw_monte_carlo_shows_progress_at_once_and_stops_within_two_seconds_of_a_cancel(client, ukraine, models):
    job = client.post("/api/jobs/simulate", json={"scenario": ukraine, "draws": 200_000, "models": models}).json()
    moving = wait_for(client, job["id"], timeout=30, until=lambda view: view["done"] > 0)
    assert moving["done"] <= 512  # progress after the first block of 256 draws, not after a sixteenth of the run
    assert moving["total"] == 200_000 and moving["status"] == "running"
    cancelled_at = time.time()
    client.delete(f"/api/jobs/{job['id']}")
    stopped = wait_for(client, job["id"], timeout=10)
    assert stopped["status"] == "cancelled"
    assert time.time() - cancelled_at < 2.0


def test_sensitivity_analyses_every_chosen_model_in_full_with_names_and_units(client, ukraine):
    job = client.post("/api/jobs/sensitivity", json={"scenario": ukraine, "models": ["compromise", "median"]}).json()
    view = wait_for(client, job["id"])
    assert view["status"] == "done", view["error"]
    effects, without = view["result"]["tables"]
    assert {row[0] for row in effects["rows"]} == {"Compromise (weighted mean)", "Weighted median"} or len({row[0] for row in effects["rows"]}) == 2
    assert len(effects["rows"]) > 40  # every input, not the first 40
    actors, issues = len(ukraine["actors"]), len(ukraine["issues"])
    assert len(without["rows"]) == 2 * actors * issues
    assert "Leave one actor out" in without["caption"]
    names = {a["name"] for a in ukraine["actors"]}
    assert {row[1] for row in without["rows"]} <= names
    territory = next(i for i in ukraine["issues"] if i["id"] == "territory")
    assert any(row[2].startswith(f"{territory['title']} (scale 0–100)") for row in without["rows"])
    labels = set(territory["anchors"].values())
    assert any(any(label in row[5] for label in labels) for row in without["rows"])
    assert not any(" RUS" in " ".join(row) for row in effects["rows"])


def test_what_if_with_draws_gives_intervals_in_its_table(client, ukraine):
    job = client.post("/api/jobs/whatif", json={"scenario": ukraine, "models": ["compromise"], "levers": ["USA.capability*0.5"], "draws": 300}).json()
    view = wait_for(client, job["id"])
    assert view["status"] == "done", view["error"]
    table = view["result"]["tables"][0]
    assert "Baseline 5–95 %" in table["columns"] and "300 Monte Carlo draws" in table["caption"]
    assert all(" – " in row[6] for row in table["rows"])


def test_an_unknown_sensitivity_model_is_refused_before_a_job_starts(client, ukraine):
    response = client.post("/api/jobs/sensitivity", json={"scenario": ukraine, "models": ["compromise", "oracle"]})
    assert response.status_code == 400 and "oracle" in response.json()["error"]
