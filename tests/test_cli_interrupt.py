"""Ctrl-C during a long run: a short message, exit code 130, and the run store left as it was (issue 15)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from detente.io import save
from tests.models.test_scale import crowd


def detente(*args: str, env: dict) -> subprocess.Popen:
    """The command as a terminal starts it: with Ctrl-C's default handling, whatever this test
    process inherited (Python only installs its KeyboardInterrupt handler when SIGINT is not
    ignored at start, and an ignored signal stays ignored in every child)."""
    return subprocess.Popen(
        [sys.executable, "-m", "detente.cli", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_cpu(pid: int, seconds: float, timeout: float = 120) -> None:
    """Wait until process ``pid`` has used ``seconds`` of CPU time (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / tick >= seconds:
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} did not reach {seconds} s of CPU in {timeout} s")


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc to see when the run is under way")
def test_ctrl_c_stops_a_long_forecast_cleanly_and_keeps_the_store(tmp_path):
    store = tmp_path / "runs.sqlite"
    env = {**os.environ, "DETENTE_STORE": str(store), "COLUMNS": "120"}
    first = detente("forecast", "ukraine-2024-11", "-m", "compromise", env=env)
    assert first.wait(timeout=60) == 0
    big = tmp_path / "big.yaml"
    save(crowd(1000, 2), big)  # SMP: seconds a turn at 1,000 actors, many minutes a run
    run = detente("forecast", str(big), "-m", "smp", env=env)
    wait_for_cpu(run.pid, 3.0)  # past the imports and the loading, inside the model's turns
    assert run.poll() is None, "the run ended before it could be interrupted"
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130
    assert "interrupted: nothing was stored" in err and "Traceback" not in err
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT kind FROM runs").fetchall() == [("forecast",)]
