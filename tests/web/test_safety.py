"""What the server does with hostile or careless requests: never a 5xx, never the body echoed,
security headers everywhere, a Host allow-list, a token for team use and no cross-site writes."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from detente.web.app import MAX_REQUEST_BYTES, create_app

MARKER = "ZQXJ-body-marker"
JSON_ROUTES = ["/api/validate", "/api/forecast", "/api/export/yaml", "/api/charts/landscape", "/api/jobs/simulate", "/api/jobs/sensitivity", "/api/jobs/whatif", "/api/report"]
"""Every POST route that reads JSON (the fuzz in test_fuzz.py takes every route from the schema)."""
EVERY_GET = ["/", "/static/app.js", "/vendor/plotly.min.js", "/api/version", "/api/models", "/api/scenarios", "/api/runs", "/api/new", "/api/scenarios/atlantis", "/openapi.json"]


def assert_safe(response, marker: str = MARKER) -> None:
    assert response.status_code < 500, response.text[:300]
    assert marker not in response.text
    assert len(response.content) < 5000 or response.status_code < 400


@pytest.mark.parametrize("path", JSON_ROUTES)
def test_a_body_that_is_not_utf8_and_not_labelled_is_refused_without_echo(client, path):
    body = b"\xff\xfe\x00" + MARKER.encode() + b"\xc3\x28"
    for headers in ({}, {"Content-Type": "application/octet-stream"}, {"Content-Type": "multipart/form-data; boundary=x"}):
        response = client.post(path, content=body, headers=headers)
        assert_safe(response)
        assert response.status_code == 415 and "application/json" in response.json()["error"]


@pytest.mark.parametrize("path", JSON_ROUTES)
def test_a_json_labelled_body_that_is_not_utf8_is_a_short_4xx(client, path):
    response = client.post(path, content=b'{"scenario": "\xff' + MARKER.encode() + b'"}', headers={"Content-Type": "application/json"})
    assert_safe(response)
    assert 400 <= response.status_code < 500


def test_a_422_names_the_field_and_never_echoes_the_body(client):
    response = client.post("/api/forecast", json={"scenario": MARKER, "models": [MARKER]})
    assert_safe(response)
    assert response.status_code == 422
    fields = [p["field"] for p in response.json()["problems"]]
    assert "scenario" in fields


def test_an_upload_that_is_not_a_form_is_refused(client):
    response = client.post("/api/upload", content=b"\xff" + MARKER.encode(), headers={"Content-Type": "application/json"})
    assert_safe(response)
    assert response.status_code == 415


def test_a_400_digit_integer_is_a_4xx_not_a_server_error(client, ukraine):
    huge = int("9" * 400)
    ukraine["actors"][0]["capability"] = huge
    ukraine["actors"][1]["stances"]["territory"]["position"] = -huge
    for path in ("/api/validate", "/api/forecast", "/api/jobs/simulate", "/api/export/csv"):
        response = client.post(path, json={"scenario": ukraine})
        assert response.status_code < 500, (path, response.text[:300])
        assert "9" * 50 not in response.text
    draws = client.post("/api/jobs/simulate", json={"scenario": ukraine, "draws": huge, "seed": huge})
    assert draws.status_code == 422 and "9" * 50 not in draws.text


def test_a_declared_oversized_body_is_refused_on_every_route(client):
    for path in [*JSON_ROUTES, "/api/upload"]:
        response = client.post(path, content=b"x", headers={"Content-Length": str(MAX_REQUEST_BYTES + 1), "Content-Type": "application/json"})
        assert response.status_code == 413


def _raw_request(base: str, head: str, chunks, read_limit: int = 65536) -> tuple[int, bytes]:
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(head.encode())
        try:
            for chunk in chunks:
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the whole body was sent: what we want
        answer = b""
        while len(answer) < read_limit:
            part = connection.recv(65536)
            if not part:
                break
            answer += part
            if b"\r\n\r\n" in answer and (b"content-length: 0" in answer.lower() or answer.rstrip().endswith(b"}")):
                break
    status = int(answer.split(b" ", 2)[1])
    return status, answer


@pytest.mark.parametrize(("method", "path"), [*(("POST", p) for p in [*JSON_ROUTES, "/api/upload"]), ("PUT", "/api/workspace/talks")])
def test_a_chunked_body_over_the_cap_is_cut_off_while_it_streams(live_server, method, path):
    kind = "multipart/form-data; boundary=b" if path == "/api/upload" else "application/json"
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    piece = b"[" + MARKER.encode() * (2**20 // len(MARKER)) + b"]"
    sent = []

    def chunks():
        if path == "/api/upload":
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.yaml"\r\nContent-Type: application/x-yaml\r\n\r\n'
        for _ in range(MAX_REQUEST_BYTES // len(piece) + 20):  # ~20 MB more than the cap
            sent.append(len(piece))
            yield piece

    status, answer = _raw_request(live_server, head, chunks())
    assert status == 413, answer[:300]
    assert MARKER.encode() not in answer


def test_every_response_carries_the_security_headers(client):
    responses = [client.get(path) for path in EVERY_GET]
    responses += [client.post("/api/forecast", json={}), client.post("/api/forecast", content=b"x"), client.get("/api/runs", headers={"Host": "evil.example.com"})]
    for response in responses:
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], response.url
        assert "default-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_a_foreign_host_header_is_refused(client):
    for host in ("evil.example.com", "evil.example.com:8000", "127.0.0.1.evil.example", "[::2]:8000"):
        response = client.get("/api/runs", headers={"Host": host})
        assert response.status_code == 400 and "host" in response.json()["error"]
    for host in ("127.0.0.1:8000", "localhost", "LOCALHOST:8000", "[::1]:8000"):
        assert client.get("/api/runs", headers={"Host": host}).status_code == 200, host


def test_the_vendored_plotly_is_cached_and_revalidated(client):
    first = client.get("/vendor/plotly.min.js")
    assert "max-age=" in first.headers["cache-control"] and first.headers["etag"]
    again = client.get("/vendor/plotly.min.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_cross_site_writes_are_refused(client, ukraine):
    body = {"scenario": ukraine}
    assert client.post("/api/validate", json=body, headers={"Origin": "http://evil.example.com"}).status_code == 403
    assert client.post("/api/validate", json=body, headers={"Origin": "null"}).status_code == 403
    assert client.post("/api/validate", json=body, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.delete("/api/jobs/x", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    same = client.post("/api/validate", json=body, headers={"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200


def test_with_a_token_nothing_is_answered_without_it(tmp_path):
    app = create_app(store_path=str(tmp_path / "runs.sqlite"), token="s3cret-token", allowed_hosts=None)
    client = TestClient(app, base_url="http://team.example:8000")
    for path in ("/", "/api/runs", "/api/scenarios/ukraine-2024-11", "/static/app.js"):
        refused = client.get(path)
        assert refused.status_code == 401 and "token" in refused.json()["error"]
    assert client.get("/api/runs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/runs", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    first_visit = client.get("/?token=s3cret-token", follow_redirects=False)
    assert first_visit.status_code == 303 and first_visit.headers["location"] == "/"
    cookie = first_visit.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200  # the client kept the cookie
    assert client.post("/api/validate", json={"scenario": {}}, headers={"Origin": "http://evil.example"}).status_code == 403
