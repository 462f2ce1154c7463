"""Run detente in a child process with a time limit and a memory cap, as an attacker's file
would meet it: a hostile input must be answered within both, never by the machine running out."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DETENTE = str(Path(sys.executable).with_name("detente"))
SECONDS = 10
MEGABYTES = 500


@dataclass
class Outcome:
    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float  # wall clock: on a shared machine, mostly waiting
    peak_mb: float
    cpu_seconds: float = 0.0  # user + system time of the child: what the input cost


def run_bounded(
    args: list[str], seconds: float = SECONDS, megabytes: int = MEGABYTES, file_size: int | None = None, env: dict[str, str] | None = None
) -> Outcome:
    """``detente ARGS`` killed after ``seconds``, with its peak resident memory (the child's own
    ru_maxrss, from wait4). The address space is capped too (RLIMIT_AS, at three times
    ``megabytes``: numpy's thread pools reserve address space they never touch), so that a
    runaway reader fails in the child instead of exhausting the machine."""

    def limits() -> None:
        cap = 3 * megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen([DETENTE, *args], stdout=out, stderr=err, text=True, preexec_fn=limits, env={**os.environ, **(env or {})})
        code: int | None = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - started > seconds:
                process.kill()
                _, _, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        process.returncode = code if code is not None else -9  # reaped here, not by Popen
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Outcome(code, out.read(), err.read(), elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
