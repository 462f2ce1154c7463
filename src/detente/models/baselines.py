"""Naive benchmarks for backtests: the median actor position and the status quo.

Forecasting studies of EU decision-making measure models against naive benchmarks (Thomson,
Stokman, Achen & König 2006; docs/models/specification.md §5.4): a model earns its keep only if it beats them.

* ``median-actor``: the unweighted median of the positions of the actors with a stance, the mean
  of the two middle positions when their number is even (``np.median``).
* ``status-quo``: nothing changes; the forecast is the issue's status quo (reference point), no
  forecast where the issue has none.
"""

from __future__ import annotations

import numpy as np

from detente.models.base import Model
from detente.models.compromise import actor_weights
from detente.models.median import weighted_median
from detente.scenario import Batch


class MedianActorModel(Model):
    """Unweighted median of the actors' positions (a naive benchmark)."""

    name = "median-actor"
    title = "Median actor position"
    summary = "Unweighted median of the actors' positions, midpoint of the middle two; a naive benchmark"
    in_default_set = False

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        return weighted_median(batch.position, actor_weights(batch, "none"), 0.5, "midpoint")


class StatusQuoModel(Model):
    """The status quo as the forecast (a naive benchmark)."""

    name = "status-quo"
    title = "Status quo"
    summary = "Nothing changes: the forecast is the status quo (none where an issue has no status quo)"
    in_default_set = False

    def forecast_batch(self, batch: Batch) -> np.ndarray:
        return np.broadcast_to(batch.status_quo, (batch.size, batch.n_issues)).copy()


MODELS = [MedianActorModel, StatusQuoModel]
