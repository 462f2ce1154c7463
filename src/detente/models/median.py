"""The weighted median (Black 1948), with a quota for qualified majorities.

Sort the actors by position and accumulate their normalised weights ``w_i / W``; the forecast is
the first position at which the cumulative weight reaches the quota (0.5: simple majority, the
position that beats every other in pairwise weighted votes under single-peaked preferences;
e.g. 0.74 for a qualified majority: the quota-quantile). When the cumulative weight reaches the
quota exactly at a gap between two actors, ``tie="lower"`` reports the lower position and
``tie="midpoint"`` the midpoint of the two (docs/models/specification.md §1.2).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from detente.models.base import Model, Options
from detente.models.compromise import Weighting, actor_weights
from detente.scenario import Batch

_EXACT = 1e-9


def weighted_median(positions: np.ndarray, weights: np.ndarray, quota: float = 0.5, tie: str = "lower") -> np.ndarray:
    """Weighted quota-quantile over the actor axis (second to last); zero-weight actors are ignored.

    ``positions`` and ``weights`` have shape (..., actors, issues); the result (..., issues).
    """
    filled = np.where(weights > 0, positions, np.inf)
    order = np.argsort(filled, axis=-2, kind="stable")
    sorted_x = np.take_along_axis(filled, order, axis=-2)
    sorted_w = np.take_along_axis(weights, order, axis=-2)
    total = sorted_w.sum(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.cumsum(sorted_w, axis=-2) / total
    reached = share >= quota - _EXACT
    first = np.argmax(reached, axis=-2)[..., None, :]
    median = np.take_along_axis(sorted_x, first, axis=-2)[..., 0, :]
    if tie == "midpoint":
        at_gap = np.abs(np.take_along_axis(share, first, axis=-2)[..., 0, :] - quota) <= _EXACT
        beyond = np.argmax(share > quota + _EXACT, axis=-2)[..., None, :]
        upper = np.take_along_axis(sorted_x, beyond, axis=-2)[..., 0, :]
        median = np.where(at_gap & np.isfinite(upper), (median + upper) / 2, median)
    return np.where(total[..., 0, :] > 0, median, np.nan)


class MedianOptions(Options):
    quota: float = Field(0.5, gt=0, le=1, description="share of the weight the outcome needs: 0.5 simple majority, e.g. 0.74 qualified")
    weighting: Weighting = Field("cs", description="actor weight: cs = capability x salience, c (voting weight), s, or none")
    tie: Literal["lower", "midpoint"] = Field("lower", description="when the quota is met exactly at a gap: lower position or midpoint")


class MedianModel(Model):
    """Weighted median position (the median voter), or the quota-quantile for qualified majorities."""

    name = "median"
    title = "Weighted median"
    summary = "Position of the pivotal actor when actors are sorted by position (Black 1948)"
    Options = MedianOptions

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        weights = actor_weights(batch, self.options.weighting)
        return weighted_median(batch.position, weights, self.options.quota, self.options.tie)


MODELS = [MedianModel]
