"""The ensemble: one forecast from several models' forecasts.

Combining forecasts from different models tends to beat most of the single models it combines,
because their errors partly cancel (Bates & Granger 1969; Clemen 1989); a plain average is hard
to beat with fitted weights unless the sample is large (the "forecast combination puzzle",
Smith & Wallis 2009). The ensemble runs each member model's ``forecast_batch`` on the same batch
and combines, per draw and issue, the members that give a forecast:

* ``mean``: the average of the members' forecasts;
* ``median``: their median;
* ``weights``: ``Σ_j w_j f_j / Σ_j w_j`` over the members with a forecast, with non-negative
  weights ``w`` (default: weights fitted on the DEU III training file; see docs/backtests.md).

The default, the mean of the compromise and exchange models, was chosen by cross-validation on the
DEU III file (docs/backtests.md), which also shows that no combination beats the compromise model
alone by more than noise.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from detente.errors import OptionError
from detente.models.base import Model, Options
from detente.scenario import Batch, Scenario

# The candidate chosen most often by nested cross-validation on ../shared/data/deu/deu3_open.tsv
# (GDP capability) among mean, median and fitted weights over several member sets; its expected
# out-of-sample error is that of the whole selection, about the compromise model's (docs/backtests.md).
DEFAULT_MEMBERS = ["compromise", "exchange"]
# Weights for DEFAULT_MEMBERS minimising the absolute error on that whole file
# (detente.analysis.backtest.simplex_weights); out of fold they do no better than the plain mean.
FITTED_WEIGHTS = [0.603, 0.397]


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return value


class EnsembleOptions(Options):
    members: list[str] = Field(default_factory=lambda: list(DEFAULT_MEMBERS), description="models to combine, comma-separated (any but 'ensemble')")
    combine: Literal["mean", "median", "weights"] = Field("mean", description="mean, median, or weights (a weighted mean)")
    weights: list[float] | None = Field(None, description="with combine=weights: one weight >= 0 per member; default: fitted on DEU III")

    @field_validator("members", "weights", mode="before")
    @classmethod
    def _split_text(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("members")
    @classmethod
    def _known_members(cls, members: list[str]) -> list[str]:
        from detente import models as registry

        known = [name for name in registry.registry() if name != EnsembleModel.name]
        if not members:
            raise ValueError("name at least one model")
        for name in members:
            if name == EnsembleModel.name:
                raise ValueError("the ensemble cannot contain itself")
            if name not in known:
                raise ValueError(f"unknown model {name!r} (available: {', '.join(known)})")
        return members

    @field_validator("weights")
    @classmethod
    def _one_weight_per_member(cls, weights: list[float] | None, info: ValidationInfo) -> list[float] | None:
        if weights is None:
            return None
        members = info.data.get("members") or []
        if len(weights) != len(members):
            raise ValueError(f"give one weight per member ({len(members)}), got {len(weights)}")
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("weights must be >= 0 and not all 0")
        return weights


def combine_forecasts(forecasts: np.ndarray, how: str = "mean", weights: np.ndarray | None = None) -> np.ndarray:
    """Combine member forecasts shaped (members, ...) over the first axis, ignoring NaN members:
    mean, median, or the weighted mean ``Σ w_j f_j / Σ w_j`` over the members with a forecast."""
    if how == "median":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as intended
            return np.nanmedian(forecasts, axis=0)
    if how == "mean":
        weights = np.ones(len(forecasts))
    w = np.asarray(weights, dtype=float).reshape((-1,) + (1,) * (forecasts.ndim - 1))
    w = np.where(np.isnan(forecasts), 0.0, w)
    total = w.sum(axis=0)
    combined = (w * np.nan_to_num(forecasts)).sum(axis=0) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, combined, np.nan)


class EnsembleModel(Model):
    """Mean, median or weighted mean of other models' forecasts."""

    name = "ensemble"
    title = "Ensemble of models"
    short_title = "Ensemble"
    summary = "Combines other models' forecasts (mean, median or fitted weights); see docs/backtests.md"
    Options = EnsembleOptions
    in_default_set = False
    configured_members: list[Model] | None = None
    """Members already given a scenario's options (:meth:`for_scenario`); None: default options."""

    def _weights(self) -> np.ndarray | None:
        options = self.options
        if options.combine != "weights":
            return None
        if options.weights is not None:
            return np.asarray(options.weights, dtype=float)
        if options.members == DEFAULT_MEMBERS:
            return np.asarray(FITTED_WEIGHTS, dtype=float)
        raise OptionError("ensemble: combine=weights with members other than the default needs weights=w1,w2,... (one per member)")

    def _combine(self, members: list[Model], batch: Batch) -> np.ndarray:
        weights = self._weights()
        forecasts = np.stack([member.forecast_batch(batch) for member in members])
        return combine_forecasts(forecasts, self.options.combine, weights)

    def members_for(self, scenario: Scenario | None = None) -> list[Model]:
        """The member models, with the options ``scenario`` carries for each (e.g. KTAB parameters)."""
        from detente import models as registry

        members = [registry.create(name) for name in self.options.members]
        return members if scenario is None else [type(m)(m.options_for(scenario)) for m in members]

    def for_scenario(self, scenario: Scenario) -> "EnsembleModel":
        """A copy whose batch forecasts use the members :meth:`run` would use on ``scenario``."""
        configured = type(self)(self.options)
        configured.configured_members = self.members_for(scenario)
        return configured

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        return self._combine(self.configured_members or self.members_for(), batch)

    def run(self, scenario: Scenario):
        """The ensemble and its members take the options the scenario file carries for them."""
        from detente.models.base import ModelResult

        ensemble = type(self)(self.options_for(scenario))
        values = ensemble._combine(ensemble.members_for(scenario), scenario.batch())[0]
        return ModelResult(self.name, ensemble.options.model_dump(mode="json"), scenario, scenario.to_units(values))


MODELS = [EnsembleModel]
