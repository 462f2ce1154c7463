"""Benchmark: detente's vectorised KTAB SMP against a straightforward loop implementation.

Run ``python benchmarks/bench_smp.py`` (add ``--quick`` for a smaller run). Cases:

* ``dummyData-a080``: KTAB's 80-actor, one-dimension example (tests/data/ktab), KTAB's defaults,
  run to its end;
* ``synthetic-300x5``: 300 actors on 5 issues drawn as KTAB's ``SMPActor::randomize`` does
  (capability U(10, 200), total salience U(0.75, 0.99) spread over the issues), seeded.

The loop baseline, written in this file, follows KTAB's structure: Python loops over actors, pairs
and third parties, one scalar at a time (default parameters only). Before any timing it must give
the same positions after the first turn as the model (checked on the 80-actor case in full, and on
a sample of initiators' targets for the 300-actor case, whose full first turn the baseline would
need minutes for; its time there is extrapolated per initiator). A second table times a batch of
perturbed draws in one call against a loop over the draws one at a time.

Times are the process's CPU time (the benchmark machine is shared), wall time in brackets.
Prints markdown tables.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from detente.analysis.montecarlo import perturb
from detente.io import load
from detente.models.smp import SMPOptions, assess, best_targets, prepare_inputs, simulate
from detente.scenario import Scenario, Uncertainty

ROOT = Path(__file__).resolve().parents[1]
A080 = ROOT / "tests" / "data" / "ktab" / "dummyData-a080.csv"


# -- the loop baseline (KTAB's defaults) ---------------------------------------------------------


def distance(ideal: list[float], point: list[float], salience: list[float]) -> float:
    num = sum((s * (q - x)) ** 2 for q, x, s in zip(ideal, point, salience))
    den = sum(s * s for s in salience)
    return math.sqrt(num / den) if den > 0 else 0.0


def util(d: float, r: float) -> float:
    return (1 - d) * (1 + min(d, 1.0) * r)


def election(utilities: list[list[float]], weights: list[float]) -> list[float]:
    """Conditional PCE, Linear victory, Proportional votes: voters x options utilities."""
    m = len(utilities[0])
    strength = [[1e-8] * m for _ in range(m)]
    for a in range(m):
        for b in range(a):
            for k, row in enumerate(utilities):
                v = weights[k] * (row[a] - row[b])
                if v > 0:
                    strength[a][b] += v
                elif v < 0:
                    strength[b][a] -= v
    p = []
    for a in range(m):
        product = 1.0
        for b in range(m):
            product *= 0.5 if a == b else strength[a][b] / (strength[a][b] + strength[b][a])
        p.append(product)
    total = sum(p)
    return [x / total for x in p]


def loop_assess(pos, ideal, sal, cap):
    n = len(pos)
    d = [[distance(ideal[i], pos[j], sal[i]) for j in range(n)] for i in range(n)]
    p = election([[util(d[k][j], 0.0) for j in range(n)] for k in range(n)], cap)
    low, high = min(p), max(p)
    risk = [(3 * x - (high + 2 * low)) / (2 * (high - low)) for x in p]
    return d, risk


def loop_challenge(d, risk, w, sigma, i, j):
    """i's estimate of i -> j (SemiCommit): (p_ij, gain to i)."""
    n = len(d)
    r = [((2.0 * risk[i]) + risk[a]) / 3.0 for a in range(n)]

    def u(a, x):
        return util(d[a][x], r[a])

    v_i = w[i] * (u(i, i) - u(i, j))
    v_j = w[j] * (u(j, i) - u(j, j))
    c_ij = 1e-10 + max(v_i, 0) + max(v_j, 0)
    c_ji = 1e-10 + max(-v_i, 0) + max(-v_j, 0)
    base_ij, base_ji = c_ij, c_ji
    for a in range(n):
        if a in (i, j):
            continue
        u_ai, u_aj, u_aa = u(a, i), u(a, j), u(a, a)
        v0 = w[a] * (u_ai - u_aj)
        with_i, with_j = base_ij + max(v0, 0), base_ji + max(-v0, 0)
        pi = with_i / (with_i + with_j)
        side_i = pi * (2 * u_ai + u_aa) + (1 - pi) * 3 * u_aj
        side_j = pi * 3 * u_ai + (1 - pi) * (2 * u_aj + u_aa)
        v = w[a] * (side_i - side_j)
        if v > 0:
            c_ij += v
        elif v < 0:
            c_ji -= v
    p = c_ij / (c_ij + c_ji)
    u_ii, u_ij = u(i, i), u(i, j)
    contest = p * 2 * u_ii + (1 - p) * 2 * u_ij
    return p, (1 - sigma[j]) * 2 * u_ii + sigma[j] * contest - (u_ii + u_ij)


