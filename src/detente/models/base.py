"""The one interface every model shares.

A model is an object with typed options; ``model.run(scenario)`` returns a :class:`ModelResult`
with one forecast per issue in the issue's own units. Underneath, ``model.forecast_batch(batch)``
maps a :class:`~detente.scenario.Batch` (draws x actors x issues, positions on 0..1) to forecasts
of shape (draws, issues) on 0..1, so that Monte Carlo runs thousands of perturbed scenarios in
one call. Dynamic models return a :class:`DynamicResult` that also holds every round.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from detente.errors import OptionError
from detente.scenario import Batch, Scenario

if TYPE_CHECKING:
    import pandas as pd


QUANTILE_NAMES = ("q05", "q25", "q75", "q95")

StepCallback = Callable[[int, int], None]
_step_callback: ContextVar[StepCallback | None] = ContextVar("detente_step_callback", default=None)


@contextmanager
def reporting_steps(callback: StepCallback | None) -> Iterator[None]:
    """Within the block, dynamic models call ``callback(done, at_most)`` after each round (EUM,
    exchange) or turn (SMP) of a run: rounds done so far and the round limit. Progress display stays with
    the caller (the command line draws a bar); None reports nothing."""
    token = _step_callback.set(callback)
    try:
        yield
    finally:
        _step_callback.reset(token)


def report_step(done: int, at_most: int) -> None:
    """Tell the caller of :func:`reporting_steps`, if any, that ``done`` rounds of at most ``at_most`` are done."""
    callback = _step_callback.get()
    if callback is not None:
        callback(done, at_most)


class Options(BaseModel):
    """Base of every model's options: unknown keys are errors, values are type-checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Model:
    """Base class: subclasses set ``name``, ``title``, ``Options`` and implement ``forecast_batch``."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: For narrow tables where a long title would wrap; the title when empty.
    short_title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    Options: ClassVar[type[Options]] = Options
    dynamic: ClassVar[bool] = False
    in_default_set: ClassVar[bool] = True
    #: False for models that loop over draws in Python (seconds per thousand draws), which a
    #: Monte Carlo run then leaves out unless they are asked for by name.
    in_default_simulation: ClassVar[bool] = True

    def __init__(self, options: Options | Mapping[str, Any] | None = None, **settings: Any):
        # Only the options set explicitly carry over, so defaults (and presets) still apply to the rest.
        values = dict(options.model_dump(exclude_unset=True) if isinstance(options, BaseModel) else (options or {}))
        values.update(settings)
        try:
            self.options = self.Options(**values)
        except ValidationError as error:
            raise OptionError(_option_message(self.name, error, self.Options)) from None

    @classmethod
    def from_settings(cls, settings: Iterable[str] = ()) -> "Model":
        """Build the model from ``KEY=VALUE`` strings, as given on the command line."""
        values: dict[str, Any] = {}
        for setting in settings:
            key, sep, value = setting.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or not key:
                raise OptionError(f"--set expects KEY=VALUE, got {setting!r}")
            values[key] = value.strip()
        return cls(**values)

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.options.model_dump().items() if v != self.Options.model_fields[k].default}
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"{type(self).__name__}({args})"

    def options_for(self, scenario: Scenario) -> Options:
        """The options to run ``scenario`` with: those the file carries for this model (e.g. a
        KTAB file's parameters), overridden by every option set explicitly on this model."""
        carried = dict(scenario.models.get(self.name, {}))
        if not carried:
            return self.options
        carried.update({k: getattr(self.options, k) for k in self.options.model_fields_set})
        try:
            return self.Options(**carried)
        except ValidationError as error:
            raise OptionError(f"{scenario.origin or scenario.id}: models.{self.name}: " + _option_message(self.name, error, self.Options)) from None

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        """Forecasts on 0..1, shape (draws, issues). NaN where the model gives no forecast."""
        raise NotImplementedError

    def run(self, scenario: Scenario) -> "ModelResult":
        """Forecast ``scenario`` with the options it carries for this model (:meth:`options_for`)."""
        options = self.options_for(scenario)
        model = self if options is self.options else type(self)(options)
        values = model.forecast_batch(scenario.batch())[0]
        return ModelResult(self.name, options.model_dump(mode="json"), scenario, scenario.to_units(values))


def _option_message(model: str, error: ValidationError, options: type[Options]) -> str:
    known = ", ".join(options.model_fields) or "none"
    lines = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "options"
        if item["type"] == "extra_forbidden":
            lines.append(f"unknown option {key!r} for model {model!r} (its options: {known})")
        else:
            lines.append(f"option {key!r} of model {model!r}: {item['msg']} (got {item.get('input')!r})")
    return "; ".join(lines)


@dataclass
class ModelResult:
    """One model's forecast for every issue of a scenario, in the issues' own units."""

    model: str
    options: dict[str, Any]
    scenario: Scenario
    values: np.ndarray
    notes: dict[str, str] = field(default_factory=dict)
    predictive: Any = None
    """The calibrated predictive distribution per issue (:class:`detente.models.predictive.Predictive`,
    on 0..100), set by :func:`detente.models.predictive.attach_predictive`; None without one."""
    stored_intervals: np.ndarray | None = None
    """Issues x 4 (``q05, q25, q75, q95``) as a stored run recorded them: the intervals of a
    reopened run, which has its numbers but not the distribution they came from."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Keep the short repr in every model's result class: @dataclass would otherwise give each
        # subclass a repr that prints the whole scenario and every array.
        super().__init_subclass__(**kwargs)
        cls.__repr__ = ModelResult.__repr__  # type: ignore[method-assign]

    def __repr__(self) -> str:
        from detente.report.notebook import model_result_repr

        return model_result_repr(self)

    def _repr_html_(self) -> str:
        from detente.report.notebook import model_result_html

        return model_result_html(self)

    @property
    def forecast(self) -> dict[str, float]:
        return {issue.id: float(v) for issue, v in zip(self.scenario.issues, self.values)}

    def to_frame(self) -> "pd.DataFrame":
        """One row per issue: the columns of :meth:`records`."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records())

    def intervals(self) -> np.ndarray:
        """Issues x 4 in the issues' units: ``q05, q25, q75, q95``, the ends of the calibrated 90 %
        and 50 % intervals (NaN without an error model)."""
        if self.predictive is None:
            if self.stored_intervals is not None:
                return self.stored_intervals
            return np.full((len(self.values), 4), np.nan)
        lo = np.array([i.lo for i in self.scenario.issues])[:, None]
        hi = np.array([i.hi for i in self.scenario.issues])[:, None]
        return lo + self.predictive.intervals() / 100.0 * (hi - lo)

    def records(self) -> list[dict[str, Any]]:
        rows = []
        quantiles = self.intervals()
        for issue, value, q in zip(self.scenario.issues, self.values, quantiles):
            value = float(value)
            rows.append(
                {
                    "model": self.model,
                    "issue": issue.id,
                    "value": None if np.isnan(value) else round(value, 6),
                    "status_quo": issue.status_quo,
                    "scale_min": issue.lo,
                    "scale_max": issue.hi,
                    "where": issue.describe(value),
                    "note": self.notes.get(issue.id, ""),
                    **{name: _num(v) for name, v in zip(QUANTILE_NAMES, q)},
                }
            )
        return rows


@dataclass
class DynamicResult(ModelResult):
    """A forecast reached over rounds: the state after each round is kept.

    ``positions`` has shape (rounds + 1, actors, issues) in the issues' units, round 0 being the
    input; ``round_forecasts`` has shape (rounds + 1, issues). ``round_extras`` holds one dict per
    round with the model's own round data (already JSON-ready, in issue units).
    """

    positions: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    round_forecasts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    round_extras: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_rounds(self) -> int:
        return max(len(self.positions) - 1, 0)

    def rounds(self) -> list[dict[str, Any]]:
        """The machine-readable trajectory: one entry per state, round 0 the input."""
        actors, issues = self.scenario.actor_ids, self.scenario.issue_ids
        out = []
        for t in range(len(self.positions)):
            positions = self.positions[t].tolist()
            entry: dict[str, Any] = {
                "round": t,
                "positions": {a: {k: _num(x) for k, x in zip(issues, positions[i]) if x == x} for i, a in enumerate(actors)},
                "forecast": {k: _num(self.round_forecasts[t, j]) for j, k in enumerate(issues)},
            }
            if t < len(self.round_extras):
                entry.update(self.round_extras[t])
            out.append(entry)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario.id, "model": self.model, "options": self.options, "rounds": self.rounds()}


def _num(value: float) -> float | None:
    value = float(value)
    return None if value != value else round(value, 6)  # value != value: NaN, without a numpy call per number
