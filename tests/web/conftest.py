import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient

from detente.web.app import create_app

LOCAL = "http://127.0.0.1"


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(store_path=str(tmp_path / "runs.sqlite")), base_url=LOCAL)


@pytest.fixture
def ukraine(client):
    return client.get("/api/scenarios/ukraine-2024-11").json()["scenario"]


def serve_in_thread(app):
    """Run ``app`` with uvicorn on a free loopback port; yields its base address, stops it after."""
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not instance.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app served on loopback by uvicorn (a real HTTP server: chunked bodies, raw Host headers)."""
    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    yield from serve_in_thread(create_app(store_path=str(store)))
