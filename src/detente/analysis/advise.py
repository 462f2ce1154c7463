"""Advice: the cheapest changes of inputs that bring a forecast to a goal, under every model.

Sensitivity answers "which input moves the forecast most"; what-if answers "what does this change
do". Advice answers the reverse question a policy unit asks: *we want the territorial settlement at
or below 30: whom must we persuade of what, which actor must come in or leave, and does the plan
hold whichever model is right?*

A **plan** is a set of levers (the what-if levers of :mod:`detente.analysis.whatif`): move an
actor's position on the issue, raise or lower its salience, scale its capability, drop an actor,
add a proposed actor, or move a coalition (a group of actors) together. Every plan has a **cost**:

* moving actor *i*'s position by ``Δ`` points (on a 0..100 rendering of the scale) costs
  ``m_i · s_i · |Δ|`` — the salience-weighted distance, so an actor who cares little is cheap to
  persuade (``s_i`` on 0..1);
* changing its salience by ``Δs`` points of 0..100 costs ``m_i · p_s · |Δs|``;
* scaling its capability by ``f`` costs ``m_i · p_c · |ln f|``;
* dropping it costs ``m_i · p_d``; adding a proposed actor ``p_a``;

with per-actor multipliers ``m_i`` (default 1: "moving Moscow costs five times as much" is
``m_RUS = 5``) and prices ``p`` (:class:`Prices`).

The search is exact where the model allows:

* **compromise** (weighted mean ``O = Σ w_i x_i / Σ w_i``): with position levers the forecast is
  linear in the moves, ``O' = O + Σ (w_i / W) Δ_i``, so the cheapest plan is the linear program
  ``min Σ m_i s_i Δ_i`` s.t. ``Σ (w_i/W) Δ_i ≥ gap``, ``0 ≤ Δ_i ≤ k_i`` (solved with
  :func:`scipy.optimize.linprog`; coalitions are one variable moving all members).
* **median** (the quota-quantile): the forecast reaches ``≤ T`` exactly when the actors standing at
  or below ``T`` carry the quota of the weight. Moving actor *i* to ``T`` costs
  ``m_i s_i |x_i − T|``; dropping it removes its weight. The cheapest plan is the integer program
  ``min Σ cost_i y_i + Σ drop_i z_i`` s.t. ``Σ_{at T} w + Σ w_i y_i ≥ q (W − Σ w_i z_i)``
  (:func:`scipy.optimize.milp`); with unit costs it gives the **minimal winning coalition**.

Every other model (and any mix of lever kinds) is searched in batches: thousands of candidate
plans run through a model's draws axis in one call, a beam keeps the plans that close the gap
most per unit of cost, and the plans that reach the target are then trimmed lever by lever. Each
plan returned is re-run through :func:`~detente.forecast.forecast` from its lever strings, so the
numbers shown are exactly those ``detente whatif`` gives for the same levers; with ``draws`` its
probability of reaching the target comes from :func:`~detente.analysis.montecarlo.simulate`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from detente.analysis.montecarlo import (
    BLOCK,
    Spread,
    configured_models,
    draws_random_numbers,
    input_spread,
    seed_entropy,
    simulate,
    truncated_normal,
)
from detente.analysis.whatif import apply_levers, parse_lever
from detente.errors import UsageError
from detente.forecast import Forecast, forecast
from detente.models.base import Model
from detente.scenario import Batch, Issue, Scenario

LEVER_KINDS = ("position", "salience", "capability", "drop", "add", "coalition")
DEFAULT_LEVER_KINDS = ("position", "salience", "capability", "coalition")
"""Dropping or adding actors changes who is at the table: a plan includes them only when asked."""
_TOL = 1e-7


# -- the goal ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the analyst wants the forecast of one issue: ``<= high``, ``>= low``, or ``low..high``."""

    issue: str
    low: float | None
    high: float | None
    text: str

    def met(self, values: np.ndarray) -> np.ndarray:
        return self.gap(values) <= _TOL

    def gap(self, values: np.ndarray) -> np.ndarray:
        """Distance of each value to the target region (0 inside it; +inf for no forecast)."""
        values = np.asarray(values, dtype=float)
        gap = np.zeros_like(values)
        if self.high is not None:
            gap = np.maximum(gap, values - self.high)
        if self.low is not None:
            gap = np.maximum(gap, self.low - values)
        return np.where(np.isnan(values), np.inf, gap)

    def describe(self) -> str:
        if self.low is None:
            return f"<= {_fmt(self.high)}"
        if self.high is None:
            return f">= {_fmt(self.low)}"
        return f"{_fmt(self.low)}..{_fmt(self.high)}"


_TARGET = re.compile(r"^\s*(?:(?P<op><=|>=|=<|=>|<|>)\s*(?P<value>\S+)|(?P<low>[^.\s]+(?:\.\d+)?)\s*\.\.\s*(?P<high>\S+))\s*$")


def parse_target(text: str, issue: Issue) -> Target:
    """``"<=30"``, ``">= 60"`` or ``"20..35"`` on the issue's scale (clear errors otherwise)."""
    if not isinstance(text, str):
        raise UsageError(f"the target must be text like '<=30', '>=60' or '20..35', got {text!r}")
    match = _TARGET.match(text)
    if not match:
        raise UsageError(f"cannot read target {text!r}; write '<=30', '>=60' or '20..35' (on {issue.id}'s scale {_fmt(issue.lo)}..{_fmt(issue.hi)})")
    if match["op"]:
        value = _target_number(match["value"], text)
        low, high = (None, value) if match["op"] in ("<=", "=<", "<") else (value, None)
    else:
        low, high = _target_number(match["low"], text), _target_number(match["high"], text)
        if low > high:
            raise UsageError(f"target {text!r}: the lower end {_fmt(low)} is above the upper end {_fmt(high)}")
    for value in (low, high):
        if value is not None and not issue.lo <= value <= issue.hi:
            raise UsageError(f"target {text!r} lies outside {issue.id}'s scale {_fmt(issue.lo)}..{_fmt(issue.hi)}")
    return Target(issue.id, low, high, text.strip())


