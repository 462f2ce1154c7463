"""Saved scenarios for a team: a version check tells the second writer instead of overwriting."""

from detente.web.guard import access_settings


def test_a_second_writer_from_an_old_version_is_told_not_silently_overwritten(client, ukraine):
    first = client.put("/api/workspace/talks", json={"scenario": ukraine, "version": None})
    assert first.status_code == 200 and first.json()["version"] == 1
    alice = client.get("/api/workspace/talks").json()
    bob = client.get("/api/workspace/talks").json()
    alice["scenario"]["title"] = "Alice's edit"
    assert client.put("/api/workspace/talks", json={"scenario": alice["scenario"], "version": alice["version"]}).json()["version"] == 2
    bob["scenario"]["title"] = "Bob's edit"
    refused = client.put("/api/workspace/talks", json={"scenario": bob["scenario"], "version": bob["version"]})
    assert refused.status_code == 409 and "saved by someone else" in refused.json()["error"] and refused.json()["current_version"] == 2
    assert client.get("/api/workspace/talks").json()["scenario"]["title"] == "Alice's edit"
    again = client.put("/api/workspace/talks", json={"scenario": bob["scenario"], "version": None})
    assert again.status_code == 409, "a 'new' save over an existing one is a conflict too"
    listed = client.get("/api/workspace").json()
    assert [(s["id"], s["version"], s["title"]) for s in listed] == [("talks", 2, "Alice's edit")]


def test_a_saved_scenario_needs_a_plain_id(client, ukraine):
    assert client.put("/api/workspace/..%2Fetc", json={"scenario": ukraine}).status_code in (400, 404)
    assert client.put("/api/workspace/a b", json={"scenario": ukraine}).status_code == 400
    assert client.get("/api/workspace/nothing-here").status_code == 404


def test_serving_off_loopback_always_has_a_token():
    token, hosts = access_settings("0.0.0.0", None)
    assert token and len(token) >= 24 and hosts is None
    assert access_settings("0.0.0.0", None)[0] != token
    assert access_settings("10.1.2.3", "given", ["detente.team.example"]) == ("given", ["127.0.0.1", "localhost", "::1", "10.1.2.3", "detente.team.example"])
    assert access_settings("127.0.0.1", None) == (None, ["127.0.0.1", "localhost", "::1", "127.0.0.1"])
