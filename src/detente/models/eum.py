"""Bueno de Mesquita's expected-utility model (EUM), as unravelled by Scholz, Calbert & Smith (2011).

Sources: Bueno de Mesquita (1985, APSR; 1994, in *European Community Decision Making*); Scholz,
Calbert & Smith, "Unravelling Bueno de Mesquita's group decision model", J. Theoretical Politics
23(4) 510-531 (2011). docs/models/specification.md §2 is the specification followed here, §2.12 its discrepancy log.

One issue at a time (the model is one-dimensional). Each round:

1. every risk exponent is set to 1 and each actor's exposure ``D_i = Σ_j E^i(U_ji)`` (what the
   others expect to gain by challenging i) is computed;
2. ``R_i = (2 D_i − max D − min D)/(max D − min D)`` and ``r_i = (1 − R_i/3)/(1 + R_i/3)``;
3. with these exponents, every actor i estimates, for every j, its own expected utility of
   challenging j, ``E^i(U_ij)``, and j's expected utility of challenging i, ``E^i(U_ji)``;
4. the signs and sizes of the two place j in one of i's perception regions (conflict,
   compromise, capitulation, compellence, status quo); the regions in which i gives ground are
   offers, and i accepts one of them (the offer rule);
5. all actors move at once.

Distances are divided by the range ``Δ`` of the initial positions (``range_mode="actors"``, the
replications' convention) or taken on the issue's whole scale (``range_mode="scale"``). Inside
this module positions are in *range units* ``z = (x − x_min)/Δ``, so that distances are the
``d_ij`` of the paper and every threshold given "as a share of Δ" is a plain number.

Every pairwise quantity of a round is an array over (rows, actors, actors), a row being one
(draw, issue); the only Python loop is over rounds. The probability of success needs, for every
pair, a sum over all voters; :func:`pair_votes` gets all of them from prefix sums over
the voters sorted by position in O(n² log n) per row instead of O(n³).

The two published readings differ (docs/models/specification.md §2.10): the printed probability formula with the
least-move offer rule (preset ``paper``, the default) and Scholz et al.'s unpublished global
normalisation that reproduces their rounds (preset ``scholz_replication``). Each row of the
discrepancy log is an option, so either reading can be changed one switch at a time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from pydantic import Field, model_validator

from detente.errors import UsageError
from detente.models.base import DynamicResult, Model, Options, _num, report_step
from detente.models.compromise import weighted_mean
from detente.models.median import weighted_median
from detente.scenario import Batch, Scenario

if TYPE_CHECKING:
    import pandas as pd

# Perception regions (docs/models/specification.md §2.7), as i sees its relation to j.
SAME_POSITION, CONFLICT_WIN, CONFLICT_LOSE, COMPROMISE, CAPITULATE, COMPEL, STATUS_QUO = range(7)
REGIONS = ("same_position", "conflict_win", "conflict_lose", "compromise", "capitulate", "compel", "status_quo")
OFFER_VERBS = {CONFLICT_LOSE: "loses a conflict to", COMPROMISE: "compromises with", CAPITULATE: "capitulates to"}

# Stop reasons per (draw, issue).
RUNNING, NO_CONTEST, CONVERGED, CYCLE, MEDIAN_SHIFT, ROUND_LIMIT = range(6)
STOP_REASONS = ("running", "no_contest", "converged", "cycle", "median_shift", "round_limit")

_PAIR_BUDGET = 1_000_000  # pairwise cells per chunk of rows: arrays of 8 MB, a few hundred MB at most
BYTES_PER_PAIR = 110  # peak memory per pair of actors of one row, measured (benchmarks/bench_scale.py)
SECONDS_PER_PAIR = 6e-7  # CPU time per pair of actors, row and round, measured at 4,000 actors
DETAIL_BYTES_PER_CELL = 36  # the per-round pairwise detail a single run keeps for perception charts
DETAIL_BUDGET_BYTES = 500_000_000  # above this (about 370 actors x 10 issues x 50 rounds) it is not kept
MEMORY_LIMIT_GB = 4.0  # a row needing more is refused up front (DETENTE_EUM_MEMORY_GB changes it)
_SPAN = 4.0  # rows are separated by this much when all rows are searched at once (z lies in [0, 1])
_SAME = 1e-12  # positions closer than this (in units of Δ) are one position: no contest, no offer


# -- utilities, votes, probabilities ----------------------------------------------------------------


class ChallengeUtilities(NamedTuple):
    """The five utilities of a challenge c → t as the perceiver values them (docs/models/specification.md §2.2)."""

    success: np.ndarray
    failure: np.ndarray
    better: np.ndarray | None
    worse: np.ndarray | None
    status_quo: np.ndarray


def _power(base: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """``base ** r`` for base ≥ 0; ``exp(r log base)`` is about twice as fast as ``np.power`` with
    an array of exponents, and r = 1 is free."""
    if np.isscalar(r) and r == 1:
        return base
    with np.errstate(divide="ignore"):
        return np.exp(r * np.log(base))


def challenge_utilities(distance: np.ndarray, reference_distance: np.ndarray | None, r: np.ndarray | float) -> ChallengeUtilities:
    """Utilities of a challenge by c of t, at the perceiver's risk exponent ``r`` (Scholz et al. 2011 §3).

    With ``d = d_ct`` and ``d_μ = d_cμ`` (distances in units of Δ, so in [0, 1]):

        U_s  = 2 − 4 (0.5 − 0.5 d)^r            c wins, t moves to x_c
        U_f  = 2 − 4 (0.5 + 0.5 d)^r            c loses, c moves to x_t
        U_b  = 2 − 4 (0.5 − 0.25 (d_μ + d))^r   no challenge, things get better
        U_w  = 2 − 4 (0.5 + 0.25 (d_μ + d))^r   no challenge, things get worse
        U_sq = 2 − 4 (0.5)^r                    status quo

    ``U_b`` and ``U_w`` are only needed when Q < 1; pass ``reference_distance=None`` to skip them.
    """
    success = 2 - 4 * _power(0.5 - 0.5 * distance, r)
    failure = 2 - 4 * _power(0.5 + 0.5 * distance, r)
    status_quo = 2 - 4 * np.power(0.5, r)
    if reference_distance is None:
        return ChallengeUtilities(success, failure, None, None, status_quo)
    spread = 0.25 * (reference_distance + distance)
    return ChallengeUtilities(success, failure, 2 - 4 * _power(0.5 - spread, r), 2 - 4 * _power(0.5 + spread, r), status_quo)


def expected_challenge_utility(
    p_success: np.ndarray, resistance: np.ndarray, u: ChallengeUtilities, q: float = 1.0, t: np.ndarray | float = 1.0
) -> np.ndarray:
    """Expected utility of challenging (Scholz et al. 2011, eq. 1; docs/models/specification.md §2.4):

        E(U_ct) = s [P U_s + (1 − P) U_f] + (1 − s) U_s − Q U_sq − (1 − Q) [T U_b + (1 − T) U_w]

    ``s`` is the probability that the target resists, ``P`` the challenger's probability of
    winning a contest. Both no-challenge terms are subtracted (Masad's code adds the second).
    Computed as ``E = sure − s (1 − P)(U_s − U_f)`` with ``sure`` the utility of an unresisted
    challenge net of not challenging (:func:`_unresisted`), the same sum in fewer array passes.
    """
    return _unresisted(u, q, t) - resistance * (1 - p_success) * (u.success - u.failure)


def _unresisted(u: ChallengeUtilities, q: float, t: np.ndarray | float) -> np.ndarray:
    """``U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w]``: the challenge's value if the target gives in."""
    value = u.success - q * u.status_quo
    if q < 1:
        value = value - (1 - q) * (t * u.better + (1 - t) * u.worse)
    return value