def _target_number(text: str, target: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"target {target!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"target {target!r}: {text!r} is not a finite number")
    return value


# -- what may change, and at what price --------------------------------------------------------------


@dataclass(frozen=True)
class Prices:
    """Unit prices of the lever kinds (see the module docstring); all must be >= 0."""

    position: float = 1.0
    salience: float = 0.5
    capability: float = 40.0
    drop: float = 25.0
    add: float = 25.0


@dataclass(frozen=True)
class LeverSpace:
    """The levers the analyst allows.

    ``max_shift``: how far (issue units) an actor's position may move, default a quarter of the
    scale; ``max_salience``: how far its salience may move (points of 0..100), default 25;
    ``capability``: the range of capability factors, default 0.5..2; ``kinds``: which lever kinds;
    ``actors``: who may be moved (default everyone); ``fixed``: who may not; ``coalitions``: named
    groups that move together (default: the scenario's actor groups of two or more);
    ``candidates``: ``add:`` levers proposing actors who could join; per-actor ``shift_limits``
    override ``max_shift``.
    """

    kinds: tuple[str, ...] = DEFAULT_LEVER_KINDS
    max_shift: float | None = None
    max_salience: float = 25.0
    capability: tuple[float, float] = (0.5, 2.0)
    actors: tuple[str, ...] | None = None
    fixed: tuple[str, ...] = ()
    coalitions: Mapping[str, Sequence[str]] | None = None
    candidates: tuple[str, ...] = ()
    shift_limits: Mapping[str, float] = field(default_factory=dict)


def _check_space(scenario: Scenario, issue: Issue, space: LeverSpace, prices: Prices, costs: Mapping[str, float]) -> None:
    unknown = [k for k in space.kinds if k not in LEVER_KINDS]
    if unknown:
        raise UsageError(f"unknown lever kind {unknown[0]!r}; kinds: {', '.join(LEVER_KINDS)}")
    if not space.kinds:
        raise UsageError(f"no lever kind allowed; kinds: {', '.join(LEVER_KINDS)}")
    for name in ("position", "salience", "capability", "drop", "add"):
        value = getattr(prices, name)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise UsageError(f"the price of a {name} lever must be a number >= 0, got {value!r}")
    for actor, value in costs.items():
        scenario.actor(actor)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise UsageError(f"the cost multiplier of {actor} must be a number >= 0, got {value!r}")
    width = issue.hi - issue.lo
    if space.max_shift is not None and not (math.isfinite(space.max_shift) and 0 <= space.max_shift <= width):
        raise UsageError(f"the largest position shift must lie in 0..{_fmt(width)} (the width of {issue.id}'s scale), got {_fmt(space.max_shift)}")
    for actor, value in space.shift_limits.items():
        scenario.actor(actor)
        if not (math.isfinite(value) and 0 <= value <= width):
            raise UsageError(f"the largest position shift of {actor} must lie in 0..{_fmt(width)}, got {_fmt(value)}")
    if not (math.isfinite(space.max_salience) and 0 <= space.max_salience <= 100):
        raise UsageError(f"the largest salience change must lie in 0..100 points, got {_fmt(space.max_salience)}")
    low, high = space.capability
    if not (0 < low <= 1 <= high and math.isfinite(high)):
        raise UsageError(f"the capability factors must form a range LOW..HIGH with 0 < LOW <= 1 <= HIGH, got {_fmt(low)}..{_fmt(high)}")
    for actor in (*(space.actors or ()), *space.fixed):
        scenario.actor(actor)
    if space.actors is not None:
        both = set(space.actors) & set(space.fixed)
        if both:
            raise UsageError(f"actor {sorted(both)[0]} is both allowed to move and fixed")
    for name, members in (space.coalitions or {}).items():
        if len(members) < 2:
            raise UsageError(f"coalition {name!r} needs at least two actors, got {list(members)}")
        for member in members:
            scenario.actor(member)


def parse_assignments(items: Iterable[str], what: str) -> dict[str, float]:
    """``KEY=NUMBER`` strings (``RUS=5``, ``capability=10``) as a mapping, with clear errors."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} expects KEY=NUMBER, got {item!r}")
        try:
            number = float(value)
        except ValueError:
            raise UsageError(f"{what} {item!r}: {value.strip()!r} is not a number") from None
        if not math.isfinite(number) or number < 0:
            raise UsageError(f"{what} {item!r}: the value must be a number >= 0")
        out[key.strip()] = number
    return out


def parse_prices(items: Iterable[str]) -> Prices:
    values = parse_assignments(items, "--price")
    unknown = [k for k in values if k not in Prices.__dataclass_fields__]
    if unknown:
        raise UsageError(f"--price: unknown lever kind {unknown[0]!r}; kinds with a price: {', '.join(Prices.__dataclass_fields__)}")
    return Prices(**values)


def parse_coalitions(items: Iterable[str]) -> dict[str, list[str]]:
    """``NAME=A,B,C`` strings as named groups of actor ids."""
    out = {}
    for item in items:
        name, sep, members = item.partition("=")
        if not sep or not name.strip() or not members.strip():
            raise UsageError(f"--coalition expects NAME=ACTOR,ACTOR,..., got {item!r}")
        out[name.strip()] = [m.strip() for m in members.split(",") if m.strip()]
    return out


def parse_factor_range(text: str) -> tuple[float, float]:
    """``LOW..HIGH`` capability factors, e.g. ``0.5..2``."""
    low, sep, high = text.partition("..")
    try:
        if not sep:
            raise ValueError
        return float(low), float(high)
    except ValueError:
        raise UsageError(f"--capability expects LOW..HIGH factors such as 0.5..2, got {text!r}") from None


def split_target(text: str, issue: str | None) -> tuple[str | None, str]:
    """``"territory<=30"`` -> ``("territory", "<=30")``; a bare ``"<=30"`` keeps ``issue``."""
    match = re.match(r"^\s*([A-Za-z_][\w.-]*?)\s*(<=|>=|=<|=>|<|>|=)\s*(.+)$", text)
    if match and not re.match(r"^[\d.+-]", match[1]):
        op = match[2] if match[2] != "=" else ""
        rest = match[3]
        if op:
            return match[1], f"{op}{rest}"
        return match[1], rest
    return issue, text


# -- plans -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One lever of a plan, in the analyst's words and as a what-if lever string."""

    kind: str
    actors: tuple[str, ...]
    levers: tuple[str, ...]
    before: float | None
    after: float | None
    cost: float
    words: str


@dataclass
class Plan:
    """A set of levers, its cost, and what every model forecasts with it."""

    steps: list[Step]
    cost: float
    forecasts: dict[str, float]
    reached: dict[str, bool]
    probability: dict[str, float] = field(default_factory=dict)

    @property
    def levers(self) -> list[str]:
        return [lever for step in self.steps for lever in step.levers]

    def reaches(self, models: Sequence[str]) -> bool:
        return all(self.reached.get(m, False) for m in models)


@dataclass
class _Candidate:
    """A plan during the search: moves per actor on the normalised scales."""

    shift: np.ndarray  # position change on 0..1 (actors,)
    salience: np.ndarray  # salience change on 0..1 (actors,)
    log_capability: np.ndarray  # ln of the capability factor (actors,)
    dropped: frozenset[int] = frozenset()
    added: frozenset[int] = frozenset()
    coalition: tuple[float, ...] = ()  # shift on 0..1 of each coalition

    def key(self) -> tuple:
        return (
            tuple(np.round(self.shift, 9)),
            tuple(np.round(self.salience, 9)),
            tuple(np.round(self.log_capability, 9)),
            self.dropped,
            self.added,
            tuple(round(c, 9) for c in self.coalition),
        )


class _Space:
    """The lever space of one issue as arrays: limits, prices and costs per actor."""

    def __init__(self, scenario: Scenario, issue: Issue, space: LeverSpace, prices: Prices, costs: Mapping[str, float]):
        self.scenario = scenario
        self.issue = issue
        self.k = scenario.issue_ids.index(issue.id)
        self.space = space
        self.prices = prices
        batch = scenario.batch()
        self.x = batch.position[0, :, self.k]
        self.s = batch.salience[0, :, self.k]
        self.present = batch.present[:, self.k]
        self.n = len(scenario.actors)
        self.ids = scenario.actor_ids
        self.multiplier = np.array([float(costs.get(a, 1.0)) for a in self.ids])
        allowed = set(space.actors) if space.actors is not None else set(self.ids)
        self.movable = np.array([a in allowed and a not in space.fixed for a in self.ids]) & self.present
        width = issue.hi - issue.lo
        default_shift = space.max_shift if space.max_shift is not None else width / 4
        self.shift_limit = np.array([space.shift_limits.get(a, default_shift) / width for a in self.ids]) * self.movable
        scale = scenario.salience_scale
        self.salience_limit = (space.max_salience / 100.0) * self.movable
        self.capability_range = (math.log(space.capability[0]), math.log(space.capability[1]))
        self.salience_units = scale
        self.kinds = set(space.kinds)
        self.direction = -1.0  # toward lower values; advise() sets it from the baseline and the target
        if space.coalitions is None:
            groups: dict[str, list[str]] = {}
            for actor in scenario.actors:
                if actor.group:
                    groups.setdefault(actor.group, []).append(actor.id)
            coalitions = {name: members for name, members in groups.items() if len(members) >= 2}
        else:
            coalitions = {name: list(members) for name, members in space.coalitions.items()}
        self.coalitions = [
            (name, np.array([self.ids.index(m) for m in members if self.movable[self.ids.index(m)]]))
            for name, members in coalitions.items()
        ] if "coalition" in self.kinds else []
        self.coalitions = [(name, idx) for name, idx in self.coalitions if len(idx) >= 2]
        self.candidates = list(space.candidates) if "add" in self.kinds else []
        for text in self.candidates:
            lever = parse_lever(text, scenario)
            if lever.kind != "add":
                raise UsageError(f"candidate {text!r}: a candidate actor is an 'add:' lever, e.g. 'add:CHN capability=80 {issue.id}=60@50'")

    def empty(self) -> _Candidate:
        zero = np.zeros(self.n)
        return _Candidate(zero, zero.copy(), zero.copy(), frozenset(), frozenset(), tuple(0.0 for _ in self.coalitions))

    def total_shift(self, plan: _Candidate) -> np.ndarray:
        shift = plan.shift.copy()
        for (_, members), amount in zip(self.coalitions, plan.coalition):
            shift[members] += amount
        return shift

    def cost(self, plan: _Candidate) -> float:
        prices, m = self.prices, self.multiplier
        shift = self.total_shift(plan)
        cost = float(np.sum(m * prices.position * self.s * np.abs(shift) * 100))
        cost += float(np.sum(m * prices.salience * np.abs(plan.salience) * 100))
        cost += float(np.sum(m * prices.capability * np.abs(plan.log_capability)))
        cost += sum(m[i] * prices.drop for i in plan.dropped)
        cost += prices.add * len(plan.added)
        return cost

    # -- the moves a search may add to a plan -----------------------------------------------------

    def moves(self, plan: _Candidate, direction: float, fraction: float) -> list[_Candidate]:
        out = []
        shift = self.total_shift(plan)
        if "position" in self.kinds:
            for i in np.flatnonzero(self.movable):
                if i in plan.dropped:
                    continue
                room = min(self.shift_limit[i] - abs(shift[i]) if np.sign(shift[i]) in (0, direction) else self.shift_limit[i],
                           (1 - self.x[i] - shift[i]) if direction > 0 else (self.x[i] + shift[i]))
                step = min(self.shift_limit[i] * fraction, room)
                if step > _TOL:
                    new = plan.shift.copy()
                    new[i] += direction * step
                    out.append(replace(plan, shift=new))
        if self.coalitions:
            for c, (_, members) in enumerate(self.coalitions):
                if any(i in plan.dropped for i in members):
                    continue
                limit = float(np.min(self.shift_limit[members]))
                current = plan.coalition[c]
                ends = (1 - self.x[members] - shift[members]) if direction > 0 else (self.x[members] + shift[members])
                step = min(limit * fraction, limit - abs(current), float(np.min(ends)))
                if step > _TOL:
                    new = list(plan.coalition)
                    new[c] += direction * step
                    out.append(replace(plan, coalition=tuple(new)))
        if "salience" in self.kinds:
            for i in np.flatnonzero(self.movable):
                if i in plan.dropped:
                    continue
                for sign in (1.0, -1.0):
                    current = plan.salience[i]
                    step = self.salience_limit[i] * fraction
                    target = current + sign * step
                    target = max(-self.salience_limit[i], min(self.salience_limit[i], target))
                    target = max(-self.s[i], min(1 - self.s[i], target))
                    if abs(target - current) > _TOL:
                        new = plan.salience.copy()
                        new[i] = target
                        out.append(replace(plan, salience=new))
        if "capability" in self.kinds:
            low, high = self.capability_range
            for i in np.flatnonzero(self.movable):
                if i in plan.dropped:
                    continue
                for bound in (low, high):
                    current = plan.log_capability[i]
                    target = current + (bound * fraction if bound else 0.0)
                    target = max(low, min(high, target))
                    if abs(target - current) > _TOL:
                        new = plan.log_capability.copy()
                        new[i] = target
                        out.append(replace(plan, log_capability=new))
        if "drop" in self.kinds:
            for i in np.flatnonzero(self.movable):
                if i not in plan.dropped and shift[i] == 0 and plan.salience[i] == 0 and plan.log_capability[i] == 0:
                    out.append(replace(plan, dropped=plan.dropped | {int(i)}))
        for a in range(len(self.candidates)):
            if a not in plan.added:
                out.append(replace(plan, added=plan.added | {a}))
        return out

    def trims(self, plan: _Candidate) -> list[_Candidate]:
        """Cheaper variants of a plan: each lever scaled down or removed."""
        out = []
        for factor in (0.0, 0.25, 0.5, 0.75, 0.9):
            for i in np.flatnonzero(plan.shift):
                new = plan.shift.copy()
                new[i] *= factor
                out.append(replace(plan, shift=new))
            for i in np.flatnonzero(plan.salience):
                new = plan.salience.copy()
                new[i] *= factor
                out.append(replace(plan, salience=new))
            for i in np.flatnonzero(plan.log_capability):
                new = plan.log_capability.copy()
                new[i] *= factor
                out.append(replace(plan, log_capability=new))
            for c, amount in enumerate(plan.coalition):
                if amount:
                    new = list(plan.coalition)
                    new[c] *= factor
                    out.append(replace(plan, coalition=tuple(new)))
        for i in plan.dropped:
            out.append(replace(plan, dropped=plan.dropped - {i}))
        for a in plan.added:
            out.append(replace(plan, added=plan.added - {a}))
        return out

    # -- plans as what-if levers --------------------------------------------------------------------

    def steps(self, plan: _Candidate) -> list[Step]:
        """The plan as levers in the analyst's words. New values are rounded to two decimals, away
        from the baseline (positions: toward the target), so that the plan still reaches it; the
        costs are those of the rounded values."""
        issue, ids, names = self.issue, self.ids, [a.label for a in self.scenario.actors]
        width = issue.hi - issue.lo
        m, prices = self.multiplier, self.prices
        steps = []

        def moved(i: int, shift: float) -> tuple[float, float, float]:
            before = float(issue.from_unit(self.x[i]))
            after = _round_toward(float(issue.from_unit(self.x[i] + shift)), before)
            after = min(max(after, issue.lo), issue.hi)
            return before, after, float(m[i] * prices.position * self.s[i] * abs(after - before) / width * 100)

        for (name, members), amount in zip(self.coalitions, plan.coalition):
            if not amount:
                continue
            levers, moves, cost = [], [], 0.0
            for i in members:
                before, after, each = moved(i, amount + plan.shift[i])
                levers.append(f"{ids[i]}.{issue.id}.position={_lever_number(after)}")
                moves.append(f"{names[i]} {_fmt(before)} -> {_fmt(after)}")
                cost += each
            steps.append(Step("coalition", tuple(ids[i] for i in members), tuple(levers), None, None, cost,
                              f"persuade the {name} group to move together by {_fmt(abs(amount) * width)} ({'; '.join(moves)})"))
        in_coalition = {int(i) for (_, members), amount in zip(self.coalitions, plan.coalition) if amount for i in members}
        for i in np.flatnonzero(plan.shift):
            if i in in_coalition:
                continue
            before, after, cost = moved(i, plan.shift[i])
            if after == before:
                continue
            steps.append(Step("position", (ids[i],), (f"{ids[i]}.{issue.id}.position={_lever_number(after)}",), before, after, cost,
                              f"persuade {names[i]} to move from {_fmt(before)} to {_fmt(after)}"))
        for i in np.flatnonzero(plan.salience):
            before = float(self.s[i] * self.salience_units)
            after = min(max(_round_toward((self.s[i] + plan.salience[i]) * self.salience_units, before, 4 if self.salience_units <= 1 else 2), 0.0), self.salience_units)
            cost = float(m[i] * prices.salience * abs(after - before) / self.salience_units * 100)
            verb = "raise" if after > before else "lower"
            steps.append(Step("salience", (ids[i],), (f"{ids[i]}.{issue.id}.salience={_lever_number(after)}",), before, after, cost,
                              f"{verb} how much {names[i]} cares about {issue.id} from {_fmt(before)} to {_fmt(after)}"))
        for i in np.flatnonzero(plan.log_capability):
            factor = _round_toward(math.exp(plan.log_capability[i]), 1.0, 3)
            cost = float(m[i] * prices.capability * abs(math.log(factor)))
            verb = "strengthen" if factor > 1 else "weaken"
            steps.append(Step("capability", (ids[i],), (f"{ids[i]}.capability*{_lever_number(factor)}",), None, None, cost,
                              f"{verb} {names[i]}'s clout by a factor of {factor:.3g}"))
        for i in sorted(plan.dropped):
            steps.append(Step("drop", (ids[i],), (f"drop:{ids[i]}",), None, None, float(m[i] * prices.drop), f"{names[i]} leaves the table"))
        for a in sorted(plan.added):
            text = self.candidates[a]
            actor = text[4:].split()[0]
            steps.append(Step("add", (actor,), (text,), None, None, float(prices.add), f"bring {actor} to the table"))
        return steps


def _round_toward(value: float, origin: float, decimals: int = 2) -> float:
    """``value`` rounded to ``decimals``, away from ``origin`` (a move is never rounded shorter)."""
    scale = 10.0**decimals
    if abs(value * scale - round(value * scale)) < 1e-4:
        return round(value, decimals)
    return (math.ceil(value * scale) if value > origin else math.floor(value * scale)) / scale


# -- evaluating many plans in one batch --------------------------------------------------------------


class _Evaluator:
    """Each model's forecast of the issue for many candidate plans, through the draws axis.

    With ``draws``, every plan is perturbed exactly as :func:`~detente.analysis.montecarlo.simulate`
    would perturb the changed scenario with the same seed (the first ``draws`` draws of its first
    block, around the plan's values), so every plan meets the same random numbers."""

    def __init__(self, space: _Space, models: list[Model], draws: int = 0, seed: int = 0):
        if draws > BLOCK:
            raise ValueError(f"at most {BLOCK} search draws")
        self.space = space
        self.models = models
        self.draws = draws
        self.seed = seed
        self._bases: dict[tuple, tuple[Batch, np.ndarray, Spread | None]] = {}
        self.calls = 0

    def _base(self, dropped: frozenset[int], added: frozenset[int]) -> tuple[Batch, np.ndarray, Spread | None]:
        """The scenario with actors dropped and added, where each kept actor went, and its spread."""
        key = (dropped, added)
        if key not in self._bases:
            space = self.space
            texts = [space.candidates[a] for a in sorted(added)] + [f"drop:{space.ids[i]}" for i in sorted(dropped)]
            scenario = apply_levers(space.scenario, texts) if texts else space.scenario
            kept = np.array([i for i in range(space.n) if i not in dropped])
            self._bases[key] = (scenario.batch(), kept, input_spread(scenario) if self.draws else None)
        return self._bases[key]

    def _perturbed(self, position: np.ndarray, salience: np.ndarray, capability: np.ndarray, base: Batch, spread: Spread) -> Batch:
        """(plans, actors, issues) inputs -> (plans x draws) perturbed draws, as ``draw_block`` draws them."""
        rng = np.random.default_rng(np.random.SeedSequence(seed_entropy(self.seed), spawn_key=(0,)))
        n, m = base.n_actors, base.n_issues
        d = self.draws
        u_position = rng.random((BLOCK, n, m))[None, :d]
        u_salience = rng.random((BLOCK, n, m))[None, :d]
        z_capability = rng.standard_normal((BLOCK, n))[None, :d]
        g = len(position)
        position = truncated_normal(position[:, None], spread.position, 0.0, 1.0, u_position)
        salience = np.where(base.present, truncated_normal(salience[:, None], spread.salience, 0.0, 1.0, u_salience), 0.0)
        capability = capability[:, None] * np.exp(spread.capability * z_capability)[..., None]
        shape = (g * d, n, m)
        return Batch(position.reshape(shape), salience.reshape(shape), capability.reshape(shape), base.present, base.status_quo)

    def __call__(self, plans: Sequence[_Candidate]) -> np.ndarray:
        """Forecasts in issue units, shape (plans, models, draws or 1)."""
        space, k = self.space, self.space.k
        d = max(self.draws, 1)
        out = np.full((len(plans), len(self.models), d), np.nan)
        groups: dict[tuple, list[int]] = {}
        for index, plan in enumerate(plans):
            groups.setdefault((plan.dropped, plan.added), []).append(index)
        for (dropped, added), members in groups.items():
            base, kept, spread = self._base(dropped, added)
            g, n_kept = len(members), len(kept)
            shift = np.stack([space.total_shift(plans[i])[kept] for i in members])
            salience = np.stack([plans[i].salience[kept] for i in members])
            factor = np.exp(np.stack([plans[i].log_capability[kept] for i in members]))
            position = np.repeat(base.position, g, axis=0)
            sal = np.repeat(base.salience, g, axis=0)
            cap = np.repeat(base.capability, g, axis=0)
            position[:, :n_kept, k] = np.clip(position[:, :n_kept, k] + shift, 0.0, 1.0)
            present = base.present[:n_kept, k]
            sal[:, :n_kept, k] = np.where(present, np.clip(sal[:, :n_kept, k] + salience, 0.0, 1.0), 0.0)
            cap[:, :n_kept, :] = cap[:, :n_kept, :] * factor[:, :, None]
            if spread is not None:
                batch = self._perturbed(position, sal, cap, base, spread)
            else:
                batch = Batch(position, sal, cap, base.present, base.status_quo)
            for j, model in enumerate(self.models):
                if draws_random_numbers(model):
                    values = model.forecast_batch(batch, rng=np.random.default_rng(self.seed))
                else:
                    values = model.forecast_batch(batch)
                self.calls += 1
                out[members, j, :] = space.issue.from_unit(np.asarray(values, dtype=float)[:, k]).reshape(g, d)
        return out


# -- the result --------------------------------------------------------------------------------------


@dataclass
class Pivot:
    """One actor's single most effective lever on the issue, per unit of cost."""

    actor: str
    lever: str
    shift: float
    cost: float
    per_cost: float


@dataclass
class Advice:
    """The cheapest plans found, with every model's forecast, and who is pivotal."""

    scenario: Scenario
    target: Target
    models: list[str]
    required: list[str]
    baseline: dict[str, float]
    plans: list[Plan]
    reachable: bool
    closest: Plan | None
    pivots: list[Pivot]
    coalition: dict[str, Any] | None
    draws: int
    share: float | None
    budget: float | None
    prices: Prices
    notes: list[str] = field(default_factory=list)

    @property
    def issue(self) -> Issue:
        return self.scenario.issue(self.target.issue)

    @property
    def best(self) -> Plan | None:
        return self.plans[0] if self.plans else None

    def summary(self) -> str:
        """The advice in plain words."""
        issue, primary = self.issue, self.required[0]
        title = _model_title(primary)
        before = self.baseline[primary]
        if self.plans and not self.plans[0].steps:
            return f"The {title} forecast is already {_fmt(before)}, which meets the target {self.target.describe()}: nothing needs to change."
        plan = self.plans[0] if self.plans else self.closest
        if plan is None or not plan.steps:
            stuck = [f"{_model_title(m)} ({_fmt(self.baseline[m])})" for m in self.required if not self.target.met(np.array([self.baseline[m]]))[0]]
            if self.share or not stuck:
                return f"No plan found within the allowed levers reaches {self.target.describe()} in {(self.share or 1) * 100:.0f} % of the draws."
            return f"No plan found within the allowed levers moves {_join(stuck)} toward {self.target.describe()}."
        actions = "; ".join(step.words for step in plan.steps)
        text = f"{actions[0].upper()}{actions[1:]} (cost {plan.cost:.1f}): the {title} forecast {_moves(before, plan.forecasts[primary])}"
        if not self.plans and self.share:
            text += f"; no plan found reaches {self.target.describe()} in {self.share * 100:.0f} % of the draws"
            if self.budget is not None:
                text += f" within a budget of {_fmt(self.budget)}"
            return text + "."
        if not self.plans:
            text += f", the closest the allowed levers get to {self.target.describe()}: the target cannot be reached"
            if self.budget is not None:
                text += f" within a budget of {_fmt(self.budget)}"
            return text + "."
        others = [m for m in self.models if m != primary]
        reach = [_model_title(m) for m in others if plan.reached.get(m)]
        miss = [f"{_model_title(m)} ({_fmt(plan.forecasts[m])})" for m in others if not plan.reached.get(m) and not math.isnan(plan.forecasts[m])]
        if reach:
            text += f"; {_join(reach)} also reach{'es' if len(reach) == 1 else ''} {self.target.describe()}"
        if miss:
            text += f"; {_join(miss)} do{'es' if len(miss) == 1 else ''} not"
        if plan.probability:
            share = plan.probability.get(primary)
            if share is not None:
                text += f"; in {share * 100:.0f} % of {self.draws} Monte Carlo draws"
        return text + "."

    def records(self) -> list[dict[str, Any]]:
        rows = []
        for rank, plan in enumerate(self.plans or ([self.closest] if self.closest else []), 1):
            for model in self.models:
                rows.append({
                    "plan": rank,
                    "levers": "; ".join(plan.levers),
                    "cost": round(plan.cost, 6),
                    "model": model,
                    "baseline": _num(self.baseline[model]),
                    "forecast": _num(plan.forecasts[model]),
                    "reached": bool(plan.reached[model]),
                    "probability": _num(plan.probability[model]) if model in plan.probability else None,
                })
        return rows

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame.from_records(self.records())

    def to_json(self) -> dict[str, Any]:
        def plan_json(plan: Plan) -> dict[str, Any]:
            return {
                "cost": round(plan.cost, 6),
                "levers": plan.levers,
                "steps": [{"kind": s.kind, "actors": list(s.actors), "levers": list(s.levers), "before": _num(s.before), "after": _num(s.after),
                           "cost": round(s.cost, 6), "words": s.words} for s in plan.steps],
                "forecasts": {m: _num(v) for m, v in plan.forecasts.items()},
                "reached": plan.reached,
                "probability": {m: _num(v) for m, v in plan.probability.items()},
            }

        return {
            "scenario": self.scenario.id,
            "issue": self.target.issue,
            "target": self.target.describe(),
            "models": self.models,
            "required": self.required,
            "share": self.share,
            "draws": self.draws,
            "budget": self.budget,
            "prices": self.prices.__dict__,
            "baseline": {m: _num(v) for m, v in self.baseline.items()},
            "reachable": self.reachable,
            "summary": self.summary(),
            "plans": [plan_json(p) for p in self.plans],
            "closest": plan_json(self.closest) if self.closest and not self.reachable else None,
            "pivotal": [p.__dict__ for p in self.pivots],
            "coalition": self.coalition,
            "notes": self.notes,
        }

    def __rich__(self):
        from detente.report.advice import advice_renderable

        return advice_renderable(self)

    def __repr__(self) -> str:
        state = f"{len(self.plans)} plan(s), cheapest {self.plans[0].cost:.1f}" if self.plans else "target not reached"
        return f"<Advice {self.scenario.id} {self.target.issue} {self.target.describe()}: {state}>"


# -- exact solutions ---------------------------------------------------------------------------------


def _compromise_exact(space: _Space, model: Model, target: Target, budget: float | None, exclude: set[int] = frozenset()) -> _Candidate | None:
    """The cheapest position-only plan for the weighted mean, as a linear program."""
    from scipy.optimize import linprog

    from detente.models.compromise import actor_weights

    options = model.options
    batch = space.scenario.batch()
    weights = actor_weights(batch, options.weighting, options.salience_exponent)[0, :, space.k]
    total = weights.sum()
    if total <= 0:
        return None
    mean = float(np.sum(weights[space.present] * space.x[space.present]) / total)
    share = options.status_quo_share
    sq = batch.status_quo[space.k]
    pulled = bool(share) and not np.isnan(sq)

    def to_mean(value: float) -> float:
        """The weighted mean that puts the forecast at ``value`` (the status-quo pull removed)."""
        unit = float(space.issue.to_unit(value))
        return (unit - share * sq) / (1 - share) if pulled else unit

    outcome = float(space.issue.from_unit((1 - share) * mean + share * sq if pulled else mean))
    if target.met(np.array([outcome]))[0]:
        return space.empty()
    if target.high is not None and outcome > target.high:
        direction, need = -1.0, mean - to_mean(target.high)
    else:
        direction, need = 1.0, to_mean(target.low) - mean
    effect = weights / total
    variables, effects, costs, bounds = [], [], [], []
    for i in np.flatnonzero(space.movable) if "position" in space.kinds else ():
        if i in exclude:
            continue
        room = (1 - space.x[i]) if direction > 0 else space.x[i]
        upper = min(space.shift_limit[i], room)
        if upper > _TOL and effect[i] > 0:
            variables.append(("actor", i))
            effects.append(effect[i])
            costs.append(space.multiplier[i] * space.prices.position * space.s[i] * 100)
            bounds.append((0.0, upper))
    for c, (_, members) in enumerate(space.coalitions):
        if any(i in exclude for i in members):
            continue
        rooms = (1 - space.x[members]) if direction > 0 else space.x[members]
        upper = min(float(np.min(space.shift_limit[members])), float(np.min(rooms)))
        if upper > _TOL:
            variables.append(("coalition", c))
            effects.append(float(np.sum(effect[members])))
            costs.append(float(np.sum(space.multiplier[members] * space.prices.position * space.s[members] * 100)))
            bounds.append((0.0, upper))
    if not variables:
        return None
    # Coalition and single moves of the same actor share its shift limit.
    rows, limits = [], []
    for i in np.flatnonzero(space.movable):
        row = [1.0 if v == ("actor", i) or (v[0] == "coalition" and i in space.coalitions[v[1]][1]) else 0.0 for v in variables]
        if sum(row) > 1:
            rows.append(row)
            limits.append(min(space.shift_limit[i], (1 - space.x[i]) if direction > 0 else space.x[i]))
    a_ub = [[-e for e in effects]] + rows
    b_ub = [-need] + limits
    result = linprog(costs, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    if result.status != 0:
        return None
    plan = space.empty()
    shift = plan.shift.copy()
    coalition = list(plan.coalition)
    for (kind, index), amount in zip(variables, result.x):
        if amount <= 1e-12:
            continue
        if kind == "actor":
            shift[index] = direction * amount
        else:
            coalition[index] = direction * amount
    return replace(plan, shift=shift, coalition=tuple(coalition))


def _median_exact(space: _Space, model: Model, target: Target, budget: float | None = None, exclude: set[int] = frozenset()) -> _Candidate | None:
    """The cheapest move-or-drop plan for the weighted quota-quantile, as an integer program
    (one-sided targets only; actors in ``exclude`` are left where they are)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    from detente.models.compromise import actor_weights

    if target.low is not None and target.high is not None:
        return None
    options = model.options
    weights = actor_weights(space.scenario.batch(), options.weighting)[0, :, space.k]
    present = space.present & (weights > 0)
    if target.high is not None:
        goal = space.issue.to_unit(target.high)
        inside = present & (space.x <= goal + 1e-12)
    else:
        goal = space.issue.to_unit(target.low)
        inside = present & (space.x >= goal - 1e-12)
    outside = np.flatnonzero(present & ~inside)
    total = float(weights[present].sum())
    quota = _side_quota(options.quota, target)
    n = len(outside)
    if n == 0:
        return space.empty()
    movable = [space.movable[i] and i not in exclude and abs(space.x[i] - goal) <= space.shift_limit[i] + 1e-12 and "position" in space.kinds for i in outside]
    droppable = [space.movable[i] and i not in exclude and "drop" in space.kinds for i in outside]
    move_cost = [space.multiplier[i] * space.prices.position * space.s[i] * abs(space.x[i] - goal) * 100 for i in outside]
    drop_cost = [space.multiplier[i] * space.prices.drop for i in outside]
    # variables: y (move to the goal), z (drop); weight inside + Σ w y >= q (W - Σ w z)
    c = np.array(move_cost + drop_cost)
    w = weights[outside]
    constraint_row = np.concatenate([w, quota * w])
    lower = quota * total - float(weights[inside].sum())
    pair = np.hstack([np.eye(n), np.eye(n)])
    constraints = [LinearConstraint(constraint_row[None, :], lower, np.inf), LinearConstraint(pair, 0, 1)]
    upper = np.array([1.0 if ok else 0.0 for ok in movable] + [1.0 if ok else 0.0 for ok in droppable])
    result = milp(c, constraints=constraints, integrality=np.ones(2 * n), bounds=Bounds(np.zeros(2 * n), upper))
    if result.status != 0 or result.x is None:
        return None
    choice = np.round(result.x).astype(int)
    plan = space.empty()
    shift = plan.shift.copy()
    dropped = set()
    for j, i in enumerate(outside):
        if choice[j]:
            shift[i] = goal - space.x[i]
        if choice[n + j]:
            dropped.add(int(i))
    return replace(plan, shift=shift, dropped=frozenset(dropped))


def _side_quota(quota: float, target: Target) -> float:
    """The share of the weight that must stand at the target's side: the median is ``<= T`` once the
    actors at or below ``T`` carry the quota ``q``, and ``>= T`` once those at or above ``T`` carry
    more than ``1 - q`` (the actors below then fall short of ``q``)."""
    return quota - 1e-9 if target.high is not None else 1 - quota + 1e-9


def minimal_winning_coalition(space: _Space, model: Model, target: Target) -> dict[str, Any] | None:
    """For the median: the smallest group of actors whose weight meets the quota and who all stand
    at the target's side, winning over as few actors as possible (those within their shift limit);
    as an integer program. ``None`` for a two-sided target or when no such group exists."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    from detente.models.compromise import actor_weights

    if target.low is not None and target.high is not None:
        return None
    weights = actor_weights(space.scenario.batch(), model.options.weighting)[0, :, space.k]
    present = np.flatnonzero(space.present & (weights > 0))
    goal = space.issue.to_unit(target.high if target.high is not None else target.low)
    inside = (space.x[present] <= goal + 1e-12) if target.high is not None else (space.x[present] >= goal - 1e-12)
    reachable = inside | (space.movable[present] & (np.abs(space.x[present] - goal) <= space.shift_limit[present] + 1e-12))
    # Winning an actor over counts far more than keeping one that is already there.
    cost = np.where(inside, 1.0, 1000.0)
    total = float(weights[present].sum())
    result = milp(
        cost,
        constraints=[LinearConstraint(weights[present][None, :], _side_quota(model.options.quota, target) * total, np.inf)],
        integrality=np.ones(len(present)),
        bounds=Bounds(np.zeros(len(present)), reachable.astype(float)),
    )
    if result.status != 0 or result.x is None:
        return None
    members = [int(present[j]) for j in np.flatnonzero(np.round(result.x))]
    ids = space.ids
    return {
        "model": model.name,
        "quota": model.options.quota,
        "members": [ids[i] for i in members],
        "already_there": [ids[i] for i, j in zip(present, inside) if j and int(i) in members],
        "to_win": [ids[i] for i, j in zip(present, inside) if not j and int(i) in members],
    }


# -- the search --------------------------------------------------------------------------------------


def _search(
    space: _Space, evaluate: _Evaluator, score, seeds: list[_Candidate], budget: float | None, keep: int,
    beam: int = 5, rounds: int = 12,
) -> tuple[list[_Candidate], _Candidate]:
    """Beam search over lever steps, bounded by the plans found so far: a plan that already costs
    more than the ``keep``-th cheapest plan reaching the target is not extended (levers only add
    cost). Returns the plans that reach the target (trimmed) and the closest plan."""
    base = space.empty()
    base_gap = score(evaluate([base]))[0]
    solutions: dict[tuple, _Candidate] = {}
    for plan, gap in zip(seeds, score(evaluate(seeds)) if seeds else []):
        if gap <= _TOL:
            solutions[plan.key()] = plan
    closest, closest_gap = base, base_gap
    frontier, frontier_gaps, frontier_costs = [base], [base_gap], [0.0]
    seen: set[tuple] = {base.key()}

    def bound() -> float:
        costs = sorted(space.cost(p) for p in solutions.values())
        limit = costs[keep - 1] if len(costs) >= keep else math.inf
        return min(limit, budget + _TOL if budget is not None else math.inf)

    for round_ in range(rounds):
        fraction = 1 / 4 if round_ < rounds // 2 else 1 / 8
        expanded: list[_Candidate] = []
        parents: list[int] = []
        ceiling = bound()
        while not expanded and fraction > 1e-3:  # near the budget, smaller steps still fit
            for p, plan in enumerate(frontier):
                for move in space.moves(plan, space.direction, fraction):
                    if move.key() not in seen and space.cost(move) < ceiling:
                        seen.add(move.key())
                        expanded.append(move)
                        parents.append(p)
            fraction /= 4
        if not expanded:
            break
        gaps = score(evaluate(expanded))
        costs = np.array([space.cost(p) for p in expanded])
        parent_gap = np.array([frontier_gaps[p] for p in parents])
        parent_cost = np.array([frontier_costs[p] for p in parents])
        for plan, gap in zip(expanded, gaps):
            if gap <= _TOL:
                solutions[plan.key()] = plan
            elif gap < closest_gap:
                closest, closest_gap = plan, gap
        ceiling = bound()
        open_ = [i for i in range(len(expanded)) if gaps[i] > _TOL and costs[i] < ceiling]
        if not open_:
            break
        # Rank by the marginal rate of the last lever step: gap closed per unit of cost added.
        rate = np.array([(parent_gap[i] - gaps[i]) / max(costs[i] - parent_cost[i], 1e-9) for i in open_])
        by_rate = [open_[i] for i in np.argsort(-rate, kind="stable")[:beam]]
        by_gap = [open_[i] for i in np.argsort(gaps[open_], kind="stable")[: max(1, beam // 2)]]
        chosen = list(dict.fromkeys(by_rate + by_gap))
        frontier = [expanded[i] for i in chosen]
        frontier_gaps = [gaps[i] for i in chosen]
        frontier_costs = [costs[i] for i in chosen]
    refined = _refine(space, evaluate, score, list(solutions.values()), budget)
    return refined, closest


def _refine(space: _Space, evaluate: _Evaluator, score, plans: list[_Candidate], budget: float | None, passes: int = 3) -> list[_Candidate]:
    """Trim each reaching plan lever by lever while it still reaches the target."""
    plans = sorted(plans, key=space.cost)[:8]
    out = []
    for plan in plans:
        for _ in range(passes):
            trims = [t for t in space.trims(plan) if space.cost(t) < space.cost(plan) - _TOL]
            if not trims:
                break
            gaps = score(evaluate(trims))
            ok = [t for t, g in zip(trims, gaps) if g <= _TOL]
            if not ok:
                break
            plan = min(ok, key=space.cost)
        out.append(plan)
    return [p for p in out if budget is None or space.cost(p) <= budget + _TOL]


def _polish(space: _Space, evaluate: _Evaluator, slack, plans: list[_Candidate], budget: float | None, iterations: int = 10) -> list[_Candidate]:
    """Sequential linear programming on the continuous levers of each plan (its drops and additions
    kept): linearise the target's slack by finite differences, computed for all levers in one batch,
    solve ``min Σ p_j |v_j|`` s.t. ``slack + ∇slack · (v − v0) ≥ margin`` within a trust region
    (:func:`scipy.optimize.linprog`), keep the cheapest variant that really reaches the target, and
    repeat. Where the forecast is flat in every lever (median, EUM between pivots) nothing changes."""
    from scipy.optimize import linprog

    out = []
    for plan in plans:
        variables = _variables(space, plan)
        if not variables:
            out.append(plan)
            continue
        lower = np.array([v[2] for v in variables])
        upper = np.array([v[3] for v in variables])
        price = np.array([v[4] for v in variables])
        current = _vector(space, plan, variables)
        cost_now = space.cost(plan)
        radius = np.maximum(upper - lower, 1e-9) / 4
        for _ in range(iterations):
            h = np.where(current + 1e-3 <= upper, 1e-3, -1e-3)
            probes = [_with_vector(space, plan, variables, current + h[j] * np.eye(len(variables))[j]) for j in range(len(variables))]
            values = slack(evaluate([_with_vector(space, plan, variables, current)] + probes))
            base = values[0]
            gradient = (values[1:] - base) / h
            if not np.any(np.abs(gradient) > 1e-12) or not np.isfinite(base):
                break
            tried = []
            for shrink in (1.0, 1 / 3):
                lo = np.maximum(lower, current - radius * shrink)
                hi = np.minimum(upper, current + radius * shrink)
                for margin in (0.0, 2e-3, 1e-2):
                    n = len(variables)
                    # v = u+ - u-;  min Σ p (u+ + u-);  -g·v <= base - g·v0 - margin;  lo <= v <= hi
                    c = np.concatenate([price, price])
                    rows = [np.concatenate([-gradient, gradient])]
                    rhs = [base - gradient @ current - margin]
                    eye = np.eye(n)
                    a_ub = np.vstack([rows, np.hstack([eye, -eye]), np.hstack([-eye, eye])])
                    b_ub = np.concatenate([rhs, hi, -lo])
                    span = np.maximum(np.abs(lo), np.abs(hi))
                    result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=list(zip(np.zeros(2 * n), np.concatenate([span, span]))), method="highs")
                    if result.status == 0:
                        vector = np.clip(result.x[:n] - result.x[n:], lower, upper)
                        vector[np.abs(vector) < 1e-9] = 0.0
                        tried.append(_with_vector(space, plan, variables, vector))
            if not tried:
                break
            checked = slack(evaluate(tried))
            better = [t for t, value in zip(tried, checked) if value >= -_TOL and space.cost(t) < cost_now - 1e-6]
            if not better:
                radius = radius / 3
                if np.all(radius < 1e-4):
                    break
                continue
            plan = min(better, key=space.cost)
            cost_now = space.cost(plan)
            current = _vector(space, plan, variables)
        out.append(plan)
    return [p for p in out if budget is None or space.cost(p) <= budget + _TOL]


def _variables(space: _Space, plan: _Candidate) -> list[tuple[str, int, float, float, float]]:
    """The continuous levers of a plan's space: (kind, index, lower, upper, price per unit)."""
    m, prices = space.multiplier, space.prices
    out = []
    for i in np.flatnonzero(space.movable):
        if i in plan.dropped:
            continue
        if "position" in space.kinds:
            limit = space.shift_limit[i]
            out.append(("shift", int(i), max(-space.x[i], -limit), min(1 - space.x[i], limit), m[i] * prices.position * space.s[i] * 100))
        if "salience" in space.kinds:
            limit = space.salience_limit[i]
            out.append(("salience", int(i), max(-space.s[i], -limit), min(1 - space.s[i], limit), m[i] * prices.salience * 100))
        if "capability" in space.kinds:
            low, high = space.capability_range
            out.append(("capability", int(i), low, high, m[i] * prices.capability))
    for c, (_, members) in enumerate(space.coalitions):
        if any(i in plan.dropped for i in members):
            continue
        limit = float(np.min(space.shift_limit[members]))
        out.append(("coalition", c, max(-float(np.min(space.x[members])), -limit), min(float(np.min(1 - space.x[members])), limit),
                    float(np.sum(m[members] * prices.position * space.s[members] * 100))))
    return [v for v in out if v[3] > v[2]]


def _vector(space: _Space, plan: _Candidate, variables) -> np.ndarray:
    fields = {"shift": plan.shift, "salience": plan.salience, "capability": plan.log_capability}
    return np.array([plan.coalition[index] if kind == "coalition" else fields[kind][index] for kind, index, *_ in variables])


def _with_vector(space: _Space, plan: _Candidate, variables, vector: np.ndarray) -> _Candidate:
    shift, salience, capability = plan.shift.copy(), plan.salience.copy(), plan.log_capability.copy()
    coalition = list(plan.coalition)
    fields = {"shift": shift, "salience": salience, "capability": capability}
    for (kind, index, *_), value in zip(variables, vector):
        if kind == "coalition":
            coalition[index] = float(value)
        else:
            fields[kind][index] = float(value)
    return replace(plan, shift=shift, salience=salience, log_capability=capability, coalition=tuple(coalition))


# -- the public entry point --------------------------------------------------------------------------


def advise(
    scenario: Scenario | str,
    issue: str,
    target: str | Target,
    models: Iterable[str | Model] | str | None = None,
    settings: Iterable[str] = (),
    levers: LeverSpace | None = None,
    prices: Prices | None = None,
    costs: Mapping[str, float] | None = None,
    budget: float | None = None,
    robust: bool = False,
    share: float | None = None,
    draws: int = 0,
    seed: int = 0,
    plans: int = 3,
    progress: Callable[[int, int], None] | None = None,
) -> Advice:
    """The cheapest plans that bring ``issue``'s forecast to ``target`` (see the module docstring).

    ``models``: the first is the model the plan must convince; with ``robust`` every model must
    reach the target. ``share``: the plan must reach it in at least this share of Monte Carlo
    draws (searched on the first 256 draws, checked with ``draws``). ``draws`` > 0 also gives each
    plan's probability of reaching the target. ``budget``: the most a plan may cost. The search
    does a fixed amount of work (no time limit), so the same inputs and seed give the same plans on
    any machine. ``progress(done, 3)`` is called as the search, the checks of the plans and the
    pivotal actors are done.
    """
    if isinstance(scenario, str):
        from detente.io import load

        scenario = load(scenario)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"advise() needs a Scenario or a scenario id or path, got {type(scenario).__name__}")
    the_issue = scenario.issue(issue)
    goal = target if isinstance(target, Target) else parse_target(target, the_issue)
    if isinstance(models, str):
        models = [models]
    chosen = configured_models(scenario, list(models) if models else _default_models(), settings)
    names = [m.name for m in chosen]
    levers = levers or LeverSpace()
    prices = prices or Prices()
    costs = dict(costs or {})
    _check_space(scenario, the_issue, levers, prices, costs)
    if budget is not None and not (math.isfinite(budget) and budget >= 0):
        raise UsageError(f"the budget must be a number >= 0, got {budget!r}")
    if share is not None and not 0 < share <= 1:
        raise UsageError(f"the share of draws must lie in (0, 1], got {share!r}")
    if isinstance(plans, bool) or not isinstance(plans, int) or plans < 1:
        raise UsageError(f"the number of plans must be a whole number >= 1, got {plans!r}")
    if draws and (isinstance(draws, bool) or not isinstance(draws, int) or draws < 0):
        raise UsageError(f"the number of draws must be a whole number >= 0, got {draws!r}")
    space = _Space(scenario, the_issue, levers, prices, costs)
    baseline_forecast = forecast(scenario, chosen)
    baseline = {r.model: float(r.values[space.k]) for r in baseline_forecast.results}
    required = names if robust else names[:1]
    primary_value = baseline[required[0]]
    if goal.high is not None and primary_value > goal.high:
        space.direction = -1.0
    elif goal.low is not None and primary_value < goal.low:
        space.direction = 1.0
    else:
        space.direction = -1.0 if goal.high is not None else 1.0
    required_index = [names.index(m) for m in required]
    search_draws = BLOCK if share else 0
    evaluate = _Evaluator(space, [chosen[i] for i in required_index], search_draws, seed)
    notes: list[str] = []

    def score(values: np.ndarray) -> np.ndarray:
        gaps = goal.gap(values)  # (plans, models, draws)
        if share:
            reached = (gaps <= _TOL).mean(axis=2)  # (plans, models)
            return np.maximum(0.0, share - reached).max(axis=1) * (the_issue.hi - the_issue.lo) + np.where(
                np.isfinite(gaps), gaps, 1e9).mean(axis=2).max(axis=1) * (reached.min(axis=1) < share)
        # The mean gap breaks ties between plans that leave the same model equally far off.
        return gaps[:, :, 0].max(axis=1) + 1e-3 * np.where(np.isfinite(gaps[:, :, 0]), gaps[:, :, 0], 1e9).mean(axis=1)

    def slack(values: np.ndarray) -> np.ndarray:
        """How far inside the target each plan's forecast lies (negative: outside), on 0..1,
        for the least convinced required model."""
        width = the_issue.hi - the_issue.lo
        room = np.full(values.shape, np.inf)
        if goal.high is not None:
            room = np.minimum(room, goal.high - values)
        if goal.low is not None:
            room = np.minimum(room, values - goal.low)
        room = np.where(np.isnan(values), -np.inf, room) / width
        return room.min(axis=(1, 2))

    seeds = []
    solvers = {"compromise": _compromise_exact, "median": _median_exact}
    if not share and ("position" in levers.kinds or "coalition" in levers.kinds):
        for model in (chosen[i] for i in required_index):
            if model.name in solvers and not (model.name == "median" and goal.low is not None and goal.high is not None):
                solve = lambda excluded, model=model: solvers[model.name](space, model, goal, budget, excluded)  # noqa: E731
                exact = solve(set())
                if exact is not None:
                    seeds += [exact, *_alternatives(space, solve, exact, plans)]
    exact_kinds = {"compromise": {"position", "coalition"}, "median": {"position", "drop"}}.get(chosen[required_index[0]].name, set())
    solved = len(required_index) == 1 and not share and set(levers.kinds) <= exact_kinds and not levers.candidates
    step = progress or (lambda done, total: None)
    step(0, 3)
    if score(evaluate([space.empty()]))[0] <= _TOL:
        candidates, closest = [space.empty()], space.empty()
    elif solved and seeds and (budget is None or space.cost(seeds[0]) <= budget + _TOL) and score(evaluate(seeds[:1]))[0] <= _TOL:
        # The exact program already gives the cheapest plan; its alternatives follow it.
        candidates, closest = [], space.empty()
    else:
        candidates, closest = _search(space, evaluate, score, seeds, budget, plans)
        if not share:
            candidates = _polish(space, evaluate, slack, sorted(candidates, key=space.cost)[:plans], budget) + candidates
    affordable = [s for s in seeds if budget is None or space.cost(s) <= budget + _TOL]
    reaching = [s for s, gap in zip(affordable, score(evaluate(affordable)) if affordable else []) if gap <= _TOL]
    candidates = sorted({c.key(): c for c in candidates + reaching}.values(), key=space.cost)
    chosen_plans = _distinct(space, candidates, plans)
    reachable = bool(chosen_plans)
    step(1, 3)
    results = [_finish(space, chosen, goal, plan, draws, seed) for plan in chosen_plans]
    closest_plan = None if reachable else _finish(space, chosen, goal, closest, draws, seed)
    step(2, 3)
    pivots = [] if goal.met(np.array([primary_value]))[0] else _pivots(space, evaluate, score)
    coalition = None
    median = next((m for m in chosen if m.name == "median"), None)
    if median is not None:
        coalition = minimal_winning_coalition(space, median, goal)
    if share and draws:
        for rank, plan in enumerate(results, 1):
            short = [m for m in required if plan.probability.get(m, 1.0) < share]
            if short:
                notes.append(
                    f"plan {rank} reaches the target in {min(plan.probability[m] for m in short) * 100:.0f} % of {draws} draws under "
                    f"{', '.join(short)}, short of the {share * 100:.0f} % asked (it was searched on the first 256 draws)"
                )
    if not reachable:
        notes.append("no plan within the allowed levers" + (f" and the budget {_fmt(budget)}" if budget is not None else "") + " reaches the target; the closest plan is shown")
    step(3, 3)
    return Advice(scenario, goal, names, required, baseline, results, reachable, closest_plan, pivots, coalition,
                  draws, share, budget, prices, notes)


def _default_models() -> list[str]:
    from detente import models as registry

    return registry.default_names(simulation=True)


def _alternatives(space: _Space, solve, best: _Candidate, count: int) -> list[_Candidate]:
    """Other cheap plans: the exact program again without the costliest actor of the plans so far
    (``solve(excluded)`` gives the cheapest plan leaving those actors where they are)."""
    out, excluded = [], set()
    plan = best
    for _ in range(count - 1):
        effort = np.abs(space.total_shift(plan) * space.s * space.multiplier)
        effort[list(plan.dropped)] = space.multiplier[list(plan.dropped)] * space.prices.drop if plan.dropped else 0.0
        if not effort.any():
            break
        excluded.add(int(np.argmax(effort)))
        plan = solve(excluded)
        if plan is None:
            break
        out.append(plan)
    return out


def _distinct(space: _Space, candidates: list[_Candidate], count: int) -> list[_Candidate]:
    """The cheapest plans whose sets of actors differ."""
    chosen, seen = [], set()
    for plan in candidates:
        who = (tuple(np.flatnonzero(space.total_shift(plan))), tuple(np.flatnonzero(plan.salience)),
               tuple(np.flatnonzero(plan.log_capability)), plan.dropped, plan.added)
        if who in seen:
            continue
        seen.add(who)
        chosen.append(plan)
        if len(chosen) == count:
            break
    return chosen


def _finish(space: _Space, models: list[Model], goal: Target, candidate: _Candidate, draws: int, seed: int) -> Plan:
    """A plan re-run from its lever strings: the forecasts ``whatif`` would give."""
    steps = space.steps(candidate)
    texts = [lever for step in steps for lever in step.levers]
    changed = apply_levers(space.scenario, texts) if texts else space.scenario
    result: Forecast = forecast(changed, models)
    values = {r.model: float(r.values[space.k]) for r in result.results}
    reached = {m: bool(goal.met(np.array([v]))[0]) for m, v in values.items()}
    probability = {}
    if draws:
        simulation = simulate(changed, models, draws, seed)
        k = space.k
        for j, name in enumerate(m.name for m in models):
            probability[name] = float(goal.met(simulation.values[j, :, k]).mean())
    return Plan(steps, float(sum(s.cost for s in steps)), values, reached, probability)


def _pivots(space: _Space, evaluate: _Evaluator, score) -> list[Pivot]:
    """Each movable actor's most effective single lever per unit of cost (for the first model)."""
    if not space.movable.any():
        return []
    base = score(evaluate([space.empty()]))
    singles = []
    for i in np.flatnonzero(space.movable):
        plan = space.empty()
        options = []
        if "position" in space.kinds and space.shift_limit[i] > 0:
            room = (1 - space.x[i]) if space.direction > 0 else space.x[i]
            shift = plan.shift.copy()
            shift[i] = space.direction * min(space.shift_limit[i], room)
            if shift[i]:
                options.append(("position", replace(plan, shift=shift)))
        if "capability" in space.kinds:
            for bound in space.capability_range:
                if bound:
                    log = plan.log_capability.copy()
                    log[i] = bound
                    options.append(("capability", replace(plan, log_capability=log)))
        if "drop" in space.kinds:
            options.append(("drop", replace(plan, dropped=frozenset({int(i)}))))
        singles += [(i, kind, option) for kind, option in options]
    if not singles:
        return []
    values = evaluate([option for _, _, option in singles])
    primary = values[:, 0, :].mean(axis=1)
    before = evaluate([space.empty()])[0, 0, :].mean()
    best: dict[int, Pivot] = {}
    for (i, kind, option), value in zip(singles, primary):
        cost = space.cost(option)
        moved = abs(value - before) if np.sign(value - before) == space.direction else 0.0
        rate = moved / cost if cost > 0 else 0.0
        steps = space.steps(option)
        lever = "; ".join(l for s in steps for l in s.levers)
        if i not in best or rate > best[i].per_cost:
            best[i] = Pivot(space.ids[i], lever, float(value - before), float(cost), float(rate))
    return sorted(best.values(), key=lambda p: -p.per_cost)


# -- formatting helpers ------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value - round(value)) > 1e-9 else f"{round(value):d}"


def _lever_number(value: float) -> str:
    return f"{value + 0.0:.10g}"  # + 0.0 turns -0.0 into 0


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 6)


def _moves(before: float, after: float) -> str:
    if math.isnan(after):
        return "gives no forecast"
    verb = "falls" if after < before else "rises" if after > before else "stays"
    return f"{verb} from {_fmt(before)} to {_fmt(after)}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _model_title(name: str) -> str:
    return {"eum": "EUM", "smp": "SMP", "nash": "Nash"}.get(name, name)
