"""Benchmark: how long the command line takes to answer, against ``python -c "import numpy"``.

Run ``python benchmarks/bench_startup.py`` (``--repeats N``, default 7). Each command runs as its
own process, interleaved with the baseline so that a busy machine slows them alike:

* ``python -c "import numpy"``: the baseline, the least any numpy program pays;
* ``python -c "import detente"``: the library import;
* ``detente --help``;
* ``detente forecast ukraine-2024-11 -m compromise`` (kept in a run store in a temporary folder,
  as a user's run would be).

Each process's CPU time (user + system, from ``os.wait4``) and wall time are recorded; the table
gives the median over the repeats and the ratio of medians to the baseline's. Byte-code caches are
written on a first, untimed round (``PYTHONDONTWRITEBYTECODE`` is removed from the environment), as
an installed package has them. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def commands() -> dict[str, list[str]]:
    detente = str(BIN / "detente")
    return {
        'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
        'python -c "import detente"': [sys.executable, "-c", "import detente"],
        "detente --help": [detente, "--help"],
        "detente forecast ukraine-2024-11 -m compromise": [detente, "forecast", "ukraine-2024-11", "-m", "compromise"],
    }


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process run to its end."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["DETENTE_STORE"] = str(Path(folder) / "runs.sqlite")
        runs = commands()
        for argv in runs.values():  # write byte-code caches, create the store
            timed(argv, env)
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        wall: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeats):
            for name, argv in runs.items():
                c, w = timed(argv, env)
                cpu[name].append(c)
                wall[name].append(w)
    baseline = next(iter(runs))
    base_cpu, base_wall = statistics.median(cpu[baseline]), statistics.median(wall[baseline])
    print(f"median of {args.repeats} interleaved runs; load average at the end {os.getloadavg()[0]:.1f}\n")
    print("| command | CPU | wall | CPU / baseline | wall / baseline |")
    print("|---|---|---|---|---|")
    for name in runs:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        print(f"| `{name}` | {c:.3f} s | {w:.3f} s | {c / base_cpu:.2f} | {w / base_wall:.2f} |")


if __name__ == "__main__":
    main()
