"""Stokman & Van Oosten's exchange model (equal-gain variant), with the random-rate extension.

Sources: Stokman & Van Oosten (1994), "The exchange of voting positions", in Bueno de Mesquita &
Stokman (eds.), *European Community Decision Making*; Stokman et al. (2013), "Modelling collective
decision making", *Handbook of Rational Choice Social Research*; Dijkstra, Van Assen, Stokman &
Draaijer (2018, draft) for the random rate. docs/models/specification.md §3 is the specification followed here; the
rules it leaves open follow the reference implementation ``foarsitter/decide-exchange-model``, whose
sample run this module reproduces (tests/models/test_exchange.py).

Positions are on 0..100 inside the model; saliences on 0..1; capability per actor and issue.

* The expected outcome of issue k is the weighted mean ``O_k = Σ c s x / Σ c s`` (§3.2).
* Two actors can trade on issues (p, q) when they sit on opposite sides of the outcome on both.
  The one that cares relatively less about p (``s_p/s_q`` smaller) *supplies* p: it moves its
  voting position toward the other's position on p, and the other moves toward it on q (§3.4).
* The terms give both the same utility gain (linear, salience-weighted), scaled up until one of
  them reaches its partner's position, and scaled down again if the outcome on a supply issue
  would pass the demander's position (§3.5).
* A round ranks every possible exchange by its gain, realises the best one, recomputes the
  exchanges it affects and drops those no longer valid, until none is left. The round's forecast
  is the mean of the voting positions; each actor then keeps part of its concession as its next
  start position (§3.6).

Exchanges are computed for many candidates at once: the arrays have one row per candidate and two
columns, one per *side* (an actor and the issue it supplies). The greedy loop over realised
exchanges is inherent to the model; everything inside one step is array arithmetic, except in a
single draw with few candidates per stance, where a step recomputes so few that the same arithmetic
runs faster on Python floats (:class:`_ScalarRound`, bit for bit the same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np
from pydantic import Field, model_validator

from detente.models.base import DynamicResult, Model, Options, _num, report_step
from detente.models.compromise import weighted_mean
from detente.scenario import Batch, Scenario

if TYPE_CHECKING:
    import pandas as pd

SCALE = 100.0
MIN_GAIN = 1e-10  # an exchange must gain more than this (reference constant)
MIN_MOVE = 1e-10  # every move must be larger than this (reference constant)
SIDE_TOLERANCE = 1e-9  # an actor this close to the outcome counts as left of it
TIE_TOLERANCE = 1e-10  # gains this close are a tie, broken by the random generator
SNAP_TOLERANCE = 1e-9  # float noise on 0..100: a position this close to its target lands on it; bounds and gaps this small are 0
BLOCK = 64  # candidates per block of the queue's maxima
# A single draw with at most this many candidates per tradable stance takes its steps on Python floats
# (_ScalarRound): a step recomputes about 8 times this many candidates, and up to a few dozen Python's
# arithmetic costs less than the array path's hundred-odd numpy calls (measured: 2-3x less CPU at 4-6
# candidates a stance, even at about 10, 1.4x more at 17).
SCALAR_PER_STANCE = 8
SMALL = 1 << 13  # otherwise a single draw with at most this many candidates is scanned whole at each step instead of indexed
COPY_FROM = 256  # record fields of this many candidates or more are copied to contiguous arrays before arithmetic
CHUNK = 1 << 16  # candidates evaluated at once when a round starts (bounds memory)
INFINITY = float("inf")  # a Python float, for the scalar path
DRAW_CANDIDATES = 1 << 21  # at most about this many candidates of draws in lockstep at once (bounds memory)


# -- formulas ----------------------------------------------------------------------------------------


def outcome_shift(move: np.ndarray, weight: np.ndarray, total: np.ndarray) -> np.ndarray:
    """How far the outcome moves when one actor moves (docs/models/specification.md §3.2): ``|δ| c s / W``."""
    return np.abs(move) * weight / total


def equal_gain_ratio(loss_salience: np.ndarray, gain_salience: np.ndarray) -> np.ndarray:
    """The outcome shift on side 1's supply issue per unit shift on side 0's (docs/models/specification.md §3.5).

    Side 0 supplies issue a and demands b, side 1 the reverse. With outcome shifts ``d_a, d_b``
    the gains are ``G_0 = d_b s_0b − d_a s_0a`` and ``G_1 = d_a s_1a − d_b s_1b``; equal gain gives

        d_b / d_a = (s_0a + s_1a) / (s_0b + s_1b)

    ``loss_salience[:, k]`` is side k's salience on its own supply issue, ``gain_salience[:, k]``
    its salience on the issue it demands.
    """
    return (loss_salience[:, 0] + gain_salience[:, 1]) / (gain_salience[:, 0] + loss_salience[:, 1])


def side_gains(shift: np.ndarray, loss_salience: np.ndarray, gain_salience: np.ndarray) -> np.ndarray:
    """Each side's utility gain from outcome shifts ``shift[:, k]`` on side k's supply issue (§3.3):
    ``G_k = d_other s_k,demand − d_k s_k,supply`` (capability does not enter utility)."""
    return shift[:, ::-1] * gain_salience - shift * loss_salience


def equal_gain_shifts(full: np.ndarray, limit: np.ndarray, ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outcome shifts of the equal-gain exchange before and after the outcome-overshoot clamps (§3.5).

    ``full[:, k]`` is the shift when side k moves all the way to its partner's position;
    ``limit[:, k]`` the shift at which the outcome on side k's supply issue would reach the
    demander's position (inf where it cannot pass it). Steps A and B scale the exchange up until
    the first side reaches its partner (side 1 moves fully unless side 0 would then have to move
    further than its distance); step C shrinks it so neither outcome passes the demander, side 0
    checked first, as the reference does. Returns (before clamps, after clamps), each (K, 2).
    """
    full0, full1, limit0, limit1 = full[:, 0], full[:, 1], limit[:, 0], limit[:, 1]
    side0_binds = full1 / ratio > full0
    shift0 = np.where(side0_binds, full0, full1 / ratio)
    shift1 = np.where(side0_binds, full0 * ratio, full1)
    before = np.stack([shift0, shift1], axis=1)
    cut0 = shift0 > limit0
    shift0, shift1 = np.where(cut0, limit0, shift0), np.where(cut0, limit0 * ratio, shift1)
    cut1 = shift1 > limit1
    shift0, shift1 = np.where(cut1, limit1 / ratio, shift0), np.where(cut1, limit1, shift1)
    return before, np.stack([shift0, shift1], axis=1)


def random_rate_shifts(
    shift: np.ndarray,
    most: np.ndarray,
    loss_salience: np.ndarray,
    gain_salience: np.ndarray,
    p: float,
    u: np.ndarray,
    v: np.ndarray,
    z: np.ndarray,
) -> np.ndarray:
    """Shifts of the random-rate exchange (docs/models/specification.md §3.8; Dijkstra et al. 2018).

    ``u < 0.5`` makes side 0 the focal actor F, else side 1; O is its partner. F's largest gain
    with O no worse off, O's gain at 0 and the shifts within ``most`` (full move, clamp), is

        eu_max = g* (s_F,dem − s_F,sup s_O,sup / s_O,dem),  g* = min(most_O, most_F s_O,dem / s_O,sup)

    F's gain becomes ``G + p z (eu_max − G)`` when ``v < 0.5``, else ``G − p z G`` (G the equal
    gain). The exchange is then made as large as that gain allows: F moves fully and O gives
    ``g = (G' + f s_F,sup)/s_F,dem``; if that exceeds O's limit, O moves fully and F's shift is
    solved from G'. The two gains are then no longer equal. p = 0 is the equal-gain model.
    """
    rows = np.arange(len(shift))
    focal = (u >= 0.5).astype(int)
    other = 1 - focal
    equal = side_gains(shift, loss_salience, gain_salience)[rows, focal]
    f_max, g_max = most[rows, focal], most[rows, other]
    f_sup, f_dem = loss_salience[rows, focal], gain_salience[rows, focal]
    o_sup, o_dem = loss_salience[rows, other], gain_salience[rows, other]
    g_star = np.minimum(g_max, f_max * o_dem / o_sup)
    best = g_star * (f_dem - f_sup * o_sup / o_dem)
    target = np.where(v < 0.5, equal + p * z * (best - equal), equal - p * z * equal)
    f_shift = f_max.copy()
    g_shift = (target + f_shift * f_sup) / f_dem
    over = g_shift > g_max
    g_shift[over] = g_max[over]
    f_shift[over] = (g_shift[over] * f_dem[over] - target[over]) / f_sup[over]
    out = np.empty_like(shift)
    out[rows, focal] = f_shift
    out[rows, other] = g_shift
    return out