# Votes are tallied per unordered pair, pairs taken in np.triu_indices order over actors sorted by
# position: for pair m, ``left[m] < right[m]`` and so x_left ≤ x_right.


class PairVotes(NamedTuple):
    """Vote tallies of every unordered pair (rows, pairs) of positions sorted along a row."""

    for_left: np.ndarray  # Σ_k max(0, v_k(left, right)): voters who prefer the left position
    for_right: np.ndarray  # Σ_k max(0, v_k(right, left))
    net_for_left: np.ndarray  # Σ_k v_k(left, right)


def midpoint_ranks(z_sorted: np.ndarray) -> np.ndarray:
    """For rows of positions sorted along the last axis, and every pair p < q in ``np.triu_indices``
    order: the number of actors strictly left of the midpoint, ``#{k: z_k < (z_p + z_q)/2}``."""
    left, right = np.triu_indices(z_sorted.shape[-1], 1)
    return _count_below(z_sorted, 0.5 * (z_sorted[:, left] + z_sorted[:, right]))


def _count_below(z_sorted: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``#{k: z_sorted[row, k] < points[row, m]}`` for every row at once (both arrays 2-D).

    One :func:`numpy.searchsorted` over all rows laid end to end, each shifted by ``_SPAN`` (z is
    in [0, 1]). The shift costs at most ~1e-10 of precision, which only matters for a voter that
    close to a midpoint, whose vote is then that close to zero.
    """
    rows, n = z_sorted.shape
    shift = _SPAN * np.arange(rows, dtype=float)[:, None]
    found = np.searchsorted((z_sorted + shift).ravel(), (points + shift).ravel(), side="left")
    return found.reshape(points.shape) - n * np.arange(rows)[:, None]


def pair_votes(z_sorted: np.ndarray, weight: np.ndarray, exponent: np.ndarray | None = None, ranks: np.ndarray | None = None) -> PairVotes:
    """Votes between every pair of positions, summed over the voters (docs/models/specification.md §2.3).

    Voter k's vote for x_a over x_b is ``v_k(a, b) = w_k (d_kb^{r_k} − d_ka^{r_k})`` with
    ``w_k = c_k s_k`` (``exponent=None``: linear votes, r_k = 1). Rows (rows, n) sorted by position.

    The voters who prefer the left position of a pair are those left of its midpoint (powers keep
    the order of distances). With ``A_kj = w_k d_kj^{r_k}`` summed over the sorted voters into
    prefix sums ``C_pj = Σ_{k<p} A_kj`` and ``S_j = C_nj``, and L = the midpoint's rank:

        for_left  = C_Lr − C_Ll          (Σ over the voters left of the midpoint of A_kr − A_kl)
        for_right = S_l − S_r + for_left
        net       = S_r − S_l

    O(n² log n) per row instead of O(n³). Voters exactly at the midpoint vote 0 either way.
    """
    rows, n = z_sorted.shape
    if ranks is None:
        ranks = midpoint_ranks(z_sorted)
    votes = np.abs(z_sorted[:, :, None] - z_sorted[:, None, :])  # [row, voter k, position j]: d_kj
    if exponent is not None:
        votes = _power(votes, exponent[:, :, None])
    votes *= weight[:, :, None]
    prefix = np.zeros((rows, n + 1, n))
    np.cumsum(votes, axis=1, out=prefix[:, 1:])
    del votes
    totals = prefix[:, n, :]
    left, right = np.triu_indices(n, 1)
    flat = prefix.reshape(rows, -1)
    for_left = np.take_along_axis(flat, ranks * n + right, axis=1) - np.take_along_axis(flat, ranks * n + left, axis=1)
    net = totals[:, right] - totals[:, left]
    return PairVotes(np.maximum(for_left, 0.0), np.maximum(for_left - net, 0.0), net)


def pair_probabilities(votes: PairVotes, contested: np.ndarray, numerator: str = "positive", denominator: str = "pair") -> tuple[np.ndarray, np.ndarray]:
    """Probability that the left (resp. right) actor of each pair wins a contest (docs/models/specification.md §2.3, §2.12).

    numerator ``positive`` (paper, jmckib): ``Σ_k max(0, v_k(i,j))``; ``net_clipped`` (Masad):
    ``max(0, Σ_k v_k(i,j))``. denominator ``pair`` (paper): ``Σ_k |v_k(i,j)|``, so that
    ``P_ij + P_ji = 1``; ``all_pairs`` (Scholz's code, variant G): ``Σ_k Σ_a Σ_b |v_k(a,b)|``
    over every ordered pair of actors, which makes every P small. ``P = 0`` where there is no
    contest (``contested`` False: same position, or an actor not taking part).
    """
    if numerator == "positive":
        top_left, top_right = votes.for_left, votes.for_right
    else:
        top_left, top_right = np.maximum(votes.net_for_left, 0.0), np.maximum(-votes.net_for_left, 0.0)
    bottom = votes.for_left + votes.for_right
    if denominator == "all_pairs":
        # Σ over ordered pairs (a, b) of Σ_k |v_k(a, b)| counts each unordered pair twice; pairs at
        # one position add no votes, so the contested pairs give the whole sum
        bottom = np.broadcast_to(2 * (bottom * contested).sum(axis=-1, keepdims=True), bottom.shape)
    usable = contested & (bottom > 0)
    safe = np.where(usable, bottom, 1.0)
    return np.where(usable, top_left / safe, 0.0), np.where(usable, top_right / safe, 0.0)


def _pair_matrix(left_values: np.ndarray, right_values: np.ndarray, n: int) -> np.ndarray:
    """(rows, pairs) values for (left, right) and (right, left) → (rows, n, n), 0 on the diagonal."""
    left, right = np.triu_indices(n, 1)
    out = np.zeros(left_values.shape[:-1] + (n, n))
    out[..., left, right] = left_values
    out[..., right, left] = right_values
    return out


def _sorting(z: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row order that sorts the actors taking part by position (absent ones last), and its inverse."""
    order = np.argsort(np.where(valid, z, np.inf), axis=-1, kind="stable")
    return order, np.argsort(order, axis=-1)


def _unsort_pairs(values: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """Undo a per-row sort on both actor axes of (rows, n, n)."""
    values = np.take_along_axis(values, inverse[:, :, None], axis=1)
    return np.take_along_axis(values, inverse[:, None, :], axis=2)


def success_probability(
    z: np.ndarray,
    weight: np.ndarray,
    valid: np.ndarray | None = None,
    exponent: np.ndarray | None = None,
    numerator: str = "positive",
    denominator: str = "pair",
) -> np.ndarray:
    """``P[row, i, j]``: the probability that i wins a contest against j, for rows (rows, n) of
    positions in [0, 1] in any order (see :func:`pair_probabilities` for the variants)."""
    valid = np.ones(z.shape, dtype=bool) if valid is None else valid
    order, inverse = _sorting(z, valid)
    pick = lambda a: np.take_along_axis(a, order, axis=-1)  # noqa: E731
    z_sorted, ok = np.where(pick(valid), pick(z), 1.0), pick(valid)
    left, right = np.triu_indices(z.shape[-1], 1)
    contested = ok[:, left] & ok[:, right] & (z_sorted[:, right] - z_sorted[:, left] > _SAME)
    votes = pair_votes(z_sorted, pick(weight) * ok, None if exponent is None else pick(exponent))
    p = _pair_matrix(*pair_probabilities(votes, contested, numerator, denominator), z.shape[-1])
    return _unsort_pairs(p, inverse)


def risk_exponents(danger: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Risk acceptance and risk exponent from exposure (Scholz et al. 2011 §5; docs/models/specification.md §2.6):

        R_i = (2 D_i − max_k D_k − min_k D_k) / (max_k D_k − min_k D_k)  ∈ [−1, 1]
        r_i = (1 − R_i/3) / (1 + R_i/3)                                ∈ [0.5, 2]

    over the actors taking part; ``R = 0`` (r = 1) for all when every D is equal. Absent actors
    get ``R = 0``, ``r = 1``.
    """
    high = np.where(valid, danger, -np.inf).max(axis=-1, keepdims=True)
    low = np.where(valid, danger, np.inf).min(axis=-1, keepdims=True)
    spread = high - low
    flat = ~(spread > 1e-12 * np.maximum(np.abs(high), 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        acceptance = np.where(valid & ~flat, (2 * danger - high - low) / np.where(flat, 1.0, spread), 0.0)
    acceptance = np.clip(acceptance, -1.0, 1.0)
    return acceptance, (1 - acceptance / 3) / (1 + acceptance / 3)


def perception_regions(own: np.ndarray, other: np.ndarray, contested: np.ndarray) -> np.ndarray:
    """Region of j in i's perception plane (docs/models/specification.md §2.7), from ``own = E^i(U_ij)``, ``other = E^i(U_ji)``:

    both > 0: conflict, won if ``E_ij ≥ E_ji``, lost otherwise; ``E_ij < 0 < E_ji``: compromise if
    ``|E_ij| < E_ji``, else capitulation; ``E_ij > 0 > E_ji``: i compels j; otherwise status quo.
    """
    return np.select(
        [
            ~contested,
            (own > 0) & (other > own),
            (own > 0) & (other > 0),
            (own < 0) & (other > -own),
            (own < 0) & (other > 0),
            (own > 0) & (other < 0),
        ],
        [SAME_POSITION, CONFLICT_LOSE, CONFLICT_WIN, COMPROMISE, CAPITULATE, COMPEL],
        STATUS_QUO,
    ).astype(np.int8)


def offer_fractions(own: np.ndarray, other: np.ndarray) -> np.ndarray:
    """How far towards x_j the offer from j asks i to move, as a share of ``x_j − x_i`` (docs/models/specification.md §2.7):

    lost conflict (``0 < E_ij < E_ji``) and capitulation (``E_ij < 0``, ``|E_ij| ≥ E_ji``): 1, i.e.
    ``x_i ← x_j``; compromise (``E_ij < 0``, ``|E_ij| < E_ji``): ``|E_ij|/E_ji``; NaN where j makes
    no offer. Uncontested pairs must come with ``E = 0``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = -own / other
    conceded = np.where((own < 0) & (other > 0), np.minimum(ratio, 1.0), np.nan)
    return np.where((own > 0) & (other > own), 1.0, conceded)


def choose_least_move(distance: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """The offer that moves i least (the paper's and BDM's rule): index j per i, −1 for none.

    Rows sorted by position, so the first minimum is also the lower new position on a tie.
    """
    move = np.where(fraction >= 0, distance * fraction, np.inf)
    source = np.argmin(move, axis=-1)
    return np.where(np.isfinite(np.take_along_axis(move, source[..., None], axis=-1)[..., 0]), source, -1)


def choose_scholz(z: np.ndarray, distance: np.ndarray, own: np.ndarray, other: np.ndarray, listed: np.ndarray | None = None) -> np.ndarray:
    """Offer choice of Scholz et al.'s code as jmckib reproduces it (variant S, docs/models/specification.md §2.7):

    lost conflicts first, the closest of them; else the compromise with the smallest
    ``(|E_ij| x_i + |E_ji| x_j)/(|E_ij| + |E_ji|)`` (not the least move). Capitulations are never
    chosen (a coding slip in that code: ``eu_ji < abs(eu_ji)``). Among equal keys the actor listed
    first wins, as Python's ``min`` does there; ``listed`` (rows, n) gives each column's place in
    the input's actor list (default: the column). Index j per i, −1 for none.
    """
    lost = (own > 0) & (other > own)
    any_lost = lost.any(axis=-1, keepdims=True)
    compromise = (own < 0) & (other > -own)
    with np.errstate(invalid="ignore", divide="ignore"):  # in the compromise region |E_ij| = −E_ij, |E_ji| = E_ji
        weighted = (other * z[..., None, :] - own * z[..., :, None]) / (other - own)
    key = np.where(any_lost, np.where(lost, distance, np.inf), np.where(compromise, weighted, np.inf))
    # the code takes the first actor (Python's min) among equal keys; equal distances in the file's
    # units can differ in the last bit in range units, so keys this close count as equal
    best = key.min(axis=-1, keepdims=True)
    tied = key <= best + 1e-12 * np.maximum(1.0, np.abs(best))
    listed = np.broadcast_to(np.arange(key.shape[-1]) if listed is None else listed[:, None, :], key.shape)
    source = np.argmin(np.where(tied, listed, key.shape[-1]), axis=-1)
    return np.where(np.isfinite(np.take_along_axis(key, source[..., None], axis=-1)[..., 0]), source, -1)


def choose_masad(z: np.ndarray, own: np.ndarray, contested: np.ndarray) -> np.ndarray:
    """Offer choice of Masad's replication (variant M, docs/models/specification.md §2.7): index j per i, −1 for none.

    j sends i an offer when its own ``E^j(U_ji) > 0``; i takes the offer with the highest sender EU
    (ties: least move), then applies the region table to its own ``E^i(U_ij)`` and the sender's EU
    (it may have won that conflict and stay). ``own[..., i, j] = E^i(U_ij)`` at i's own exponent.
    """
    sender = np.swapaxes(own, -1, -2)
    offered = contested & (sender > 0)
    best = np.where(offered, sender, -np.inf).max(axis=-1, keepdims=True)
    move = np.where(offered & (sender == best), np.abs(z[..., None, :] - z[..., :, None]), np.inf)
    source = np.argmin(move, axis=-1)
    return np.where(np.isfinite(np.take_along_axis(move, source[..., None], axis=-1)[..., 0]), source, -1)


# -- options ---------------------------------------------------------------------------------------

PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "p_numerator": "positive",
        "p_denominator": "pair",
        "risk_in_votes": False,
        "perception_exponent": "perceiver",
        "offer_rule": "least_move",
        "reference_outcome": "median",
        "resistance_salience": "target",
        "stop_rounds": 1,
        "detect_cycles": True,
    },
    "scholz_replication": {
        "p_numerator": "positive",
        "p_denominator": "all_pairs",
        "risk_in_votes": True,
        "perception_exponent": "perceiver",
        "offer_rule": "scholz",
        "reference_outcome": "median",
        "resistance_salience": "target",
        # Scholz's code (run_model(N)) runs all N rounds: no median-shift stop, no cycle detection
        "stop_rounds": 0,
        "detect_cycles": False,
    },
}


class EUMOptions(Options):
    """Options of the expected-utility model. A preset fills every switch not set explicitly."""

    preset: Literal["paper", "scholz_replication"] = Field(
        "paper",
        description="paper: the printed formulas, least-move offers, stops when the median settles or the positions "
        "repeat (default); scholz_replication: variant G, which reproduces Scholz et al.'s published rounds "
        "(docs/models/specification.md §2.10) and, as their code does, runs all max_rounds rounds without an early stop. "
        "Explicit switches override it",
    )
    p_numerator: Literal["positive", "net_clipped"] = Field(
        "positive", description="P numerator: positive votes only (paper) or the net vote clipped at 0 (Masad)"
    )
    p_denominator: Literal["pair", "all_pairs"] = Field(
        "pair", description="P denominator: |votes| on this pair (paper) or on all ordered pairs of actors (Scholz's code)"
    )
    risk_in_votes: bool = Field(False, description="votes use the voter's risk exponent, w (d_kb^r − d_ka^r) (Scholz's code)")
    perception_exponent: Literal["perceiver", "target"] = Field(
        "perceiver", description="exponent in i's estimate of E(U_ji): i's own r_i (paper) or j's true r_j (Masad)"
    )
    offer_rule: Literal["least_move", "scholz", "masad"] = Field(
        "least_move",
        description="least_move: the offer that moves the actor least (paper, BDM); scholz: lost conflicts first, "
        "then an odd compromise key, no capitulation (Scholz's code); masad: highest sender EU",
    )
    reference_outcome: Literal["median", "mean", "median_then_mean"] = Field(
        "median", description="μ in U_b, U_w: weighted median (median voter), c·s mean, or median then mean (Masad); only matters when q < 1"
    )
    resistance_salience: Literal["target", "printed_typo"] = Field(
        "target", description="salience in i's estimate of E(U_ji): the target's s_i, or s_j as the paper's second equation prints it"
    )
    q: float = Field(1.0, ge=0, le=1, description="Q: probability that j's position stays put if i does not challenge")
    t: float = Field(1.0, ge=0, le=1, description="T: probability that a change without challenge is good for i (only matters when q < 1)")
    t_rule: Literal["constant", "geometric"] = Field(
        "constant", description="T constant, or geometric: T = 1 when μ is closer to the challenger than the target is, else 0"
    )
    range_mode: Literal["actors", "scale"] = Field(
        "actors", description="Δ in d = |x_i − x_j|/Δ: range of the initial positions (replications) or the issue's whole scale"
    )
    max_rounds: int = Field(50, ge=1, le=10_000, description="round limit")
    stop_tolerance: float = Field(0.01, ge=0, description="δ as a share of Δ: a median shift at most this large counts as no shift")
    stop_rounds: int = Field(1, ge=0, description="stop after this many consecutive rounds with a median shift ≤ δ (0: never)")
    detect_cycles: bool = Field(True, description="stop when the positions repeat an earlier round (a fixed point or a cycle)")
    cycle_tolerance: float = Field(
        0.02, ge=0, description="positions all within this share of Δ of an earlier round's count as a repeat (cycle or convergence)"
    )
    forecast: Literal["median", "mean"] = Field(
        "median", description="forecast per issue: the c·s weighted median of the final positions (majority rule) or their c·s mean"
    )

    @model_validator(mode="after")
    def _apply_preset(self) -> "EUMOptions":
        for key, value in PRESETS[self.preset].items():
            if key not in self.model_fields_set:
                self.__dict__[key] = value
        return self


# -- the simulation --------------------------------------------------------------------------------


@dataclass
class RoundDetail:
    """The pairwise state of one round, kept for a single run (perception charts)."""

    danger: np.ndarray  # (rows, n)   exposure D_i at r = 1
    acceptance: np.ndarray  # (rows, n)   R_i
    p_success: np.ndarray  # (rows, n, n) P_ij with the round's exponents
    own: np.ndarray  # (rows, n, n) E^i(U_ij)
    other: np.ndarray  # (rows, n, n) E^i(U_ji)
    region: np.ndarray  # (rows, n, n)


@dataclass
class Trajectory:
    """Every round of a simulation, in range units (rows = draws x issues, n = actors)."""

    positions: np.ndarray  # (rounds + 1, rows, n)
    median: np.ndarray  # (rounds + 1, rows)
    mean: np.ndarray  # (rounds + 1, rows)
    risk: np.ndarray  # (rounds, rows, n)   NaN where a row did not run
    offer_kind: np.ndarray  # (rounds, rows, n)   region code of the accepted offer, 0 = none
    offer_source: np.ndarray  # (rounds, rows, n)   index of the offering actor, −1 = none
    running: np.ndarray  # (rounds, rows)      row took part in the round
    rounds: np.ndarray  # (rows,)             rounds run per row
    stop: np.ndarray  # (rows,)             stop reason (STOP_REASONS)
    period: np.ndarray  # (rows,)             cycle period (1 = fixed point), 0 = none
    details: list[RoundDetail] = field(default_factory=list)  # per round, all rows (single runs only)


def _reference(z: np.ndarray, weight: np.ndarray, kind: str) -> np.ndarray:
    """μ per row: the weighted median (the Condorcet winner among positions under linear votes) or mean."""
    if kind == "mean":
        return weighted_mean(z[..., None], weight[..., None])[..., 0]
    return weighted_median(z[..., None], weight[..., None])[..., 0]


class RoundOutcome(NamedTuple):
    """What one round produces per row, in the rows' actor order."""

    position: np.ndarray  # (rows, n) positions after the round
    risk: np.ndarray  # (rows, n) r_i used in the round (NaN for absent actors)
    offer_kind: np.ndarray  # (rows, n) region code of the accepted offer, 0 = none
    offer_source: np.ndarray  # (rows, n) index of the offering actor, −1 = none
    detail: RoundDetail | None


def _perceptions(p, p_against, s, distance, to_mu, r, options: EUMOptions):
    """``E^i(U_ij)`` and ``E^i(U_ji)`` for all pairs at exponents ``r`` ((rows, n));
    ``p[.., i, j] = P_ij`` (i beats j), ``p_against[.., i, j] = P_ji``."""
    r_i = r[:, :, None]
    needs_reference = options.q < 1
    u_own = challenge_utilities(distance, to_mu[:, :, None] if needs_reference else None, r_i)
    t_own = t_other = options.t
    if needs_reference and options.t_rule == "geometric":
        t_own = (to_mu[:, :, None] < distance).astype(float)  # μ closer to the challenger i than x_j is
        t_other = (to_mu[:, None, :] < distance).astype(float)
    s_i, s_j = s[:, :, None], s[:, None, :]
    sure, gap = _unresisted(u_own, options.q, t_own), u_own.success - u_own.failure
    own = sure - s_j * (1 - p) * gap
    if needs_reference or options.perception_exponent != "perceiver":
        r_view = r_i if options.perception_exponent == "perceiver" else r[:, None, :]
        u_other = challenge_utilities(distance, to_mu[:, None, :] if needs_reference else None, r_view)
        sure, gap = _unresisted(u_other, options.q, t_other), u_other.success - u_other.failure
    # else: same distance and exponent, so only P and the resisting salience swap
    resist = s_j if options.resistance_salience == "printed_typo" else s_i
    return own, sure - resist * (1 - p_against) * gap


def exposure(p_against: np.ndarray, s: np.ndarray, distance: np.ndarray, pairs: np.ndarray, to_mu: np.ndarray | None, options: EUMOptions) -> np.ndarray:
    """Each actor's exposure ``D_i = Σ_{j≠i} E^i(U_ji)`` with every r = 1 (docs/models/specification.md §2.6, step 2).

    At r = 1, ``U_s = 2d``, ``U_f = −2d`` and ``U_sq = 0`` (§2.11), so with Q = 1 and the target's
    salience ``E^i(U_ji) = 2 d_ij (1 − 2 s_i (1 − P_ji))``; otherwise the full formula.
    ``pairs`` is 1 for the ordered pairs of distinct actors taking part, 0 elsewhere.
    """
    if options.q == 1 and options.resistance_salience == "target":
        return 2 * (distance * pairs * (1 - 2 * s[:, :, None] * (1 - p_against))).sum(axis=-1)
    u = challenge_utilities(distance, to_mu[:, None, :] if to_mu is not None else None, 1.0)
    t = (to_mu[:, None, :] < distance).astype(float) if to_mu is not None and options.t_rule == "geometric" else options.t
    resist = s[:, None, :] if options.resistance_salience == "printed_typo" else s[:, :, None]
    return (expected_challenge_utility(p_against, resist, u, options.q, t) * pairs).sum(axis=-1)


def eum_round(z: np.ndarray, s: np.ndarray, weight: np.ndarray, valid: np.ndarray, options: EUMOptions, keep_detail: bool = False) -> RoundOutcome:
    """One round for every row (docs/models/specification.md §2.8): arrays (rows, n) in range units, z in [0, 1].

    Actors are sorted by position inside the round (the vote tallies need it) and put back in
    their order at the end, so the result does not depend on the order actors are listed in.
    """
    rows, n = z.shape
    order, inverse = _sorting(z, valid)
    pick = lambda a: np.take_along_axis(a, order, axis=1)  # noqa: E731
    back = lambda a: np.take_along_axis(a, inverse, axis=1)  # noqa: E731
    z, s, weight, valid = pick(z), pick(s), pick(weight), pick(valid)
    z = np.where(valid, z, 1.0)  # absent actors sort last; keep the row sorted for the rank search
    left, right = np.triu_indices(n, 1)
    contested_pairs = valid[:, left] & valid[:, right] & (z[:, right] - z[:, left] > _SAME)
    if valid.all():
        pairs_of_actors = np.broadcast_to(1.0 - np.eye(n), (rows, n, n))
    else:
        pairs_of_actors = (valid[:, :, None] & valid[:, None, :] & ~np.eye(n, dtype=bool)).astype(float)
    distance = np.abs(z[:, :, None] - z[:, None, :])
    ranks = midpoint_ranks(z)

    def probabilities(exponent):
        votes = pair_votes(z, weight, exponent, ranks)
        p = _pair_matrix(*pair_probabilities(votes, contested_pairs, options.p_numerator, options.p_denominator), n)
        return p, np.ascontiguousarray(np.swapaxes(p, 1, 2))

    # 1-2: exposure D_i = Σ_j E^i(U_ji) with every r = 1, then the risk exponents
    mu = _reference(z, weight, "mean" if options.reference_outcome == "mean" else "median")
    needs_reference = options.q < 1
    to_mu = np.abs(z - mu[:, None]) if needs_reference else None
    p, p_against = probabilities(None)
    danger = np.where(valid, exposure(p_against, s, distance, pairs_of_actors, to_mu, options), 0.0)
    acceptance, r = risk_exponents(danger, valid)

    # 3: every perception again at the new exponents
    if options.reference_outcome == "median_then_mean":
        mu = _reference(z, weight, "mean")
        to_mu = np.abs(z - mu[:, None]) if needs_reference else None
    if options.risk_in_votes:
        p, p_against = probabilities(r)
    own, other = _perceptions(p, p_against, s, distance, to_mu, r, options)
    contested = (distance > _SAME) * pairs_of_actors
    own *= contested
    other *= contested

    # 4-5: offers and the chosen move
    if options.offer_rule == "masad":
        counterpart = np.swapaxes(own, 1, 2)  # the sender's own E^j(U_ji)
        source = choose_masad(z, own, contested > 0)
    else:
        counterpart = other
        if options.offer_rule == "scholz":
            source = choose_scholz(z, distance, own, other, order)
        else:
            source = choose_least_move(distance, offer_fractions(own, other))
    at = lambda a: np.take_along_axis(a, np.maximum(source, 0)[:, :, None], axis=-1)[..., 0]  # noqa: E731
    mine, theirs = at(own), at(counterpart)
    fraction = offer_fractions(mine, theirs)
    moved = (source >= 0) & ~np.isnan(fraction)
    goal = np.take_along_axis(z, np.maximum(source, 0), axis=1)
    position = np.where(moved, z + (goal - z) * fraction, np.where(valid, z, 0.0))
    kind = np.where(moved, perception_regions(mine, theirs, moved), SAME_POSITION).astype(np.int8)
    source = np.where(moved, np.take_along_axis(order, np.maximum(source, 0), axis=1), -1)

    detail = None
    if keep_detail:
        region = perception_regions(own, other, contested > 0)
        detail = RoundDetail(
            back(np.where(valid, danger, np.nan)),
            back(np.where(valid, acceptance, np.nan)),
            *(_unsort_pairs(a, inverse) for a in (np.where(pairs_of_actors > 0, p, np.nan), own, other, region)),
        )
    return RoundOutcome(back(position), back(np.where(valid, r, np.nan)), back(kind), back(source), detail)


def check_memory(actors: int) -> None:
    """Refuse up front an issue whose pairwise arrays would not fit: a round holds several
    actors x actors arrays of one row at a time (rows are chunked, a row is not)."""
    limit = float(os.environ.get("DETENTE_EUM_MEMORY_GB", MEMORY_LIMIT_GB))
    need = BYTES_PER_PAIR * actors**2 / 1e9
    if need > limit:
        raise UsageError(
            f"EUM on {actors:,} actors needs about {need:.1f} GB of memory ({actors**2:.1e} pairs of actors) and about "
            f"{SECONDS_PER_PAIR * actors**2:.0f} s per issue and round; the limit is {limit:g} GB "
            f"(set DETENTE_EUM_MEMORY_GB to change it), or use fewer actors (merge small ones into groups)"
        )


def simulate(z: np.ndarray, s: np.ndarray, weight: np.ndarray, valid: np.ndarray, options: EUMOptions, keep_details: bool = False) -> Trajectory:
    """Run rounds until each row stops (docs/models/specification.md §2.9). Arrays (rows, n) in range units.

    A row stops when the weighted median moved by at most ``stop_tolerance`` for ``stop_rounds``
    consecutive rounds, when its positions repeat an earlier round within ``cycle_tolerance``
    (period 1: converged; more: a cycle), or at ``max_rounds``. Stopped rows keep their state.
    """
    rows, n = z.shape
    check_memory(n)
    z = np.where(valid, z, 0.0)
    weight = np.where(valid, weight, 0.0)
    history = [z]
    medians = [_reference(z, weight, "median")]
    means = [_reference(z, weight, "mean")]
    risks, kinds, sources, runs, details = [], [], [], [], []
    stop = np.where(valid.sum(axis=-1) >= 2, RUNNING, NO_CONTEST)
    period = np.zeros(rows, dtype=int)
    rounds = np.zeros(rows, dtype=int)
    calm = np.zeros(rows, dtype=int)
    for t in range(1, options.max_rounds + 1):
        active = np.flatnonzero(stop == RUNNING)
        if active.size == 0:
            break
        new_z, risk, kind, source = z.copy(), np.full((rows, n), np.nan), np.zeros((rows, n), np.int8), np.full((rows, n), -1)
        parts = []
        # at least one row per chunk: a row wider than the budget is one chunk (an empty chunk crashed the tally)
        for chunk in np.array_split(active, min(active.size, max(1, -(-active.size * n * n // _PAIR_BUDGET)))):
            out = eum_round(z[chunk], s[chunk], weight[chunk], valid[chunk], options, keep_details)
            new_z[chunk], risk[chunk], kind[chunk], source[chunk] = out[:4]
            if keep_details:
                parts.append(out.detail)
        z = new_z
        running = stop == RUNNING
        rounds[running] += 1
        history.append(z)
        medians.append(_reference(z, weight, "median"))
        means.append(_reference(z, weight, "mean"))
        risks.append(risk)
        kinds.append(kind)
        sources.append(source)
        runs.append(running)
        if keep_details:
            details.append(_full_detail(parts, active, rows))
        if options.detect_cycles:
            found = _repeat_period(np.stack(history), valid, options.cycle_tolerance) * running
            period = np.where(found > 0, found, period)
            stop = np.where(found == 1, CONVERGED, np.where(found > 1, CYCLE, stop))
        if options.stop_rounds > 0:
            shift = np.abs(medians[-1] - medians[-2])
            calm = np.where(running, np.where(shift <= options.stop_tolerance + 1e-12, calm + 1, 0), calm)
            stop = np.where((stop == RUNNING) & (calm >= options.stop_rounds), MEDIAN_SHIFT, stop)
        report_step(t, options.max_rounds)
    stop = np.where(stop == RUNNING, ROUND_LIMIT, stop)
    count = len(history) - 1
    empty = lambda shape, fill, dtype=float: np.full((0,) + shape, fill, dtype)  # noqa: E731
    return Trajectory(
        positions=np.stack(history),
        median=np.stack(medians),
        mean=np.stack(means),
        risk=np.stack(risks) if count else empty((rows, n), np.nan),
        offer_kind=np.stack(kinds) if count else empty((rows, n), 0, np.int8),
        offer_source=np.stack(sources) if count else empty((rows, n), -1, int),
        running=np.stack(runs) if count else empty((rows,), False, bool),
        rounds=rounds,
        stop=stop,
        period=period,
        details=details,
    )


def _full_detail(parts: list[RoundDetail], active: np.ndarray, rows: int) -> RoundDetail:
    """A round's detail from its chunks, spread over all rows (NaN / 0 for rows that did not run)."""

    def spread(name, fill):
        values = np.concatenate([getattr(part, name) for part in parts])
        out = np.full((rows,) + values.shape[1:], fill, dtype=values.dtype)
        out[active] = values
        return out

    fills = {"region": SAME_POSITION}
    return RoundDetail(*(spread(name, fills.get(name, np.nan)) for name in RoundDetail.__dataclass_fields__))


def _repeat_period(history: np.ndarray, valid: np.ndarray, tolerance: float) -> np.ndarray:
    """Smallest p ≥ 1 with positions at the last round within ``tolerance`` of round −1−p; 0 if none."""
    last = history[-1]
    gaps = np.where(valid, np.abs(history[:-1] - last), 0.0).max(axis=-1)  # (rounds, rows)
    repeat = gaps[::-1] <= tolerance + 1e-12  # index p − 1
    return np.where(repeat.any(axis=0), np.argmax(repeat, axis=0) + 1, 0)


# -- the model -------------------------------------------------------------------------------------


class _Prepared(NamedTuple):
    z: np.ndarray  # (rows, n) range units
    s: np.ndarray
    weight: np.ndarray
    valid: np.ndarray
    origin: np.ndarray  # (rows,) x on 0..1 where z = 0
    delta: np.ndarray  # (rows,) Δ on 0..1


def prepare(batch: Batch, range_mode: str = "actors") -> _Prepared:
    """Batch arrays (draws, actors, issues) → rows (draws·issues, actors) in range units.

    Absent actors and actors with zero salience do not take part (``valid`` False).
    """
    draws, n, issues = batch.position.shape
    to_rows = lambda a: np.moveaxis(a, 1, 2).reshape(draws * issues, n)  # noqa: E731
    present = np.broadcast_to(batch.present[None], batch.position.shape)
    valid = to_rows(present & (batch.salience > 0) & ~np.isnan(batch.position))
    x = np.where(valid, to_rows(np.nan_to_num(batch.position)), 0.0)
    s = np.where(valid, to_rows(batch.salience), 0.0)
    weight = np.where(valid, to_rows(batch.capability) * s, 0.0)
    if range_mode == "scale":
        origin, delta = np.zeros(len(x)), np.ones(len(x))
    else:
        origin = np.where(valid.any(axis=1), np.where(valid, x, np.inf).min(axis=1), 0.0)
        delta = np.where(valid.any(axis=1), np.where(valid, x, -np.inf).max(axis=1), 0.0) - origin
        delta = np.where(delta > 0, delta, 1.0)
    z = np.where(valid, np.clip((x - origin[:, None]) / delta[:, None], 0.0, 1.0), 0.0)  # distances stay in [0, 1]
    return _Prepared(z, s, weight, valid, origin, delta)


class ExpectedUtilityModel(Model):
    """Bueno de Mesquita's expected-utility model, one issue at a time, round after round."""

    name = "eum"
    title = "Expected utility (Bueno de Mesquita)"
    short_title = "Expected utility"
    summary = "Actors challenge, compromise or give in by expected utility, round after round (BDM 1994; Scholz et al. 2011)"
    Options = EUMOptions
    dynamic = True

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        prepared = prepare(batch, self.options.range_mode)
        trajectory = simulate(prepared.z, prepared.s, prepared.weight, prepared.valid, self.options)
        final = trajectory.median[-1] if self.options.forecast == "median" else trajectory.mean[-1]
        values = prepared.origin + final * prepared.delta
        values = np.where(prepared.valid.any(axis=1), values, np.nan)
        return values.reshape(batch.size, batch.n_issues)

    def run(self, scenario: Scenario) -> "EUMResult":
        options = self.options_for(scenario)
        prepared = prepare(scenario.batch(), options.range_mode)
        rows, n = prepared.z.shape
        keep = DETAIL_BYTES_PER_CELL * rows * n * n * options.max_rounds <= DETAIL_BUDGET_BYTES
        trajectory = simulate(prepared.z, prepared.s, prepared.weight, prepared.valid, options, keep_details=keep)
        return EUMResult.build(self.name, options, scenario, prepared, trajectory)


# -- the result ------------------------------------------------------------------------------------


@dataclass
class EUMResult(DynamicResult):
    """An EUM run: every round's positions, risk exponents, mean, median, accepted offers, and the
    perceptions behind them (:meth:`perception`), plus per issue how the run ended (:attr:`cycles`)."""

    risk: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))  # (rounds, actors, issues)
    means: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (rounds + 1, issues), units
    medians: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (rounds + 1, issues), units
    offer_kind: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=np.int8))  # (rounds, actors, issues)
    offer_source: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=int))
    rounds_run: dict[str, int] = field(default_factory=dict)
    stop_reason: dict[str, str] = field(default_factory=dict)
    cycles: dict[str, dict[str, Any]] = field(default_factory=dict)
    details: list[RoundDetail] = field(default_factory=list)  # per round, rows = issues

    @classmethod
    def build(cls, name: str, options: EUMOptions, scenario: Scenario, prepared: _Prepared, trajectory: Trajectory) -> "EUMResult":
        # a batch of one: rows are the issues
        origin, delta = prepared.origin, prepared.delta
        positions = scenario.to_units(np.swapaxes(origin[:, None] + trajectory.positions * delta[:, None], 1, 2))
        positions = np.where(prepared.valid.T[None], positions, np.nan)  # (rounds + 1, actors, issues)
        medians = scenario.to_units(origin + trajectory.median * delta)
        means = scenario.to_units(origin + trajectory.mean * delta)
        result = cls(
            model=name,
            options=options.model_dump(mode="json"),
            scenario=scenario,
            values=medians[-1] if options.forecast == "median" else means[-1],
            positions=positions,
            round_forecasts=medians if options.forecast == "median" else means,
            risk=np.swapaxes(trajectory.risk, 1, 2),
            means=means,
            medians=medians,
            offer_kind=np.swapaxes(trajectory.offer_kind, 1, 2),
            offer_source=np.swapaxes(trajectory.offer_source, 1, 2),
            details=trajectory.details,
        )
        series = result.round_forecasts
        for k, issue in enumerate(scenario.issues):
            reason = STOP_REASONS[trajectory.stop[k]]
            result.rounds_run[issue.id] = int(trajectory.rounds[k])
            result.stop_reason[issue.id] = reason
            p = int(trajectory.period[k])
            last = int(trajectory.rounds[k])
            info: dict[str, Any] = {"detected": reason == "cycle", "period": 0, "mean": None, "min": None, "max": None}
            if reason == "cycle":
                window = series[last - p + 1 : last + 1, k]
                info.update(period=p, mean=float(window.mean()), min=float(window.min()), max=float(window.max()))
            result.cycles[issue.id] = info
            result.notes[issue.id] = result._note(k, reason, info, options)
        result.round_extras = result._extras()
        return result

    def _note(self, k: int, reason: str, info: dict[str, Any], options: EUMOptions) -> str:
        issue = self.scenario.issues[k]
        rounds = self.rounds_run[issue.id]
        what = options.forecast
        final = f"final {what} {self.values[k]:.4g}"
        if reason == "cycle":
            return (
                f"cycles with period {info['period']}; {final}; cycle mean {info['mean']:.4g}, "
                f"range {info['min']:.4g}..{info['max']:.4g} (rounds {rounds - info['period'] + 1}-{rounds})"
            )
        if reason == "converged":
            return f"converged after {rounds} round{'s' if rounds != 1 else ''} (no one moves); {final}"
        if reason == "median_shift":
            return f"stopped after {rounds} round{'s' if rounds != 1 else ''}: median shift ≤ {options.stop_tolerance:g}·Δ; {final}"
        if reason == "no_contest":
            return "fewer than two actors take part: no rounds"
        if reason == "round_limit" and options.stop_rounds == 0 and not options.detect_cycles:
            plural = "s" if rounds != 1 else ""
            how = "as the Scholz code does" if options.preset == "scholz_replication" else "with no stopping rule"
            return f"ran {rounds} round{plural} {how}; {final}"
        recent = self.round_forecasts[max(0, rounds - 4) : rounds + 1, k]
        return (
            f"no convergence within {rounds} rounds; {final}; over the last {len(recent)} states "
            f"the {what} ranged {recent.min():.4g}..{recent.max():.4g}"
        )

    def to_json(self) -> dict[str, Any]:
        """The trajectory (:meth:`DynamicResult.to_json`) plus, per issue, how the run ended."""
        data = super().to_json()
        data["issues"] = {
            key: {
                "forecast": _num(self.values[k]),
                "rounds": self.rounds_run[key],
                "stop": self.stop_reason[key],
                "cycle": self.cycles[key],
                "note": self.notes[key],
            }
            for k, key in enumerate(self.scenario.issue_ids)
        }
        return data

    # -- per-round views ---------------------------------------------------------------------------

    def _running(self, t: int, k: int) -> bool:
        return 1 <= t <= self.rounds_run[self.scenario.issues[k].id]

    def _extras(self) -> list[dict[str, Any]]:
        actors, issues = self.scenario.actor_ids, self.scenario.issue_ids
        extras = []
        for t in range(len(self.positions)):
            entry: dict[str, Any] = {
                "mean": {key: _num(self.means[t, k]) for k, key in enumerate(issues)},
                "median": {key: _num(self.medians[t, k]) for k, key in enumerate(issues)},
            }
            if t >= 1:
                live = [k for k in range(len(issues)) if self._running(t, k)]
                entry["running"] = {issues[k]: k in live for k in range(len(issues))}
                entry["risk"] = {
                    a: {issues[k]: _num(self.risk[t - 1, i, k]) for k in live if not np.isnan(self.risk[t - 1, i, k])}
                    for i, a in enumerate(actors)
                }
                entry["offers"] = {
                    a: {issues[k]: self._offer(t, i, k) for k in live if self.offer_kind[t - 1, i, k]}
                    for i, a in enumerate(actors)
                    if any(self.offer_kind[t - 1, i, k] for k in live)
                }
            extras.append(entry)
        return extras

    def _offer(self, t: int, i: int, k: int) -> dict[str, Any]:
        return {
            "type": REGIONS[self.offer_kind[t - 1, i, k]],
            "from": self.scenario.actor_ids[self.offer_source[t - 1, i, k]],
            "position": _num(self.positions[t, i, k]),
        }

    def moves(self, t: int, issue_id: str) -> list[str]:
        """The accepted offers of round t on one issue, in words."""
        k = self.scenario.issue_ids.index(self.scenario.issue(issue_id).id)
        if not self._running(t, k):
            return []
        names = [a.label for a in self.scenario.actors]
        return [
            f"{names[i]} {OFFER_VERBS[int(kind)]} {names[self.offer_source[t - 1, i, k]]} → {self.positions[t, i, k]:.4g}"
            for i, kind in enumerate(self.offer_kind[t - 1, :, k])
            if kind
        ]

    def round_table(self, issue_id: str) -> pd.DataFrame:
        """Round by round on one issue: median, mean and the moves (round 0 = the input)."""
        import pandas as pd

        issue = self.scenario.issue(issue_id)
        k = self.scenario.issue_ids.index(issue.id)
        last = self.rounds_run[issue.id]
        return pd.DataFrame(
            {
                "round": range(last + 1),
                "median": self.medians[: last + 1, k],
                "mean": self.means[: last + 1, k],
                "moves": ["; ".join(self.moves(t, issue.id)) for t in range(last + 1)],
            }
        )

    def risk_table(self, round: int = 1) -> pd.DataFrame:
        """Risk exponents r_i used in a round (actors x issues)."""
        import pandas as pd

        return pd.DataFrame(self.risk[round - 1], index=self.scenario.actor_ids, columns=self.scenario.issue_ids)

    def perception(self, round: int, actor: str, issue: str) -> pd.DataFrame:
        """How ``actor`` saw every other actor in ``round`` (≥ 1) on ``issue``: the data of the
        classic perception chart (x = E^i(U_ij), y = E^i(U_ji)).

        Columns: actor (j), position (x_j before the round), P_i (i's probability of beating j),
        P_j, E_ij, E_ji, region.
        """
        import pandas as pd

        k = self.scenario.issue_ids.index(self.scenario.issue(issue).id)
        i = self.scenario.actor_ids.index(self.scenario.actor(actor).id)
        if not self._running(round, k):
            from detente.errors import UsageError

            raise UsageError(f"issue {self.scenario.issue_ids[k]!r} ran rounds 1..{self.rounds_run[self.scenario.issue_ids[k]]}, not round {round}")
        if not self.details:
            from detente.errors import UsageError

            raise UsageError(
                f"perceptions are kept only for runs whose pairwise detail fits in {DETAIL_BUDGET_BYTES / 1e6:.0f} MB "
                f"({len(self.scenario.actors):,} actors x {len(self.scenario.issues)} issues x max_rounds is more); lower max_rounds or use fewer actors"
            )
        detail = self.details[round - 1]
        others = [j for j in range(len(self.scenario.actors)) if j != i and not np.isnan(self.positions[round - 1, j, k])]
        return pd.DataFrame(
            {
                "actor": [self.scenario.actor_ids[j] for j in others],
                "position": self.positions[round - 1, others, k],
                "P_i": detail.p_success[k, i, others],
                "P_j": detail.p_success[k, others, i],
                "E_ij": detail.own[k, i, others],
                "E_ji": detail.other[k, i, others],
                "region": [REGIONS[detail.region[k, i, j]] for j in others],
            }
        )


MODELS = [ExpectedUtilityModel]
