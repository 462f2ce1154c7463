"""The consensus model: the compromise forecast averaged over capability codings, then with the
exchange model.

Nobody measures an actor's clout directly: GDP, Council votes, their voting power, population or
equal weights are all defensible codings, and each moves the compromise forecast (the weighted
mean ``Σ_i c_i s_ik x_ik / Σ_i c_i s_ik``, Van den Bos 1991; Achen 2006). Averaging forecasts
that err differently cancels part of their errors (Bates & Granger 1969), so with codings
``c^(1) … c^(J)``

    C_k = (1/J) Σ_j  Σ_i c^(j)_i s_ik x_ik / Σ_i c^(j)_i s_ik

and the forecast is ``O_k = ½ C_k + ½ E_k`` with ``E_k`` the exchange model's forecast (Stokman &
Van Oosten 1994). Nothing is fitted, so it carries over to negotiations unlike the data it was
checked on (docs/models/consensus.md).

The codings are the actors' ``capability``, every alternative coding in ``capabilities`` that
all actors give, ``sqrt(population)`` when ``population`` is one of them, and equal weights;
a coding proportional to one already counted is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import Field

from detente.models.base import Model, ModelResult, Options
from detente.models.compromise import weighted_mean
from detente.scenario import Batch, Scenario

MAIN_CODING = "capability"
EQUAL_CODING = "equal"
SQRT_POPULATION = "sqrt_population"


class ConsensusOptions(Options):
    exchange_share: float = Field(0.5, ge=0, le=1, description="weight of the exchange model's forecast (the rest: the mean over codings)")


def coding_capabilities(batch: Batch) -> dict[str, np.ndarray]:
    """Capability per draw, actor and issue under every coding the batch supplies, proportional
    duplicates removed (the first name kept): ``capability``, the alternatives, ``sqrt_population``,
    ``equal``."""
    codings = {MAIN_CODING: batch.capability}
    for name in batch.codings:
        codings[name] = batch.coding(name)
    if "population" in codings:
        codings[SQRT_POPULATION] = np.sqrt(codings["population"])
    codings[EQUAL_CODING] = np.where(batch.present, 1.0, 0.0) * np.ones_like(batch.capability)
    kept: dict[str, np.ndarray] = {}
    for name, values in codings.items():
        if not any(_proportional(values[0], other[0], batch.present) for other in kept.values()):
            kept[name] = values
    return kept


def _proportional(a: np.ndarray, b: np.ndarray, present: np.ndarray) -> bool:
    """True when ``a / b`` is the same on every present stance of each issue (same forecasts)."""
    ratio = np.where(present, a / np.where(present, b, 1.0), np.nan)
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(ratio, axis=0) - np.nanmin(ratio, axis=0)
        scale = np.nanmax(np.abs(ratio), axis=0)
    return bool(np.all(~np.isfinite(spread) | (spread <= 1e-9 * scale)))


def coding_mean(batch: Batch) -> tuple[np.ndarray, list[str]]:
    """The mean over codings of the compromise forecast (draws x issues) and the codings used."""
    codings = coding_capabilities(batch)
    forecasts = [weighted_mean(batch.position, np.where(batch.present, c * batch.salience, 0.0)) for c in codings.values()]
    return np.mean(forecasts, axis=0), list(codings)


class ConsensusModel(Model):
    """Mean of the compromise forecasts over capability codings, averaged with the exchange model."""

    name = "consensus"
    title = "Consensus (codings x exchange)"
    short_title = "Consensus"
    summary = "Compromise averaged over capability codings, then 50/50 with the exchange model; nothing fitted"
    Options = ConsensusOptions
    in_default_simulation = False  # it would run the exchange model a second time on every draw
    exchange_model: Model | None = None
    """The exchange model with the options a scenario carries for it (:meth:`run`); None: defaults."""

    def _exchange(self) -> Model:
        from detente.models.exchange import ExchangeModel

        return self.exchange_model or ExchangeModel()

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        mean, _ = coding_mean(batch)
        share = self.options.exchange_share
        if share == 0:
            return mean
        return (1 - share) * mean + share * self._exchange().forecast_batch(batch)

    def run(self, scenario: Scenario) -> ModelResult:
        """Forecast ``scenario``; the note of every issue names the codings used and those left out."""
        from detente.models.exchange import ExchangeModel

        model = type(self)(self.options_for(scenario))
        model.exchange_model = ExchangeModel(ExchangeModel().options_for(scenario))
        batch = scenario.batch()
        values = model.forecast_batch(batch)[0]
        _, used = coding_mean(batch)
        note = "codings: " + ", ".join(used)
        partial = scenario.partial_codings
        if partial:
            note += f"; left out (not given for every actor): {', '.join(partial)}"
        return ConsensusResult(
            self.name,
            model.options.model_dump(mode="json"),
            scenario,
            scenario.to_units(values),
            notes={issue.id: note for issue in scenario.issues},
            codings=used,
            codings_left_out=partial,
        )


@dataclass
class ConsensusResult(ModelResult):
    """The consensus forecast with the capability codings it averaged and those it left out."""

    codings: list[str] = field(default_factory=list)
    codings_left_out: list[str] = field(default_factory=list)


MODELS = [ConsensusModel]
