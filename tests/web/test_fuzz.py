"""Property-based fuzz of the API from its own OpenAPI schema: no input may cause a server error."""

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")

from detente.web.app import create_app  # noqa: E402

# Runs are stored where DETENTE_STORE points: the suite's autouse fixture makes that a temporary file.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_causes_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:500]}"


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

client = TestClient(create_app())
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
