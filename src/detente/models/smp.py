"""KTAB's Spatial Model of Politics (SMP): bargaining over every issue at once.

B. Wise, L. Lester et al. (KAPSARC), as implemented in KTAB (``lsyaseen/KTAB``: ``kmodel.cpp``,
``examples/smp/libsrc/smp.cpp``, ``smpbcn.cpp``) and specified in docs/models/specification.md §4. Positions are
vectors over all issues (on 0..1, as KTAB scales its 0..100 inputs), so one run moves every issue
together, unlike the issue-by-issue expected-utility model.

One turn (docs/models/specification.md §4.5-§4.8):

1. every actor's risk attitude ``R_i`` from the probability that its position is the group's
   choice (a probabilistic Condorcet election over the actors' positions, risk-neutral utilities);
2. every actor i evaluates challenging every j, with third parties joining either side, and
   targets the j with the largest expected gain;
3. each challenge becomes a bargain, an interpolation of the two positions, queued with the
   initiator and the receiver beside a status-quo "bargain";
4. every actor resolves its queue by a Condorcet election over the states the bargains would
   produce and moves to its point in the chosen bargain; ideals follow the positions through the
   accommodation matrix.

The run stops when a turn moves the actors less than 2 % of the first turn's move (§4.9).

Everything runs on arrays with a leading batch axis (draws): the challenge evaluation covers all
(initiator, target, third party) triples of all active draws as array operations, and the queues
of every actor of every draw are resolved together, grouped by queue length. Draws that stop
early drop out of the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from detente.errors import OptionError, UsageError
from detente.models.base import DynamicResult, Model, Options, report_step
from detente.models.compromise import weighted_mean
from detente.scenario import Batch, Scenario

if TYPE_CHECKING:
    import pandas as pd

VictoryProbModel = Literal["Linear", "Square", "Quartic", "Octic", "Binary"]
PCEModel = Literal["Conditional", "MarkovIncentive", "MarkovUniform"]
StateTransition = Literal["Deterministic", "Stochastic"]
VotingRule = Literal["Proportional", "Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp"]
BigRAdjust = Literal["OneThird", "None", "Half", "TwoThirds", "Full"]
BigRRange = Literal["Mid", "Min", "Max"]
ThirdPartyCommit = Literal["SemiCommit", "NoCommit", "FullCommit"]
InterVecBrgn = Literal["S2P2", "S1P1", "S2PMax"]
BargnModel = Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"]

POSITION_TOLERANCE = 1e-3  # KTAB posTol: positions closer than this (0.1 on 0..100) are one option
MIN_COALITION = 1e-8  # KTAB minC: every coalition in an election starts with this strength
MIN_CHALLENGE_COALITION = 1e-10  # KTAB minCltn: the same for the two sides of a challenge
MIN_GAIN = 1e-5  # KTAB minSigEDU: smallest expected gain worth a challenge
TIE_TOLERANCE = 1e-12  # relative: gains this close are equal (rounding differs between KTAB and detente)
MIN_BARGAIN_WEIGHT = 1e-6  # KTAB minW: added to the own weight when interpolating a bargain
MIN_FIRST_STEP = 1e-4  # KTAB minSigDelta: guards the stopping ratio against 0/0
MIN_TURNS = 2
BINARY_VOTE_SCALE = 1e-8  # a utility difference of this size already casts a full binary vote
BINARY_VICTORY_THRESHOLD = 1.10
BINARY_VICTORY_FLOOR = 1e-6
MARKOV_TOLERANCE = {"MarkovUniform": 1e-6, "MarkovIncentive": 1e-8}
MARKOV_MAX_ITERATIONS = 100_000
CHUNK_ELEMENTS = 1 << 16  # size of the temporary arrays in the actors³ computations
# From these sizes the actors³ sums run in compiled loops (detente.models.smp_kernels); below, the
# numpy sums cost less than importing numba and loading the loops (about 0.75 s once a process).
LARGE_ELECTION = 128  # voters or options from which a Proportional election sums its votes in a compiled loop
COMPILED_SCORES_FROM = 128  # actors from which distances, the bargains' scores and the distinct positions are found in compiled loops
SCREEN_FROM = 128  # actors from which challenges are screened in single precision
SCREEN_BLOCK = 1 << 16  # challenges screened at a time (bounds the screen's memory)
FIRST_TARGETS = 16  # challenges per initiator evaluated before the others are bounded (best_targets)
GAIN_ROUNDING = 1e-12  # margin of a gain bound for rounding: utilities are O(1), rounding errors ~1e-15
RISK_ROUNDING = 1e-12  # risk attitudes computed in [−1, 1] can exceed it by rounding (2e-16 seen)
SINGLE_ROUNDING = float(np.finfo(np.float32).eps) / 2  # unit roundoff of float32 (2^-24), for the error bound of the screen of challenges
SECONDS_PER_ACTOR_CUBED = 1.0e-9  # CPU time of a turn per actors³, measured (benchmarks/bench_scale.py): 44-58 s for the 64 turns of a 1,000 x 10 run, late turns up to 1 s; 4.2 s a turn at 2,000 actors
TYPICAL_TURNS = (15, 70)  # how many turns runs usually take before they settle (KTAB's examples 17 and 45; 64 at 1,000 x 10)
LONG_RUN_SECONDS = 600  # a run expected to take longer is refused unless max_turns is set explicitly


# -- utilities -----------------------------------------------------------------------------------


def salience_distance(ideals: np.ndarray, points: np.ndarray, saliences: np.ndarray) -> np.ndarray:
    """Salience-weighted normalised distance from each actor's ideal to each point (docs/models/specification.md §4.2).

        d_ij = sqrt( Σ_k (s_ik (q_ik − θ_jk))² / Σ_k s_ik² )

    ``ideals`` and ``saliences`` have shape (..., n, K), ``points`` (..., m, K); the result is
    (..., n, m). An actor with no salience anywhere is indifferent: its distances are 0. The
    (..., n, m, K) differences are formed a few actors at a time (``CHUNK_ELEMENTS``).
    """
    n, m, issues = ideals.shape[-2], points.shape[-2], ideals.shape[-1]
    lead = np.broadcast_shapes(ideals.shape[:-2], points.shape[:-2], saliences.shape[:-2])
    numerator = np.empty(lead + (n, m))
    step = max(1, CHUNK_ELEMENTS // max(1, m * issues * int(np.prod(lead, dtype=np.int64))))
    for start in range(0, n, step):
        rows = slice(start, start + step)
        weighted = saliences[..., rows, None, :] * (ideals[..., rows, None, :] - points[..., None, :, :])
        numerator[..., rows, :] = (weighted * weighted).sum(axis=-1)
    denominator = (saliences * saliences).sum(axis=-1)[..., :, None]
    ratio = np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
    return np.sqrt(ratio)


def utility(distance: np.ndarray, risk: np.ndarray | float) -> np.ndarray:
    """KTAB's utility of a position at salience distance d, with risk attitude R in [−1, 1] (§4.2).

        u(d, R) = (1 − d)(1 + d R)   for d ≤ 1,   (1 − d)(1 + R) beyond

    R = 0 is linear, R = 1 gives 1 − d² (risk averse), R = −1 gives (1 − d)² (risk seeking).
    """
    return (1 - distance) * (1 + np.minimum(distance, 1.0) * risk)


# -- votes, coalitions and the probabilistic Condorcet election ----------------------------------


def vote(rule: VotingRule, weight: np.ndarray | float, u_a: np.ndarray, u_b: np.ndarray) -> np.ndarray:
    """Vote of a voter of weight w for option a over option b, with Δu = u(a) − u(b) (§4.3).

    Proportional ``wΔu``; Binary ``w·clip(Δu/1e-8, −1, 1)``; PropBin ``w(0.8Δu + 0.2·binary)``;
    PropCbc ``w(0.5Δu + 0.5Δu³)``; Cubic ``wΔu³``; ASymProsp ``wΔu`` for losses and ``(2/3)wΔu``
    for gains. Positive votes favour a.
    """
    return vote_on_difference(rule, weight, u_a - u_b)


def vote_on_difference(rule: VotingRule, weight: np.ndarray | float, du: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """:func:`vote` given the utility difference Δu = u(a) − u(b) itself; with ``overwrite`` the
    votes may be written into ``du`` (saves a large temporary)."""
    if rule == "Proportional":
        return np.multiply(weight, du, out=du if overwrite else None)
    if rule == "Cubic":
        return weight * (du * du * du)
    if rule == "PropCbc":
        return weight * ((1 - 0.5) * du + 0.5 * (du * du * du))
    binary = np.clip(du / BINARY_VOTE_SCALE, -1.0, 1.0)
    if rule == "Binary":
        return weight * binary
    if rule == "PropBin":
        return weight * ((1 - 0.2) * du + 0.2 * binary)
    if rule == "ASymProsp":
        return np.where(du < 0, weight * du, (2.0 * weight * du) / 3.0)
    raise ValueError(f"unknown voting rule {rule!r}")


def coalition_strengths(utilities: np.ndarray, weights: np.ndarray, rule: VotingRule) -> np.ndarray:
    """Strength of the coalition for option a against option b, summed over the voters (§4.4).

        C(a,b) = 1e-8 + Σ_k max(v_k(a,b), 0),   C(a,a) = 1e-8

    ``utilities`` (..., voters, options) are each voter's utilities of the options, ``weights``
    (..., voters) their voting weights. As in KTAB each pair a > b is voted once: ``C(a,b)`` takes
    the positive votes and ``C(b,a)`` the negative ones (it matters for the asymmetric ASymProsp).
    """
    voters, options = utilities.shape[-2:]
    lead = utilities.shape[:-2]
    if rule == "Proportional" and max(voters, options) >= LARGE_ELECTION:
        return _proportional_strengths(utilities, weights)
    antisymmetric = rule != "ASymProsp"
    favour = np.zeros(lead + (options, options))
    against = None if antisymmetric else np.zeros(lead + (options, options))
    step = max(1, CHUNK_ELEMENTS // max(1, options * options * int(np.prod(lead, dtype=np.int64))))
    for start in range(0, voters, step):
        u = utilities[..., start : start + step, :]
        w = weights[..., start : start + step, None, None]
        votes = vote(rule, w, u[..., :, None], u[..., None, :])
        favour += np.maximum(votes, 0.0).sum(axis=-3)
        if against is not None:
            against += np.maximum(-votes, 0.0).sum(axis=-3)
    if against is not None:
        lower = np.tril(np.ones((options, options), dtype=bool), -1)
        favour = np.where(lower, favour, np.swapaxes(against, -1, -2))
    strengths = MIN_COALITION + favour
    diagonal = np.eye(options, dtype=bool)
    return np.where(diagonal, MIN_COALITION, strengths)


def _proportional_strengths(utilities: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """:func:`coalition_strengths` for Proportional votes ``w(u_a − u_b)`` in a large election: the
    same sums in one compiled loop over the pairs of options
    (:func:`detente.models.smp_kernels.proportional_coalitions`), each pair once, summing
    ``max(v, 0)`` for one side and ``max(−v, 0)`` for the other."""
    from detente.models.smp_kernels import proportional_coalitions

    lead, (voters, options) = utilities.shape[:-2], utilities.shape[-2:]
    by_option = np.ascontiguousarray(np.swapaxes(utilities, -1, -2)).reshape(-1, options, voters)
    favour = proportional_coalitions(by_option, np.ascontiguousarray(weights).reshape(-1, voters))
    strengths = (MIN_COALITION + favour).reshape(lead + (options, options))
    strengths[..., np.arange(options), np.arange(options)] = MIN_COALITION
    return strengths


def victory_probabilities(strengths: np.ndarray, model: VictoryProbModel) -> np.ndarray:
    """Probability that option a beats option b given the coalition strengths (§4.4).

        V(a,b) = f(C(a,b)) / (f(C(a,b)) + f(C(b,a))),   V(a,a) = 1/2

    with f(x) = x (Linear), x² (Square), x⁴ (Quartic), x⁸ (Octic): a 2:1 ratio gives 2/3, 4/5,
    16/17, 256/257. Binary: the side with at least 1.1 times the other's strength wins (the loser
    keeps 1e-6); closer contests interpolate linearly, ``(ρ(t + 1) − 1)/(t − 1)`` with
    ``ρ = C(a,b)/(C(a,b) + C(b,a))``. As in KTAB each pair is evaluated once, for a > b.
    """
    s1 = strengths
    s2 = np.swapaxes(strengths, -1, -2)
    if model == "Linear":
        x1, x2 = s1, s2
    elif model == "Square":
        x1, x2 = s1 * s1, s2 * s2
    elif model == "Quartic":
        x1, x2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
    elif model == "Octic":
        q1, q2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
        x1, x2 = q1 * q1, q2 * q2
    elif model == "Binary":
        t = BINARY_VICTORY_THRESHOLD
        share = s1 / (s1 + s2)
        interpolated = (share * (t + 1.0) - 1.0) / (t - 1.0)
        a_wins, b_wins = s1 >= t * s2, s2 >= t * s1
        x1 = np.where(a_wins, 1.0, np.where(b_wins, BINARY_VICTORY_FLOOR, interpolated))
        x2 = np.where(a_wins, BINARY_VICTORY_FLOOR, np.where(b_wins, 1.0, 1 - interpolated))
    else:
        raise ValueError(f"unknown victory probability model {model!r}")
    total = x1 + x2
    first, second = x1 / total, x2 / total
    m = strengths.shape[-1]
    lower = np.tril(np.ones((m, m), dtype=bool), -1)
    upper = np.triu(np.ones((m, m), dtype=bool), 1)
    return np.where(lower, first, np.where(upper, np.swapaxes(second, -1, -2), 0.5))


def conditional_pce(victory: np.ndarray) -> np.ndarray:
    """Conditional PCE (§4.4): ``p(a) ∝ Π_b V(a,b)``, b over all options including a itself.

    The probability that a beats every other option, given that some option does. Computed in
    logarithms so that long products do not underflow.
    """
    log_p = np.log(victory).sum(axis=-1)
    log_p -= log_p.max(axis=-1, keepdims=True)
    p = np.exp(log_p)
    return p / p.sum(axis=-1, keepdims=True)


def _iterate_markov(update, start: np.ndarray, tolerance: float) -> np.ndarray:
    """Iterate ``p ← (p + update(p))/2`` per item until ``max|update(p) − p| ≤ tolerance`` (KTAB's loop)."""
    p = start.copy()
    flat = p.reshape(-1, p.shape[-1])
    active = np.arange(flat.shape[0])
    for _ in range(MARKOV_MAX_ITERATIONS):
        if active.size == 0:
            return p
        current = flat[active]
        q = update(current, active)
        change = np.abs(q - current).max(axis=-1)
        flat[active] = (current + q) / 2.0
        active = active[change > tolerance]
    raise RuntimeError("Markov PCE did not converge")


def markov_uniform_pce(victory: np.ndarray) -> np.ndarray:
    """Markov-uniform PCE (§4.4): from the uniform distribution iterate

        p'(a) = (1/M) Σ_b V(a,b) (p(a) + p(b)),   p ← (p + p')/2

    until the largest change is at most 1e-6.
    """
    m = victory.shape[-1]
    flat_victory = victory.reshape(-1, m, m)

    def update(p: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return (flat_victory[rows] * (p[:, :, None] + p[:, None, :])).sum(axis=-1) / m

    return _iterate_markov(update, np.full(victory.shape[:-1], 1.0 / m), MARKOV_TOLERANCE["MarkovUniform"])


def markov_incentive_pce(strengths: np.ndarray, victory: np.ndarray) -> np.ndarray:
    """Markov-incentive PCE (§4.4; Wise, "Markov Voting with Incentives in KTAB").

    Incentive of a to challenge b: ``n(a→b) = C(a,b) V(a,b)`` (+1e-10 on the diagonal), so that
    ``P(a→b | b) = n(a→b)/Σ_α n(α→b)``. From the uniform distribution iterate

        Ct(a,b) = p(a) P(b→a | a),   p'(a) = Σ_b V(a,b) (Ct(a,b) + Ct(b,a)),   p ← (p + p')/2

    until the largest change is at most 1e-8.
    """
    m = victory.shape[-1]
    incentive = strengths * victory + np.eye(m) * 1e-10
    challenge = incentive / incentive.sum(axis=-2, keepdims=True)
    flat_victory = victory.reshape(-1, m, m)
    flat_challenge = challenge.reshape(-1, m, m)

    def update(p: np.ndarray, rows: np.ndarray) -> np.ndarray:
        contest = p[:, :, None] * np.swapaxes(flat_challenge[rows], -1, -2)
        return (flat_victory[rows] * (contest + np.swapaxes(contest, -1, -2))).sum(axis=-1)

    return _iterate_markov(update, np.full(victory.shape[:-1], 1.0 / m), MARKOV_TOLERANCE["MarkovIncentive"])


def condorcet_probabilities(strengths: np.ndarray, victory_model: VictoryProbModel, pce_model: PCEModel) -> np.ndarray:
    """Probability of each option being the collective choice (KTAB's ``probCE2``), shape (..., M)."""
    victory = victory_probabilities(strengths, victory_model)
    if pce_model == "Conditional":
        return conditional_pce(victory)
    if pce_model == "MarkovUniform":
        return markov_uniform_pce(victory)
    if pce_model == "MarkovIncentive":
        return markov_incentive_pce(strengths, victory)
    raise ValueError(f"unknown PCE model {pce_model!r}")


# -- risk attitudes ------------------------------------------------------------------------------


def risk_attitudes(probability: np.ndarray, big_r_range: BigRRange) -> np.ndarray:
    """Risk attitudes from the probabilities of the actors' positions (§4.5), over the last axis.

    Min: ``(p − pmin)/(pmax − pmin)`` in [0, 1]; Mid: ``(3p − pmax − 2pmin)/(2(pmax − pmin))``
    in [−½, 1]; Max: ``(2p − pmax − pmin)/(pmax − pmin)`` in [−1, 1]. The most likely position
    makes a risk-averse actor (R = 1). When all probabilities are equal every actor is neutral.
    """
    low = probability.min(axis=-1, keepdims=True)
    high = probability.max(axis=-1, keepdims=True)
    spread = high - low
    if big_r_range == "Min":
        numerator, denominator = probability - low, spread
    elif big_r_range == "Mid":
        numerator, denominator = 3 * probability - (high + 2 * low), 2 * spread
    elif big_r_range == "Max":
        numerator, denominator = 2 * probability - (high + low), spread
    else:
        raise ValueError(f"unknown risk range {big_r_range!r}")
    return np.divide(numerator, denominator, out=np.zeros_like(probability), where=spread > 1e-12)


def perceived_risk(risk: np.ndarray, big_r_adjust: BigRAdjust) -> np.ndarray:
    """Actor h's estimate of actor i's risk attitude, ``r[..., h, i]`` (§4.5).

    None ``R_h``; OneThird ``(2R_h + R_i)/3``; Half ``(R_h + R_i)/2``; TwoThirds ``(R_h + 2R_i)/3``;
    Full ``R_i``. Every rule gives ``r[i, i] = R_i``.
    """
    own = risk[..., :, None]
    other = risk[..., None, :]
    if big_r_adjust == "None":
        return np.broadcast_to(own, risk.shape + risk.shape[-1:]).copy()
    if big_r_adjust == "OneThird":
        return ((2.0 * own) + other) / 3.0
    if big_r_adjust == "Half":
        return (own + other) / 2
    if big_r_adjust == "TwoThirds":
        return (own + (2.0 * other)) / 3.0
    if big_r_adjust == "Full":
        return np.broadcast_to(other, risk.shape + risk.shape[-1:]).copy()
    raise ValueError(f"unknown risk adjustment {big_r_adjust!r}")


# -- challenges ----------------------------------------------------------------------------------


def third_party_preference(
    p_i: np.ndarray, u_i: np.ndarray, u_j: np.ndarray, u_own: np.ndarray, commit: ThirdPartyCommit, out: np.ndarray | None = None
) -> np.ndarray | None:
    """How much more a third party n expects from joining i than from joining j (§4.6, step 2.3).

    With π the chance that i's side wins the little contest (i:j) n joins, n compares expected
    totals over three positions, n's own ending where ``ThirdPartyCommit`` puts it:

    ============  ==============  ==============  ==============  ==============
    commitment    i+n beat j      j beats i+n     i beats j+n     j+n beat i
    ============  ==============  ==============  ==============  ==============
    FullCommit    3U(n,i)         3U(n,j)         3U(n,i)         3U(n,j)
    SemiCommit    2U(n,i)+U(n,n)  3U(n,j)         3U(n,i)         2U(n,j)+U(n,n)
    NoCommit      2U(n,i)+U(n,n)  2U(n,j)+U(n,n)  2U(n,i)+U(n,n)  2U(n,j)+U(n,n)
    ============  ==============  ==============  ==============  ==============

        U_side_i = π·[i+n beat j] + (1 − π)·[j beats i+n]
        U_side_j = π·[i beats j+n] + (1 − π)·[j+n beat i]

    The vote needs only ``U_side_i − U_side_j``: under SemiCommit
    ``π (U(n,n) − U(n,i)) + (1 − π)(U(n,j) − U(n,n))``. Under FullCommit and NoCommit the two
    totals are equal term by term, so third parties never vote: returns None. ``out``, an array of
    the full broadcast shape other than the inputs, receives the result.
    """
    if commit in ("FullCommit", "NoCommit"):
        return None
    if commit != "SemiCommit":
        raise ValueError(f"unknown third-party commitment {commit!r}")
    towards_j = u_j - u_own
    if out is None:
        return towards_j + p_i * ((u_own - u_i) - towards_j)
    preference = np.subtract(u_own - u_i, towards_j, out=out)  # the same, with no temporaries of out's size
    preference *= p_i
    preference += towards_j
    return preference


def principal_coalitions(principals: tuple[np.ndarray, ...], rule: VotingRule) -> tuple[np.ndarray, np.ndarray]:
    """The coalitions C_ij and C_ji of a challenge i → j before third parties join (§4.6): from
    1e-10, the positive and negative parts of the principals' votes ``v(w_i, U(i,i), U(i,j))`` and
    ``v(w_j, U(j,i), U(j,j))``. ``principals`` as in :func:`challenge_outcomes`."""
    w_i, u_ii, u_ij, w_j, u_ji, u_jj = principals
    vote_i = vote(rule, w_i, u_ii, u_ij)
    vote_j = vote(rule, w_j, u_ji, u_jj)
    base_ij = MIN_CHALLENGE_COALITION + np.maximum(vote_i, 0.0) + np.maximum(vote_j, 0.0)
    base_ji = MIN_CHALLENGE_COALITION + np.maximum(-vote_i, 0.0) + np.maximum(-vote_j, 0.0)
    return base_ij, base_ji


def third_party_tally(
    u_i: np.ndarray,
    u_j: np.ndarray,
    u_own: np.ndarray,
    third_weights: np.ndarray,
    base: tuple[np.ndarray, np.ndarray],
    rule: VotingRule,
    commit: ThirdPartyCommit,
    excluded: tuple[tuple[Any, ...], ...] = (),
) -> tuple[np.ndarray, np.ndarray] | None:
    """The third parties' votes in challenges i → j, summed over the last axis (third parties n):
    ``(Σ_n max(v_n, 0), Σ_n v_n)``, or None when they never vote (:func:`third_party_preference`).

    Each n joins the contest it sees, with π from the principals' coalitions ``base`` =
    (C_ij, C_ji) plus its own naive vote ``v(w_n, U(n,i), U(n,j))``, and votes
    ``v(w_n, U_side_i, U_side_j)``. ``excluded`` indexes the votes to leave out (the principals
    themselves when ``third_weights`` does not already give them weight 0).
    """
    if commit in ("FullCommit", "NoCommit"):
        return None
    base_ij, base_ji = base[0][..., None], base[1][..., None]
    naive = vote_on_difference(rule, third_weights, u_i - u_j, overwrite=True)
    p_side = np.maximum(naive, 0.0)
    p_side += base_ij
    contest = np.abs(naive, out=naive)
    contest += base_ij + base_ji
    p_side /= contest
    preference = third_party_preference(p_side, u_i, u_j, u_own, commit, out=contest)
    del p_side
    third = vote_on_difference(rule, third_weights, preference, overwrite=True)
    for index in excluded:
        third[index] = 0.0
    total = third.sum(axis=-1)
    favour = np.maximum(third, 0.0, out=third).sum(axis=-1)
    return favour, total


def challenge_outcomes(
    u_i: np.ndarray,
    u_j: np.ndarray,
    u_own: np.ndarray,
    third_weights: np.ndarray,
    principals: tuple[np.ndarray, ...],
    affected: tuple[np.ndarray, np.ndarray],
    sigma_j: np.ndarray,
    rule: VotingRule,
    commit: ThirdPartyCommit,
) -> tuple[np.ndarray, np.ndarray]:
    """h's estimate of a challenge i → j: the chance i wins and the expected gain to actor k (§4.6).

    ``u_i``, ``u_j``, ``u_own`` (..., n): h's estimates ``U^h(a, i)``, ``U^h(a, j)``, ``U^h(a, a)``
    for every actor a; ``third_weights`` (..., n): ``w_a = c_a Σ_k s_ak``, 0 for i and j;
    ``principals``: ``(w_i, U(i,i), U(i,j), w_j, U(j,i), U(j,j))``; ``affected``:
    ``(U(k,i), U(k,j))``; ``sigma_j``: j's total salience. All broadcast together.

    1. The principals vote; their positive and negative parts start the coalitions C_ij and C_ji
       (:func:`principal_coalitions`).
    2. Each third party joins the contest it sees and votes (:func:`third_party_tally`).
    3. ``p_ij = C_ij/(C_ij + C_ji)``; for k, ``EU_sq = U(k,i) + U(k,j)``, ``EU_v = 2U(k,i)``,
       ``EU_c = p_ij 2U(k,i) + p_ji 2U(k,j)`` and ``EU_ch = (1 − σ_j) EU_v + σ_j EU_c``: j resists
       with probability equal to its total salience.

    Returns ``(p_ij, EU_ch − EU_sq)``.
    """
    base = principal_coalitions(principals, rule)
    tally = third_party_tally(u_i, u_j, u_own, third_weights, base, rule, commit)
    return challenge_result(base, tally, affected, sigma_j)


def challenge_result(
    base: tuple[np.ndarray, np.ndarray],
    tally: tuple[np.ndarray, np.ndarray] | None,
    affected: tuple[np.ndarray, np.ndarray],
    sigma_j: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Step 3 of :func:`challenge_outcomes`: ``(p_ij, EU_ch − EU_sq)`` from the coalitions."""
    strength_ij, strength_ji = base
    if tally is not None:
        favour, total = tally
        strength_ij = strength_ij + favour
        strength_ji = strength_ji + (favour - total)
    total = strength_ij + strength_ji
    p_ij, p_ji = strength_ij / total, strength_ji / total

    u_ki, u_kj = affected
    eu_status_quo = u_ki + u_kj
    eu_victory = u_ki + u_ki
    eu_contest = p_ij * eu_victory + p_ji * (u_kj + u_kj)
    eu_challenge = (1 - sigma_j) * eu_victory + sigma_j * eu_contest
    return p_ij, eu_challenge - eu_status_quo


def best_targets(
    distance: np.ndarray,
    perceived: np.ndarray,
    weights: np.ndarray,
    sigma: np.ndarray,
    rule: VotingRule,
    commit: ThirdPartyCommit,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each actor's most advantageous challenge, from its own view (§4.7 step 1; h = k = i).

    ``distance`` (B, n, n) ideal-to-position distances, ``perceived`` (B, n, n) the risk
    estimates ``r[h, a]``, ``weights`` and ``sigma`` (B, n). Returns ``target`` (B, n), −1 where
    no target gains more than 1e-5 (the first target on ties), and i's ``p_ij`` and gain for it
    (NaN where there is no target).

    A challenge costs a sum over all n third parties, so evaluating every (i, j) costs n³. But
    the gain is ``D (1 − 2σ_j (1 − p_ij))`` with ``D = U(i,i) − U(i,j)`` and ``0 ≤ p_ij ≤ 1``, so
    ``|gain| ≤ |D| max(1, |1 − 2σ_j|)``, known for every pair in n² (:func:`gain_bounds`). Each
    initiator's likeliest targets by that bound are evaluated first; then only the targets
    whose bound reaches the best gain found (less the tie tolerance) can be chosen, and only they
    are evaluated. The choice and its numbers are those of evaluating every pair.

    Once positions converge that bound keeps most targets in contention (it ignores p_ij), so for
    Proportional votes with SemiCommit the contenders are first screened in single precision
    (:meth:`_ChallengeParts.screen`, one compiled loop): its p_ij comes with a proven
    error interval, which bounds the gain much more tightly; each initiator's best challenge by the
    screen is evaluated next, and then only the targets whose tightened bound reaches the best gain.
    """
    batch, n, _ = distance.shape
    target = np.full((batch, n), -1)
    best_p = np.full((batch, n), np.nan)
    best_gain = np.full((batch, n), np.nan)
    if n < 2:
        return target, best_p, best_gain
    parts = _ChallengeParts(distance, perceived, weights, sigma, rule, commit)
    bound = gain_bounds(parts.u_ii, parts.u_ij, sigma)
    first = min(FIRST_TARGETS, n - 1)
    likeliest = np.argpartition(-parts.rough_gains(), first - 1, axis=-1)[..., :first]
    draw, initiator, _ = np.meshgrid(np.arange(batch), np.arange(n), np.arange(likeliest.shape[-1]), indexing="ij")
    gain = np.full((batch, n, n), -np.inf)  # only worthwhile gains; the rest stay −inf
    raw_gain = np.full((batch, n, n), np.nan)
    probability = np.full((batch, n, n), np.nan)

    def cutoff() -> np.ndarray:
        found = gain.max(axis=-1, keepdims=True)
        return np.where(found > MIN_GAIN, found - TIE_TOLERANCE * np.maximum(1.0, np.abs(found)), MIN_GAIN)

    def evaluate(pairs: tuple[np.ndarray, ...]) -> None:
        p, g = parts.evaluate(*pairs)
        probability[pairs], raw_gain[pairs] = p, g
        gain[pairs] = np.where(g > MIN_GAIN, g, -np.inf)

    first_pairs = (draw.reshape(-1), initiator.reshape(-1), likeliest.reshape(-1))
    if parts.screenable:
        estimates = np.full((batch, n, n), -np.inf)

        def screen(pairs: tuple[np.ndarray, ...]) -> None:
            for start in range(0, len(pairs[0]), SCREEN_BLOCK):  # a block at a time: the screen keeps a dozen vectors per pair
                block = tuple(index[start : start + SCREEN_BLOCK] for index in pairs)
                estimate, upper = parts.screen(*block)
                bound[block] = np.minimum(bound[block], upper)
                estimates[block] = estimate

        def evaluate_best_screened() -> None:  # each initiator's best challenge by the screen, to raise the cutoff early
            unevaluated = np.where(np.isnan(raw_gain), estimates, -np.inf)
            best = unevaluated.argmax(axis=-1)
            d, x = np.nonzero(np.take_along_axis(unevaluated, best[..., None], axis=-1)[..., 0] > gain.max(axis=-1))
            evaluate((d, x, best[d, x]))

        screen(first_pairs)
        evaluate_best_screened()
        screen(np.nonzero((bound >= cutoff()) & np.isneginf(estimates)))
        evaluate_best_screened()
    else:
        evaluate(first_pairs)
    evaluate(np.nonzero((bound >= cutoff()) & np.isnan(raw_gain)))
    # KTAB takes the first target of the highest gain; two actors with the same data give the same
    # gain up to rounding, which differs between its loop and these arrays, so gains within
    # TIE_TOLERANCE of the best count as a tie and the first of them is taken.
    top = gain.max(axis=-1, keepdims=True)
    choice = (gain >= top - TIE_TOLERANCE * np.maximum(1.0, np.abs(top))).argmax(axis=-1)
    has_target = top[..., 0] > MIN_GAIN
    target = np.where(has_target, choice, -1)
    best_p = np.where(has_target, np.take_along_axis(probability, choice[..., None], axis=-1)[..., 0], np.nan)
    best_gain = np.where(has_target, np.take_along_axis(raw_gain, choice[..., None], axis=-1)[..., 0], np.nan)
    return target, best_p, best_gain


def gain_bounds(u_ii: np.ndarray, u_ij: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """An upper bound of |gain| of every challenge i → j (B, n, n), −inf for i = j: the gain is
    ``D (1 − 2σ_j (1 − p))`` with ``D = U(i,i) − U(i,j)`` and p in [0, 1], so at most
    ``|D| max(1, |1 − 2σ_j|)``, plus a margin for the rounding of the computed gain."""
    factor = np.maximum(1.0, np.abs(1.0 - 2.0 * sigma))[..., None, :]
    bound = np.abs(u_ii[..., :, None] - u_ij) * factor + GAIN_ROUNDING
    n = bound.shape[-1]
    bound[..., np.arange(n), np.arange(n)] = -np.inf
    return bound


class _ChallengeParts:
    """What every challenge of a turn shares, from the initiator's view (h = k = i): the parts
    of ``U(a, x) = (1 − d)(1 + min(d, 1) r)`` that do not depend on the viewer, and i's own
    utilities; :meth:`evaluate` gives ``(p_ij, gain)`` for listed challenges."""

    def __init__(self, distance, perceived, weights, sigma, rule: VotingRule, commit: ThirdPartyCommit):
        n = distance.shape[-1]
        everyone = np.arange(n)
        self.to_position = np.ascontiguousarray(np.swapaxes(distance, -1, -2))  # [b, x, a] = d(a's ideal, x's position)
        self.closeness = 1.0 - self.to_position
        self.capped = np.minimum(self.to_position, 1.0)
        self.own = np.ascontiguousarray(np.diagonal(distance, axis1=-2, axis2=-1))
        self.perceived, self.weights, self.sigma, self.rule, self.commit = perceived, weights, sigma, rule, commit
        own_risk = perceived[:, everyone, everyone]
        self.u_ii = utility(self.own, own_risk)  # U(i, i) as i sees it
        self.u_ij = utility(distance, own_risk[..., None])  # U(i, j) as i sees it
        self.u_ai = utility(self.to_position, perceived)  # [b, i, a]: U(a, i) as i sees it
        self.u_aa = utility(self.own[:, None, :], perceived)  # [b, i, a]: U(a, a) as i sees it
        # the screen's error bound needs utilities in [0, 1] (distances in [0, 1]: positions on 0..1,
        # risk estimates in [−1, 1], which they exceed by rounding, ~1e-16, far within the bound's
        # margin) and weights that are not negative
        self.screenable = (
            n >= SCREEN_FROM
            and rule == "Proportional"
            and commit == "SemiCommit"
            and bool(((distance >= 0) & (distance <= 1)).all() and (np.abs(perceived) <= 1 + RISK_ROUNDING).all() and (weights >= 0).all())
        )

    def rough_gains(self) -> np.ndarray:
        """A guess of the gain of every challenge i → j (B, n, n), −inf for i = j, to order them:
        ``±D`` (D = U(i,i) − U(i,j)), + where the principals' own votes favour i. Third parties
        mostly join the side the principals favour, so p_ij is mostly near 1 there and near 0
        elsewhere."""
        favour_i = vote(self.rule, self.weights[..., :, None], self.u_ii[..., :, None], self.u_ij)
        favour_i += vote(self.rule, self.weights[..., None, :], self.u_ai, self.u_aa)  # C_ij⁰ − C_ji⁰
        guess = np.where(favour_i > 0, 1.0, -1.0) * (self.u_ii[..., :, None] - self.u_ij)
        n = guess.shape[-1]
        guess[..., np.arange(n), np.arange(n)] = -np.inf
        return guess

    def screen(self, b: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Single-precision estimates of the gain of challenges i → j (Proportional, SemiCommit), and
        an upper bound of the gain :meth:`evaluate` gives, from a proven bound of the rounding.

        The third parties' votes are formed as in :meth:`evaluate` but in float32, in one compiled
        loop (:func:`detente.models.smp_kernels.third_party_sums_single`; unit roundoff u = 2^-24,
        ``SINGLE_ROUNDING``; every operation correctly rounded, the sums in any order). With t = U(n,j) − U(n,n),
        a = U(n,n) − U(n,i), every utility in [0, 1] and every risk estimate in [−1, 1]: t is off by
        at most 10u, the naive vote ``−w_n (a + t)`` by 14u w_n; π = num/den with num ≤ den, each
        off by at most ``14u w_n + 2u den``, so with den' the computed den,
        ``|δπ_n| ≤ min(1, 29u w_n/den'_n + 6u)``; the vote ``w_n (t + π(a − t))`` is off by at most
        ``w_n (2|δπ_n| + 28u)``, and summing n terms in float32 adds at most ``n u Σ_n |v_n| ≤ n u W``
        (W = Σ_n w_n). Hence Σ max(v, 0) and Σ v are each within
        ``E = u (58 Σ_n w_n²/den'_n + (41 + n) W)`` of their exact values (the computed Σ w²/den' is
        raised by 2(n + 7)u for its own rounding), C_ij within E and C_ji = C_ji⁰ + Σ max(v, 0) − Σ v
        within 2E; the bound uses e = 4E, twice what is needed. As p_ij increases with C_ij and
        decreases with C_ji, it lies in ``[(C_ij − e)/(C_ij + C_ji), (C_ij + e)/(C_ij + C_ji)]``
        clipped to [0, 1], and the gain ``D(1 − 2σ_j) + 2σ_j D p_ij`` is linear in p_ij.
        """
        if not hasattr(self, "_single"):
            single = lambda a: a.astype(np.float32)  # noqa: E731
            self._single = (
                single(self.closeness),
                single(self.closeness * self.capped),
                single(self.perceived),
                single(self.u_aa - self.u_ai),  # a = U(n,n) − U(n,i), i's view
                single(self.u_aa),
                single(self.weights),
            )
        from detente.models.smp_kernels import third_party_sums_single

        n = self.own.shape[-1]
        u = SINGLE_ROUNDING
        w64 = self.weights
        total_weight = w64.sum(axis=-1)
        base_ij, base_ji = principal_coalitions(
            (w64[b, i], self.u_ii[b, i], self.u_ij[b, i, j], w64[b, j], self.u_ai[b, i, j], self.u_aa[b, i, j]), self.rule
        )
        pairs = (np.ascontiguousarray(index) for index in (b, i, j))  # one compiled version for every caller's index arrays
        favour, total, spread = third_party_sums_single(*self._single, *pairs, base_ij, base_ji)
        error = 4.0 * u * (58.0 * (1.0 + 2.0 * (n + 7) * u) * spread + (41.0 + n) * total_weight[b])
        strength_ij = base_ij + favour
        strength_ji = base_ji + (favour - total)
        contest = np.maximum(strength_ij + strength_ji, np.finfo(float).tiny)
        estimate_p = np.clip(strength_ij / contest, 0.0, 1.0)
        low = np.clip((strength_ij - error) / contest, 0.0, 1.0)
        high = np.clip((strength_ij + error) / contest, 0.0, 1.0)
        d_gain = self.u_ii[b, i] - self.u_ij[b, i, j]
        slope = 2.0 * self.sigma[b, j] * d_gain
        intercept = d_gain - slope
        estimate = intercept + slope * estimate_p
        upper = intercept + np.maximum(slope * low, slope * high)
        return estimate, upper + GAIN_ROUNDING

    def evaluate(self, b: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(p_ij, gain)`` of challenges i → j in draws b, in chunks of about ``CHUNK_ELEMENTS``."""
        n = self.own.shape[-1]
        probability, gain = np.empty(len(b)), np.empty(len(b))
        step = max(1, CHUNK_ELEMENTS // n)
        for start in range(0, len(b), step):
            part = slice(start, start + step)
            d, x, y = b[part], i[part], j[part]
            rows = np.arange(len(d))
            risk = self.perceived[d, x, :]  # i's estimates of everyone's risk attitude
            u_i, u_own = self.u_ai[d, x], self.u_aa[d, x]  # U(a, i) and U(a, a) for every a
            u_j = self.capped[d, y, :] * risk  # U(a, j), built in place
            u_j += 1.0
            u_j *= self.closeness[d, y, :]
            w = self.weights[d]
            u_ii, u_ij = self.u_ii[d, x], self.u_ij[d, x, y]
            base = principal_coalitions((w[rows, x], u_ii, u_ij, w[rows, y], u_i[rows, y], u_own[rows, y]), self.rule)
            tally = third_party_tally(u_i, u_j, u_own, w, base, self.rule, self.commit, ((rows, x), (rows, y)))
            probability[part], gain[part] = challenge_result(base, tally, (u_ii, u_ij), self.sigma[d, y])
        return probability, gain


def challenge_estimates(
    distance: np.ndarray,
    perceived: np.ndarray,
    weights: np.ndarray,
    sigma: np.ndarray,
    draw: np.ndarray,
    h: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    k: np.ndarray,
    rule: VotingRule,
    commit: ThirdPartyCommit,
) -> tuple[np.ndarray, np.ndarray]:
    """h's estimate of listed challenges i → j (in draw ``draw``): i's chance and k's expected gain.

    ``U^h(a, x) = u(d_ax, r^h_a)``; see :func:`challenge_outcomes`. All index arrays have one
    entry per challenge.
    """
    risk = perceived[draw, h, :]

    def util(a: np.ndarray, x: np.ndarray) -> np.ndarray:
        return utility(distance[draw, a, x], perceived[draw, h, a])

    u_i = utility(distance[draw, :, i], risk)
    u_j = utility(distance[draw, :, j], risk)
    u_own = utility(np.diagonal(distance, axis1=-2, axis2=-1)[draw], risk)
    rows = np.arange(len(draw))
    third_weights = weights[draw].copy()
    third_weights[rows, i] = 0.0
    third_weights[rows, j] = 0.0
    principals = (weights[draw, i], util(i, i), util(i, j), weights[draw, j], util(j, i), util(j, j))
    return challenge_outcomes(u_i, u_j, u_own, third_weights, principals, (util(k, i), util(k, j)), sigma[draw, j], rule, commit)


# -- bargains ------------------------------------------------------------------------------------


def _round4(values: np.ndarray) -> np.ndarray:
    return np.trunc(0.5 + values * 10000.0) / 10000.0


def interpolated_bargain(
    theta_i: np.ndarray,
    s_i: np.ndarray,
    p_i: np.ndarray,
    theta_j: np.ndarray,
    s_j: np.ndarray,
    p_j: np.ndarray,
    method: InterVecBrgn,
) -> tuple[np.ndarray, np.ndarray]:
    """The points a bargain proposes to i and to j, per dimension (§4.7 step 2, ``InterVecBrgn``).

    S1P1 / S2P2: weights ``w_i = s_ik^n p_i^n``, ``w_j = s_jk^n p_j^n`` (n = 1, 2) and both get
    almost the same point ``(w_i θ_ik + w_j θ_jk)/(w_i + w_j)``; as in KTAB each adds 1e-6 to its
    own weight and the points are rounded to 4 decimals. S2PMax: the weaker side concedes, with
    ``δ_i = max(0, p_j − p_i)``,

        b_ik = θ_ik + δ_i s_jk²/(δ_i s_jk² + 1e-6 + (1 − δ_i) s_ik²) (θ_jk − θ_ik)

    and symmetrically for j. ``theta``/``s`` (..., K), ``p`` (...).
    """
    p_i = np.asarray(p_i)[..., None]
    p_j = np.asarray(p_j)[..., None]
    if method == "S2PMax":
        d_i = np.where(p_j > p_i, p_j - p_i, 0.0)
        d_j = np.where(p_i > p_j, p_i - p_j, 0.0)
        si2, sj2 = s_i * s_i, s_j * s_j
        step_i = (d_i * sj2) / ((d_i * sj2) + MIN_BARGAIN_WEIGHT + ((1 - d_i) * si2))
        step_j = (d_j * si2) / ((d_j * si2) + MIN_BARGAIN_WEIGHT + ((1 - d_j) * sj2))
        return theta_i + step_i * (theta_j - theta_i), theta_j + step_j * (theta_i - theta_j)
    if method == "S2P2":
        w_i, w_j = (s_i * s_i) * (p_i * p_i), (s_j * s_j) * (p_j * p_j)
    elif method == "S1P1":
        w_i, w_j = s_i * p_i, s_j * p_j
    else:
        raise ValueError(f"unknown bargain interpolation {method!r}")
    total = w_i + MIN_BARGAIN_WEIGHT + w_j
    b_i = _round4(((w_i + MIN_BARGAIN_WEIGHT) * theta_i + w_j * theta_j) / total)
    b_j = _round4((w_i * theta_i + (MIN_BARGAIN_WEIGHT + w_j) * theta_j) / total)
    return b_i, b_j


@dataclass
class Bargains:
    """The bargains proposed in one turn, across the draws: one row per bargain.

    ``probability`` and ``gain`` are the initiator's estimates of its challenge; ``kind`` says
    whose view shaped the points: "initiator", "receiver" or "compromise" (the weighted average of
    the two, PWCompInterp).
    """

    draw: np.ndarray
    initiator: np.ndarray
    receiver: np.ndarray
    point_initiator: np.ndarray
    point_receiver: np.ndarray
    probability: np.ndarray
    gain: np.ndarray
    kind: np.ndarray

    def __len__(self) -> int:
        return len(self.draw)


def propose_bargains(
    positions: np.ndarray,
    saliences: np.ndarray,
    capabilities: np.ndarray,
    assessment: "Assessment",
    weights: np.ndarray,
    sigma: np.ndarray,
    options: "SMPOptions",
) -> Bargains:
    """Every actor's bargain for its best target (§4.7), ordered by draw and initiator."""
    target, p_init, gain = best_targets(
        assessment.distance, assessment.perceived, weights, sigma, options.voting_rule, options.third_party_commit
    )
    draw, initiator = np.nonzero(target >= 0)
    receiver = target[draw, initiator]
    p = p_init[draw, initiator]
    gain = gain[draw, initiator]
    theta_i, theta_j = positions[draw, initiator], positions[draw, receiver]
    s_i, s_j = saliences[draw, initiator], saliences[draw, receiver]
    method = options.inter_vec_brgn
    own_i, own_j = interpolated_bargain(theta_i, s_i, p, theta_j, s_j, 1 - p, method)
    count = len(draw)
    if options.bargn_model == "InitOnlyInterp":
        return Bargains(draw, initiator, receiver, own_i, own_j, p, gain, np.full(count, "initiator"))
    p_rcvr, gain_rcvr = challenge_estimates(  # the receiver's view (h = j) of the initiator's chance and gain
        assessment.distance,
        assessment.perceived,
        weights,
        sigma,
        draw,
        receiver,
        initiator,
        receiver,
        initiator,
        options.voting_rule,
        options.third_party_commit,
    )
    if options.receiver_view_slip:
        p_rcvr = gain_rcvr
    other_i, other_j = interpolated_bargain(theta_i, s_i, p_rcvr, theta_j, s_j, 1 - p_rcvr, method)
    if options.bargn_model == "InitRcvrInterp":

        def pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.stack([a, b], axis=1).reshape((2 * count,) + a.shape[1:])

        return Bargains(
            pair(draw, draw),
            pair(initiator, initiator),
            pair(receiver, receiver),
            pair(own_i, other_i),
            pair(own_j, other_j),
            pair(p, p),
            pair(gain, gain),
            pair(np.full(count, "initiator"), np.full(count, "receiver")),
        )
    w_i = capabilities[draw, initiator] * sigma[draw, initiator]
    c_j = capabilities[draw, initiator] if options.pwcomp_weight_slip else capabilities[draw, receiver]
    w_j = c_j * sigma[draw, receiver]
    total = (w_i + w_j)[:, None]
    point_i = (w_i[:, None] * own_i + w_j[:, None] * other_i) / total
    point_j = (w_i[:, None] * own_j + w_j[:, None] * other_j) / total
    return Bargains(draw, initiator, receiver, point_i, point_j, p, gain, np.full(count, "compromise"))


# -- queues --------------------------------------------------------------------------------------


def bargain_scores(
    bargains: Bargains, ideals: np.ndarray, saliences: np.ndarray, assessment: "Assessment"
) -> tuple[np.ndarray, np.ndarray]:
    """Every actor's score of the state each bargain would produce, and of the status quo (§4.8).

        u_a(m) = (1/n) Σ_{positions x after bargain m} u(d(q_a, x), R_a)

    A bargain moves only its initiator and receiver. Returns ``(scores (bargains, n),
    status_quo (B, n))``.
    """
    own = assessment.own_utility
    n = own.shape[-1]
    total = own.sum(axis=-1)
    draw = bargains.draw
    if n >= COMPILED_SCORES_FROM:
        from detente.models.smp_kernels import moved_utilities

        arrays = (ideals, saliences, assessment.risk, draw, bargains.point_initiator, bargains.point_receiver)
        moved = moved_utilities(*(np.ascontiguousarray(array) for array in arrays))
    else:
        points = np.stack([bargains.point_initiator, bargains.point_receiver], axis=1)
        moved = np.empty((len(draw), n))
        step = max(1, CHUNK_ELEMENTS // (2 * n * ideals.shape[-1]))
        for start in range(0, len(draw), step):  # a few bargains at a time: (bargains, n, 2, K) would be large
            part = slice(start, start + step)
            distance = salience_distance(ideals[draw[part]], points[part], saliences[draw[part]])
            moved[part] = utility(distance, assessment.risk[draw[part]][:, :, None]).sum(axis=-1)
    actors = np.arange(n)[None, :]
    before = own[draw[:, None], actors, bargains.initiator[:, None]] + own[draw[:, None], actors, bargains.receiver[:, None]]
    scores = (moved + (total[draw] - before)) / n
    return scores, total / n


@dataclass
class QueueOutcome:
    """The queue elections of a turn: ``chosen`` (B, n) the bargain each actor took (−1: status
    quo); the probability of the status quo in each queue (B, n) and of each bargain in its
    initiator's and its receiver's queue (bargains,)."""

    chosen: np.ndarray
    status_quo_probability: np.ndarray
    initiator_probability: np.ndarray
    receiver_probability: np.ndarray


def resolve_queues(
    bargains: Bargains,
    scores: np.ndarray,
    status_quo: np.ndarray,
    capabilities: np.ndarray,
    options: "SMPOptions",
    uniforms: np.ndarray | None,
) -> QueueOutcome:
    """Each actor's choice from its queue of bargains (§4.8).

    Actor k's queue holds the status quo first, then every bargain k initiates or receives, in
    order of initiator. The options are put to a probabilistic Condorcet election with every actor
    voting (weight ``c_a``) on the scores; Deterministic takes the most probable (first on ties),
    Stochastic samples with ``uniforms`` (B, n): the first option whose cumulative probability
    reaches the draw. Queues of the same length across actors and draws are resolved together.
    """
    batch, n = status_quo.shape
    count = len(bargains)
    owners = np.concatenate([bargains.initiator, bargains.receiver])
    draws = np.concatenate([bargains.draw, bargains.draw])
    ids = np.concatenate([np.arange(count), np.arange(count)])
    role = np.repeat([0, 1], count)
    order = np.lexsort((ids, owners, draws))
    owners, draws, ids, role = owners[order], draws[order], ids[order], role[order]
    queue = draws * n + owners
    lengths = 1 + np.bincount(queue, minlength=batch * n).reshape(batch, n)
    first = np.searchsorted(queue, queue, side="left")
    slot = 1 + np.arange(len(queue)) - first
    chosen = np.full((batch, n), -1)
    status_quo_probability = np.ones((batch, n))
    support = np.zeros((2, count))
    for length in np.unique(lengths):
        if length == 1:
            continue
        group_draw, group_actor = np.nonzero(lengths == length)
        row_of = np.full((batch, n), -1)
        row_of[group_draw, group_actor] = np.arange(len(group_draw))
        members = lengths[draws, owners] == length
        rows = row_of[draws[members], owners[members]]
        option = np.full((len(group_draw), length), -1)
        option[rows, slot[members]] = ids[members]
        values = np.empty((len(group_draw), n, length))
        values[:, :, 0] = status_quo[group_draw]
        values[:, :, 1:] = np.swapaxes(scores[option[:, 1:]], -1, -2)
        strengths = coalition_strengths(values, capabilities[group_draw], options.voting_rule)
        probability = condorcet_probabilities(strengths, options.victory_prob_model, options.pce_model)
        if options.state_transition == "Deterministic":
            pick = probability.argmax(axis=-1)
        else:
            reached = uniforms[group_draw, group_actor][:, None] <= np.cumsum(probability, axis=-1)
            pick = np.where(reached.any(axis=-1), reached.argmax(axis=-1), length - 1)
        chosen[group_draw, group_actor] = option[np.arange(len(group_draw)), pick]
        status_quo_probability[group_draw, group_actor] = probability[:, 0]
        support[role[members], ids[members]] = probability[rows, slot[members]]
    return QueueOutcome(chosen, status_quo_probability, support[0], support[1])


def adopt(positions: np.ndarray, bargains: Bargains, chosen: np.ndarray) -> np.ndarray:
    """New positions: each actor takes its role's point in the bargain it chose (§4.8 step 4)."""
    updated = positions.copy()
    draw, actor = np.nonzero(chosen >= 0)
    picked = chosen[draw, actor]
    is_initiator = bargains.initiator[picked] == actor
    updated[draw, actor] = np.where(
        is_initiator[:, None], bargains.point_initiator[picked], bargains.point_receiver[picked]
    )
    return updated


def new_ideals(accommodation: np.ndarray | None, positions: np.ndarray, ideals: np.ndarray) -> np.ndarray:
    """Pragmatic affinity (§4.8 step 5): ``q_i' = Σ_j A_ij θ_j' + (1 − Σ_j A_ij) q_i``; A = I gives q' = θ'."""
    if accommodation is None:
        return positions.copy()
    lag = 1.0 - np.minimum(accommodation.sum(axis=-1), 1.0)
    return np.einsum("ij,bjk->bik", accommodation, positions) + lag[:, None] * ideals


def state_distance(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """``Σ_i ||θ_i − θ'_i||₂`` per draw (§4.9)."""
    return np.sqrt(((after - before) ** 2).sum(axis=-1)).sum(axis=-1)


# -- one state's assessment ----------------------------------------------------------------------


@dataclass
class Assessment:
    """What every actor believes in one state: distances, risk attitudes and utilities (§4.5).

    ``distance[b, a, x]`` from a's ideal to x's position; ``risk`` (B, n); ``perceived[b, h, a]``
    h's estimate of a's risk attitude; ``own_utility[b, a, x] = u(d_ax, R_a)``; ``probability``
    the risk-neutral PCE over the actors' positions that set the risk attitudes.
    """

    distance: np.ndarray
    risk: np.ndarray
    perceived: np.ndarray
    own_utility: np.ndarray
    probability: np.ndarray

    def take(self, rows: np.ndarray) -> "Assessment":
        return Assessment(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def assess(positions: np.ndarray, ideals: np.ndarray, saliences: np.ndarray, capabilities: np.ndarray, options: "SMPOptions") -> Assessment:
    """Risk attitudes and utilities in a state (§4.5): a risk-neutral PCE over the n positions
    (voters weighted by capability, duplicates not merged) sets R; utilities follow."""
    if positions.shape[-2] >= COMPILED_SCORES_FROM:
        from detente.models.smp_kernels import salience_distances

        distance = salience_distances(*(np.ascontiguousarray(np.broadcast_to(a, positions.shape)) for a in (ideals, positions, saliences)))
    else:
        distance = salience_distance(ideals, positions, saliences)
    neutral = utility(distance, 0.0)
    strengths = coalition_strengths(neutral, capabilities, options.voting_rule)
    probability = condorcet_probabilities(strengths, options.victory_prob_model, options.pce_model)
    risk = risk_attitudes(probability, options.big_r_range)
    perceived = perceived_risk(risk, options.big_r_adjust)
    own = utility(distance, risk[..., :, None])
    return Assessment(distance, risk, perceived, own, probability)


def euclidean_gaps(points: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Euclidean distances (B, n, m) between points (B, n, K) and others (B, m, K), formed a few
    points at a time (``CHUNK_ELEMENTS``) rather than as one (B, n, m, K) array."""
    batch, n, issues = points.shape
    m = others.shape[1]
    gaps = np.empty((batch, n, m))
    step = max(1, CHUNK_ELEMENTS // max(1, batch * m * issues))
    for start in range(0, n, step):
        rows = slice(start, start + step)
        gaps[:, rows] = np.sqrt(((points[:, rows, None, :] - others[:, None, :, :]) ** 2).sum(axis=-1))
    return gaps


def distinct_positions(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group equal positions as KTAB does: scan actors in order; an actor within 1e-3 (Euclidean,
    0..1 scale) of an earlier distinct position shares it, otherwise it opens a new one.

    Returns ``slot`` (B, n): the index of each actor's distinct position, and ``representative``
    (B, n): the actor holding each distinct position (−1 past the last).
    """
    batch, n, _ = positions.shape
    if n >= COMPILED_SCORES_FROM:
        from detente.models import smp_kernels

        return smp_kernels.distinct_positions(np.ascontiguousarray(positions), POSITION_TOLERANCE)
    gap = euclidean_gaps(positions, positions)
    slot = np.zeros((batch, n), dtype=int)
    representative = np.full((batch, n), -1)
    is_representative = np.zeros((batch, n), dtype=bool)
    found = np.zeros(batch, dtype=int)
    rows = np.arange(batch)
    for i in range(n):
        match = is_representative[:, :i] & (gap[:, i, :i] < POSITION_TOLERANCE)
        old = match.any(axis=-1)
        first = match.argmax(axis=-1) if i else np.zeros(batch, dtype=int)
        slot[:, i] = np.where(old, slot[rows, first], found)
        new = ~old
        representative[rows[new], found[new]] = i
        is_representative[new, i] = True
        found += new
    return slot, representative


def position_probabilities(
    own_utility: np.ndarray, capabilities: np.ndarray, representative: np.ndarray, options: "SMPOptions"
) -> np.ndarray:
    """Probability of each distinct position being the group's choice (KTAB's ``pDist(-1)``).

    A PCE over the distinct positions with every actor voting (weight ``c_a``) its own utilities.
    Returns (B, n), aligned with ``representative`` and zero past the last distinct position.
    """
    batch, n = representative.shape
    distinct = (representative >= 0).sum(axis=-1)
    result = np.zeros((batch, n))
    for count in np.unique(distinct):
        rows = np.nonzero(distinct == count)[0]
        reps = representative[rows, :count]
        values = np.take_along_axis(own_utility[rows], reps[:, None, :], axis=-1)
        strengths = coalition_strengths(values, capabilities[rows], options.voting_rule)
        result[rows, :count] = condorcet_probabilities(strengths, options.victory_prob_model, options.pce_model)
    return result


def actor_probabilities(positions: np.ndarray, representative: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Each actor's "winning probability" as KTAB lists it: the probability of the last distinct
    position within 1e-3 of the actor's own. Actors sharing a position share its probability."""
    batch, n, _ = positions.shape
    if n >= COMPILED_SCORES_FROM:
        from detente.models.smp_kernels import last_distinct_within

        last = last_distinct_within(np.ascontiguousarray(positions), np.ascontiguousarray(representative), POSITION_TOLERANCE)
    else:
        reps = np.where(representative >= 0, representative, 0)
        held = np.take_along_axis(positions, reps[:, :, None], axis=1)
        gap = euclidean_gaps(positions, held)
        near = (gap < POSITION_TOLERANCE) & (representative >= 0)[:, None, :]
        last = n - 1 - near[:, :, ::-1].argmax(axis=-1)
    return np.take_along_axis(probability, last, axis=-1)


def group_forecast(positions: np.ndarray, representative: np.ndarray, probability: np.ndarray, kind: str) -> np.ndarray:
    """The scalar per issue: "weighted_mean" ``Σ_u P(u) x_u`` over the distinct positions, or
    "most_probable", the distinct position with the highest probability (first on ties)."""
    reps = np.where(representative >= 0, representative, 0)
    held = np.take_along_axis(positions, reps[:, :, None], axis=1)
    if kind == "most_probable":
        best = probability.argmax(axis=-1)
        return held[np.arange(len(best)), best]
    return (probability[:, :, None] * held).sum(axis=1)


# -- options, inputs and the run -----------------------------------------------------------------


class SMPOptions(Options):
    victory_prob_model: VictoryProbModel = Field(
        "Linear", description="f in V(a,b) = f(C_ab)/(f(C_ab)+f(C_ba)): x, x², x⁴, x⁸, or Binary (1.1 threshold)"
    )
    pce_model: PCEModel = Field(
        "Conditional", description="probabilistic Condorcet election: Conditional, MarkovIncentive or MarkovUniform"
    )
    state_transition: StateTransition = Field(
        "Deterministic", description="take the most probable bargain from each queue, or sample it (Stochastic, seeded)"
    )
    voting_rule: VotingRule = Field(
        "Proportional", description="vote on utility differences: Proportional, Binary, PropBin, PropCbc, Cubic, ASymProsp"
    )
    big_r_adjust: BigRAdjust = Field(
        "OneThird", description="h's estimate of i's risk attitude: None (R_h), OneThird, Half, TwoThirds, Full (R_i)"
    )
    big_r_range: BigRRange = Field("Mid", description="range of risk attitudes: Mid [-1/2, 1], Min [0, 1], Max [-1, 1]")
    third_party_commit: ThirdPartyCommit = Field(
        "SemiCommit", description="where a third party ends up after joining a contest: SemiCommit, NoCommit, FullCommit"
    )
    inter_vec_brgn: InterVecBrgn = Field(
        "S2P2", description="bargain interpolation: S2P2 (salience² x prob²), S1P1, S2PMax (weaker side concedes)"
    )
    bargn_model: BargnModel = Field(
        "InitOnlyInterp",
        description="bargains from the initiator's view (InitOnlyInterp), both views (InitRcvrInterp) or their average (PWCompInterp)",
    )
    pwcomp_weight_slip: bool = Field(
        True,
        description="PWCompInterp weighs the receiver by the initiator's capability, as KTAB's code does; false uses the receiver's",
    )
    receiver_view_slip: bool = Field(
        True,
        description="InitRcvrInterp/PWCompInterp: as KTAB's code, shape the receiver's bargain with its estimate of the "
        "initiator's expected gain where its estimate of the initiator's victory chance is meant; false uses the chance",
    )
    seed: int = Field(0, ge=0, description="seed of the random draws of Stochastic transitions")
    max_turns: int = Field(100, ge=1, description="stop after this many turns at the latest")
    stop_ratio: float = Field(
        0.02, ge=0, description="stop (after turn 2) when a turn moves the actors less than this share of the first turn's move"
    )
    accommodation: float | dict[str, dict[str, float]] | list[list[float]] = Field(
        1.0,
        description="ideal accommodation matrix A: a number a gives a·I (1 = ideals follow positions); "
        "{actor: {reference actor: weight}} overriding entries of the identity; or the whole matrix, one row per actor",
    )
    forecast: Literal["weighted_mean", "most_probable"] = Field(
        "weighted_mean",
        description="scalar per issue from the final state: probability-weighted mean of the distinct positions, or the most probable one",
    )
    salience_budget: Literal["rescale", "strict"] = Field(
        "rescale",
        description="KTAB needs each actor's saliences to sum to at most 100 across issues: rescale divides by max(1, sum); strict refuses",
    )

    @field_validator("voting_rule", mode="before")
    @classmethod
    def _ktab_spelling(cls, value: Any) -> Any:
        return "Proportional" if value == "Prop" else value

    @field_validator("accommodation")
    @classmethod
    def _accommodation_range(cls, value: Any) -> Any:
        if isinstance(value, float):
            weights = [value]
        else:
            rows = value.values() if isinstance(value, dict) else value
            weights = [w for row in rows for w in (row.values() if isinstance(row, dict) else row)]
        if any(not 0.0 <= w <= 1.0 for w in weights):
            raise ValueError("accommodation weights must lie in [0, 1]")
        return value


@dataclass
class Inputs:
    """SMP's arrays for a batch: positions on 0..1 (absent stances filled), saliences scaled to
    KTAB's budget, one capability per actor, and the accommodation matrix (None for identity)."""

    positions: np.ndarray
    saliences: np.ndarray
    capabilities: np.ndarray
    accommodation: np.ndarray | None
    present: np.ndarray


def prepare_inputs(batch: Batch, options: SMPOptions, actor_ids: list[str] | None = None) -> Inputs:
    """Turn a detente batch into KTAB's inputs.

    * Saliences: KTAB uses ``Σ_k s_ik`` as a probability, so it must lie in (0, 1]. "rescale"
      divides an actor's saliences by ``max(1, Σ_k s_ik)`` (distances are unchanged, since they
      use salience ratios; only the actor's weight ``c Σs`` and resistance ``Σs`` shrink);
      "strict" raises an error instead.
    * Absent stances get salience 0 and, as position, the c·s-weighted mean of the actors present
      on the issue: the absent actor does not care, and is not a pole of its own.
    * Capability: the mean of the actor's capabilities over the issues where it has a stance.
    """
    present = batch.present
    salience = np.where(present, batch.salience, 0.0)
    totals = salience.sum(axis=-1)
    if options.salience_budget == "strict" and (totals > 1 + 1e-9).any():
        actor = int(np.nonzero((totals > 1 + 1e-9).any(axis=0))[0][0])
        name = actor_ids[actor] if actor_ids else f"#{actor}"
        raise OptionError(
            f"smp: actor {name}'s saliences sum to {100 * totals[:, actor].max():.4g} across issues; KTAB needs at "
            "most 100 (set salience_budget=rescale to divide them by their sum)"
        )
    salience = salience / np.maximum(1.0, totals)[..., None]
    fill = weighted_mean(batch.position, batch.effective_power())
    fill = np.where(np.isnan(fill), 0.5, fill)
    positions = np.where(present, batch.position, fill[:, None, :])
    counts = present.sum(axis=-1)
    capabilities = np.where(present, batch.capability, 0.0).sum(axis=-1) / np.maximum(counts, 1)
    return Inputs(positions, salience, capabilities, accommodation_matrix(options.accommodation, actor_ids, batch.n_actors), present)


def accommodation_matrix(
    value: float | dict[str, dict[str, float]] | list[list[float]], actor_ids: list[str] | None, n: int
) -> np.ndarray | None:
    """The accommodation matrix A (n, n), None for the identity (ideals equal positions).

    A number a gives a·I. A mapping ``{actor: {reference actor: weight}}`` overrides entries of the
    identity, as KTAB's XML ``IdealAdjustment`` pairs do; a list of rows is the matrix itself.
    Every row must sum to at most 1.
    """
    if isinstance(value, float):
        return None if value == 1.0 else value * np.eye(n)
    if not value:
        return None
    if isinstance(value, list):
        matrix = np.asarray(value, dtype=float)
        if matrix.shape != (n, n):
            raise OptionError(f"smp: the accommodation matrix must be {n} x {n} (one row and column per actor), got {matrix.shape}")
        names = actor_ids or [f"#{k}" for k in range(n)]
    else:
        if actor_ids is None:
            raise OptionError("smp: an accommodation given per actor needs the scenario's actor ids (use model.run(scenario))")
        index = {a: k for k, a in enumerate(actor_ids)}
        unknown = sorted({a for row in value for a in (row, *value[row])} - set(index))
        if unknown:
            raise OptionError(f"smp: accommodation names unknown actors {', '.join(unknown)} (actors: {', '.join(actor_ids)})")
        matrix = np.eye(n)
        for actor, row in value.items():
            for reference, weight in row.items():
                matrix[index[actor], index[reference]] = weight
        names = actor_ids
    heavy = [names[k] for k in np.nonzero(matrix.sum(axis=1) > 1 + 1e-10)[0]]
    if heavy:
        raise OptionError(f"smp: accommodation weights of {', '.join(heavy)} sum to more than 1")
    return matrix


@dataclass
class StateRecord:
    """One state of one draw, on 0..1: positions, ideals, risk attitudes and the group's choice."""

    positions: np.ndarray
    ideals: np.ndarray
    risk: np.ndarray
    slot: np.ndarray
    representative: np.ndarray
    distinct_probability: np.ndarray
    actor_probability: np.ndarray
    forecast: np.ndarray
    bargains: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Trajectory:
    """A batch run: the final forecast and turn count per draw, the states of recorded draws."""

    forecast: np.ndarray
    turns: np.ndarray
    stop_ratio: np.ndarray
    states: list[list[StateRecord]]


def _group_choice(positions, assessment, capabilities, options) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct positions of a state and the probability of each being the group's choice."""
    slot, representative = distinct_positions(positions)
    probability = position_probabilities(assessment.own_utility, capabilities, representative, options)
    return slot, representative, probability


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} minutes" if seconds < 7200 else f"{seconds / 3600:.0f} hours"


def check_cost(draws: int, actors: int, options: SMPOptions) -> None:
    """Refuse up front a run expected to take more than ``LONG_RUN_SECONDS``, unless the user set
    ``max_turns``. A turn costs about actors³ per draw: the elections over every pair of the
    actors' positions, with every actor voting, and the challenges that can be chosen (each summed
    over every third party); memory stays bounded (chunks of ``CHUNK_ELEMENTS``)."""
    per_turn = SECONDS_PER_ACTOR_CUBED * draws * actors**3
    low, high = (per_turn * turns for turns in TYPICAL_TURNS)
    if "max_turns" in options.model_fields_set or low <= LONG_RUN_SECONDS:
        return
    what = f"{actors:,} actors" + (f" x {draws:,} draws" if draws > 1 else "")
    raise UsageError(
        f"SMP on {what} needs about {_duration(per_turn)} a turn (it grows as actors³: every actor votes on every pair of "
        f"positions, and screens the targets it could choose with every third party) and usually {TYPICAL_TURNS[0]}-{TYPICAL_TURNS[1]} turns, "
        f"so about {_duration(low)} to {_duration(high)}; use --set max_turns=N to run at most N turns anyway "
        f"(about N x {_duration(per_turn)}), or fewer actors"
    )


def simulate(inputs: Inputs, options: SMPOptions, record: bool = False) -> Trajectory:
    """Run SMP on every draw of ``inputs`` until each stops (§4.9).

    Turn t ends the run of a draw when ``t ≥ max_turns`` or, from turn 2, when
    ``dist(s_t, s_{t−1}) / (dist(s_0, s_1) + 1e-4) < stop_ratio``. With ``record`` every state of
    every draw is kept. Stochastic transitions draw from one generator per draw, spawned from
    ``seed``, so a draw's run does not depend on the other draws in the batch.
    """
    check_cost(*inputs.positions.shape[:2], options)
    positions = inputs.positions.copy()
    ideals = inputs.positions.copy()
    saliences, capabilities = inputs.saliences, inputs.capabilities
    sigma = saliences.sum(axis=-1)
    weights = capabilities * sigma
    batch, n, _ = positions.shape
    stochastic = options.state_transition == "Stochastic"
    generators = [np.random.default_rng(s) for s in np.random.SeedSequence(options.seed).spawn(batch)] if stochastic else []

    forecast = np.full((batch, positions.shape[-1]), np.nan)
    turns = np.zeros(batch, dtype=int)
    ratios = np.full(batch, np.nan)
    first_step = np.zeros(batch)
    states: list[list[StateRecord]] = [[] for _ in range(batch)] if record else []

    def keep(rows: np.ndarray, sub_positions, sub_ideals, assessment, bargains_by_row=None) -> None:
        slot, representative, probability = _group_choice(sub_positions, assessment, capabilities[rows], options)
        by_actor = actor_probabilities(sub_positions, representative, probability)
        guess = group_forecast(sub_positions, representative, probability, options.forecast)
        for r, b in enumerate(rows):
            states[b].append(
                StateRecord(
                    sub_positions[r].copy(),
                    sub_ideals[r].copy(),
                    assessment.risk[r].copy(),
                    slot[r],
                    representative[r],
                    probability[r],
                    by_actor[r],
                    guess[r],
                    bargains_by_row[r] if bargains_by_row else [],
                )
            )

    active = np.arange(batch)
    assessment = assess(positions, ideals, saliences, capabilities, options)
    if record:
        keep(active, positions, ideals, assessment)
    turn = 0
    while active.size:
        turn += 1
        pos, ide, sal, cap = positions[active], ideals[active], saliences[active], capabilities[active]
        bargains = propose_bargains(pos, sal, cap, assessment, weights[active], sigma[active], options)
        scores, status_quo = bargain_scores(bargains, ide, sal, assessment)
        uniforms = np.stack([generators[b].random(n) for b in active]) if stochastic else None
        outcome = resolve_queues(bargains, scores, status_quo, cap, options, uniforms)
        moved = adopt(pos, bargains, outcome.chosen)
        new_ide = new_ideals(inputs.accommodation, moved, ide)
        step = state_distance(pos, moved)
        if turn == 1:
            first_step[active] = step + MIN_FIRST_STEP
        ratio = step / first_step[active]
        positions[active], ideals[active] = moved, new_ide
        assessment = assess(moved, new_ide, sal, cap, options)
        if record:
            keep(active, moved, new_ide, assessment, _bargain_records(bargains, outcome, len(active)))
        done = (turn >= options.max_turns) | ((turn >= MIN_TURNS) & (ratio < options.stop_ratio))
        finished = active[done]
        if finished.size:
            turns[finished] = turn
            ratios[finished] = ratio[done]
            final = assessment.take(np.nonzero(done)[0])
            _, representative, probability = _group_choice(moved[done], final, capabilities[finished], options)
            forecast[finished] = group_forecast(moved[done], representative, probability, options.forecast)
        assessment = assessment.take(np.nonzero(~done)[0])
        active = active[~done]
        report_step(turn, options.max_turns)
    return Trajectory(forecast, turns, ratios, states)


def _bargain_records(bargains: Bargains, outcome: QueueOutcome, rows: int) -> list[list[dict[str, Any]]]:
    """Per draw, the bargains of a turn as plain records (0..1 points): the initiator's estimates,
    the bargain's probability in the initiator's and the receiver's queue, and who adopted it."""
    adopters: list[list[int]] = [[] for _ in range(len(bargains))]
    draw, actor = np.nonzero(outcome.chosen >= 0)
    for a, m in zip(actor.tolist(), outcome.chosen[draw, actor].tolist()):
        adopters[m].append(a)
    records: list[list[dict[str, Any]]] = [[] for _ in range(rows)]
    columns = zip(
        bargains.draw.tolist(),
        bargains.initiator.tolist(),
        bargains.receiver.tolist(),
        bargains.kind.tolist(),
        bargains.probability.tolist(),
        bargains.gain.tolist(),
        outcome.initiator_probability.tolist(),
        outcome.receiver_probability.tolist(),
    )
    for m, (b, initiator, receiver, kind, probability, gain, in_initiator_queue, in_receiver_queue) in enumerate(columns):
        records[b].append(
            {
                "initiator": initiator,
                "receiver": receiver,
                "kind": kind,
                "probability": probability,
                "gain": gain,
                "point_initiator": bargains.point_initiator[m],
                "point_receiver": bargains.point_receiver[m],
                "queue_probability": (in_initiator_queue, in_receiver_queue),
                "adopted_by": adopters[m],
            }
        )
    return records


# -- the model and its result --------------------------------------------------------------------


@dataclass
class SMPResult(DynamicResult):
    """An SMP run: the state after every turn (issue units) and the group's choice in each.

    ``ideals`` (turns + 1, actors, issues); ``risk`` and ``actor_probability`` (turns + 1, actors);
    ``distinct`` per state a list of (actor indices, probability) for each distinct position;
    ``bargains`` per state the bargains of the turn that led to it (none for state 0);
    ``stop_ratio`` the last turn's move relative to the first.
    """

    ideals: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    risk: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    actor_probability: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    distinct: list[list[tuple[list[int], float]]] = field(default_factory=list)
    bargains: list[list[dict[str, Any]]] = field(default_factory=list)
    stop_ratio: float = float("nan")

    def round_table(self, issue_id: str) -> pd.DataFrame:
        """One row per state for one issue: the forecast, the top position probability and every actor's position."""
        import pandas as pd

        k = self.scenario.issue_ids.index(issue_id)
        columns = {
            "round": range(len(self.positions)),
            "forecast": self.round_forecasts[:, k],
            "p_top": [max(p for _, p in state) for state in self.distinct],
        }
        positions = pd.DataFrame(self.positions[:, :, k], columns=[actor.id for actor in self.scenario.actors])
        return pd.concat([pd.DataFrame(columns), positions], axis=1)  # at once: a column a time fragments the frame


def _round_extras(scenario: Scenario, states: list[StateRecord], present: np.ndarray) -> list[dict[str, Any]]:
    """The JSON-ready extras of every state (issue units): ideals, risk attitudes, the probability
    of each actor's position and of each distinct position, and the bargains of the turn."""
    actors, issues = scenario.actor_ids, scenario.issue_ids
    low = np.array([issue.lo for issue in scenario.issues])
    span = np.array([issue.hi - issue.lo for issue in scenario.issues])
    present_rows = present.tolist()

    def rounded(values: np.ndarray) -> list:
        return np.round(values, 6).tolist()

    def points(values: np.ndarray) -> list:
        """Rows of 0..1 points as lists of rounded issue values."""
        return rounded(low + np.asarray(values).reshape(-1, len(issues)) * span)

    def named(row: list[float], keep: list[bool] | None = None) -> dict[str, float]:
        return {k: v for k, v, on in zip(issues, row, keep or [True] * len(issues)) if on}

    extras = []
    for state in states:
        count = int((state.representative >= 0).sum())
        held = points(state.positions[state.representative[:count]])
        chances = rounded(state.distinct_probability[:count])
        distinct = [
            {"actors": [actors[i] for i in np.nonzero(state.slot == u)[0]], "position": named(held[u]), "probability": chances[u]}
            for u in range(count)
        ]
        bargains = state.bargains
        moves = points([[b["point_initiator"], b["point_receiver"]] for b in bargains]) if bargains else []
        numbers = rounded(np.array([[b["probability"], b["gain"], *b["queue_probability"]] for b in bargains]).reshape(-1, 4))
        extras.append(
            {
                "ideals": {a: named(row, keep) for a, row, keep in zip(actors, points(state.ideals), present_rows)},
                "risk": dict(zip(actors, rounded(state.risk))),
                "position_probability": dict(zip(actors, rounded(state.actor_probability))),
                "distinct_positions": distinct,
                "bargains": [
                    {
                        "initiator": actors[b["initiator"]],
                        "receiver": actors[b["receiver"]],
                        "kind": b["kind"],
                        "probability": probability,
                        "gain": gain,
                        "initiator_point": named(moves[2 * m]),
                        "receiver_point": named(moves[2 * m + 1]),
                        "queue_probability": {"initiator": in_initiator_queue, "receiver": in_receiver_queue},
                        "adopted_by": [actors[a] for a in b["adopted_by"]],
                    }
                    for m, (b, (probability, gain, in_initiator_queue, in_receiver_queue)) in enumerate(zip(bargains, numbers))
                ],
            }
        )
    return extras


class SpatialModelOfPolitics(Model):
    """KTAB's Spatial Model of Politics (docs/models/specification.md §4), all nine KTAB parameters as options."""

    name = "smp"
    title = "KTAB Spatial Model of Politics"
    short_title = "KTAB SMP"
    summary = "Multi-issue challenges, bargains and Condorcet elections until positions settle (KTAB SMP; Wise et al.)"
    Options = SMPOptions
    dynamic = True

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        inputs = prepare_inputs(batch, self.options)
        return simulate(inputs, self.options).forecast

    def options_for(self, scenario: Scenario) -> SMPOptions:
        """The options for ``scenario``, with an accommodation given by actor ids turned into the
        matrix, so that :meth:`forecast_batch` (which sees no actor ids) can use it too."""
        options = super().options_for(scenario)
        if isinstance(options.accommodation, dict) and options.accommodation:
            matrix = accommodation_matrix(options.accommodation, scenario.actor_ids, len(scenario.actors))
            options = options.model_copy(update={"accommodation": matrix.tolist()})
        return options

    def run(self, scenario: Scenario) -> SMPResult:
        options = self.options_for(scenario)
        batch = scenario.batch()
        inputs = prepare_inputs(batch, options, scenario.actor_ids)
        trajectory = simulate(inputs, options, record=True)
        states = trajectory.states[0]
        absent = ~batch.present[None, :, :]
        positions = np.where(absent, np.nan, scenario.to_units(np.stack([s.positions for s in states])))
        ideals = np.where(absent, np.nan, scenario.to_units(np.stack([s.ideals for s in states])))
        forecasts = scenario.to_units(np.stack([s.forecast for s in states]))
        turns, ratio = int(trajectory.turns[0]), float(trajectory.stop_ratio[0])
        why = "turn limit" if turns >= options.max_turns and not ratio < options.stop_ratio else f"settled (last move {ratio:.4f} of the first)"
        note = f"{options.forecast.replace('_', ' ')} of the final state after {turns} turns; {why}"
        return SMPResult(
            self.name,
            super().options_for(scenario).model_dump(mode="json"),
            scenario,
            forecasts[-1],
            notes={issue: note for issue in scenario.issue_ids},
            positions=positions,
            round_forecasts=forecasts,
            round_extras=_round_extras(scenario, states, batch.present),
            ideals=ideals,
            risk=np.stack([s.risk for s in states]),
            actor_probability=np.stack([s.actor_probability for s in states]),
            distinct=[
                [(list(np.nonzero(s.slot == u)[0]), float(s.distinct_probability[u])) for u in range(int((s.representative >= 0).sum()))]
                for s in states
            ],
            bargains=[s.bargains for s in states],
            stop_ratio=ratio,
        )


MODELS = [SpatialModelOfPolitics]