def loop_target(d, risk, w, sigma, i):
    best = (-1, 0.0, -1.0)
    for j in range(len(d)):
        if j != i:
            p, gain = loop_challenge(d, risk, w, sigma, i, j)
            if gain > 1e-5 and gain > best[2]:
                best = (j, p, gain)
    return best


def round4(x: float) -> float:
    return int(0.5 + x * 10000.0) / 10000.0


def loop_turn(pos, sal, cap):
    """One turn with KTAB's defaults and ideals equal to positions; returns the new positions."""
    n = len(pos)
    d, risk = loop_assess(pos, pos, sal, cap)
    sigma = [sum(s) for s in sal]
    w = [c * s for c, s in zip(cap, sigma)]
    bargains = []
    for i in range(n):
        j, p, _ = loop_target(d, risk, w, sigma, i)
        if j < 0:
            continue
        b_i, b_j = [], []
        for t_i, s_i, t_j, s_j in zip(pos[i], sal[i], pos[j], sal[j]):
            wi, wj = (s_i * s_i) * (p * p), (s_j * s_j) * ((1 - p) * (1 - p))
            b_i.append(round4(((wi + 1e-6) * t_i + wj * t_j) / (wi + 1e-6 + wj)))
            b_j.append(round4((wi * t_i + (1e-6 + wj) * t_j) / (wi + 1e-6 + wj)))
        bargains.append((i, j, b_i, b_j))
    own = [[util(d[a][x], risk[a]) for x in range(n)] for a in range(n)]
    total = [sum(row) for row in own]
    new = [list(x) for x in pos]
    for k in range(n):
        queue = [b for b in bargains if k in (b[0], b[1])]
        if not queue:
            continue
        scores = [[total[a] / n] for a in range(n)]
        for i, j, b_i, b_j in queue:
            for a in range(n):
                moved = util(distance(pos[a], b_i, sal[a]), risk[a]) + util(distance(pos[a], b_j, sal[a]), risk[a])
                scores[a].append((moved + (total[a] - own[a][i] - own[a][j])) / n)
        p = election(scores, cap)
        best = max(range(len(p)), key=lambda m: (p[m], -m))
        if best > 0:
            i, j, b_i, b_j = queue[best - 1]
            new[k] = b_i if k == i else b_j
    return new


# -- cases ---------------------------------------------------------------------------------------


def synthetic(n: int, issues: int, seed: int = 2017) -> Scenario:
    """Actors drawn as KTAB's SMPActor::randomize: capability U(10, 200), positions U(0, 100),
    total salience U(75, 99) split over the issues in proportion to U(0.1, 1) draws."""
    rng = np.random.default_rng(seed)
    position = rng.uniform(0, 100, (n, issues))
    split = rng.uniform(0.1, 1.0, (n, issues))
    salience = rng.uniform(75, 99, n)[:, None] * split / split.sum(axis=1, keepdims=True)
    capability = rng.uniform(10, 200, n)
    actors = [
        {
            "id": f"a{i:03d}",
            "capability": float(capability[i]),
            "stances": {f"k{k}": {"position": float(position[i, k]), "salience": float(salience[i, k])} for k in range(issues)},
        }
        for i in range(n)
    ]
    return Scenario.from_dict({"id": f"synthetic-{n}x{issues}", "issues": [{"id": f"k{k}"} for k in range(issues)], "actors": actors})


class Clock:
    def __enter__(self) -> "Clock":
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.cpu, self.wall = time.process_time() - self.cpu, time.perf_counter() - self.wall


def seconds(value: float) -> str:
    if value >= 120:
        return f"{value / 60:.1f} min"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.1f} ms"