def moves_valid(move: np.ndarray, position: np.ndarray, history: "MoveHistory") -> np.ndarray:
    """The validity rules of one side's move (docs/models/specification.md §3.5), given the side's earlier moves.

    The move must exceed 1e-10 and be at most 100; the new position must stay within [0, 100];
    the candidate's moves on that side (its history of recomputations, this one last) must all
    point the same way, so an actor never reverses on an issue within a round; and their sum may
    not exceed 100 (the reference's cumulative-move rule, which it applies to the signed sum).
    """
    size = np.abs(move)
    landing = position + move
    low = np.minimum(history.low, move)
    high = np.maximum(history.high, move)
    one_way = ((low < 0) & (high < 0)) | ((low > 0) & (high > 0))
    return (
        (size > MIN_MOVE)
        & (size <= SCALE)
        & (landing >= -SNAP_TOLERANCE)
        & (landing <= SCALE + SNAP_TOLERANCE)
        & (history.total + move <= SCALE + SNAP_TOLERANCE)
        & one_way
    )


def new_start_position(start: np.ndarray, voting: np.ndarray, salience: np.ndarray, fixed_weight: float = 0.1, salience_weight: float = 0.4) -> np.ndarray:
    """The next round's start position after a concession (docs/models/specification.md §3.6):

        x_next = (1 − λ) x + λ y ,  λ = fixed_weight + salience_weight (1 − s)

    so an actor that cares little keeps more of its concession (λ up to 0.5), one that cares a lot
    falls back toward its preference (λ down to 0.1). s = 0.6, x = 25, y = 100 gives 44.5.
    """
    keep = fixed_weight + salience_weight * (1.0 - salience)
    return (1.0 - keep) * start + keep * voting


def externalities(before: np.ndarray, after: np.ndarray, position: np.ndarray, salience: np.ndarray, present: np.ndarray) -> np.ndarray:
    """What an exchange does to every actor (docs/models/specification.md §3.8): for each actor and the exchange's issues e,

        Σ_e s_e (|O_e,before − x_e| − |O_e,after − x_e|)

    positive when the outcomes move toward the actor. ``before``/``after`` are the outcomes of the
    issues (E,), ``position``/``salience``/``present`` the actors' columns of them (n, E); leading
    axes (one per exchange) broadcast.
    """
    closer = np.abs(before - position) - np.abs(after - position)
    return np.where(present, salience * closer, 0.0).sum(axis=-1)


def candidate_bound(actors: int, issues: int) -> int:
    """The most candidates a round can have: every issue pair splits the actors into four groups,
    and a + d, b + c pairings give at most n²/4 each way, so ``issues (issues − 1) / 2 · n² / 4``."""
    return issues * (issues - 1) // 2 * (actors * actors // 4 + 1)


# Peak memory of a recorded run per candidate of a round: its terms (184 B) and latest computation
# (96 B), lookups and queue slot, the temporaries of creating a round and the recorded exchanges
# (measured: 5.6 GB for 5.6 million candidates at 1,000 actors x 10 issues, 10 rounds).
BYTES_PER_CANDIDATE = 1000
SECONDS_PER_CANDIDATE_ROUND = 6e-6  # CPU per candidate and round, measured at 400-1,000 actors x 10 issues


def count_candidates(position: np.ndarray, weight: np.ndarray) -> int:
    """How many possible exchanges a round starting at ``position`` (actors, issues) has: for each
    issue pair, |a|·|d| + |b|·|c| from the four groups of docs/models/specification.md §3.4, without listing them."""
    tradable = weight > 0
    left = (position <= weighted_mean(position, weight) + SIDE_TOLERANCE) & tradable
    right = ~left & tradable
    l, r = left.astype(float), right.astype(float)
    pairs = np.triu(np.ones((position.shape[1],) * 2, dtype=bool), 1)
    count = (r.T @ r) * (l.T @ l) + (l.T @ r) * (r.T @ l)
    return int(count[pairs].sum())


def check_size(state: RoundState, options: "ExchangeOptions", draws: int = 1) -> None:
    """Refuse up front a run whose candidates would need more memory than ``options.max_memory_gb``,
    with what it would need in memory and time (later rounds have about as many candidates)."""
    candidates = count_candidates(state.position, state.weight)
    need = candidates * BYTES_PER_CANDIDATE / 1e9
    if need <= options.max_memory_gb:
        return
    from detente.errors import UsageError

    n, m = state.position.shape
    minutes = candidates * SECONDS_PER_CANDIDATE_ROUND * options.rounds * options.repetitions * draws / 60
    raise UsageError(
        f"the exchange model on {n:,} actors x {m:,} issues has {candidates:,} possible exchanges a round: it needs about "
        f"{need:.1f} GB of memory (the limit is max_memory_gb={options.max_memory_gb:g}) and about {minutes:,.0f} minutes of CPU "
        f"for {options.rounds} rounds; raise the limit with --set max_memory_gb=... if the machine has the memory, or use fewer actors or issues"
    )


# -- one round ---------------------------------------------------------------------------------------


@dataclass
class MoveHistory:
    """Each side's earlier moves, summarised: their sum and the most negative and positive."""

    total: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def extend(self, moves: np.ndarray, mask: np.ndarray) -> "MoveHistory":
        """The history with ``moves`` added where ``mask`` holds."""
        return MoveHistory(
            self.total + np.where(mask, moves, 0.0),
            np.where(mask, np.minimum(self.low, moves), self.low),
            np.where(mask, np.maximum(self.high, moves), self.high),
        )


@dataclass(frozen=True)
class RealisedExchange:
    """One exchange as realised: ``actors[k]`` moves on ``issues[k]`` from ``old[k]`` to ``new[k]``
    (0..100) and gains ``gains[k]``; ``gain`` is the equal gain it was ranked by; ``externalities``
    what it does to every actor of the scenario (0 for the two traders)."""

    actors: tuple[int, int]
    issues: tuple[int, int]
    old: tuple[float, float]
    new: tuple[float, float]
    gains: tuple[float, float]
    gain: float
    externalities: np.ndarray


@dataclass
class RoundState:
    """The arrays of one draw: positions on 0..100, saliences, capabilities, usable stances."""

    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    present: np.ndarray

    @property
    def weight(self) -> np.ndarray:
        return np.where(self.present, self.capability * self.salience, 0.0)

    @property
    def tradable(self) -> np.ndarray:
        """Stances that can enter an exchange: present with positive capability and salience."""
        return self.present & (self.weight > 0)


