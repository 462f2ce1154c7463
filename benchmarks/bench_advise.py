"""Benchmark: advice for every issue of the Ukraine scenario, and the batched plan evaluation.

1. ``advise`` for each issue of ukraine-2024-11 with the target ten points toward Kyiv's side of
   the compromise forecast, checked under compromise, median, Nash, EUM and SMP, with the Monte
   Carlo probability of each plan (``--draws``): wall and CPU seconds per issue and in all,
   and the same as a multiple of one plain forecast of those models measured in the same run;
2. the evaluation kernel: 1,000 candidate plans through each model's draws axis in one call
   against one ``forecast`` call per plan (scaled from a subset), for compromise, EUM and SMP.

    python benchmarks/bench_advise.py [--draws 200] [--models compromise median nash eum smp]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import detente
from detente.analysis.advise import LeverSpace, Prices, _Evaluator, _Space, advise
from detente.analysis.montecarlo import configured_models


def clock(function):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--models", nargs="+", default=["compromise", "median", "nash", "eum", "smp"])
    args = parser.parse_args()
    scenario = detente.load("ukraine-2024-11")
    print(f"machine: {platform.machine()}, python {platform.python_version()}, numpy {np.__version__}\n")
    _, wall_one, cpu_one = clock(lambda: detente.forecast(scenario, args.models))
    baseline = detente.forecast(scenario, ["compromise"])["compromise"].forecast
    print(f"one forecast of {', '.join(args.models)}: {wall_one:.3f} s wall, {cpu_one:.3f} s CPU\n")
    print("| issue | target | cheapest plan | wall s | CPU s |")
    print("|---|---|---|---|---|")
    total_wall = total_cpu = 0.0
    for issue in scenario.issues:
        value = baseline[issue.id]
        target = f"<={value - 10:.1f}" if value - 10 >= issue.lo else f">={value + 10:.1f}"
        result, wall, cpu = clock(lambda: advise(scenario, issue.id, target, args.models, draws=args.draws))
        total_wall += wall
        total_cpu += cpu
        cheapest = f"{result.best.cost:.1f}" if result.best else "not reached"
        print(f"| {issue.id} | {target} | {cheapest} | {wall:.2f} | {cpu:.2f} |")
    print(f"| all | | | {total_wall:.2f} | {total_cpu:.2f} |")
    print(f"\nadvice for all issues = {total_cpu / cpu_one:.0f} forecasts' CPU time\n")

    print("| model | 1,000 plans in one batch (s) | one forecast per plan (s, scaled) | ratio |")
    print("|---|---|---|---|")
    issue = scenario.issue("territory")
    space = _Space(scenario, issue, LeverSpace(), Prices(), {})
    rng = np.random.default_rng(0)
    plans = []
    for _ in range(1000):
        plan = space.empty()
        plan.shift[:] = rng.uniform(-0.1, 0.1, space.n) * space.movable
        plan.log_capability[:] = rng.uniform(-0.3, 0.3, space.n) * space.movable
        plans.append(plan)
    from detente.analysis.whatif import apply_levers

    for name in ("compromise", "eum", "smp"):
        model = configured_models(scenario, [name])
        evaluator = _Evaluator(space, model)
        _, batched, _ = clock(lambda: evaluator(plans))
        subset = plans[:20]
        _, looped, _ = clock(lambda: [detente.forecast(apply_levers(scenario, [l for s in space.steps(p) for l in s.levers]), model) for p in subset])
        looped *= len(plans) / len(subset)
        print(f"| {name} | {batched:.3f} | {looped:.2f} | {looped / batched:.0f}x |")


if __name__ == "__main__":
    main()
