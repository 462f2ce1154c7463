"""Which inputs move a forecast: one-step effects of every actor's inputs, and leave-one-actor-out.

For every actor and input (a stance's position or salience, the actor's capability) the effect is
the change of each issue's forecast when that input moves up by one step, in the issue's units:

* the compromise model (weighted mean, ``c·s`` weights) uses the closed-form derivatives of
  docs/models/specification.md §1.1, ``∂O/∂x_j = w_j/W``, ``∂O/∂s_j = c_j (x_j − O)/W``, ``∂O/∂c_j = s_j (x_j − O)/W``,
  times the step (a linearisation; ``down``/``up`` are ``O ∓ effect``);
* every other model uses central finite differences ``(f(v + h) − f(v − h)) / 2`` with all the
  moved inputs as the draws of ONE batch (a model that draws random numbers runs them one by
  one with the same random numbers each: :func:`common_random_forecasts`). A move that would
  leave the scale is cut at its end and the difference rescaled to a full step (one-sided at
  the ends); ``down``/``up`` are the forecasts actually computed.

Steps: position in percent of each issue's scale, salience in points of 0..100, capability in
percent of the actor's capability (all its issues at once, per-issue overrides included).
Leave-one-actor-out reruns the model without each actor in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from detente.analysis.montecarlo import configured_models, draws_random_numbers
from detente.errors import UsageError
from detente.models.base import Model
from detente.models.compromise import CompromiseModel, mean_sensitivities
from detente.scenario import Batch, Scenario

INPUTS = ("position", "salience", "capability")
Method = Literal["auto", "closed", "finite"]
_CROSS_EFFECT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Steps:
    """How far each input moves: position in % of the scale, salience in points of 0..100,
    capability in % of its value."""

    position: float = 5.0
    salience: float = 10.0
    capability: float = 10.0

    def __post_init__(self) -> None:
        for name in INPUTS:
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise UsageError(f"the {name} step must be a number > 0, got {value!r}")
        if self.position > 100 or self.salience > 100 or self.capability >= 100:
            raise UsageError("steps must stay within the scales: position and salience <= 100, capability < 100 %")

    def normalised(self) -> dict[str, float]:
        """The steps on the model scales: share of the scale, of 0..1 salience, of the capability."""
        return {"position": self.position / 100, "salience": self.salience / 100, "capability": self.capability / 100}

    def describe(self) -> str:
        return f"position ±{self.position:g}% of the scale, salience ±{self.salience:g} points, capability ±{self.capability:g}%"


def closed_form_applies(model: Model) -> bool:
    """The closed form holds for the compromise model with ``c·s`` weights (salience exponent 1)."""
    return isinstance(model, CompromiseModel) and model.options.weighting == "cs" and model.options.salience_exponent == 1.0


def closed_form_effects(batch: Batch, model: CompromiseModel, steps: Steps) -> dict[str, np.ndarray]:
    """One-step effects on 0..1, (actors, issues) per input, from :func:`mean_sensitivities`.

    A status-quo pseudo-actor with share σ scales every derivative by ``1 − σ`` on issues with a SQ;
    capability moves by a share of itself, so its effect is ``c_jk ∂O/∂c_jk · step``.
    """
    derivatives = mean_sensitivities(batch.position[0], batch.salience[0], batch.capability[0], batch.present)
    share = model.options.status_quo_share
    damping = np.where(np.isnan(batch.status_quo), 1.0, 1.0 - share)
    h = steps.normalised()
    return {
        "position": derivatives["position"] * h["position"] * damping,
        "salience": derivatives["salience"] * h["salience"] * damping,
        "capability": derivatives["capability"] * batch.capability[0] * h["capability"] * damping,
    }


@dataclass(frozen=True)
class Moves:
    """The moved copies of a scenario's inputs, two per input (down, up), as one batch."""

    batch: Batch
    actor: np.ndarray
    input: np.ndarray
    input_issue: np.ndarray
    delta_down: np.ndarray
    delta_up: np.ndarray


