"""Benchmark: how each model's time and memory grow with the number of actors (issue 15).

Run ``python benchmarks/bench_scale.py`` (``--quick`` for smaller sizes). Each measurement is one
process that builds a random scenario (positions U(0, 100), saliences U(0.1, 1), capabilities
U(0.1, 1), seeded) and runs one model on it; the table gives the model's CPU time (wall time in
brackets; the machine is shared) and the process's peak memory. The dynamic models run a fixed
number of rounds so that sizes compare: EUM 3 rounds with its stopping rules off, SMP 2 turns
(``max_turns`` set, which also lifts its up-front refusal). The exponent is the slope of log CPU
time on log actors (``np.polyfit``) over the sizes measured; the extrapolation to 1,000 actors
uses it. ``--full N`` instead runs every model once with its default settings on N actors (SMP
with its default ``max_turns=100`` set explicitly, which lifts its up-front refusal) and gives the
CPU time of the whole run. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ISSUES = 10
PLANS = {
    "compromise": ([], [1_000, 3_000, 10_000]),
    "median": ([], [1_000, 3_000, 10_000]),
    "nash": ([], [1_000, 3_000, 10_000]),
    "eum": (["max_rounds=3", "stop_rounds=0", "detect_cycles=false"], [250, 500, 1_000]),
    "smp": (["max_turns=2"], [100, 200, 400, 1_000]),
}
FULL_RUN = {"smp": ["max_turns=100"]}  # the default limit, set explicitly so that the up-front refusal gives way


def scenario(actors: int, issues: int, seed: int = 0):
    from detente.scenario import Scenario

    rng = np.random.default_rng(seed)
    return Scenario.from_dict(
        {
            "detente": 1,
            "id": f"scale-{actors}x{issues}",
            "issues": [{"id": f"i{k}"} for k in range(issues)],
            "actors": [
                {
                    "id": f"a{i}",
                    "capability": float(rng.uniform(0.1, 1)),
                    "stances": {f"i{k}": {"position": float(rng.uniform(0, 100)), "salience": float(rng.uniform(0.1, 1))} for k in range(issues)},
                }
                for i in range(actors)
            ],
        }
    )


def one(model: str, actors: int, settings: list[str]) -> None:
    """Child process: build the scenario, run the model, print its CPU and wall time as JSON."""
    from detente.models import create

    started = time.perf_counter()
    built = scenario(actors, ISSUES)
    build_seconds = time.perf_counter() - started
    runner = create(model, settings)
    cpu, wall = time.process_time(), time.perf_counter()
    result = runner.run(built)
    rounds = len(result.positions) - 1 if getattr(result, "positions", None) is not None else None
    print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "build": build_seconds, "rounds": rounds}))


def measure(model: str, actors: int, settings: list[str]) -> dict:
    process = subprocess.Popen(
        [sys.executable, __file__, "--one", model, str(actors), *settings], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{model} on {actors} actors failed: {process.stderr.read()}")
    return {**json.loads(output), "rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the two smallest sizes")
    parser.add_argument("--models", nargs="+", choices=list(PLANS), default=list(PLANS), help="models to measure (default: all)")
    parser.add_argument("--full", type=int, metavar="N", help="one whole default run of each model on N actors instead")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], int(args.one[1]), args.one[2:])
        return
    if args.full:
        print(f"{args.full:,} actors x {ISSUES} issues, default settings; load average {os.getloadavg()[0]:.1f}\n")
        print("| model | CPU (wall) | rounds or turns | peak memory |")
        print("|---|---:|---:|---:|")
        for model in args.models:
            r = measure(model, args.full, FULL_RUN.get(model, []))
            print(f"| {model} | {r['cpu']:.2f} s ({r['wall']:.1f} s) | {r['rounds'] if r['rounds'] is not None else ''} | {r['rss_mb']:.0f} MB |", flush=True)
        return
    print(f"{ISSUES} issues; CPU time of the model's run (wall in brackets), peak memory of the process; load average {os.getloadavg()[0]:.1f}\n")
    print("| model | settings | actors | CPU (wall) | peak memory | exponent | 1,000 actors (extrapolated CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for model in args.models:
        settings, sizes = PLANS[model]
        sizes = sizes[:2] if args.quick else sizes
        rows = [measure(model, n, settings) for n in sizes]
        slope = float(np.polyfit(np.log(sizes), np.log([max(r["cpu"], 1e-4) for r in rows]), 1)[0])
        at_1000 = rows[-1]["cpu"] * (1_000 / sizes[-1]) ** slope
        for k, (n, r) in enumerate(zip(sizes, rows)):
            last = k == len(rows) - 1
            print(
                f"| {model if k == 0 else ''} | {(' '.join(settings) or 'defaults') if k == 0 else ''} | {n:,} | {r['cpu']:.2f} s ({r['wall']:.1f} s) "
                f"| {r['rss_mb']:.0f} MB | {f'{slope:.2f}' if last else ''} | {f'{at_1000:.1f} s' if last else ''} |",
                flush=True,
            )

if __name__ == "__main__":
    main()
