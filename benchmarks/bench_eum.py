"""Benchmark: the expected-utility model on 1,000 perturbed copies of a 100-actor issue, 10 rounds.

The vectorised model (every pair of every draw in one array pass per round) against a plain
Python implementation of the same rounds, one draw and one actor pair at a time, written below
from MODELS.md §2. The Python baseline takes seconds per draw, so it runs a few draws and the
time for 1,000 is extrapolated (said so in the table). Both give the same positions on the draws
the baseline runs, which the benchmark checks before timing anything else.

    python benchmarks/bench_eum.py [--draws 1000] [--actors 100] [--rounds 10] [--baseline-draws 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from detente.models.eum import ExpectedUtilityModel, prepare, simulate
from detente.scenario import Batch

PRESETS = ("paper", "scholz_replication")


def perturbed_issue(draws: int, actors: int, seed: int = 2011) -> Batch:
    """One issue, ``actors`` actors, ``draws`` perturbed copies (positions ±0.05, saliences ±0.05,
    capabilities ×lognormal(0.2)), all on 0..1."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, actors)
    s = rng.uniform(0.1, 1, actors)
    c = rng.lognormal(0, 1, actors)
    position = np.clip(x + rng.normal(0, 0.05, (draws, actors)), 0, 1)
    salience = np.clip(s + rng.normal(0, 0.05, (draws, actors)), 0.01, 1)
    capability = c * rng.lognormal(0, 0.2, (draws, actors))
    return Batch(position[:, :, None], salience[:, :, None], capability[:, :, None], np.ones((actors, 1), bool), np.array([np.nan]))


# -- the baseline: one draw, one pair at a time ---------------------------------------------------------


def python_probabilities(z, w, r, all_pairs):
    n = len(z)
    support = [[0.0] * n for _ in range(n)]
    for a in range(n):
        for b in range(n):
            if a == b:
                continue
            total = 0.0
            for k in range(n):
                vote = w[k] * (abs(z[k] - z[b]) ** r[k] - abs(z[k] - z[a]) ** r[k])
                if vote > 0:
                    total += vote
            support[a][b] = total
    grand = sum(support[a][b] + support[b][a] for a in range(n) for b in range(n) if abs(z[a] - z[b]) > 1e-12)
    p = [[0.0] * n for _ in range(n)]
    for a in range(n):
        for b in range(n):
            if a != b and abs(z[a] - z[b]) > 1e-12:
                bottom = grand if all_pairs else support[a][b] + support[b][a]
                p[a][b] = support[a][b] / bottom if bottom > 0 else 0.0
    return p


def python_challenge(d, p, resist, r):
    """E(U) of a challenge at distance d, success probability p, resistance s, exponent r (Q = 1)."""
    success = 2 - 4 * (0.5 - 0.5 * d) ** r
    failure = 2 - 4 * (0.5 + 0.5 * d) ** r
    return resist * (p * success + (1 - p) * failure) + (1 - resist) * success - (2 - 4 * 0.5**r)


def python_median(z, w):
    order = sorted(range(len(z)), key=lambda i: z[i])
    total, run = sum(w), 0.0
    for i in order:
        run += w[i]
        if run >= 0.5 * total - 1e-9:
            return z[i]
    return z[order[-1]]


def python_eum(x, s, c, rounds, preset):
    """Positions after ``rounds`` rounds for one draw (lists of floats on 0..1)."""
    n = len(x)
    scholz = preset == "scholz_replication"
    lo, hi = min(x), max(x)
    delta = hi - lo if hi > lo else 1.0
    z = [(v - lo) / delta for v in x]
    w = [c[i] * s[i] for i in range(n)]
    for _ in range(rounds):
        p = python_probabilities(z, w, [1.0] * n, scholz)
        danger = [sum(python_challenge(abs(z[i] - z[j]), p[j][i], s[i], 1.0) for j in range(n) if j != i) for i in range(n)]
        high, low = max(danger), min(danger)
        accept = [(2 * d - high - low) / (high - low) if high > low else 0.0 for d in danger]
        r = [(1 - a / 3) / (1 + a / 3) for a in accept]
        if scholz:
            p = python_probabilities(z, w, r, True)
        new = list(z)
        for i in range(n):
            lost, compromises = [], []
            for j in range(n):
                d = abs(z[i] - z[j])
                if j == i or d <= 1e-12:
                    continue
                own = python_challenge(d, p[i][j], s[j], r[i])
                other = python_challenge(d, p[j][i], s[i], r[i])
                if 0 < own < other:
                    lost.append((d, z[j]))
                elif own < 0 < other:
                    if -own < other:
                        target = z[i] + (z[j] - z[i]) * (-own / other)
                        key = (other * z[j] - own * z[i]) / (other - own) if scholz else abs(target - z[i])
                        compromises.append((key, target))
                    elif not scholz:
                        lost.append((d, z[j]))  # capitulation: move all the way
            if scholz:
                chosen = min(lost)[1] if lost else (min(compromises)[1] if compromises else None)
            else:
                offers = [(move, target) for move, target in lost] + compromises
                chosen = min(offers)[1] if offers else None
            if chosen is not None:
                new[i] = chosen
        z = new
    return [lo + v * delta for v in z], lo + python_median(z, w) * delta


# -- timing ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--actors", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--baseline-draws", type=int, default=2)
    args = parser.parse_args()
    batch = perturbed_issue(args.draws, args.actors)

    rows = []
    for preset in PRESETS:
        model = ExpectedUtilityModel(preset=preset, max_rounds=args.rounds, stop_rounds=0, detect_cycles=False)
        # correctness first: the vectorised rounds equal the plain ones on the baseline's draws
        few = batch.take(range(args.baseline_draws))
        prepared = prepare(few)
        vector = simulate(prepared.z, prepared.s, prepared.weight, prepared.valid, model.options).positions[-1]
        vector = prepared.origin[:, None] + vector * prepared.delta[:, None]
        start = time.process_time()
        for d in range(args.baseline_draws):
            x, s, c = (a[d, :, 0].tolist() for a in (few.position, few.salience, few.capability))
            plain, _ = python_eum(x, s, c, args.rounds, preset)
            gap = np.abs(np.array(plain) - vector[d]).max()
            assert gap < 1e-8, f"{preset}: draw {d} differs from the Python rounds by {gap:g}"
        per_draw = (time.process_time() - start) / args.baseline_draws

        start, wall = time.process_time(), time.perf_counter()
        model.forecast_batch(batch)
        rows.append((preset, time.process_time() - start, time.perf_counter() - wall, per_draw))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"EUM: {args.draws} perturbed copies of a {args.actors}-actor issue, {args.rounds} rounds; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}, "
          f"numpy {np.__version__}")
    print()
    print("CPU time of this process (the machine is shared; wall time in brackets).")
    print()
    print("| preset | vectorised, all draws | per draw and round | pure Python, per draw | pure Python, all draws (extrapolated) | speed-up |")
    print("|---|---|---|---|---|---|")
    for preset, cpu, wall, per_draw in rows:
        total = per_draw * args.draws
        print(
            f"| {preset} | {cpu:.1f} s ({wall:.1f} s) | {cpu / (args.draws * args.rounds) * 1e3:.2f} ms | {per_draw:.2f} s "
            f"(mean of {args.baseline_draws}) | {total / 60:.0f} min | {total / cpu:.0f}x |"
        )


if __name__ == "__main__":
    main()