def candidate_pairs(left: np.ndarray, tradable: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every eligible (draw, i, j, p, q) in the reference's order (docs/models/specification.md §3.4), draws first.

    ``left``/``tradable`` are (draws, actors, issues). For each issue pair p < q, actors right of
    the outcome on both pair with actors left on both, then actors left on p and right on q pair
    with those right on p and left on q. Returns the arrays (draw, i, j, p, q), i being the first
    actor of its group pair.
    """
    m = left.shape[-1]
    p, q = np.triu_indices(m, 1)
    both = tradable[..., p] & tradable[..., q]
    lp, lq = left[..., p] & both, left[..., q] & both
    rp, rq = ~left[..., p] & both, ~left[..., q] & both
    first = np.stack([rp & rq, lp & rq], axis=-2).transpose(0, 3, 2, 1)  # (draws, pairs, groups a|b, n)
    second = np.stack([lp & lq, rp & lq], axis=-2).transpose(0, 3, 2, 1)  # groups d|c
    draw, pair, _, i, j = np.nonzero(first[..., :, None] & second[..., None, :])
    return draw, i, j, p[pair], q[pair]


TERMS = np.dtype(
    [
        ("draw", np.int64),
        ("supplier", np.int64, 2),
        ("issue", np.int64, 2),
        ("key", np.int64, 2),
        ("watch", np.int64, 2),
        ("target", float, 2),
        ("weight", float, 2),
        ("total", float, 2),
        ("outcome", float, 2),
        ("loss_salience", float, 2),
        ("gain_salience", float, 2),
        ("ratio", float),
        ("rank", float),
    ]
)
"""The fixed terms of one possible exchange of a round, one column per side (docs/models/specification.md §3.4-3.5).

In draw ``draw``, side k's actor ``supplier[k]`` supplies ``issue[k]``, moving toward its
partner's start position ``target[k]``; ``key`` is (draw * actors + supplier) * issues + issue (a
flat index into draw x actor x issue arrays) and ``watch`` is (key of the demander on that issue)
* actors + supplier (a flat index into the outcome offsets the demander sees); ``weight`` is the
supplier's c·s there, ``total`` the issue's Σ c·s and ``outcome`` its start outcome;
``loss_salience``/``gain_salience`` its saliences on the issue it supplies and on the one it
demands; ``ratio`` the equal-gain ratio; ``rank`` the queue order for ties. Records keep a
candidate's fields together, so that gathering the few candidates a step touches reads
contiguous memory.
"""

LATEST = np.dtype(
    [
        ("voting", float, 2),
        ("gains", float, 2),
        ("last_move", float, 2),
        ("moved_total", float, 2),
        ("moved_low", float, 2),
        ("moved_high", float, 2),
    ]
)
"""The latest computation of a possible exchange: voting positions, gains and moves per side,
and the history of the side's earlier moves this round (sum, lowest, highest)."""


