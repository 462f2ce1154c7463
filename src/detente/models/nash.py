"""The generalised (asymmetric) Nash bargaining solution with a status quo.

Nash (1950); the asymmetric form with bargaining powers ``b_i`` (here the capabilities), as used
for EU legislative bargaining by Achen and by Schneider, Finke & Bailer (2010):

    y* = argmax_{y in F}  Σ_{i in N} b_i ln( u_i(y) − u_i(SQ) )
    u_i(y) = −Σ_k s_ik |y_k − x_ik|^γ        (γ = 1 linear loss, γ = 2 quadratic loss)
    F = { y : u_i(y) > u_i(SQ) for every i in N }

``N`` is everybody (unanimity) or the smallest coalition that reaches a quota of the capability
on the side of the status quo it moves to (the coalition pivotal for moving away from SQ). Where
every actor of ``N`` cannot gain, the solution is the status quo (gridlock). docs/models/specification.md §1.3.

In one dimension the objective is strictly concave on the feasible interval, so its derivative
decreases and the maximiser is found by bisection on the derivative's sign, for every draw and
issue at once (SciPy's scalar optimisers take one problem at a time; the Monte Carlo batch needs
all of them in one array pass). Several issues jointly (``joint=True``) couple through the logs
and are solved per draw with SciPy's SLSQP.

An issue without a status quo has no natural disagreement point. detente then uses a common,
arbitrarily bad disagreement utility ``−K`` for every actor; as K grows the Nash solution tends
to the weighted-utilitarian point (docs/models/specification.md §1.1, Achen): the c·s weighted mean for γ = 2 and
the c·s weighted median for γ = 1. That limit is returned and noted in the result.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from detente.models.base import Model, ModelResult, Options
from detente.models.compromise import weighted_mean
from detente.models.median import weighted_median
from detente.scenario import Batch, Scenario

_BISECTION_STEPS = 64
_GRIDLOCK = 1e-12


def feasible_interval(x: np.ndarray, members: np.ndarray, status_quo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The interval every member prefers to SQ, on 0..1: ``[max(x_i − r_i), min(x_i + r_i)]``, ``r_i = |SQ − x_i|``."""
    reach = np.abs(status_quo[..., None, :] - x)
    low = np.where(members, x - reach, -np.inf).max(axis=-2)
    high = np.where(members, x + reach, np.inf).min(axis=-2)
    return np.maximum(low, 0.0), np.minimum(high, 1.0)


def nash_product_slope(y: np.ndarray, x: np.ndarray, power: np.ndarray, members: np.ndarray, status_quo: np.ndarray, gamma: float) -> np.ndarray:
    """Derivative of ``Σ b_i ln(|SQ − x_i|^γ − |y − x_i|^γ)`` in y (salience cancels in one dimension)."""
    gap = y[..., None, :] - x
    distance = np.abs(gap)
    gain = np.abs(status_quo[..., None, :] - x) ** gamma - distance**gamma
    slope = -gamma * distance ** (gamma - 1) * np.sign(gap)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(members, power * slope / gain, 0.0).sum(axis=-2)


def nash_bargaining_1d(
    x: np.ndarray, power: np.ndarray, members: np.ndarray, status_quo: np.ndarray, gamma: float = 2.0
) -> np.ndarray:
    """Issue-by-issue Nash bargaining solution for arrays shaped (..., actors, issues).

    ``members`` marks the actors whose consent is needed; ``status_quo`` has shape (..., issues).
    Returns (..., issues); SQ wherever the feasible interval is empty (gridlock) or nobody's
    consent is asked (no coalition can move the outcome away from SQ).
    """
    status_quo = np.broadcast_to(status_quo, x.shape[:-2] + x.shape[-1:])
    low, high = feasible_interval(x, members, status_quo)
    gridlock = ~(high - low > _GRIDLOCK) | ~members.any(axis=-2)
    low = np.where(gridlock, status_quo, low)
    high = np.where(gridlock, status_quo, high)
    for _ in range(_BISECTION_STEPS):
        middle = (low + high) / 2
        rising = nash_product_slope(middle, x, power, members, status_quo, gamma) > 0
        low = np.where(rising, middle, low)
        high = np.where(rising, high, middle)
    return np.where(gridlock, status_quo, (low + high) / 2)


def pivotal_coalition(x: np.ndarray, votes: np.ndarray, participants: np.ndarray, status_quo: np.ndarray, quota: float) -> np.ndarray:
    """Members of the smallest coalition, from the far end inward, that carries ``quota`` of the votes
    for a move away from SQ; on each issue the side (above or below SQ) whose supporters hold more
    votes is taken. Returns a member mask shaped like ``x``; all False where no side reaches the quota."""
    sq = status_quo[..., None, :]
    total = np.where(participants, votes, 0.0).sum(axis=-2, keepdims=True)
    masks, strengths = [], []
    for direction in (1.0, -1.0):
        side = participants & (direction * (x - sq) > 0)
        key = np.where(side, -direction * x, np.inf)
        order = np.argsort(key, axis=-2, kind="stable")
        sorted_votes = np.take_along_axis(np.where(side, votes, 0.0), order, axis=-2)
        before = np.cumsum(sorted_votes, axis=-2) - sorted_votes
        chosen_sorted = (before < quota * total - 1e-12) & (sorted_votes > 0)
        reaches = sorted_votes.sum(axis=-2, keepdims=True) >= quota * total - 1e-12
        chosen = np.zeros_like(chosen_sorted)
        np.put_along_axis(chosen, order, chosen_sorted, axis=-2)
        masks.append(chosen & reaches)
        strengths.append(np.where(reaches, sorted_votes.sum(axis=-2, keepdims=True), -1.0))
    upward = strengths[0] >= strengths[1]
    return np.where(upward, masks[0], masks[1])


