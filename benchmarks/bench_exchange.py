"""Benchmark: the exchange model (MODELS.md §3) on CoP21 (15 actors x 13 issues, 10 rounds) and on a
synthetic 200-actor x 20-issue case.

The vectorised rounds of :mod:`detente.models.exchange` (every candidate of a step recomputed in
one array pass) against a plain Python loop written below from MODELS.md §3.4-3.6 in the way the
reference implementation works: candidate objects in a list, the best found by scanning the list,
the affected ones found by checking every candidate against the realised exchange. Both give the
same exchanges, which the benchmark checks before it reports a time. On the 200 x 20 case the
loop would need hours, so both are timed over the first ``--baseline-steps`` exchanges of round 1
(setting up its candidates included), and the vectorised model alone over whole rounds.

CoP21 is GPL data (decide-exchange-model) and is read from ../shared; without it that row is
skipped with a message.

    python benchmarks/bench_exchange.py [--rounds 10] [--synthetic-rounds 10] [--baseline-steps 60]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

from detente.io import load
from detente.models.exchange import ExchangeOptions, ExchangeRound, ExchangeRounds, RoundState, simulate

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
COP21 = SHARED / "data" / "reference" / "decide-exchange-model" / "cop21.csv"


def synthetic(actors: int = 200, issues: int = 20, seed: int = 2015) -> RoundState:
    """Positions on a 0..100 grid of 5, saliences 0.1..1, one capability per actor, every stance present."""
    rng = np.random.default_rng(seed)
    position = rng.integers(0, 21, (actors, issues)) * 5.0
    salience = rng.uniform(0.1, 1.0, (actors, issues)).round(2)
    capability = np.repeat(rng.uniform(0.1, 1.0, (actors, 1)).round(2), issues, axis=1)
    return RoundState(position, salience, capability, np.ones((actors, issues), dtype=bool))


def scenario_state(path: Path) -> RoundState:
    batch = load(str(path)).batch()
    return RoundState(batch.position[0] * 100, batch.salience[0], batch.capability[0], batch.present)


# -- the baseline: one candidate at a time ----------------------------------------------------------------

SIDE, TIE, SNAP, MIN = 1e-9, 1e-10, 1e-9, 1e-10


class Candidate:
    __slots__ = ("supplier", "issue", "target", "weight", "total", "loss", "gain", "ratio", "rank", "score",
                 "voting", "gains", "last", "moved", "low", "high", "alive")


def loop_round(state: RoundState, rng, steps: int | None = None):
    """One round as a plain loop; returns the realised exchanges (actors, issues, new positions, gain)
    and the voting positions."""
    x, s, present, capability = (a.tolist() for a in (state.position, state.salience, state.present, state.capability))
    n, m = state.position.shape
    w = [[capability[i][k] * s[i][k] if present[i][k] else 0.0 for k in range(m)] for i in range(n)]
    total = [sum(w[i][k] for i in range(n)) for k in range(m)]
    outcome = [sum(w[i][k] * x[i][k] for i in range(n) if present[i][k]) / total[k] if total[k] else math.nan for k in range(m)]
    usable = [[bool(present[i][k]) and w[i][k] > 0 for k in range(m)] for i in range(n)]
    left = [[usable[i][k] and x[i][k] <= outcome[k] + SIDE for k in range(m)] for i in range(n)]
    current = [list(row) for row in x]
    offsets: dict[tuple[int, int, int], float] = {}
    offset_total = [[0.0] * m for _ in range(n)]

    candidates = []
    for p in range(m):
        for q in range(p + 1, m):
            for first, second in (((False, False), (True, True)), ((True, False), (False, True))):
                for i in range(n):
                    if not (usable[i][p] and usable[i][q]) or (left[i][p], left[i][q]) != first:
                        continue
                    for j in range(n):
                        if not (usable[j][p] and usable[j][q]) or (left[j][p], left[j][q]) != second:
                            continue
                        c = Candidate()
                        i_supplies_p = s[i][p] / s[i][q] < s[j][p] / s[j][q]
                        c.supplier = (j, i) if i_supplies_p else (i, j)
                        c.issue = (q, p)
                        c.target = tuple(x[c.supplier[1 - k]][c.issue[k]] for k in (0, 1))
                        c.weight = tuple(w[c.supplier[k]][c.issue[k]] for k in (0, 1))
                        c.total = tuple(total[c.issue[k]] for k in (0, 1))
                        c.loss = tuple(s[c.supplier[k]][c.issue[k]] for k in (0, 1))
                        c.gain = tuple(s[c.supplier[k]][c.issue[1 - k]] for k in (0, 1))
                        c.ratio = (c.loss[0] + c.gain[1]) / (c.gain[0] + c.loss[1])
                        c.rank = len(candidates)
                        c.last, c.moved, c.low, c.high = [0.0, 0.0], [0.0, 0.0], [math.inf] * 2, [-math.inf] * 2
                        candidates.append(c)

    def compute(c: Candidate, appended=(False, False)) -> None:
        for k in (0, 1):
            if appended[k]:
                c.moved[k] += c.last[k]
                c.low[k], c.high[k] = min(c.low[k], c.last[k]), max(c.high[k], c.last[k])
        position, direction, full, limit = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
        for k in (0, 1):
            supplier, issue, demander = c.supplier[k], c.issue[k], c.supplier[1 - k]
            position[k] = current[supplier][issue]
            distance = c.target[k] - position[k]
            direction[k] = (distance > 0) - (distance < 0)
            full[k] = abs(distance) * c.weight[k] / c.total[k]
            others = offset_total[demander][issue] - offsets.get((demander, issue, supplier), 0.0)
            seen = outcome[issue] + (others + c.weight[k] * (position[k] - x[supplier][issue])) / c.total[k]
            room = direction[k] * (c.target[k] - seen)
            limit[k] = room if room > SNAP else math.inf
        if full[1] / c.ratio > full[0]:
            shift = [full[0], full[0] * c.ratio]
        else:
            shift = [full[1] / c.ratio, full[1]]
        before = list(shift)
        if shift[0] > limit[0]:
            shift = [limit[0], limit[0] * c.ratio]
        if shift[1] > limit[1]:
            shift = [limit[1] / c.ratio, limit[1]]
        equal = shift[1] * c.gain[0] - shift[0] * c.loss[0]
        valid = before[1] * c.gain[0] - before[0] * c.loss[0] > MIN
        move, voting = [0.0, 0.0], [0.0, 0.0]
        for k in (0, 1):
            new = position[k] + direction[k] * shift[k] * c.total[k] / c.weight[k]
            if abs(new - c.target[k]) <= SNAP:
                new = c.target[k]
            voting[k], move[k] = new, new - position[k]
            low, high = min(c.low[k], move[k]), max(c.high[k], move[k])
            valid = (
                valid
                and c.moved[k] + direction[k] * before[k] * c.total[k] / c.weight[k] <= 100 + SNAP
                and MIN < abs(move[k]) <= 100
                and -SNAP <= new <= 100 + SNAP
                and c.moved[k] + move[k] <= 100 + SNAP
                and ((low < 0 and high < 0) or (low > 0 and high > 0))
            )
        c.last, c.voting, c.gains = move, voting, (equal, equal)
        c.alive, c.score = valid, equal if valid else -math.inf

    for c in candidates:
        compute(c)
    next_rank = len(candidates)
    realised = []
    while steps is None or len(realised) < steps:
        alive = [c for c in candidates if c.alive]
        if not alive:
            break
        best = max(c.score for c in alive)
        tied = sorted((c for c in alive if c.score >= best - TIE), key=lambda c: c.rank)
        chosen = tied[0]
        if len(tied) > 1 and rng.random() >= 0.5:
            tied[0].rank, next_rank, chosen = next_rank, next_rank + 1, tied[1]
        chosen.alive = False
        for k in (0, 1):
            supplier, issue, demander = chosen.supplier[k], chosen.issue[k], chosen.supplier[1 - k]
            current[supplier][issue] = chosen.voting[k]
            if (demander, issue, supplier) not in offsets:
                offsets[demander, issue, supplier] = shift = w[supplier][issue] * (chosen.voting[k] - x[supplier][issue])
                offset_total[demander][issue] += shift
        realised.append((chosen.supplier, chosen.issue, tuple(chosen.voting), chosen.score))
        moved = {(chosen.supplier[k], chosen.issue[k]) for k in (0, 1)}
        watched = {(chosen.supplier[1 - k], chosen.issue[k]) for k in (0, 1)}
        for c in candidates:
            if not c.alive:
                continue
            appended = tuple((c.supplier[k], c.issue[k]) in moved for k in (0, 1))
            if any(appended) or any((c.supplier[1 - k], c.issue[k]) in watched for k in (0, 1)):
                compute(c, appended)
    return realised, current


def loop_run(state: RoundState, rounds: int, rng, options: ExchangeOptions):
    """Several rounds of the loop baseline, with the end-of-round update (MODELS.md §3.6)."""
    out, start = [], state.position.copy()
    for _ in range(rounds):
        realised, voting = loop_round(RoundState(start, state.salience, state.capability, state.present), rng)
        voting = np.array(voting)
        keep = options.fixed_weight + options.salience_weight * (1 - state.salience)
        nxt = start.copy()
        for supplier, issue, _, _ in realised:
            for k in (0, 1):
                i, j = supplier[k], issue[k]
                nxt[i, j] = (1 - keep[i, j]) * start[i, j] + keep[i, j] * voting[i, j]
        out.append(realised)
        start = nxt
    return out


# -- timing -----------------------------------------------------------------------------------------------


def same(vectorised, looped) -> bool:
    if len(vectorised) != len(looped):
        return False
    for a, (supplier, issue, voting, gain) in zip(vectorised, looped):
        if a.actors != tuple(supplier) or a.issues != tuple(issue) or not np.allclose(a.new, voting, atol=1e-9) or abs(a.gain - gain) > 1e-9:
            return False
    return True


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def bench_full(name: str, state: RoundState, rounds: int, seed: int) -> dict:
    options = ExchangeOptions(rounds=rounds)
    trajectory, wall, cpu = timed(lambda: simulate(state, options, np.random.default_rng(seed)))
    looped, loop_wall, loop_cpu = timed(lambda: loop_run(state, rounds, np.random.default_rng(seed), options))
    agree = all(same(v, l) for v, l in zip(trajectory.exchanges[1:], looped))
    if not agree:
        raise SystemExit(f"{name}: the vectorised rounds and the loop baseline disagree; no timing reported")
    count = sum(len(r) for r in looped)
    return dict(case=name, rounds=rounds, exchanges=count, wall=wall, cpu=cpu, loop_wall=loop_wall, loop_cpu=loop_cpu, note="full run")


def bench_large(state: RoundState, rounds: int, steps: int, seed: int) -> list[dict]:
    """The whole run vectorised, and both ways over the first ``steps`` exchanges of round 1
    (candidate set-up included), where the loop can finish."""
    name = f"synthetic {state.position.shape[0]} x {state.position.shape[1]}"
    trajectory, wall, cpu = timed(lambda: simulate(state, ExchangeOptions(rounds=rounds), np.random.default_rng(seed)))

    def head() -> ExchangeRounds:
        round_ = ExchangeRound(state, 0.0, np.random.default_rng(seed)).rounds
        for _ in range(steps):
            round_.step()
        round_._record()
        return round_

    first, head_wall, head_cpu = timed(head)
    (realised, _), loop_wall, loop_cpu = timed(lambda: loop_round(state, np.random.default_rng(seed), steps))
    if not same(first.realised[0], realised):
        raise SystemExit(f"{name}: the vectorised round and the loop baseline disagree; no timing reported")
    count = sum(len(r) for r in trajectory.exchanges)
    return [
        dict(case=name, rounds=rounds, exchanges=count, wall=wall, cpu=cpu, loop_wall=math.nan, loop_cpu=math.nan,
             note=f"{len(first.terms):,} candidates in round 1; {cpu / count * 1e3:.2f} ms CPU per exchange; the loop would take hours"),
        dict(case=name, rounds="1 (first exchanges)", exchanges=steps, wall=head_wall, cpu=head_cpu, loop_wall=loop_wall, loop_cpu=loop_cpu,
             note="both set up every candidate of round 1, then realise the same exchanges"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds on CoP21")
    parser.add_argument("--synthetic-rounds", type=int, default=10, help="rounds on the 200 x 20 case")
    parser.add_argument("--baseline-steps", type=int, default=60, help="exchanges the loop runs on the 200 x 20 case")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = []
    if COP21.is_file():
        rows.append(bench_full("CoP21 15 x 13", scenario_state(COP21), args.rounds, args.seed))
    else:
        print(f"skipping CoP21: its data (GPL) is read from {COP21}, which is absent")
    rows.append(bench_full("synthetic 40 x 8", synthetic(40, 8), args.rounds, args.seed))
    rows += bench_large(synthetic(), args.synthetic_rounds, args.baseline_steps, args.seed)
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__}\n")
    print("| case | rounds | exchanges | vectorised (wall / CPU) | loop baseline (wall / CPU) | speed-up (CPU) | note |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        loop = "–" if math.isnan(r["loop_cpu"]) else f"{r['loop_wall']:.1f} s / {r['loop_cpu']:.1f} s"
        ratio = "–" if math.isnan(r["loop_cpu"]) else f"{r['loop_cpu'] / r['cpu']:.0f}x"
        print(f"| {r['case']} | {r['rounds']} | {r['exchanges']:,} | {r['wall']:.2f} s / {r['cpu']:.2f} s | {loop} | {ratio} | {r['note']} |")


if __name__ == "__main__":
    main()
