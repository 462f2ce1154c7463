"""Compiled inner loops of the SMP model (numba), for the sums that grow as actors³.

A challenge i → j is decided by a sum over every third party n, and an election over the actors'
positions by a sum over every voter for every pair of positions. As numpy array operations such a
term takes several passes over memory (the challenge screen about 16, 5 ns a term); a compiled
loop keeps a term in registers and lets the compiler use the processor's vector instructions
(about 0.5 ns). :mod:`detente.models.smp` calls these loops from 128 actors and keeps its numpy
code below that: importing numba and loading the loops from their on-disk cache take about 0.75 s
once a process, compiling them the first time on a machine about 3 s. The loops release the GIL;
the public functions split a large call over threads (``WORKERS``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numba
import numpy as np

# Single-precision arithmetic as written, every operation correctly rounded: no contraction into
# fused multiply-adds, no reciprocals. Only the order of the three sums is the compiler's to choose
# ("reassoc", so that it can keep several partial sums in vector lanes); the screen's error bound
# holds for any order of summation.
_FLOAT_RULES = {"reassoc"}
# numpy's error model: Python's would test every division for a zero divisor to raise
# ZeroDivisionError, and that branch keeps the compiler from vectorising the loop. No divisor here
# can be zero (each side of a challenge starts at 1e-10).
_ERRORS = "numpy"
# Options per tile of an election: once the utilities outgrow the processor's cache (about 1,500
# options and voters) reading them dominates, and a tile reads each other option's row once for 32
# (2,000 x 2,000: 1.05 s instead of 3.4 s).
_TILE = 32
# The loops release the GIL, so a large call is split over this many threads (the cores this
# process may use). Each pair of actors or options is summed whole by one thread, so the numbers
# do not depend on how many there are.
WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_SPLIT_FROM = 4096  # challenges (or options x voters / 64) from which a call is split over the threads


def _together(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run ``tasks`` in threads of their own (the compiled loops release the GIL); their results in order."""
    if len(tasks) == 1:
        return [tasks[0]()]
    with ThreadPoolExecutor(len(tasks)) as pool:
        return [future.result() for future in [pool.submit(task) for task in tasks]]


