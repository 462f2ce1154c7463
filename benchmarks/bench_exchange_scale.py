"""Benchmark: how the exchange model's time and memory grow with the number of actors.

Synthetic cases of N actors x M issues (positions U(0, 100), saliences and capabilities U(0.05, 1)
per actor and issue, seed 7), each run in a fresh process for ``--rounds`` rounds of ``simulate``.
Prints the candidates of round 1, CPU seconds, CPU per candidate and round, peak memory of the
process, and the growth exponent in actors between consecutive sizes.

    python benchmarks/bench_exchange_scale.py [--actors 100 200 400] [--issues 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys

ONE = r"""
import json, resource, sys, time
import numpy as np
from detente.models.exchange import ExchangeOptions, RoundState, count_candidates, simulate
n, m, rounds = map(int, sys.argv[1:4])
rng = np.random.default_rng(7)
state = RoundState(rng.uniform(0, 100, (n, m)), rng.uniform(0.05, 1, (n, m)), rng.uniform(0.05, 1, (n, m)), np.ones((n, m), dtype=bool))
start = time.process_time()
simulate(state, ExchangeOptions(rounds=rounds), np.random.default_rng(0))
cpu = time.process_time() - start
print(json.dumps({"candidates": count_candidates(state.position, state.weight), "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actors", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--issues", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"{'actors':>7} {'candidates':>11} {'CPU s':>8} {'µs/cand/round':>14} {'peak MB':>8} {'exponent':>9}")
    last = None
    for n in args.actors:
        done = subprocess.run([sys.executable, "-c", ONE, str(n), str(args.issues), str(args.rounds)], capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        exponent = f"{math.log(row['cpu'] / last[1]) / math.log(n / last[0]):9.2f}" if last else f"{'':>9}"
        per = row["cpu"] / args.rounds / row["candidates"] * 1e6
        print(f"{n:7d} {row['candidates']:11,d} {row['cpu']:8.2f} {per:14.1f} {row['peak_mb']:8.0f} {exponent}")
        last = (n, row["cpu"])


if __name__ == "__main__":
    main()