def nash_bargaining_joint(
    x: np.ndarray, salience: np.ndarray, power: np.ndarray, members: np.ndarray, status_quo: np.ndarray, gamma: float = 2.0
) -> np.ndarray:
    """Multi-issue Nash bargaining solution for one draw: arrays (actors, issues), SQ (issues,).

    Maximises ``Σ b_i ln(Σ_k s_ik(|SQ_k − x_ik|^γ − |y_k − x_ik|^γ))`` over y in [0,1]^m with
    SLSQP, starting from the c·s weighted mean pulled toward SQ until every member gains.
    """
    x = np.where(members, x, 0.0)
    members_any = members.any(axis=1)
    x, salience, power = x[members_any], salience[members_any], power[members_any]
    weight = np.where(members[members_any], salience, 0.0)
    loss_sq = (weight * np.abs(status_quo - x) ** gamma).sum(axis=1)

    def gains(y: np.ndarray) -> np.ndarray:
        return loss_sq - (weight * np.abs(y - x) ** gamma).sum(axis=1)

    if len(x) == 0 or np.any(loss_sq <= _GRIDLOCK):
        return status_quo.copy()
    start = weighted_mean(x, power[:, None] * weight)
    for _ in range(60):
        if np.all(gains(start) > 0):
            break
        start = status_quo + 0.5 * (start - status_quo)
    else:
        return status_quo.copy()

    def objective(y: np.ndarray) -> float:
        g = gains(y)
        if np.any(g <= 0):
            return 1e12
        return -float(np.sum(power * np.log(g)))

    from scipy.optimize import minimize  # only for actors with non-linear utility; scipy is slow to import

    constraints = [{"type": "ineq", "fun": lambda y: gains(y) - 1e-12}]
    solution = minimize(objective, start, method="SLSQP", bounds=[(0.0, 1.0)] * len(start), constraints=constraints, options={"ftol": 1e-12, "maxiter": 500})
    best = solution.x if solution.success and objective(solution.x) <= objective(start) else start
    return np.clip(best, 0.0, 1.0)


def _actor_power(capability: np.ndarray, present: np.ndarray) -> np.ndarray:
    """One bargaining power per actor for joint bargaining: the mean of its per-issue capabilities."""
    counts = np.maximum(present.sum(axis=1), 1)
    return np.where(present, capability, 0.0).sum(axis=1) / counts


class NashOptions(Options):
    gamma: Literal[1, 2] = Field(2, description="loss exponent: 1 linear, 2 quadratic")
    rule: Literal["unanimity", "quota"] = Field("unanimity", description="whose consent is needed: everybody, or a pivotal coalition")
    quota: float = Field(0.5, gt=0, le=1, description="with rule=quota: share of the capability the coalition needs")
    joint: bool = Field(False, description="bargain over all issues at once (trade-offs across issues) instead of issue by issue")


class NashModel(Model):
    """Generalised Nash bargaining solution relative to the status quo (docs/models/specification.md §1.3)."""

    name = "nash"
    title = "Nash bargaining (status quo)"
    short_title = "Nash bargaining"
    summary = "Asymmetric Nash bargaining solution, powers = capabilities, disagreement = status quo"
    Options = NashOptions

    def _members(self, batch: Batch, status_quo: np.ndarray) -> np.ndarray:
        participants = batch.present & (batch.salience > 0)
        if self.options.rule == "unanimity":
            return participants
        return pivotal_coalition(batch.filled_position, batch.capability, participants, status_quo, self.options.quota)

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        gamma = float(self.options.gamma)
        has_sq = ~np.isnan(batch.status_quo)
        status_quo = np.where(has_sq, batch.status_quo, 0.5)[None, :].repeat(batch.size, axis=0)
        members = self._members(batch, status_quo)
        x = batch.filled_position
        if self.options.joint and has_sq.all():
            result = np.stack(
                [nash_bargaining_joint(x[d], batch.salience[d], _actor_power(batch.capability[d], batch.present), members[d], status_quo[d], gamma) for d in range(batch.size)]
            )
        else:
            result = nash_bargaining_1d(x, batch.capability, members, status_quo, gamma)
        return np.where(has_sq[None, :], result, self._utilitarian_limit(batch))

    def _utilitarian_limit(self, batch: Batch) -> np.ndarray:
        weights = batch.effective_power()
        if self.options.gamma == 2:
            return weighted_mean(batch.position, weights)
        return weighted_median(batch.position, weights)

    def run(self, scenario: Scenario) -> ModelResult:
        result = super().run(scenario)
        options = self.options_for(scenario)
        limit = "c·s weighted mean" if options.gamma == 2 else "c·s weighted median"
        for issue, value in zip(scenario.issues, result.values):
            if issue.status_quo is None:
                result.notes[issue.id] = f"no status quo: far-disagreement limit ({limit})"
            elif abs(value - issue.status_quo) <= 1e-9 * (issue.hi - issue.lo):
                result.notes[issue.id] = "gridlock: no outcome every required actor prefers to the status quo"
        if options.joint and any(i.status_quo is None for i in scenario.issues):
            result.notes["_joint"] = "joint bargaining needs a status quo on every issue; solved issue by issue"
        return result


MODELS = [NashModel]