def third_party_sums_single(closeness, slope_in_risk, perceived, dislike, u_aa, weights, draw, initiator, target, base_ij, base_ji):
    """:func:`_third_party_sums_single` over the listed challenges, split over ``WORKERS`` threads."""
    pairs = len(draw)
    parts = min(WORKERS, max(1, pairs // _SPLIT_FROM))
    edges = np.linspace(0, pairs, parts + 1).astype(int)
    results = _together(
        [
            lambda part=slice(a, b): _third_party_sums_single(
                closeness, slope_in_risk, perceived, dislike, u_aa, weights, draw[part], initiator[part], target[part], base_ij[part], base_ji[part]
            )
            for a, b in zip(edges[:-1], edges[1:])
        ]
    )
    return tuple(np.concatenate(column) for column in zip(*results))


@numba.njit(fastmath=_FLOAT_RULES, error_model=_ERRORS, cache=True, nogil=True)
def _third_party_sums_single(closeness, slope_in_risk, perceived, dislike, u_aa, weights, draw, initiator, target, base_ij, base_ji):
    """For each listed challenge i → j, the third parties' votes in float32 as
    :meth:`detente.models.smp._ChallengeParts.screen` defines them, summed over every third party n
    (i and j do not vote): ``(Σ_n max(v_n, 0), Σ_n v_n, Σ_n w_n²/den_n)``.

    All 2-d and 3-d arrays float32 and indexed by draw first: ``closeness[b, x, n] = 1 − d(n, x)``,
    ``slope_in_risk[b, x, n] = (1 − d) min(d, 1)`` (so U(n, x) = closeness + slope · r),
    ``perceived[b, i, n]`` i's estimate of n's risk attitude, ``dislike[b, i, n] = U(n,n) − U(n,i)``
    and ``u_aa[b, i, n] = U(n,n)`` as i sees them, ``weights[b, n]``. ``base_ij`` and ``base_ji``
    (float64, one a challenge) are the principals' coalitions C_ij⁰ and C_ji⁰.

    Per third party n, with t = U(n,j) − U(n,n) and a = U(n,n) − U(n,i)::

        naive = −w_n (a + t)                         n's vote between i and j alone
        den   = |naive| + C_ij⁰ + C_ji⁰
        π     = (max(naive, 0) + C_ij⁰) / den        the chance of the side n joins
        v_n   = w_n (t + π (a − t))                  n's vote under SemiCommit
    """
    pairs = draw.shape[0]
    voters = weights.shape[1]
    favour = np.empty(pairs)
    total = np.empty(pairs)
    spread = np.empty(pairs)
    zero = np.float32(0.0)
    for p in range(pairs):
        b, i, j = draw[p], initiator[p], target[p]
        own_side = np.float32(base_ij[p])
        both_sides = np.float32(base_ij[p] + base_ji[p])
        favour_sum = zero
        vote_sum = zero
        spread_sum = zero
        for n in range(voters):
            w = weights[b, n] if n != i and n != j else zero
            t = slope_in_risk[b, j, n] * perceived[b, i, n]
            t = t + closeness[b, j, n]
            t = t - u_aa[b, i, n]
            a = dislike[b, i, n]
            naive = (a + t) * (-w)
            den = abs(naive) + both_sides
            spread_sum += (w * w) / den
            pi = (max(naive, zero) + own_side) / den
            vote = ((a - t) * pi + t) * w
            vote_sum += vote
            favour_sum += max(vote, zero)
        favour[p] = favour_sum
        total[p] = vote_sum
        spread[p] = spread_sum
    return favour, total, spread


def proportional_coalitions(by_option, weights):
    """``favour[e, a, b] = Σ_k max(w_ek (u_eka − u_ekb), 0)`` for every election e and pair of
    options a ≠ b (the diagonal is 0): each voter k's Proportional vote for a over b, summed where
    it is positive.

    ``by_option`` (elections, options, voters) the utilities option by option, ``weights``
    (elections, voters) not negative. Each pair is visited once: ``favour[e, b, a]`` takes the
    negative votes of the pair. The (election, tile of options) blocks are dealt to ``WORKERS``
    threads in turn.
    """
    elections, options, voters = by_option.shape
    favour = np.zeros((elections, options, options))
    blocks = elections * -(-options // _TILE)
    parts = min(WORKERS, blocks, max(1, elections * options * voters // (64 * _SPLIT_FROM)))
    _together([lambda first=first: _coalitions_into(favour, by_option, weights, first, parts) for first in range(parts)])
    return favour


@numba.njit(fastmath=_FLOAT_RULES, error_model=_ERRORS, cache=True, nogil=True)
def _coalitions_into(favour, by_option, weights, first_block, stride):
    """:func:`proportional_coalitions` for the blocks ``first_block``, ``first_block + stride``, ...
    of (election, tile of ``_TILE`` options a), written into ``favour``: for each a of the tile and
    every later option b, ``favour[e, a, b]`` and ``favour[e, b, a]``."""
    elections, options, voters = by_option.shape
    tiles = (options + _TILE - 1) // _TILE
    for block in range(first_block, elections * tiles, stride):
        e, first = block // tiles, (block % tiles) * _TILE
        w = weights[e]
        for b in range(first + 1, options):  # each row b read once serves the tile's options a
            row_b = by_option[e, b]
            for a in range(first, min(first + _TILE, b)):
                row_a = by_option[e, a]
                for_a = 0.0
                for_b = 0.0
                for k in range(voters):
                    v = (row_a[k] - row_b[k]) * w[k]
                    for_a += max(v, 0.0)
                    for_b += max(-v, 0.0)
                favour[e, a, b] = for_a
                favour[e, b, a] = for_b


@numba.njit(error_model=_ERRORS, cache=True, nogil=True)
def moved_utilities(ideals, saliences, risk, draw, point_initiator, point_receiver):
    """``moved[m, a] = u(d(q_a, x), R_a) + u(d(q_a, y), R_a)``: how much actor a likes the two new
    positions x and y that bargain m would produce.

    ``ideals`` and ``saliences`` (B, n, K), ``risk`` (B, n); bargain m belongs to draw
    ``draw[m]`` and moves its initiator to ``point_initiator[m]`` and its receiver to
    ``point_receiver[m]`` (K each). The salience distance and the utility are
    ``d = sqrt(Σ_k (s_ak (q_ak − x_k))² / Σ_k s_ak²)`` (0 for an actor with no salience) and
    ``u(d, R) = (1 − d)(1 + min(d, 1) R)``, as in :func:`detente.models.smp.salience_distance` and
    :func:`detente.models.smp.utility`.
    """
    bargains = draw.shape[0]
    _, actors, issues = ideals.shape
    moved = np.empty((bargains, actors))
    for m in range(bargains):
        b = draw[m]
        for a in range(actors):
            norm = 0.0
            to_x = 0.0
            to_y = 0.0
            for k in range(issues):
                s = saliences[b, a, k]
                norm += s * s
                gap_x = s * (ideals[b, a, k] - point_initiator[m, k])
                gap_y = s * (ideals[b, a, k] - point_receiver[m, k])
                to_x += gap_x * gap_x
                to_y += gap_y * gap_y
            d_x = np.sqrt(to_x / norm) if norm > 0 else 0.0
            d_y = np.sqrt(to_y / norm) if norm > 0 else 0.0
            r = risk[b, a]
            moved[m, a] = (1.0 - d_x) * (1.0 + min(d_x, 1.0) * r) + (1.0 - d_y) * (1.0 + min(d_y, 1.0) * r)
    return moved


@numba.njit(error_model=_ERRORS, cache=True, nogil=True)
def _euclidean(x, y):
    total = 0.0
    for k in range(x.shape[0]):
        gap = x[k] - y[k]
        total += gap * gap
    return np.sqrt(total)


@numba.njit(error_model=_ERRORS, cache=True, nogil=True)
def distinct_positions(positions, tolerance):
    """KTAB's grouping of equal positions, as :func:`detente.models.smp.distinct_positions`: actors
    in order, each sharing the first distinct position within ``tolerance`` (Euclidean) or opening a
    new one. ``positions`` (B, n, K); returns ``slot`` (B, n) and ``representative`` (B, n, −1 past
    the last distinct position)."""
    batch, n, _ = positions.shape
    slot = np.zeros((batch, n), np.int64)
    representative = np.full((batch, n), -1, np.int64)
    for b in range(batch):
        found = 0
        for i in range(n):
            match = -1
            for u in range(found):
                if _euclidean(positions[b, i], positions[b, representative[b, u]]) < tolerance:
                    match = u
                    break
            if match < 0:
                representative[b, found] = i
                match = found
                found += 1
            slot[b, i] = match
    return slot, representative


@numba.njit(error_model=_ERRORS, cache=True, nogil=True)
def last_distinct_within(positions, representative, tolerance):
    """For each actor the last distinct position within ``tolerance`` of its own (as
    :func:`detente.models.smp.actor_probabilities` looks it up); ``positions`` (B, n, K),
    ``representative`` (B, n) as :func:`distinct_positions` gives it."""
    batch, n, _ = positions.shape
    last = np.zeros((batch, n), np.int64)
    for b in range(batch):
        count = 0
        while count < n and representative[b, count] >= 0:
            count += 1
        for a in range(n):
            for u in range(count - 1, -1, -1):
                if _euclidean(positions[b, a], positions[b, representative[b, u]]) < tolerance:
                    last[b, a] = u
                    break
    return last


@numba.njit(error_model=_ERRORS, cache=True, nogil=True)
def salience_distances(ideals, points, saliences):
    """``d[b, i, x] = sqrt(Σ_k (s_ik (q_ik − θ_xk))² / Σ_k s_ik²)`` (0 for an actor with no
    salience), as :func:`detente.models.smp.salience_distance` for ideals and saliences (B, n, K)
    and points (B, m, K)."""
    batch, actors, issues = ideals.shape
    count = points.shape[1]
    distance = np.zeros((batch, actors, count))
    for b in range(batch):
        for i in range(actors):
            norm = 0.0
            for k in range(issues):
                norm += saliences[b, i, k] * saliences[b, i, k]
            if norm > 0:
                for x in range(count):
                    total = 0.0
                    for k in range(issues):
                        gap = saliences[b, i, k] * (ideals[b, i, k] - points[b, x, k])
                        total += gap * gap
                    distance[b, i, x] = np.sqrt(total / norm)
    return distance
