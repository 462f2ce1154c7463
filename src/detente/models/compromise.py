"""The compromise model: the weighted mean of the actors' positions.

Van den Bos (1991); Achen, in Thomson, Stokman, Achen & König (eds.), *The European Union
Decides* (2006). With ``w_ik = c_i s_ik`` the forecast on issue k is

    O_k = Σ_i w_ik x_ik / Σ_i w_ik

It is the weighted-utilitarian point under quadratic loss ``-s_i (y - x_i)²`` and the limit of the
asymmetric Nash bargaining solution as the disagreement point grows very bad (docs/models/specification.md §1.1).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from detente.models.base import Model, Options
from detente.scenario import Batch

Weighting = Literal["cs", "c", "s", "none"]


def actor_weights(batch: Batch, weighting: Weighting = "cs", salience_exponent: float = 1.0) -> np.ndarray:
    """Per draw, actor and issue weight: ``c s^a`` (cs), ``c`` (c), ``s^a`` (s) or 1 (none); 0 where absent."""
    salience = batch.salience**salience_exponent
    weights = {
        "cs": batch.capability * salience,
        "c": batch.capability,
        "s": salience,
        "none": np.ones_like(batch.salience),
    }[weighting]
    return np.where(batch.present, weights, 0.0)


def weighted_mean(positions: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``Σ w x / Σ w`` over the actor axis (second to last); positions may be NaN where weight is 0."""
    filled = np.where(weights > 0, positions, 0.0)
    total = weights.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (weights * filled).sum(axis=-2) / np.where(total > 0, total, 1.0), np.nan)


def mean_sensitivities(positions: np.ndarray, salience: np.ndarray, capability: np.ndarray, present: np.ndarray) -> dict[str, np.ndarray]:
    """Closed-form partial derivatives of the c·s mean (docs/models/specification.md §1.1), actor x issue arrays:

        ∂O/∂x_j = w_j/W ,  ∂O/∂c_j = s_j (x_j − O)/W ,  ∂O/∂s_j = c_j (x_j − O)/W
    """
    weights = np.where(present, capability * salience, 0.0)
    total = weights.sum(axis=-2, keepdims=True)
    outcome = weighted_mean(positions, weights)[..., None, :]
    gap = np.where(present, positions - outcome, 0.0)
    return {
        "position": weights / total,
        "capability": np.where(present, salience * gap / total, 0.0),
        "salience": np.where(present, capability * gap / total, 0.0),
    }


class CompromiseOptions(Options):
    weighting: Weighting = Field("cs", description="actor weight: cs = capability x salience, c, s, or none (unweighted)")
    salience_exponent: float = Field(1.0, gt=0, description="exponent a on salience (c s^a); 2 emphasises intensity")
    status_quo_share: float = Field(
        0.0, ge=0, lt=1, description="share of the total weight given to a pseudo-actor at the status quo (inertia)"
    )


class CompromiseModel(Model):
    """Weighted mean of positions (the compromise model), with the variants of docs/models/specification.md §1.1."""

    name = "compromise"
    title = "Compromise (weighted mean)"
    short_title = "Compromise"
    summary = "Weighted mean of positions, weights capability x salience (Van den Bos 1991; Achen 2006)"
    Options = CompromiseOptions

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        options = self.options
        weights = actor_weights(batch, options.weighting, options.salience_exponent)
        mean = weighted_mean(batch.position, weights)
        share = options.status_quo_share
        if share > 0:
            status_quo = batch.status_quo[None, :]
            mean = np.where(np.isnan(status_quo), mean, (1 - share) * mean + share * status_quo)
        return mean


MODELS = [CompromiseModel]