def _words(records: np.ndarray) -> np.ndarray:
    """The records (contiguous, every field 8 bytes) as rows of 8-byte words: numpy gathers and
    scatters these rows several times faster than records with array fields."""
    return records.view(np.int64).reshape(len(records), records.dtype.itemsize // 8)


def _rows(records: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``records[index]``, gathered as words."""
    return _words(records)[index].view(records.dtype)[:, 0]


def _columns(records: np.ndarray, *names: str) -> list[np.ndarray]:
    """Record fields, as contiguous copies when there are many (arithmetic on the strided fields is
    several times slower then; on a few records the copies would cost more than they save)."""
    if len(records) < COPY_FROM:
        return [records[name] for name in names]
    return [np.ascontiguousarray(records[name]) for name in names]


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(lo[k], hi[k])`` over k, without a Python loop."""
    length = hi - lo
    total = int(length.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(lo - np.concatenate([[0], np.cumsum(length)[:-1]]), length)
    return np.arange(total) + starts


class _Queue:
    """Candidate scores (−inf once invalid) with the maximum of each block of ``BLOCK`` slots, so the
    best candidate of every draw is found without scanning every candidate at every step.

    Each draw's candidates (contiguous, in order) fill whole blocks of their own: ``slot`` maps a
    candidate to its place, ``first_block`` gives each draw's first block (every draw has one).
    """

    def __init__(self, score: np.ndarray, draw: np.ndarray, draws: int):
        count = np.bincount(draw, minlength=draws)
        blocks = np.maximum(-(-count // BLOCK), 1)
        self.first_block = np.concatenate([[0], np.cumsum(blocks)[:-1]])
        first = np.concatenate([[0], np.cumsum(count)[:-1]])
        self.slot = np.arange(len(draw)) - first[draw] + self.first_block[draw] * BLOCK
        self.candidate = np.full(int(blocks.sum()) * BLOCK, -1)
        self.candidate[self.slot] = np.arange(len(draw))
        self.block_draw = np.repeat(np.arange(draws), blocks)
        self.values = np.full(len(self.candidate), -np.inf)
        self.values[self.slot] = score
        self.grid = self.values.reshape(-1, BLOCK)
        self.block_best = self.grid.max(axis=1)

    def score(self, index: np.ndarray) -> np.ndarray:
        return self.values[self.slot[index]]

    def update(self, index: np.ndarray, score: np.ndarray) -> None:
        slots = self.slot[index]
        self.values[slots] = score
        touched = np.unique(slots // BLOCK)
        self.block_best[touched] = self.grid[touched].max(axis=1)

    def best(self) -> np.ndarray:
        """Each draw's best score (−inf for a draw with nothing left)."""
        return np.maximum.reduceat(self.block_best, self.first_block)

    def at_least(self, threshold: np.ndarray) -> np.ndarray:
        """The candidates scoring at least their draw's ``threshold`` (−inf thresholds select none)."""
        floor = threshold[self.block_draw]
        blocks = np.flatnonzero((self.block_best >= floor) & np.isfinite(floor))
        row, column = np.nonzero(self.grid[blocks] >= floor[blocks, None])
        return self.candidate[blocks[row] * BLOCK + column]


class _Index:
    """Candidates by a key of either side, for quick lookups."""

    def __init__(self, keys: np.ndarray):
        flat = keys.ravel()
        self.order = np.argsort(flat, kind="stable")
        self.sorted = flat[self.order]

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Candidates (with repeats) having a side with one of ``keys``."""
        lo = np.searchsorted(self.sorted, keys, side="left")
        hi = np.searchsorted(self.sorted, keys, side="right")
        return self.order[_ranges(lo, hi)] // 2


class _Scores:
    """The scores of one draw's candidates (−inf once invalid), read by scanning the whole array.

    The interface of :class:`_Queue` for a single draw with few candidates: there a pass over a
    few thousand scores costs less than the bookkeeping of block maxima.
    """

    def __init__(self, score: np.ndarray):
        self.values = score.copy()

    def score(self, index: np.ndarray) -> np.ndarray:
        return self.values[index]

    def update(self, index: np.ndarray, score: np.ndarray) -> None:
        self.values[index] = score

    def best(self) -> np.ndarray:
        return self.values.max(initial=-np.inf, keepdims=True)

    def at_least(self, threshold: np.ndarray) -> np.ndarray:
        if not np.isfinite(threshold[0]):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.values >= threshold[0])


class ExchangeRounds:
    """One round of the equal-gain exchange model for many draws in lockstep (docs/models/specification.md §3.6).

    ``state`` holds (draws, actors, issues) arrays and ``rngs`` one generator per draw. Each step
    realises the best candidate of every draw that has one left; a draw's steps, its random
    numbers and so its exchanges are those it has alone, since nothing crosses draws.

    Candidates are created once. Realising one recomputes those that share an actor's supply
    issue with it (their supply position moved) or an actor's demand issue (the outcome that
    demander watches moved), and drops those no longer valid. The clamp of a candidate sees the
    round's start outcome plus the moves realised by suppliers to its demander on that issue, the
    first voting position recorded for each (the reference's "updates").
    """

    def __init__(self, state: RoundState, p: float, rngs: Sequence[Any], record: bool = True):
        self.state, self.p, self.rngs, self.record = state, p, list(rngs), record
        self.weight = state.weight
        self.total = self.weight.sum(axis=1)
        self.start = np.ascontiguousarray(state.position)
        self.outcome = weighted_mean(self.start, self.weight)
        self.running = self.outcome.copy()
        self.current = self.start.copy()
        self.moved = np.zeros(self.start.shape, dtype=bool)
        self._flag = np.zeros(self.start.size, dtype=bool)  # scratch: keys just moved
        d, n, m = self.weight.shape
        self.draws, self.actors, self.issues = d, n, m
        self.offset_by = np.zeros((d, n, m, n))
        self.offset_total = np.zeros((d, n, m))
        self.recorded = np.zeros((d, n, m, n), dtype=bool)
        self.realised: list[list[RealisedExchange]] = [[] for _ in range(d)]
        self._log: list[tuple[np.ndarray, ...]] = []  # each step's realised exchanges, made into self.realised after the round
        if record:  # start positions, saliences and stances issue by issue, for the externalities
            by_actor = (self.start, state.salience, np.broadcast_to(state.present, self.start.shape))
            self.by_issue = [np.ascontiguousarray(values.transpose(0, 2, 1)) for values in by_actor]
        self.terms = self._create()
        self.scalar = d == 1 and 0 < len(self.terms) <= SCALAR_PER_STANCE * int(state.tradable.sum())
        self.latest = np.zeros(len(self.terms), dtype=LATEST)
        self.latest["moved_low"], self.latest["moved_high"] = np.inf, -np.inf
        self._since_compaction = 0
        count = len(self.terms)
        chunks = [np.arange(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
        self._build(np.concatenate([self._evaluate(chunk) for chunk in chunks] or [np.zeros(0)]))

    def _create(self) -> np.ndarray:
        state, s = self.state, self.state.salience
        left = np.where(state.tradable, self.start <= self.outcome[:, None, :] + SIDE_TOLERANCE, False)
        draw, i, j, p, q = candidate_pairs(left, np.broadcast_to(state.tradable, left.shape))
        i_supplies_p = s[draw, i, p] / s[draw, i, q] < s[draw, j, p] / s[draw, j, q]
        supplier = np.stack([np.where(i_supplies_p, j, i), np.where(i_supplies_p, i, j)], axis=1)
        issue = np.stack([q, p], axis=1)
        d = draw[:, None]
        row = d * self.actors + supplier  # flat (draw, actor) of each side's supplier
        key, demand_key, per_issue = row * self.issues + issue, row[:, ::-1] * self.issues + issue, d * self.issues + issue
        data = np.zeros(len(i), dtype=TERMS)
        data["draw"], data["supplier"], data["issue"] = draw, supplier, issue
        data["key"] = key
        data["watch"] = demand_key * self.actors + supplier
        data["target"] = self.start.reshape(-1)[demand_key]
        data["weight"], data["total"], data["outcome"] = self.weight.reshape(-1)[key], self.total.reshape(-1)[per_issue], self.outcome.reshape(-1)[per_issue]
        data["loss_salience"], data["gain_salience"] = s.reshape(-1)[key], s.reshape(-1)[row * self.issues + issue[:, ::-1]]
        data["ratio"] = equal_gain_ratio(data["loss_salience"], data["gain_salience"])
        data["rank"] = np.arange(len(i))
        return data

    def _build(self, score: np.ndarray) -> None:
        """(Re)build the queue and the lookups over the current candidates. Whether the round takes
        the scalar path is decided once, at its start: compacting keeps the candidates that still
        gain, so a step recomputes as many as before, and switching then costs more than it saves."""
        terms = self.terms
        self.next_rank = float(terms["rank"].max() + 1) if len(terms) else 0.0
        if self.scalar:
            self._scalar = _ScalarRound(self, score)
            return
        self.small = self.draws == 1 and len(terms) <= SMALL
        if self.small:
            self.queue: _Queue | _Scores = _Scores(score)
            self.supply_key, self.demand_key = np.ascontiguousarray(terms["key"]), terms["watch"] // self.actors
        else:
            self.queue = _Queue(score, terms["draw"], self.draws)
            self.by_supply = _Index(terms["key"])
            self.by_demand = _Index(terms["watch"] // self.actors)
        self._stamp = np.zeros(len(terms), dtype=np.int64)

    def _compact(self) -> None:
        """Drop the candidates no longer valid once they are most of the arrays."""
        self._since_compaction = 0
        count = len(self.terms)
        alive = np.isfinite(self.queue.score(np.arange(count)))
        if count < 2 * BLOCK or alive.sum() > count // 2:
            return
        keep = np.flatnonzero(alive)
        score = self.queue.score(keep)
        self.terms, self.latest = _rows(self.terms, keep), _rows(self.latest, keep)
        self._build(score)

    def _uniform(self, draw: np.ndarray) -> np.ndarray:
        """(3, K) uniforms for candidates of draws ``draw`` (sorted by draw), each draw's from its own generator."""
        out = np.empty((len(draw), 3))
        if not len(draw):
            return out.T
        bounds = np.flatnonzero(np.diff(draw)) + 1
        for lo, hi in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(draw)]])):
            out[lo:hi] = self.rngs[draw[lo]].random((hi - lo, 3))
        return out.T

    def _evaluate(self, index: np.ndarray, moved: np.ndarray | None = None) -> np.ndarray:
        """(Re)compute the exchanges ``index`` (sorted) and return their scores (−inf where invalid).

        ``moved`` are the keys realised exchanges just moved: on a side with such a key the last
        move joins the side's history (as in the reference, whose validity rules look at every move
        a candidate computed on that side this round).
        """
        terms, latest = _rows(self.terms, index), _rows(self.latest, index)
        key, watch, target, weight, total, outcome, loss, gain, ratio = _columns(
            terms, "key", "watch", "target", "weight", "total", "outcome", "loss_salience", "gain_salience", "ratio"
        )
        if moved is None:
            appended = np.zeros(key.shape, dtype=bool)
        else:
            self._flag[moved] = True
            appended = self._flag[key]
            self._flag[moved] = False
        history = MoveHistory(*_columns(latest, "moved_total", "moved_low", "moved_high")).extend(_columns(latest, "last_move")[0], appended)
        position = self.current.ravel()[key]
        distance = target - position
        direction = np.sign(distance)
        full = outcome_shift(distance, weight, total)
        offset = self.offset_total.ravel()[watch // self.actors] - self.offset_by.ravel()[watch]
        seen = outcome + (offset + weight * (position - self.start.ravel()[key])) / total
        room = direction * (target - seen)
        limit = np.where(room > SNAP_TOLERANCE, room, np.inf)

        def landing(shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            voting = position + direction * shift * total / weight
            voting = np.where(np.abs(voting - target) <= SNAP_TOLERANCE, target, voting)
            return voting - position, voting

        before, after = equal_gain_shifts(full, limit, ratio)
        move, voting = landing(after)
        equal = side_gains(after, loss, gain)[:, 0]
        # Before the clamps the moves only differ from after them in size, so of the move rules only
        # the cumulative one can fail on them alone (the reference checks both).
        unclamped_total = history.total + direction * before * total / weight
        valid = (side_gains(before, loss, gain)[:, 0] > MIN_GAIN) & _all_sides(unclamped_total <= SCALE + SNAP_TOLERANCE)
        valid &= _all_sides(moves_valid(move, position, history))
        gains = np.repeat(equal[:, None], 2, axis=1)
        if self.p > 0:
            u, v, z = self._uniform(terms["draw"])
            shifted = random_rate_shifts(after, np.minimum(full, limit), loss, gain, self.p, u, v, z)
            move, voting = landing(shifted)
            gains = side_gains(shifted, loss, gain)
            valid &= _all_sides(moves_valid(move, position, history))
        fields = [voting, gains, move, history.total, history.low, history.high]  # LATEST's, in its order
        _words(self.latest)[index] = np.concatenate(fields, axis=1, dtype=float).view(np.int64)
        return np.where(valid, equal, -np.inf)

    def _choose(self, best: np.ndarray, active: int) -> np.ndarray:
        """The candidate with the largest gain in every draw that has one (docs/models/specification.md §3.6),
        given each draw's best score and how many draws have one.

        On a tie the two tied candidates first in queue order (the order of creation, a candidate
        sent back going last) are compared, and a coin (``rng.random() >= 0.5``) picks the second
        and sends the first to the back, as the reference does.
        """
        tied = self.queue.at_least(best - TIE_TOLERANCE)
        if len(tied) == active:  # no ties: one candidate per draw, in draw order
            return tied
        terms = self.terms
        rank = terms["rank"]
        tied = tied[np.lexsort((rank[tied], terms["draw"][tied]))]
        draw = terms["draw"][tied]
        head = np.flatnonzero(np.concatenate([[True], draw[1:] != draw[:-1]])) if len(tied) else np.zeros(0, dtype=np.int64)
        chosen = tied[head]
        for k in np.flatnonzero(np.diff(np.concatenate([head, [len(tied)]])) > 1):
            first, second = tied[head[k]], tied[head[k] + 1]
            if self.rngs[draw[head[k]]].random() >= 0.5:
                rank[first] = self.next_rank
                self.next_rank += 1
                chosen[k] = second
        return chosen

    def _realise(self, chosen: np.ndarray) -> None:
        """Realise one exchange in each of the draws of ``chosen`` (one candidate per draw)."""
        terms, latest = _rows(self.terms, chosen), _rows(self.latest, chosen)
        draw, supplier, issue, voting = terms["draw"], terms["supplier"], terms["issue"], latest["voting"]
        key, watch, weight = terms["key"], terms["watch"], terms["weight"]
        # Flat indices into the (draws, actors, issues) arrays; the two sides of an exchange differ
        # in issue and so in every index, which lets ``+=`` stand for ``np.add.at``.
        d = draw[:, None]
        outcome_key = d * self.issues + issue
        watched = watch // self.actors
        old = self.current.reshape(-1)[key]
        before = self.running.reshape(-1)[outcome_key]
        after = before + weight * (voting - old) / terms["total"]
        self.running.reshape(-1)[outcome_key] = after
        self.current.reshape(-1)[key] = voting
        self.moved.reshape(-1)[key] = True
        fresh = ~self.recorded.reshape(-1)[watch]
        shift = np.where(fresh, weight * (voting - self.start.reshape(-1)[key]), 0.0)
        self.recorded.reshape(-1)[watch] = True
        self.offset_by.reshape(-1)[watch] += shift
        self.offset_total.reshape(-1)[watched] += shift
        if self.record:
            self._log.append((draw, supplier, issue, old, voting, latest["gains"], self.queue.score(chosen), before, after))
        self.queue.update(chosen, np.full(len(chosen), -np.inf))
        moved = key.ravel()
        affected = self._affected(moved, watched.ravel())
        self.queue.update(affected, self._evaluate(affected, moved))

    def _affected(self, moved: np.ndarray, watched: np.ndarray) -> np.ndarray:
        """The valid candidates (sorted, once each) that supply at one of the keys ``moved`` or whose
        demand is at one of ``watched``."""
        if self.small:
            flag = self._flag
            flag[moved] = True
            supply = flag[self.supply_key]
            flag[moved] = False
            flag[watched] = True
            demand = flag[self.demand_key]
            flag[watched] = False
            hit = supply[:, 0] | supply[:, 1] | demand[:, 0] | demand[:, 1]
            return np.flatnonzero(hit & (self.queue.values > -np.inf))
        index = np.concatenate([self.by_supply.find(moved), self.by_demand.find(watched)])
        index = index[np.isfinite(self.queue.score(index))]
        self._stamp[index] = np.arange(len(index))
        return np.sort(index[self._stamp[index] == np.arange(len(index))])

    def run(self) -> "ExchangeRounds":
        """Realise exchanges, best first in every draw, until no draw has a valid one left."""
        while self.step():
            pass
        if self.record:
            self._record()
        return self

    def step(self) -> bool:
        """Realise the best exchange of every draw that has one left; False when none has."""
        if self.scalar:
            return self._scalar.step()
        if not len(self.terms):
            return False
        best = self.queue.best()
        active = int(np.isfinite(best).sum())
        if not active:
            return False
        self._realise(self._choose(best, active))
        self._since_compaction += active
        if self._since_compaction * 16 >= len(self.terms):
            self._compact()
        return True

    def _record(self) -> None:
        """The round's realised exchanges in ``self.realised``, each with what it did to every actor,
        computed for many steps at once."""
        if self.scalar:
            self._log = self._scalar.take_log()
        if not self._log:
            return
        draw, supplier, issue, old, voting, gains, score, before, after = (np.concatenate(part) for part in zip(*self._log))
        self._log = []
        rows = max(1, CHUNK // self.actors)
        for lo in range(0, len(draw), rows):
            part = slice(lo, lo + rows)
            d = draw[part, None]
            position, salience, present = (by_issue[d, issue[part]].transpose(0, 2, 1) for by_issue in self.by_issue)  # (steps, n, 2)
            effect = externalities(before[part, None, :], after[part, None, :], position, salience, present)
            effect[np.arange(len(d))[:, None], supplier[part]] = 0.0
            fields = zip(draw[part].tolist(), supplier[part].tolist(), issue[part].tolist(), old[part].tolist(), voting[part].tolist(), gains[part].tolist(), score[part].tolist(), effect)
            for k, actors, issues, was, new, gain, equal, effects in fields:
                self.realised[k].append(RealisedExchange(tuple(actors), tuple(issues), tuple(was), tuple(new), tuple(gain), equal, effects))


class _ScalarRound:
    """The steps of :class:`ExchangeRounds` for a single draw with few candidates, on Python floats.

    There a step recomputes about ten candidates, and the hundred-odd numpy calls of the array
    path cost far more than the arithmetic; here each affected candidate is one pass of float
    arithmetic, in the same operations and order as :meth:`ExchangeRounds._evaluate` and the
    formulas it calls (``equal_gain_shifts``, ``moves_valid``, ``random_rate_shifts``), so the
    numbers are the same to the last bit. Only the maximum and the ties are found with numpy, over
    the array of scores. Candidates are never compacted: their indices stay those of the round's
    creation, in the same order, so ties and random numbers fall as in the array path.
    """

    def __init__(self, rounds: ExchangeRounds, score: np.ndarray):
        self.rounds, self.p, self.rng = rounds, rounds.p, rounds.rngs[0]
        terms, latest, n = rounds.terms, rounds.latest, rounds.actors
        key, watch = terms["key"], terms["watch"]
        demand = watch // n
        start = rounds.start.reshape(-1)
        self.keys = np.concatenate([key, watch, demand], axis=1).tolist()
        columns = [terms[name] for name in ("target", "weight", "total", "outcome", "loss_salience", "gain_salience")]
        self.terms = np.concatenate([*columns, terms["ratio"][:, None], start[key]], axis=1).tolist()
        self.sides = np.concatenate([terms["supplier"], terms["issue"]], axis=1).tolist()
        self.latest = np.concatenate([latest[name] for name in LATEST.names], axis=1).tolist()
        self.rank = terms["rank"].tolist()
        self.values = score.copy()  # for numpy's max and the ties
        self.score = score.tolist()  # the same scores, for reading one at a time
        self.by_supply, self.by_demand = _groups(key, rounds.start.size), _groups(demand, rounds.start.size)
        self.start, self.current = start.tolist(), rounds.current.reshape(-1).tolist()
        self.running = rounds.running.reshape(-1).tolist()
        self.offset_by, self.offset_total = rounds.offset_by.reshape(-1).tolist(), rounds.offset_total.reshape(-1).tolist()
        self.recorded = rounds.recorded.reshape(-1).tolist()
        self.current_out, self.moved_out = rounds.current.reshape(-1), rounds.moved.reshape(-1)
        self.log: list[tuple[float, ...]] = []

    def step(self) -> bool:
        """Realise the best exchange left (a tie broken as :meth:`ExchangeRounds._choose` does)."""
        values = self.values
        best = values.max()
        if best == -INFINITY:
            return False
        tied = np.flatnonzero(values >= best - TIE_TOLERANCE)
        chosen = int(tied[0])
        if len(tied) > 1:
            first, second = sorted(tied.tolist(), key=self.rank.__getitem__)[:2]
            chosen = first
            if self.rng.random() >= 0.5:
                self.rank[first] = self.rounds.next_rank
                self.rounds.next_rank += 1
                chosen = second
        self._realise(chosen)
        return True

    def _realise(self, c: int) -> None:
        key0, key1, watch0, watch1, demand0, demand1 = self.keys[c]
        _, _, weight0, weight1, total0, total1, *_ = self.terms[c]
        supplier0, supplier1, issue0, issue1 = self.sides[c]
        voting0, voting1, gain0, gain1, *_ = self.latest[c]
        current, running, start, recorded = self.current, self.running, self.start, self.recorded
        old0, old1 = current[key0], current[key1]
        before0, before1 = running[issue0], running[issue1]
        after0, after1 = before0 + weight0 * (voting0 - old0) / total0, before1 + weight1 * (voting1 - old1) / total1
        running[issue0], running[issue1] = after0, after1
        current[key0], current[key1] = voting0, voting1
        self.current_out[key0], self.current_out[key1] = voting0, voting1
        self.moved_out[key0] = self.moved_out[key1] = True
        shift0 = 0.0 if recorded[watch0] else weight0 * (voting0 - start[key0])
        shift1 = 0.0 if recorded[watch1] else weight1 * (voting1 - start[key1])
        recorded[watch0] = recorded[watch1] = True
        self.offset_by[watch0] += shift0
        self.offset_by[watch1] += shift1
        self.offset_total[demand0] += shift0
        self.offset_total[demand1] += shift1
        if self.rounds.record:
            self.log.append((supplier0, supplier1, issue0, issue1, old0, old1, voting0, voting1, gain0, gain1, self.score[c], before0, before1, after0, after1))
        self.score[c] = self.values[c] = -INFINITY
        score = self.score
        touched = self.by_supply[key0] + self.by_supply[key1] + self.by_demand[demand0] + self.by_demand[demand1]
        affected = sorted({k for k in touched if score[k] != -INFINITY})
        for k, value in zip(affected, self._evaluate(affected, key0, key1)):
            score[k] = self.values[k] = value

    def _evaluate(self, index: list[int], moved0: int, moved1: int) -> list[float]:
        """Recompute the candidates ``index`` (sorted) after the supply keys ``moved0``/``moved1`` moved;
        their scores (−inf where invalid). An invalid candidate is never read again, so its
        computation stops at the first rule it fails and its latest record is left as it was."""
        current, offset_by, offset_total, keys, terms, latest, p = self.current, self.offset_by, self.offset_total, self.keys, self.terms, self.latest, self.p
        uniforms = np.broadcast_to(self.rng.random((len(index), 3)), (len(index), 3)).tolist() if p > 0 and index else []  # as _uniform takes them
        most = SCALE + SNAP_TOLERANCE
        scores = []
        for at, c in enumerate(index):
            key0, key1, watch0, watch1, demand0, demand1 = keys[c]
            target0, target1, weight0, weight1, total0, total1, outcome0, outcome1, loss0, loss1, gain0, gain1, ratio, start0, start1 = terms[c]
            _, _, _, _, last0, last1, sum0, sum1, low0, low1, high0, high1 = latest[c]
            if key0 == moved0 or key0 == moved1:
                sum0, low0, high0 = sum0 + last0, min(low0, last0), max(high0, last0)
            if key1 == moved0 or key1 == moved1:
                sum1, low1, high1 = sum1 + last1, min(low1, last1), max(high1, last1)
            position0, position1 = current[key0], current[key1]
            distance0, distance1 = target0 - position0, target1 - position1
            direction0 = 1.0 if distance0 > 0 else -1.0 if distance0 < 0 else 0.0
            direction1 = 1.0 if distance1 > 0 else -1.0 if distance1 < 0 else 0.0
            full0, full1 = abs(distance0) * weight0 / total0, abs(distance1) * weight1 / total1
            if full1 / ratio > full0:
                shift0, shift1 = full0, full0 * ratio
            else:
                shift0, shift1 = full1 / ratio, full1
            if not (
                shift1 * gain0 - shift0 * loss0 > MIN_GAIN
                and sum0 + direction0 * shift0 * total0 / weight0 <= most
                and sum1 + direction1 * shift1 * total1 / weight1 <= most
            ):
                scores.append(-INFINITY)
                continue
            seen0 = outcome0 + (offset_total[demand0] - offset_by[watch0] + weight0 * (position0 - start0)) / total0
            seen1 = outcome1 + (offset_total[demand1] - offset_by[watch1] + weight1 * (position1 - start1)) / total1
            room0, room1 = direction0 * (target0 - seen0), direction1 * (target1 - seen1)
            limit0 = room0 if room0 > SNAP_TOLERANCE else INFINITY
            limit1 = room1 if room1 > SNAP_TOLERANCE else INFINITY
            if shift0 > limit0:
                shift0, shift1 = limit0, limit0 * ratio
            if shift1 > limit1:
                shift0, shift1 = limit1 / ratio, limit1
            equal = shift1 * gain0 - shift0 * loss0
            gains0 = gains1 = equal
            side0 = (position0, direction0, total0, weight0, target0, sum0, low0, high0)
            side1 = (position1, direction1, total1, weight1, target1, sum1, low1, high1)
            landed = _landed_pair(side0, side1, shift0, shift1)
            if landed is not None and p > 0:  # the random-rate terms must be valid moves as well
                u, v, z = uniforms[at]
                shift0, shift1 = _random_rate_shift(shift0, shift1, min(full0, limit0), min(full1, limit1), loss0, loss1, gain0, gain1, p, u, v, z)
                gains0, gains1 = shift1 * gain0 - shift0 * loss0, shift0 * gain1 - shift1 * loss1
                landed = _landed_pair(side0, side1, shift0, shift1)
            if landed is None:
                scores.append(-INFINITY)
                continue
            voting0, voting1, move0, move1 = landed
            latest[c] = (voting0, voting1, gains0, gains1, move0, move1, sum0, sum1, low0, low1, high0, high1)
            scores.append(equal)
        return scores

    def take_log(self) -> list[tuple[np.ndarray, ...]]:
        """The steps realised since the last call, as the array path logs them (one part)."""
        if not self.log:
            return []
        rows = np.array(self.log)
        self.log = []
        sides = rows[:, :4].astype(np.int64)
        pairs = [rows[:, k : k + 2] for k in (4, 6, 8)]
        return [(np.zeros(len(rows), dtype=np.int64), sides[:, :2], sides[:, 2:], *pairs, rows[:, 10], rows[:, 11:13], rows[:, 13:15])]


def _groups(keys: np.ndarray, size: int) -> list[list[int]]:
    """For each key below ``size``, the candidates (rows of ``keys``, sorted) with a side at it."""
    order = np.argsort(keys.ravel(), kind="stable")
    bounds = np.searchsorted(keys.ravel()[order], np.arange(size + 1)).tolist()
    candidate = (order // 2).tolist()
    return [candidate[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]


def _landing(position: float, move: float, target: float) -> float:
    """``landing`` of :meth:`ExchangeRounds._evaluate` on floats: the voting position, on the target when within float noise of it."""
    voting = position + move
    return target if abs(voting - target) <= SNAP_TOLERANCE else voting


def _landed_pair(side0: tuple[float, ...], side1: tuple[float, ...], shift0: float, shift1: float) -> tuple[float, float, float, float] | None:
    """Both sides of an exchange moved by their shifts: ``(voting0, voting1, move0, move1)``, or None
    when either move breaks :func:`_move_valid`. A side is ``(position, direction, total, weight,
    target, moved so far, smallest move, largest move)``; the move is ``direction · shift · total /
    weight`` in that order, as the array path rounds it."""
    position0, direction0, total0, weight0, target0, sum0, low0, high0 = side0
    position1, direction1, total1, weight1, target1, sum1, low1, high1 = side1
    voting0 = _landing(position0, direction0 * shift0 * total0 / weight0, target0)
    voting1 = _landing(position1, direction1 * shift1 * total1 / weight1, target1)
    move0, move1 = voting0 - position0, voting1 - position1
    if _move_valid(move0, position0, sum0, low0, high0) and _move_valid(move1, position1, sum1, low1, high1):
        return voting0, voting1, move0, move1
    return None


def _move_valid(move: float, position: float, total: float, low: float, high: float) -> bool:
    """:func:`moves_valid` on floats, for one side with its history (``total``, ``low``, ``high``)."""
    size, landing = abs(move), position + move
    low, high = min(low, move), max(high, move)
    return (
        MIN_MOVE < size <= SCALE
        and -SNAP_TOLERANCE <= landing <= SCALE + SNAP_TOLERANCE
        and total + move <= SCALE + SNAP_TOLERANCE
        and ((low < 0 and high < 0) or (low > 0 and high > 0))
    )


def _random_rate_shift(
    shift0: float, shift1: float, most0: float, most1: float, loss0: float, loss1: float, gain0: float, gain1: float, p: float, u: float, v: float, z: float
) -> tuple[float, float]:
    """:func:`random_rate_shifts` for one candidate, on floats."""
    shift, most, loss, gain = (shift0, shift1), (most0, most1), (loss0, loss1), (gain0, gain1)
    focal = 1 if u >= 0.5 else 0
    other = 1 - focal
    equal = shift[other] * gain[focal] - shift[focal] * loss[focal]
    f_max, g_max = most[focal], most[other]
    f_sup, f_dem, o_sup, o_dem = loss[focal], gain[focal], loss[other], gain[other]
    g_star = min(g_max, f_max * o_dem / o_sup)
    best = g_star * (f_dem - f_sup * o_sup / o_dem)
    target = equal + p * z * (best - equal) if v < 0.5 else equal - p * z * equal
    f_shift = f_max
    g_shift = (target + f_shift * f_sup) / f_dem
    if g_shift > g_max:
        g_shift = g_max
        f_shift = (g_shift * f_dem - target) / f_sup
    return (f_shift, g_shift) if focal == 0 else (g_shift, f_shift)


class ExchangeRound:
    """One round for one draw: :class:`ExchangeRounds` with a draws axis of one.

    ``state`` holds (actors, issues) arrays; ``run()`` returns the realised exchanges in order
    and ``current`` holds the voting positions afterwards.
    """

    def __init__(self, state: RoundState, p: float, rng: Any):
        one = RoundState(state.position[None], state.salience[None], state.capability[None], state.present)
        self.rounds = ExchangeRounds(one, p, [rng])

    @property
    def current(self) -> np.ndarray:
        return self.rounds.current[0]

    def run(self) -> list[RealisedExchange]:
        return self.rounds.run().realised[0]


def _all_sides(ok: np.ndarray) -> np.ndarray:
    return ok[:, 0] & ok[:, 1]


# -- whole runs --------------------------------------------------------------------------------------


@dataclass
class Trajectory:
    """One run of the model on one draw, on 0..100: ``start[t]`` the start positions after round
    t (``start[0]`` the input), ``voting[t]`` the voting positions of round t (``voting[0]`` the
    input), ``forecast[t]`` the round's forecast and ``exchanges[t]`` its realised exchanges."""

    start: np.ndarray
    voting: np.ndarray
    forecast: np.ndarray
    exchanges: list[list[RealisedExchange]]


def simulate_draws(state: RoundState, options: "ExchangeOptions", rngs: Sequence[Any], record: bool = False) -> tuple[Any, ...]:
    """Run the model's rounds on many draws in lockstep (docs/models/specification.md §3.6).

    ``state`` holds (draws, actors, issues) arrays and ``rngs`` one generator per draw. A draw stops
    early when ``options.tolerance`` is set and no issue's forecast moves more than it; the others
    go on. Returns ``(start, voting, forecast, exchanges)``: start and voting positions (rounds + 1,
    draws, actors, issues), forecasts (rounds + 1, draws, issues), NaN after a draw stopped, and
    with ``record`` each round's realised exchanges per draw (else empty lists), and the number of
    rounds each draw ran.
    """
    weight = state.weight
    draws = len(state.position)
    start = state.position.copy()
    starts, votings = [start], [start]
    forecasts = [weighted_mean(start, weight)]
    exchanges: list[list[list[RealisedExchange]]] = [[[] for _ in range(draws)]]
    active = np.arange(draws)
    present = np.broadcast_to(state.present, start.shape)
    ran = np.zeros(draws, dtype=int)
    for _ in range(options.rounds):
        current = RoundState(start[active], state.salience[active], state.capability[active], present[active])
        rounds = ExchangeRounds(current, options.p, [rngs[d] for d in active], record).run()
        kept = new_start_position(current.position, rounds.current, current.salience, options.fixed_weight, options.salience_weight)
        start, voting = np.full_like(start, np.nan), np.full_like(start, np.nan)
        start[active] = np.where(rounds.moved, kept, current.position)
        voting[active] = rounds.current
        forecast = np.full_like(forecasts[0], np.nan)
        forecast[active] = weighted_mean(voting[active] if options.forecast == "voting" else start[active], weight[active])
        realised: list[list[RealisedExchange]] = [[] for _ in range(draws)]
        for k, d in enumerate(active):
            realised[d] = rounds.realised[k]
        starts.append(start)
        votings.append(voting)
        exchanges.append(realised)
        ran[active] += 1
        report_step(len(starts) - 1, options.rounds)
        if options.tolerance is not None:
            moved = np.nanmax(np.abs(forecast[active] - forecasts[-1][active]), axis=1, initial=0.0)
            active = active[moved >= options.tolerance]
        forecasts.append(forecast)
        if not len(active):
            break
    return np.array(starts), np.array(votings), np.array(forecasts), exchanges, ran


def simulate(state: RoundState, options: "ExchangeOptions", rng: Any) -> Trajectory:
    """Run the model's rounds on one draw ((actors, issues) arrays), recording every exchange."""
    one = RoundState(state.position[None], state.salience[None], state.capability[None], state.present)
    start, voting, forecast, exchanges, _ = simulate_draws(one, options, [rng], record=True)
    return Trajectory(start[:, 0], voting[:, 0], forecast[:, 0], [round_[0] for round_ in exchanges])


def final_forecast(trajectory: Trajectory, average_last: int) -> np.ndarray:
    """The mean forecast of the last ``average_last`` rounds (round 0 excluded when others exist)."""
    return final_forecasts(trajectory.forecast[:, None], np.array([len(trajectory.forecast) - 1]), average_last)[0]


def final_forecasts(forecast: np.ndarray, ran: np.ndarray, average_last: int) -> np.ndarray:
    """Per draw, the mean forecast of its last ``average_last`` rounds (round 0 excluded when others
    exist); ``forecast`` is (rounds + 1, draws, issues) and ``ran`` the rounds each draw ran."""
    out = np.empty(forecast.shape[1:])
    for rounds in set(ran.tolist()):  # not np.unique, which imports numpy.ma (about 12 ms of CPU)
        which = ran == rounds
        kept = forecast[1 : rounds + 1, which] if rounds else forecast[:1, which]
        out[which] = np.mean(kept[-average_last:], axis=0)
    return out


class ExchangeOptions(Options):
    rounds: int = Field(10, ge=1, le=10_000, description="rounds to run (the most rounds when a tolerance is set)")
    tolerance: float | None = Field(
        None, gt=0, description="stop once no issue's forecast moves more than this between rounds (points of 0..100); none = run every round"
    )
    p: float = Field(0.0, ge=0, le=1, description="random rate: 0 = equal gain; p > 0 draws each exchange's terms around it")
    repetitions: int = Field(1, ge=1, le=100_000, description="independent runs (random rates, random tie-breaks); the forecast is their mean")
    seed: int = Field(0, ge=0, description="seed of the random generator (tie-breaks and random rates)")
    fixed_weight: float = Field(0.1, ge=0, le=1, description="share of a concession every actor keeps for the next round")
    salience_weight: float = Field(0.4, ge=0, le=1, description="extra share kept, times (1 - salience)")
    forecast: Literal["voting", "start"] = Field("voting", description="voting: mean of the voting positions; start: of the next start positions")
    average_last: int = Field(1, ge=1, description="average the forecast over this many last rounds")
    max_memory_gb: float = Field(8.0, gt=0, description="refuse up front a run whose possible exchanges need more memory than this (GB)")

    @model_validator(mode="after")
    def _weights_are_shares(self) -> "ExchangeOptions":
        if self.fixed_weight + self.salience_weight > 1:
            raise ValueError("fixed_weight + salience_weight must be at most 1")
        return self


def _streams(options: ExchangeOptions, rng: np.random.Generator | None) -> list[np.random.SeedSequence]:
    """One seed sequence per repetition, from ``rng`` if given, else from ``options.seed``."""
    root = np.random.SeedSequence(options.seed if rng is None else int(rng.integers(2**63)))
    return root.spawn(options.repetitions)


def _state(batch: Batch, draw: int) -> RoundState:
    return RoundState(batch.position[draw] * SCALE, batch.salience[draw], batch.capability[draw], batch.present)


class ExchangeModel(Model):
    """Stokman & Van Oosten's equal-gain exchange of voting positions, with Dijkstra et al.'s random rate."""

    name = "exchange"
    title = "Exchange model (Stokman & Van Oosten)"
    short_title = "Exchange model"
    summary = "Pairs of actors trade support across issue pairs at equal gain, best trade first (Stokman & Van Oosten 1994)"
    Options = ExchangeOptions
    dynamic = True

    def forecast_batch(self, batch: Batch, rng: np.random.Generator | None = None) -> np.ndarray:
        """Each draw's forecast; every draw starts from the same random streams (one per repetition,
        from ``rng`` or else ``options.seed``), so a draw's forecast does not depend on the draws
        around it and identical inputs give identical forecasts."""
        options = self.options
        streams = _streams(options, rng)
        if batch.size:
            check_size(_state(batch, 0), options, batch.size)
        out = np.zeros((batch.size, batch.n_issues))
        per_draw = max(candidate_bound(batch.n_actors, batch.n_issues), 1)
        step = max(1, min(batch.size, DRAW_CANDIDATES // per_draw))
        for lo in range(0, batch.size, step):
            draws = np.arange(lo, min(lo + step, batch.size))
            state = RoundState(batch.position[draws] * SCALE, batch.salience[draws], batch.capability[draws], batch.present)
            for stream in streams:
                *_, forecast, _, ran = simulate_draws(state, options, [np.random.default_rng(stream) for _ in draws])
                out[draws] += final_forecasts(forecast, ran, options.average_last)
        return out / len(streams) / SCALE

    def run(self, scenario: Scenario, rng: np.random.Generator | None = None) -> "ExchangeResult":
        """Run on the scenario. ``rng`` replaces the generator seeded by ``options.seed``; with one
        repetition it is used as it is (the tests give it the reference's stream of coin flips)."""
        options = self.options_for(scenario)
        state = _state(scenario.batch(), 0)
        check_size(state, options)
        generators = [rng] if rng is not None and options.repetitions == 1 else [np.random.default_rng(s) for s in _streams(options, rng)]
        runs = [simulate(state, options, generator) for generator in generators]
        outcomes = scenario.to_units(np.array([final_forecast(run, options.average_last) for run in runs]) / SCALE)
        forecasts = np.full((len(runs), max(len(run.forecast) for run in runs), len(scenario.issues)), np.nan)
        for r, run in enumerate(runs):
            forecasts[r, : len(run.forecast)] = scenario.to_units(run.forecast / SCALE)
        first = runs[0]
        result = ExchangeResult(
            self.name,
            options.model_dump(mode="json"),
            scenario,
            outcomes.mean(axis=0),
            positions=_units(scenario, first.start, state.present),
            round_forecasts=scenario.to_units(first.forecast / SCALE),
            voting_positions=_units(scenario, first.voting, state.present),
            realised=first.exchanges,
            repetition_outcomes=outcomes,
            repetition_forecasts=forecasts,
        )
        result.round_extras = [result._round_extra(t) for t in range(len(first.exchanges))]
        return result


def _units(scenario: Scenario, values: np.ndarray, present: np.ndarray) -> np.ndarray:
    return np.where(present, scenario.to_units(values / SCALE), np.nan)


@dataclass
class ExchangeResult(DynamicResult):
    """The exchange model's run: every round's positions, voting positions and realised exchanges.

    ``positions[t]`` are the start positions after round t and ``voting_positions[t]`` the voting
    positions of round t (both in issue units; round 0 the input). ``realised[t]`` lists round t's
    exchanges in execution order (positions on 0..100 there; :meth:`exchanges` gives issue units).
    With repetitions, ``repetition_outcomes`` holds each run's forecast and ``values`` their mean,
    ``repetition_forecasts`` (runs, rounds + 1, issues) every run's round forecasts (NaN after a
    run that stopped early); the rounds shown are the first run's.
    """

    voting_positions: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    realised: list[list[RealisedExchange]] = field(default_factory=list)
    repetition_outcomes: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    repetition_forecasts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))

    @property
    def outcome_mean(self) -> dict[str, float]:
        return dict(zip(self.scenario.issue_ids, map(float, self.repetition_outcomes.mean(axis=0))))

    @property
    def outcome_sd(self) -> dict[str, float]:
        sd = self.repetition_outcomes.std(axis=0, ddof=1) if len(self.repetition_outcomes) > 1 else np.zeros(len(self.scenario.issues))
        return dict(zip(self.scenario.issue_ids, map(float, sd)))

    @cached_property
    def _names(self) -> tuple[list[str], list[str], list[tuple[float, float]]]:
        """Actor ids, issue ids and each issue's (lo, span), for writing exchanges in issue units."""
        return self.scenario.actor_ids, self.scenario.issue_ids, [(issue.lo, issue.hi - issue.lo) for issue in self.scenario.issues]

    def _sides(self, exchange: RealisedExchange) -> list[dict[str, Any]]:
        actors, issues, scales = self._names
        out = []
        for k in (0, 1):
            lo, span = scales[exchange.issues[k]]  # Issue.from_unit on a float, without a numpy call per number
            out.append(
                {
                    "actor": actors[exchange.actors[k]],
                    "supplies": issues[exchange.issues[k]],
                    "old": _num(lo + exchange.old[k] / SCALE * span),
                    "new": _num(lo + exchange.new[k] / SCALE * span),
                    "gain": _num(exchange.gains[k]),
                }
            )
        return out

    def _round_extra(self, t: int) -> dict[str, Any]:
        actors, issues, _ = self._names
        voting = self.voting_positions[t].tolist()
        return {
            "voting_positions": {a: {k: _num(x) for k, x in zip(issues, voting[i]) if x == x} for i, a in enumerate(actors)},
            "exchanges": [
                {
                    "step": step,
                    "sides": self._sides(exchange),
                    "gain": _num(exchange.gain),
                    "externalities": {actors[i]: _num(v) for i, v in enumerate(exchange.externalities.tolist()) if abs(v) > 1e-12},
                }
                for step, exchange in enumerate(self.realised[t], start=1)
            ],
        }

    def exchanges(self, round: int | None = None) -> "pd.DataFrame":
        import pandas as pd

        """One row per realised exchange (all rounds, or round ``round``), positions in issue units.

        Columns: round, step, actor, supplies, old, new, gain, partner, partner_supplies,
        partner_old, partner_new, partner_gain, third_party (sum of the externalities on everyone
        else), most_hurt (the actor it hurts most) and most_hurt_loss (its loss, <= 0).
        """
        actors = self.scenario.actor_ids
        rows = []
        for t in self._round_numbers(round):
            for step, exchange in enumerate(self.realised[t], start=1):
                first, second = self._sides(exchange)
                worst = int(np.argmin(exchange.externalities))
                loss = float(exchange.externalities[worst])
                rows.append(
                    {
                        "round": t,
                        "step": step,
                        **first,
                        **{f"partner_{key}" if key != "actor" else "partner": value for key, value in second.items()},
                        "third_party": float(exchange.externalities.sum()),
                        "most_hurt": actors[worst] if loss < -1e-12 else None,
                        "most_hurt_loss": min(loss, 0.0),
                    }
                )
        columns = ["round", "step", "actor", "supplies", "old", "new", "gain", "partner", "partner_supplies", "partner_old", "partner_new", "partner_gain", "third_party", "most_hurt", "most_hurt_loss"]
        return pd.DataFrame(rows, columns=columns)

    def externalities(self, round: int | None = None) -> "pd.DataFrame":
        import pandas as pd

        """One row per realised exchange and affected third party: round, step, actor, externality."""
        actors = self.scenario.actor_ids
        rows = [
            {"round": t, "step": step, "actor": actors[i], "externality": float(v)}
            for t in self._round_numbers(round)
            for step, exchange in enumerate(self.realised[t], start=1)
            for i, v in enumerate(exchange.externalities)
            if abs(v) > 1e-12
        ]
        return pd.DataFrame(rows, columns=["round", "step", "actor", "externality"])

    def _round_numbers(self, round: int | None) -> range:
        if round is None:
            return range(1, len(self.realised))
        if not 0 <= round < len(self.realised):
            from detente.errors import UsageError

            raise UsageError(f"round {round} does not exist; this run has rounds 1..{len(self.realised) - 1}")
        return range(round, round + 1)

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        if len(self.repetition_outcomes) > 1:
            out["repetitions"] = {
                "count": len(self.repetition_outcomes),
                "mean": {k: _num(v) for k, v in self.outcome_mean.items()},
                "sd": {k: _num(v) for k, v in self.outcome_sd.items()},
            }
        return out


MODELS = [ExchangeModel]
