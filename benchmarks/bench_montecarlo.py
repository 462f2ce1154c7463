"""Benchmark: Monte Carlo over the models' batch axis, its scaling, and the gain over per-draw calls.

Four measurements, all in one run, printed as markdown tables:

1. end-to-end ``simulate`` on the Ukraine scenario (13 actors, 4 issues): 100,000 draws of the
   compromise model, 10,000 of EUM, 1,000 of the exchange model and of SMP (models that are not
   registered are skipped with a message), on one process and on ``--workers`` processes;
2. the batched kernel (``forecast_batch`` on all draws at once) against calling the model once per
   draw on the same pre-drawn inputs (the per-draw loop runs a subset and is scaled per draw);
3. the time of the compromise, median and EUM kernels as the number of actors grows (10 to 1,000)
   and as the number of issues grows, with the growth exponent fitted on log-log axes;
4. the same seed on 1 and on ``--workers`` processes gives identical numbers (checked, not timed).

    python benchmarks/bench_montecarlo.py [--quick] [--workers 2] [--skip-scaling] [--models compromise eum]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Callable

import numpy as np

from detente import models as registry
from detente.analysis.montecarlo import perturb, simulate
from detente.io import load
from detente.scenario import Scenario

END_TO_END = {"compromise": 100_000, "eum": 10_000, "exchange": 1_000, "smp": 1_000}
SPEEDUP = {"compromise": (100_000, 2_000), "median": (100_000, 2_000), "nash": (20_000, 500), "eum": (2_000, 200), "smp": (200, 40), "exchange": (200, 40)}
SCALING_ACTORS = (10, 30, 100, 300, 1000)
SCALING_ISSUES = (1, 4, 16, 64)
SCALING_MODELS = {"compromise": 1000, "median": 1000, "eum": 20}


def timed(function: Callable[[], object], repeat: int = 1) -> float:
    """The best wall time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def synthetic(actors: int, issues: int, seed: int = 7) -> Scenario:
    """A random scenario: positions uniform on 0..100, saliences 10..100, log-normal capabilities,
    the default uncertainty (position sd 5, salience sd 10, capability cv 0.2)."""
    rng = np.random.default_rng(seed)
    issue_ids = [f"i{k}" for k in range(issues)]
    return Scenario.from_dict(
        {
            "id": f"synthetic-{actors}x{issues}",
            "issues": [{"id": k, "status_quo": 50} for k in issue_ids],
            "actors": [
                {
                    "id": f"a{i}",
                    "capability": float(rng.lognormal(0, 1)),
                    "stances": {k: {"position": float(rng.uniform(0, 100)), "salience": float(rng.uniform(10, 100))} for k in issue_ids},
                }
                for i in range(actors)
            ],
            "uncertainty": {"position_sd": 5, "salience_sd": 10, "capability_cv": 0.2},
        }
    )


def available(names) -> list[str]:
    known = registry.registry()
    for name in names:
        if name not in known:
            print(f"> skipped {name}: the model is not registered yet")
    return [n for n in names if n in known]


