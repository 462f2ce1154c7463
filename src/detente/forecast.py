"""Run several models on a scenario and hold their forecasts side by side.

Light to import (``import detente`` loads it): the models, the scenario classes and pandas are
imported where they are used. Its tables are drawn by :func:`detente.report.table.forecast_table`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from detente.errors import ArgumentTypeError, OptionError

if TYPE_CHECKING:
    import pandas as pd

    from detente.models.base import Model, ModelResult
    from detente.scenario import Scenario


@dataclass
class Forecast:
    """Every chosen model's forecast for every issue of one scenario."""

    scenario: Scenario
    results: list[ModelResult]

    def __getitem__(self, model: str) -> ModelResult:
        for result in self.results:
            if result.model == model:
                return result
        raise KeyError(model)

    def __iter__(self):
        return iter(self.results)

    def records(self) -> list[dict[str, Any]]:
        return [row for result in self.results for row in result.records()]

    def to_frame(self) -> pd.DataFrame:
        """One row per model and issue: ``model, issue, value`` (in the issue's units),
        ``status_quo, scale_min, scale_max``, ``where`` (the value placed among the anchor labels),
        ``note`` (the model's note on the issue, e.g. gridlock) and the ends of the calibrated 90 %
        and 50 % intervals (``q05, q25, q75, q95``)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records())

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario.id, "forecasts": self.records()}

    def __repr__(self) -> str:
        from detente.report.notebook import forecast_repr

        return forecast_repr(self)

    def _repr_html_(self) -> str:
        from detente.report.notebook import forecast_html

        return forecast_html(self)


def resolve_models(
    names: Iterable[str | Model] | str | Model | None = None, settings: Iterable[str] | str = ()
) -> list[Model]:
    """Model objects from names (default: the standard set) and ``KEY=VALUE`` / ``MODEL.KEY=VALUE`` settings.

    One name (``"median"``) or one setting (``"quota=0.7"``) may be given as a plain string.

    A plain ``KEY=VALUE`` goes to every chosen model that has that option; it is an error if none has.
    """
    from detente import models as model_registry
    from detente.models.base import Model

    if isinstance(names, (str, Model)):
        names = [names]
    if isinstance(settings, str):
        settings = [settings]
    chosen = list(names) if names else model_registry.default_names()
    classes = [type(m) if isinstance(m, Model) else model_registry.get(m) for m in chosen]
    per_model: dict[str, list[str]] = {cls.name: [] for cls in classes}
    for setting in settings:
        key = setting.partition("=")[0].strip()
        target, dot, option = key.partition(".")
        if dot and target in per_model:
            per_model[target].append(setting.split(".", 1)[1])
            continue
        if dot:
            raise OptionError(f"--set {setting!r}: model {target!r} is not among the chosen models ({', '.join(per_model)})")
        option = key.replace("-", "_")
        takers = [cls.name for cls in classes if option in cls.Options.model_fields]
        if not takers:
            known = {cls.name: ", ".join(cls.Options.model_fields) or "none" for cls in classes}
            listing = "; ".join(f"{name}: {opts}" for name, opts in known.items())
            raise OptionError(f"unknown option {option!r} for the chosen models ({listing})")
        for name in takers:
            per_model[name].append(setting)
    built = []
    for given, cls in zip(chosen, classes):
        if isinstance(given, Model):
            built.append(cls(given.options, **dict(s.split("=", 1) for s in per_model[cls.name])) if per_model[cls.name] else given)
        else:
            built.append(cls.from_settings(per_model[cls.name]))
    return built


def forecast(
    scenario: Scenario | str | os.PathLike,
    models: Iterable[str | Model] | str | Model | None = None,
    settings: Iterable[str] | str | Mapping[str, Any] = (),
    on_model: Callable[[int, int, str], None] | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> Forecast:
    """Forecast every issue of ``scenario`` with each model (default: the standard set).

    Progress: ``on_model(number, how many, name)`` before each model runs; ``on_step(name, done,
    at_most)`` after each round or turn of a dynamic model (EUM, SMP), with the round limit.

    >>> import detente
    >>> result = detente.forecast("ukraine-2024-11", models=["compromise", "median"])
    >>> round(result["compromise"].forecast["territory"], 1)
    41.8
    """
    from detente.scenario import Scenario

    if isinstance(scenario, (str, os.PathLike)):
        from detente.io import load

        scenario = load(scenario)
    elif not isinstance(scenario, Scenario):
        raise ArgumentTypeError(
            f"forecast() takes a Scenario, a file path or the id of a bundled scenario, got {type(scenario).__name__}"
            + (" (build one with Scenario.from_dict)" if isinstance(scenario, Mapping) else "")
        )
    if isinstance(settings, Mapping):
        settings = [f"{k}={v}" for k, v in settings.items()]
    from detente.models.base import reporting_steps
    from detente.models.predictive import attach_predictive

    chosen = resolve_models(models, settings)
    results = []
    for number, model in enumerate(chosen, start=1):
        if on_model is not None:
            on_model(number, len(chosen), model.name)
        step = None if on_step is None else lambda done, at_most, name=model.name: on_step(name, done, at_most)
        with reporting_steps(step):
            results.append(attach_predictive(model.run(scenario)))
    return Forecast(scenario, results)