def first_turn_check(scenario: Scenario, options: SMPOptions, sample: int | None) -> tuple[float, float]:
    """Time the loop baseline's first turn (extrapolated from ``sample`` initiators when given)
    and check it against the model; returns (baseline CPU seconds for a turn, its wall seconds)."""
    inputs = prepare_inputs(scenario.batch(), options)
    pos, sal, cap = inputs.positions[0].tolist(), inputs.saliences[0].tolist(), inputs.capabilities[0].tolist()
    n = len(pos)
    if sample is None:
        with Clock() as clock:
            new = loop_turn(pos, sal, cap)
        single = options.model_copy(update={"max_turns": 1})
        turn = simulate(prepare_inputs(scenario.batch(), single), single, record=True).states[0][1].positions
        assert np.allclose(np.array(new), turn, atol=1e-12), "loop baseline and model disagree after the first turn"
        return clock.cpu, clock.wall
    with Clock() as setup:
        d, risk = loop_assess(pos, pos, sal, cap)
    sigma = [sum(s) for s in sal]
    w = [c * s for c, s in zip(cap, sigma)]
    chosen = np.linspace(0, n - 1, sample).astype(int)
    with Clock() as clock:
        loop = [loop_target(d, risk, w, sigma, int(i)) for i in chosen]
    assessment = assess(inputs.positions, inputs.positions, inputs.saliences, inputs.capabilities, options)
    sig = inputs.saliences.sum(axis=-1)
    target, p, gain = best_targets(assessment.distance, assessment.perceived, inputs.capabilities * sig, sig, "Proportional", "SemiCommit")
    for (j, pj, gj), i in zip(loop, chosen):
        assert j == target[0, i] and math.isclose(pj, p[0, i], abs_tol=1e-9) and math.isclose(gj, gain[0, i], abs_tol=1e-9)
    scale = n / sample
    return setup.cpu + clock.cpu * scale, setup.wall + clock.wall * scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer draws and a 100-actor synthetic case")
    args = parser.parse_args()
    options = SMPOptions()
    big = synthetic(100, 5) if args.quick else synthetic(300, 5)
    cases = [("dummyData-a080 (80 x 1)", load(A080), None), (f"synthetic {big.id.split('-')[1]}", big, 6)]

    print("| case | whole run, vectorised | mean per turn | first turn, vectorised | first turn, loop baseline | speed-up (first turn) |")
    print("|---|---|---|---|---|---|")
    first = options.model_copy(update={"max_turns": 1})
    for label, scenario, sample in cases:
        with Clock() as run:
            trajectory = simulate(prepare_inputs(scenario.batch(), options), options)
        turns = int(trajectory.turns[0])
        with Clock() as turn:
            simulate(prepare_inputs(scenario.batch(), first), first)
        base_cpu, base_wall = first_turn_check(scenario, options, sample)
        note = f" (from {sample} initiators)" if sample else ""
        print(
            f"| {label} | {seconds(run.cpu)} for {turns} turns ({seconds(run.wall)} wall) | {seconds(run.cpu / turns)} | "
            f"{seconds(turn.cpu)} ({seconds(turn.wall)} wall) | {seconds(base_cpu)}{note} ({seconds(base_wall)} wall) | "
            f"{base_cpu / turn.cpu:.0f}x |"
        )
        sys.stdout.flush()

    draws = 16 if args.quick else 64
    spread = Uncertainty(position_sd=5.0, salience_sd=5.0, capability_cv=0.1)
    print()
    print(f"| scenario | {draws} perturbed draws in one call | one draw at a time | speed-up |")
    print("|---|---|---|---|")
    for name in ("ukraine-2024-11", "china-soe-policy-2014", str(A080)):
        scenario = load(name)
        batch = perturb(scenario, draws=draws if name != str(A080) else draws // 4, seed=1, uncertainty=spread)
        with Clock() as together:
            joint = simulate(prepare_inputs(batch, options), options)
        with Clock() as apart:
            single = [simulate(prepare_inputs(batch.take([d]), options), options).forecast[0] for d in range(batch.size)]
        assert np.allclose(np.array(single), joint.forecast, atol=1e-12)
        label = f"{scenario.id} ({len(scenario.actors)} x {len(scenario.issues)}), {batch.size} draws, {int(joint.turns.sum())} turns"
        print(
            f"| {label} | {seconds(together.cpu)} ({seconds(together.wall)} wall) | "
            f"{seconds(apart.cpu)} ({seconds(apart.wall)} wall) | {apart.cpu / together.cpu:.1f}x |"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