def moved_inputs(base: Batch, steps: Steps) -> Moves:
    """Every stance's position and salience and every actor's capability moved down and up a step.

    Draws ``2r`` (down) and ``2r + 1`` (up) belong to move ``r``; positions and saliences stay in
    0..1 (the delta records how far each really moved); capability is scaled by ``1 ± step``.
    """
    h = steps.normalised()
    stances = np.argwhere(base.present)
    n_actors = base.n_actors
    actor = np.concatenate([stances[:, 0], stances[:, 0], np.arange(n_actors)])
    kind = np.array(["position"] * len(stances) + ["salience"] * len(stances) + ["capability"] * n_actors)
    input_issue = np.concatenate([stances[:, 1], stances[:, 1], np.full(n_actors, -1)])
    moves = len(actor)
    batch = base.repeat(2 * moves)
    position, salience, capability = batch.position.copy(), batch.salience.copy(), batch.capability.copy()
    delta_down, delta_up = np.zeros(moves), np.zeros(moves)
    for name, values, start in (("position", position, 0), ("salience", salience, len(stances))):
        rows = np.arange(start, start + len(stances))
        i, k = stances[:, 0], stances[:, 1]
        original = values[0, i, k]
        low = np.clip(original - h[name], 0.0, 1.0)
        high = np.clip(original + h[name], 0.0, 1.0)
        values[2 * rows, i, k] = low
        values[2 * rows + 1, i, k] = high
        delta_down[rows] = low - original
        delta_up[rows] = high - original
    rows = np.arange(2 * len(stances), moves)
    capability[2 * rows, np.arange(n_actors)] *= 1 - h["capability"]
    capability[2 * rows + 1, np.arange(n_actors)] *= 1 + h["capability"]
    delta_down[rows], delta_up[rows] = -h["capability"], h["capability"]
    return Moves(Batch(position, salience, capability, base.present, base.status_quo, base.codings), actor, kind, input_issue, delta_down, delta_up)


def finite_difference_effects(model: Model, base: Batch, steps: Steps) -> tuple[Moves, np.ndarray, np.ndarray, np.ndarray]:
    """Forecasts (0..1) at every move down and up, and the one-step effect per move and issue:
    ``(f_up − f_down) / (δ_up − δ_down) · step``. Returns (moves, down, up, effect), each (moves, issues)."""
    moves = moved_inputs(base, steps)
    forecasts = common_random_forecasts(model, moves.batch)
    down, up = forecasts[0::2], forecasts[1::2]
    step = np.array([steps.normalised()[kind] for kind in moves.input])
    span = moves.delta_up - moves.delta_down
    with np.errstate(invalid="ignore", divide="ignore"):
        effect = np.where(span[:, None] > 0, (up - down) / span[:, None] * step[:, None], np.nan)
    return moves, down, up, effect


def common_random_forecasts(model: Model, batch: Batch) -> np.ndarray:
    """Forecasts (draws, issues) of every draw. Deterministic models take the whole batch in one
    call; a model that draws random numbers (tie-breaks) runs each draw alone without a generator,
    so it seeds itself from its own ``seed`` option as the baseline run does, and a move's effect
    is not mixed with different random numbers (common random numbers)."""
    if not draws_random_numbers(model):
        return np.asarray(model.forecast_batch(batch), dtype=float)
    return np.concatenate([np.asarray(model.forecast_batch(batch.take([d])), dtype=float) for d in range(batch.size)])


