"""Run detente in a child process with a time limit and a memory cap, as an attacker's file
would meet it: a hostile input must be answered within both, never by the machine running out."""

from __future__ import annotations

import resource
import subprocess
import sys
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
    seconds: float
    peak_mb: float


def run_bounded(args: list[str], seconds: float = SECONDS, megabytes: int = MEGABYTES, file_size: int | None = None) -> Outcome:
    """``detente ARGS`` with its address space capped at ``megabytes`` (RLIMIT_AS) and killed
    after ``seconds``; reports its peak resident memory (ru_maxrss of the child)."""

    def limits() -> None:
        cap = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    process = subprocess.Popen([DETENTE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limits)
    try:
        stdout, stderr = process.communicate(timeout=seconds)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        code = None
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Outcome(code, stdout, stderr, elapsed, max(peak, before) / 1024)
