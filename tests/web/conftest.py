import pytest
from fastapi.testclient import TestClient

from detente.web.app import create_app


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(store_path=str(tmp_path / "runs.sqlite")))


@pytest.fixture
def ukraine(client):
    return client.get("/api/scenarios/ukraine-2024-11").json()["scenario"]