@dataclass
class SensitivityResult:
    """Ranked one-step effects (``table``) and leave-one-actor-out shifts of one model's forecast."""

    scenario: Scenario
    model: str
    method: str
    steps: Steps
    baseline: np.ndarray
    table: pd.DataFrame
    leave_one_out: pd.DataFrame

    def __repr__(self) -> str:
        return f"<SensitivityResult {self.model} on {self.scenario.id!r} ({self.method}): {len(self.table)} effects>"

    def _repr_html_(self) -> str:
        from detente.report.notebook import sensitivity_html

        return sensitivity_html(self)

    def to_frame(self) -> pd.DataFrame:
        """The ranked effects, one row per input and forecast issue: ``actor, input`` (position,
        salience or capability), ``input_issue`` (the issue whose input moves; empty for
        capability), ``issue`` (the forecast affected), ``low, high`` (the forecast one step down
        and up) and ``effect`` (the change for one step up), largest first."""
        return self.table.copy()

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.id,
            "model": self.model,
            "method": self.method,
            "steps": {"position_percent_of_scale": self.steps.position, "salience_points": self.steps.salience, "capability_percent": self.steps.capability},
            "baseline": {issue.id: float(v) for issue, v in zip(self.scenario.issues, self.baseline)},
            "effects": _records(self.table),
            "leave_one_out": _records(self.leave_one_out),
        }

    def __rich__(self):
        from detente.report.result_tables import sensitivity_table

        return sensitivity_table(self)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def sensitivity(
    scenario: Scenario,
    model: str | Model = "compromise",
    settings: tuple[str, ...] | list[str] = (),
    steps: Steps | None = None,
    method: Method = "auto",
) -> SensitivityResult:
    """Every input's one-step effect on every issue, ranked by size, plus leave-one-actor-out."""
    steps = steps or Steps()
    if method not in ("auto", "closed", "finite"):
        raise UsageError(f"unknown method {method!r}; choose auto, closed or finite")
    (built,) = configured_models(scenario, [model], settings)
    closed = closed_form_applies(built)
    if method == "closed" and not closed:
        raise UsageError(f"closed-form derivatives exist only for the compromise model with c·s weights, not for {built!r}; use method 'finite'")
    use_closed = closed and method != "finite"
    base = scenario.batch()
    baseline = np.asarray(built.forecast_batch(base), dtype=float)[0]
    spans = np.array([issue.hi - issue.lo for issue in scenario.issues])
    if use_closed:
        table = _closed_form_table(scenario, built, base, baseline, steps, spans)
    else:
        table = _finite_difference_table(scenario, built, base, steps, spans)
    table = table.reindex(table["effect"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)
    return SensitivityResult(
        scenario, built.name, "closed form" if use_closed else "finite differences", steps, scenario.to_units(baseline), table, leave_one_out(scenario, built, baseline)
    )


_COLUMNS = ["actor", "input", "input_issue", "issue", "low", "high", "effect"]


def _closed_form_table(scenario: Scenario, model: CompromiseModel, base: Batch, baseline: np.ndarray, steps: Steps, spans: np.ndarray) -> pd.DataFrame:
    effects = closed_form_effects(base, model, steps)
    lo = np.array([issue.lo for issue in scenario.issues])
    rows = []
    for kind in INPUTS:
        for i, k in np.argwhere(base.present):
            effect = effects[kind][i, k] * spans[k]
            centre = lo[k] + baseline[k] * spans[k]
            rows.append((scenario.actors[i].id, kind, None if kind == "capability" else scenario.issues[k].id, scenario.issues[k].id, centre - effect, centre + effect, effect))
    return pd.DataFrame(rows, columns=_COLUMNS)


def _finite_difference_table(scenario: Scenario, model: Model, base: Batch, steps: Steps, spans: np.ndarray) -> pd.DataFrame:
    moves, down, up, effect = finite_difference_effects(model, base, steps)
    down_units, up_units = scenario.to_units(down), scenario.to_units(up)
    effect_units = effect * spans
    rows = []
    for r in range(len(moves.actor)):
        own_issue = moves.input_issue[r]
        for k, issue in enumerate(scenario.issues):
            relevant = k == own_issue if own_issue >= 0 else bool(base.present[moves.actor[r], k])
            if not relevant and not abs(effect_units[r, k]) > _CROSS_EFFECT_TOLERANCE * spans[k]:
                continue
            rows.append(
                (
                    scenario.actors[moves.actor[r]].id,
                    str(moves.input[r]),
                    scenario.issues[own_issue].id if own_issue >= 0 else None,
                    issue.id,
                    down_units[r, k],
                    up_units[r, k],
                    effect_units[r, k],
                )
            )
    return pd.DataFrame(rows, columns=_COLUMNS)


def leave_one_out(scenario: Scenario, model: Model, baseline: np.ndarray | None = None) -> pd.DataFrame:
    """Each issue's forecast without each actor, and the shift from the full scenario (issue units)."""
    base = scenario.batch()
    if baseline is None:
        baseline = np.asarray(model.forecast_batch(base), dtype=float)[0]
    full = scenario.to_units(baseline)
    rows = []
    for i, actor in enumerate(scenario.actors):
        keep = np.ones(base.n_actors, dtype=bool)
        keep[i] = False
        without = scenario.to_units(np.asarray(model.forecast_batch(base.select_actors(keep)), dtype=float)[0])
        for k, issue in enumerate(scenario.issues):
            rows.append((actor.id, issue.id, without[k], without[k] - full[k]))
    return pd.DataFrame(rows, columns=["actor", "issue", "without", "shift"])