def end_to_end(ukraine: Scenario, workers: int, scale: float, only: list[str] | None) -> None:
    print("\n### End to end: `simulate` on ukraine-2024-11 (13 actors, 4 issues)\n")
    if workers > 1:
        print(f"Effective cores at the start of this run: {effective_cores(workers):.2f} of {workers} (busy-loop test; below {workers} when other work shares the machine).\n")
    print(f"| Model | Draws | 1 process (s) | Draws/s | {workers} processes (s) | Speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in available([n for n in END_TO_END if not only or n in only]):
        draws = max(256, int(END_TO_END[name] * scale))
        single = timed(lambda: simulate(ukraine, [name], draws=draws, seed=1))
        parallel = timed(lambda: simulate(ukraine, [name], draws=draws, seed=1, workers=workers)) if workers > 1 else float("nan")
        print(f"| {name} | {draws:,} | {single:.2f} | {draws / single:,.0f} | {parallel:.2f} | {single / parallel:.2f}x |")


def batched_vs_per_draw(ukraine: Scenario, scale: float, only: list[str] | None) -> None:
    print("\n### Batched kernel vs one call per draw (same pre-drawn inputs, same run)\n")
    print("| Model | Batched draws | Batched (s) | µs/draw batched | Per-draw calls timed | µs/draw per call | Speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in available([n for n in SPEEDUP if not only or n in only]):
        draws, singles = (max(50, int(n * scale)) for n in SPEEDUP[name])
        singles = min(singles, draws)
        model = registry.create(name)
        batch = perturb(ukraine, draws, seed=3)
        batched = timed(lambda: model.forecast_batch(batch), repeat=2 if draws * len(ukraine.actors) < 5e6 else 1)
        pieces = [batch.take([d]) for d in range(singles)]
        one_by_one = timed(lambda: [model.forecast_batch(p) for p in pieces])
        per_batched, per_single = batched / draws * 1e6, one_by_one / singles * 1e6
        print(f"| {name} | {draws:,} | {batched:.3f} | {per_batched:,.1f} | {singles:,} | {per_single:,.1f} | {per_single / per_batched:,.0f}x |")


def growth(sizes, seconds) -> float:
    """Slope of log(time) on log(size): time grows like size**slope."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def scaling(scale: float) -> None:
    names = available(SCALING_MODELS)
    print("\n### Kernel time as the number of actors grows (4 issues)\n")
    print("| Model | Draws | " + " | ".join(f"{n} actors (s)" for n in SCALING_ACTORS) + " | Growth exponent |")
    print("|---|---:|" + "---:|" * (len(SCALING_ACTORS) + 1))
    for name in names:
        draws = max(5, int(SCALING_MODELS[name] * scale))
        model = registry.create(name)
        sizes, seconds = [], []
        for actors in SCALING_ACTORS:
            if name == "eum" and actors * actors * draws > 2e7:
                break
            batch = perturb(synthetic(actors, 4), draws, seed=1)
            seconds.append(timed(lambda: model.forecast_batch(batch), repeat=2))
            sizes.append(actors)
        cells = [f"{s:.4f}" for s in seconds] + ["–"] * (len(SCALING_ACTORS) - len(seconds))
        print(f"| {name} | {draws:,} | " + " | ".join(cells) + f" | {growth(sizes[1:], seconds[1:]):.2f} |")
    print("\n### Kernel time as the number of issues grows (100 actors)\n")
    print("| Model | Draws | " + " | ".join(f"{m} issues (s)" for m in SCALING_ISSUES) + " | Growth exponent |")
    print("|---|---:|" + "---:|" * (len(SCALING_ISSUES) + 1))
    for name in names:
        draws = max(5, int(SCALING_MODELS[name] * scale))
        model = registry.create(name)
        seconds = []
        for issues in SCALING_ISSUES:
            batch = perturb(synthetic(100, issues), draws, seed=1)
            seconds.append(timed(lambda: model.forecast_batch(batch), repeat=2))
        print(f"| {name} | {draws:,} | " + " | ".join(f"{s:.4f}" for s in seconds) + f" | {growth(SCALING_ISSUES[1:], seconds[1:]):.2f} |")
    print("\n(The exponent is fitted from the second size on, where fixed per-call costs no longer dominate.)")


def _spin(_: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - start


def effective_cores(workers: int) -> float:
    """How many CPU-bound processes really run at once here: ``workers`` times the time of one
    busy loop alone over the time of ``workers`` of them side by side. On a machine shared with
    other work this is below the core count, and so is any parallel speed-up."""
    import multiprocessing

    alone = _spin(0)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        start = time.perf_counter()
        pool.map(_spin, range(workers))
        together = time.perf_counter() - start
    return workers * alone / together


def reproducibility(ukraine: Scenario, workers: int) -> None:
    one = simulate(ukraine, ["compromise", "median"], draws=5000, seed=42)
    many = simulate(ukraine, ["compromise", "median"], draws=5000, seed=42, workers=workers)
    same = np.array_equal(one.values, many.values)
    print(f"\nSame seed on 1 and {workers} processes: {'identical draws and summaries' if same and one.records() == many.records() else 'DIFFERENT (bug)'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (a smoke test)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--models", nargs="*", help="limit the end-to-end and batched-vs-per-draw tables to these models")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    ukraine = load("ukraine-2024-11")
    print(f"## Monte Carlo benchmarks ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__})")
    end_to_end(ukraine, args.workers, scale, args.models)
    batched_vs_per_draw(ukraine, scale, args.models)
    if not args.skip_scaling:
        scaling(scale)
    reproducibility(ukraine, args.workers)


if __name__ == "__main__":
    main()
