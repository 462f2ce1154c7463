"""Property-based fuzz of the API from its own OpenAPI schema: no input may cause a server error."""

import json

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")

from detente.web.app import create_app  # noqa: E402

# Runs are stored where DETENTE_STORE points: the suite's autouse fixture makes that a temporary file.
from detente.web.guard import LOOPBACK_HOSTS  # noqa: E402

# schemathesis calls the app as host 'testserver'; the Host allow-list itself is fuzzed below.
from fastapi.testclient import TestClient  # noqa: E402

client = TestClient(create_app(), base_url="http://127.0.0.1")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(allowed_hosts=[*LOOPBACK_HOSTS, "testserver"]))


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_causes_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400 and "application/json" in str(response.headers.get("content-type")):
        answer = json.loads(response.text)
        assert not _has_key(answer, "input"), f"{case.method} {case.path}: the error echoes the request's input"
        if isinstance(case.body, (dict, list)) and len(json.dumps(case.body)) > 60:
            for part in (case.body.values() if isinstance(case.body, dict) else case.body):
                dumped = json.dumps(part)
                assert len(dumped) < 60 or dumped not in json.dumps(answer), f"{case.method} {case.path}: the error quotes part of the body"


def _has_key(value, key):
    if isinstance(value, dict):
        return key in value or any(_has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False


MARKER = "QZXW-fuzz-marker"
HUGE = int("7" * 400)


def _every_operation():
    """(method, path) of every route in the schema, path parameters filled in."""
    filled = {"{scenario_id}": "ukraine-2024-11", "{run_id}": "1", "{job_id}": "abc", "{fmt}": "yaml"}
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for placeholder, value in filled.items():
            path = path.replace(placeholder, value)
        for method in operations:
            yield method.upper(), path


OPERATIONS = sorted(set(_every_operation()))


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_route_refuses_hostile_requests_without_a_5xx_or_an_echo(method, path):
    hostile = [
        ({}, b"\xff\xfe" + MARKER.encode() + b"\xc3\x28"),
        ({"Content-Type": "application/json"}, b'{"scenario": "\xff' + MARKER.encode() + b'"}'),
        ({"Content-Type": "multipart/form-data; boundary=zz"}, b"--zz\r\n\xff" + MARKER.encode()),
        ({"Content-Type": "application/json"}, ('{"scenario": {"id": "%s", "actors": [{"capability": %d}]}, "draws": %d, "version": %d}' % (MARKER, HUGE, HUGE, HUGE)).encode()),
        ({"Content-Type": "application/json", "Host": "evil.example.com"}, b"{}"),
    ]
    for headers, body in hostile:
        response = client.request(method, path, content=body if method in ("POST", "PUT") else None, headers=headers)
        assert response.status_code < 500, (method, path, headers, response.status_code, response.text[:300])
        assert MARKER not in response.text and "7" * 40 not in response.text, (method, path, response.text[:300])
        if headers.get("Host") == "evil.example.com":
            assert response.status_code == 400


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
UKRAINE = client.get("/api/scenarios/ukraine-2024-11").json()["scenario"]
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(
    actor=st.integers(0, 12), issue=st.sampled_from(["territory", "security", "kursk", "aid"]),
    field=st.sampled_from(["position", "salience", "capability", "position_sd", "basis"]), value=ODD_VALUES,
)
@settings(max_examples=60, deadline=None)
def test_a_scenario_with_one_odd_value_is_answered_or_refused_never_a_crash(actor, issue, field, value):
    import copy

    scenario = copy.deepcopy(UKRAINE)
    scenario["actors"][actor]["stances"][issue][field] = value
    for path in ("/api/validate", "/api/forecast"):
        response = client.post(path, json={"scenario": scenario, "models": ["compromise", "median", "nash"]})
        assert response.status_code in (200, 422), response.text[:500]
