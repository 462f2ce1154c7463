"""detente serve: off loopback it always has an access token, and prints the address to open."""

import re

import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.cli import app


def serve(monkeypatch, *args, env=None):
    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: started.update(app=application, **options))
    result = CliRunner().invoke(app, ["serve", *args], env={"COLUMNS": "200", **(env or {})})
    assert result.exit_code == 0, result.output
    return result.output, started


def test_serving_on_every_address_prints_a_token_and_refuses_requests_without_it(monkeypatch):
    output, started = serve(monkeypatch, "--host", "0.0.0.0", "--port", "8123")
    token = re.search(r"\?token=([\w-]+)", output).group(1)
    assert started["host"] == "0.0.0.0" and started["port"] == 8123
    client = TestClient(started["app"], base_url="http://team-laptop:8123")
    assert client.get("/api/version").status_code == 401
    assert client.get("/api/version", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_given_token_and_host_names_are_used(monkeypatch):
    output, started = serve(monkeypatch, "--host", "10.0.0.5", "--allow-host", "detente.example.org", env={"DETENTE_TOKEN": "team-secret"})
    assert "?token=team-secret" in output
    client = TestClient(started["app"], base_url="http://detente.example.org")
    assert client.get("/api/version", headers={"Authorization": "Bearer team-secret"}).status_code == 200
    assert client.get("/api/version", headers={"Authorization": "Bearer team-secret", "Host": "elsewhere.example"}).status_code == 400


def test_on_loopback_no_token_is_needed(monkeypatch):
    output, started = serve(monkeypatch)
    assert "token" not in output
    assert TestClient(started["app"], base_url="http://127.0.0.1:8000").get("/api/version").status_code == 200
