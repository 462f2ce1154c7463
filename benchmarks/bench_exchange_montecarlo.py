"""Benchmark: the exchange model's Monte Carlo, draws in lockstep against one draw at a time.

On ukraine-2024-11 (13 actors, 4 issues, 10 rounds): ``forecast_batch`` on ``--draws`` draws with
positions and saliences perturbed (seeded), against the same model run on the first
``--alone`` of those draws one at a time (the numbers must agree to 1e-12, else the benchmark
fails); then ``simulate(ukraine, ["exchange"], draws=--draws, seed=1)`` end to end (drawing the
inputs included). CPU seconds of this process.

    python benchmarks/bench_exchange_montecarlo.py [--draws 1000] [--alone 50]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from detente.analysis.montecarlo import simulate
from detente.io import load
from detente.models.exchange import ExchangeModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--alone", type=int, default=50)
    args = parser.parse_args()
    print("load average before: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    ukraine = load("ukraine-2024-11")
    batch = ukraine.batch().repeat(args.draws)
    rng = np.random.default_rng(3)
    batch.position[:] = np.clip(batch.position + rng.normal(0, 0.08, batch.position.shape), 0, 1)
    batch.salience[:] = np.clip(batch.salience + rng.normal(0, 0.1, batch.salience.shape), 0.01, 1)
    model = ExchangeModel(rounds=10)

    start = time.process_time()
    together = model.forecast_batch(batch)
    lockstep = time.process_time() - start
    start = time.process_time()
    alone = np.concatenate([model.forecast_batch(batch.take([d])) for d in range(args.alone)])
    one_at_a_time = time.process_time() - start
    np.testing.assert_allclose(together[: args.alone], alone, rtol=0, atol=1e-12)
    start = time.process_time()
    simulate(ukraine, ["exchange"], draws=args.draws, seed=1)
    end_to_end = time.process_time() - start

    print(f"lockstep, {args.draws:,} draws: {lockstep:.2f} s CPU ({lockstep / args.draws * 1e3:.2f} ms a draw)")
    print(f"one at a time, {args.alone} draws: {one_at_a_time:.2f} s CPU ({one_at_a_time / args.alone * 1e3:.1f} ms a draw); same numbers to 1e-12")
    print(f"per draw, lockstep is {one_at_a_time / args.alone / (lockstep / args.draws):.1f}x faster")
    print(f'simulate(ukraine, ["exchange"], draws={args.draws:,}, seed=1): {end_to_end:.2f} s CPU end to end')
    print("load average after: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
