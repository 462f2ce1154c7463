"""Calibrated predictive distributions: how far a model's forecast falls from real outcomes.

A point forecast off by 20-25 points on average (DEU III) needs an honest statement of how sure it
is. Each model has an *error model* learned from backtests, on the common 0..100 scale of
:func:`detente.analysis.backtest.scaled_errors`:

1. **Scale.** The expected absolute error grows with how divided the actors are:
   ``σ(x) = max(1, β₀ + β₁ spread + β₂ dispersion)``, ``β ≥ 0`` by non-negative least squares of
   |outcome − forecast| on the issue features (:func:`issue_features`): the range of the actors'
   positions and their capability·salience-weighted standard deviation (normalised conformity
   scores, Lei et al. 2018 §5.2).
2. **Shape.** The standardised residuals ``e = (outcome − forecast)/σ(x)`` give a kernel
   distribution ``Ψ(z) = mean_j Φ((z − e_j)/h)`` (Silverman's bandwidth ``h``), so the
   continuous part is ``F_c(t) = Ψ((t − forecast)/σ(x))``; mass beyond the scale's ends sits on
   the ends (outcomes there are common).
3. **Atoms.** Outcomes often *are* an actor's position (62 % of the DEU III issues). With
   probability ``π`` the outcome is one of the actors' distinct positions ``p``, chosen with
   probability proportional to ``ψ((p − forecast)/σ(x))``; ``π`` maximises the likelihood of the
   outcomes read to within half a point.
4. **Calibration.** The resulting CDF ``F`` is recalibrated by the empirical distribution ``G``
   of probability integral transforms ``u = F(y⁻) + v (F(y) − F(y⁻))`` (``v`` uniform, for the
   atoms) of outcomes *not* used to fit ``F`` (cross-fitted over grouped folds): the forecast
   distribution is ``H = G ∘ F``. Its central ``1 − α`` interval covers the outcome with
   probability close to ``1 − α`` on issues like those it was learned from (distributional
   conformal prediction, Chernozhukov, Wüthrich & Zhu 2021; recalibration, Kuleshov et al. 2018).

The fitted error models ship with detente (``detente/data/error_models.json``, written by
``scripts/fit_error_models.py``); :func:`error_model` reads the one for a model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from detente.scenario import Batch, Issue, Scenario

if TYPE_CHECKING:
    from detente.models.base import ModelResult

GRID = np.linspace(0.0, 100.0, 1001)
STEP = GRID[1] - GRID[0]
FEATURES = ("spread", "dispersion")
AT_POSITION = 0.5
"""An outcome within this many points (of 0..100) of an actor's position counts as at it."""
RESIDUAL_QUANTILES = 99
PIT_QUANTILES = 99
MIN_SCALE = 1.0
INTERVAL_LEVELS = (0.5, 0.9)
_Z = np.linspace(-20.0, 20.0, 2001)
ERROR_MODELS_FILE = "error_models.json"


def issue_features(batch: Batch) -> np.ndarray:
    """Per draw and issue (draws x issues x 2), on the 0..100 scale: ``spread``, the range of the
    present actors' positions, and ``dispersion``, ``sqrt(Σ w (x − x̄_w)² / Σ w)`` with
    ``w = c·s`` and ``x̄_w`` the weighted mean (equal weights where every weight is 0)."""
    present = batch.present[None]
    position = np.where(present, batch.position, np.nan) * 100.0
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(position, axis=1) - np.nanmin(position, axis=1)
    weights = np.where(present, batch.capability * batch.salience, 0.0)
    weights = np.where(weights.sum(axis=1, keepdims=True) > 0, weights, present.astype(float))
    filled = np.nan_to_num(position)
    total = weights.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    mean = (weights * filled).sum(axis=1) / safe
    variance = (weights * (filled - mean[:, None]) ** 2).sum(axis=1) / safe
    return np.stack([spread, np.sqrt(variance)], axis=-1)


def positions_100(batch: Batch) -> np.ndarray:
    """The actors' positions on 0..100, issues x actors (NaN where absent), from the first draw."""
    return np.where(batch.present, batch.position[0], np.nan).T * 100.0


@dataclass(frozen=True)
class ErrorModel:
    """One model's fitted error model (see the module docstring); all on the 0..100 scale."""

    model: str
    coefficients: np.ndarray  # β₀, β_spread, β_dispersion
    residuals: np.ndarray  # quantiles of the standardised residuals
    bandwidth: float
    atom_share: float
    pit: np.ndarray  # quantiles (levels 1/100 … 99/100) of the cross-fitted PIT values
    n: int
    source: str = ""
    central: dict[float, float] = field(default_factory=dict)
    """Per nominal coverage (0.5, 0.9), the central level of ``H`` whose interval attains it."""

    def scale(self, features: np.ndarray) -> np.ndarray:
        """``σ(x)``: the expected absolute error (points) given issue features (… x 2)."""
        return _scale(self.coefficients, np.asarray(features, dtype=float))

    @cached_property
    def _kernel(self) -> tuple[np.ndarray, np.ndarray]:
        return _kernel_cdf_pdf(self.residuals, self.bandwidth)

    def raw_cdf(self, forecast: Any, features: Any, positions: Any) -> np.ndarray:
        """``F`` before recalibration, on :data:`GRID` (issues x grid); NaN rows where no forecast."""
        return _mixture_cdf(self._kernel, self.atom_share, forecast, self.scale(features), positions)

    def distribution(self, forecast: Any, features: Any, positions: Any) -> "Predictive":
        """The calibrated predictive distribution for issues with these forecasts (0..100),
        features (issues x 2) and actor positions (issues x actors, 0..100, NaN where absent)."""
        return Predictive(_recalibrate(self.raw_cdf(forecast, features, positions), self.pit), self.central)

    def to_json(self) -> dict[str, Any]:
        return {
            "coefficients": [round(float(c), 6) for c in self.coefficients],
            "bandwidth": round(self.bandwidth, 6),
            "atom_share": round(self.atom_share, 6),
            "residuals": [round(float(r), 5) for r in self.residuals],
            "pit": [round(float(p), 5) for p in self.pit],
            "central": {f"{k:g}": round(v, 6) for k, v in self.central.items()},
            "n": self.n,
        }

    @classmethod
    def from_json(cls, model: str, data: dict[str, Any], source: str = "") -> "ErrorModel":
        return cls(
            model,
            np.asarray(data["coefficients"], dtype=float),
            np.asarray(data["residuals"], dtype=float),
            float(data["bandwidth"]),
            float(data["atom_share"]),
            np.asarray(data["pit"], dtype=float),
            int(data["n"]),
            source,
            {float(k): float(v) for k, v in data["central"].items()},
        )


def _kernel_cdf_pdf(residuals: np.ndarray, bandwidth: float) -> tuple[np.ndarray, np.ndarray]:
    """``Ψ`` and ``ψ`` on the z grid: the Gaussian-kernel CDF and density of the residuals.

    The CDF is the density integrated along the grid (trapezoids): the grid is fine and reaches far
    beyond every residual, and it keeps scipy out of a plain ``detente forecast`` (start-up time)."""
    z = (_Z[:, None] - residuals[None, :]) / bandwidth
    pdf = np.exp(-0.5 * z**2).mean(axis=1) / (bandwidth * math.sqrt(2 * math.pi))
    steps = np.diff(_Z) * (pdf[1:] + pdf[:-1]) / 2
    cdf = np.concatenate([[0.0], np.cumsum(steps)])
    return np.clip(cdf / cdf[-1], 0.0, 1.0), pdf


def _mixture_cdf(kernel: tuple[np.ndarray, np.ndarray], atom_share: float, forecast: Any, sigma: np.ndarray, positions: Any) -> np.ndarray:
    """``F(t) = (1 − π) Ψ((t − f)/σ) + π Σ_{p ≤ t} w_p`` on the grid, censored at the scale's ends."""
    cdf_z, pdf_z = kernel
    forecast = np.asarray(forecast, dtype=float)
    positions = np.asarray(positions, dtype=float).reshape(len(forecast), -1)
    sigma = np.asarray(sigma, dtype=float)
    z = (GRID[None, :] - forecast[:, None]) / sigma[:, None]
    continuous = np.interp(z, _Z, cdf_z)
    distinct = _distinct(positions)
    density = np.where(np.isfinite(distinct), np.interp((distinct - forecast[:, None]) / sigma[:, None], _Z, pdf_z), 0.0)
    total = density.sum(axis=1, keepdims=True)
    share = np.where(total[:, 0] > 0, atom_share, 0.0)
    weights = density / np.where(total > 0, total, 1.0)
    masses = np.zeros((len(forecast), len(GRID)))
    rows, columns = np.nonzero(np.isfinite(distinct))
    np.add.at(masses, (rows, np.rint(distinct[rows, columns] / STEP).astype(int)), weights[rows, columns])
    atoms = np.cumsum(masses, axis=1)
    cdf = (1 - share[:, None]) * continuous + share[:, None] * atoms
    cdf[:, -1] = 1.0
    return np.where(np.isfinite(forecast)[:, None], cdf, np.nan)


def _distinct(positions: np.ndarray) -> np.ndarray:
    """Each row's distinct positions (rounded to the grid), NaN-padded."""
    snapped = np.round(positions / STEP) * STEP
    ordered = np.sort(snapped, axis=1)
    repeated = np.zeros_like(ordered, dtype=bool)
    repeated[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
    return np.where(repeated, np.nan, ordered)


def _recalibrate(cdf: np.ndarray, pit: np.ndarray) -> np.ndarray:
    """``H = G ∘ F`` with ``G`` the piecewise-linear CDF through the PIT quantiles."""
    levels = np.arange(1, len(pit) + 1) / (len(pit) + 1)
    knots = np.concatenate([[0.0], _strictly_increasing(pit), [1.0]])
    return np.where(np.isnan(cdf), np.nan, np.interp(cdf, knots, np.concatenate([[0.0], levels, [1.0]])))


def _strictly_increasing(values: np.ndarray) -> np.ndarray:
    tiny = 1e-9 * np.arange(1, len(values) + 1)
    return np.clip(np.maximum.accumulate(np.asarray(values, dtype=float)) + tiny, 1e-9, 1 - 1e-9)


# -- the predictive distribution -------------------------------------------------------------------


@dataclass(frozen=True)
class Predictive:
    """Predictive distributions of the outcome, one per issue, as CDFs on :data:`GRID` (0..100)."""

    cdf: np.ndarray
    central: dict[float, float] = field(default_factory=dict)
    """Nominal coverage -> central level of the CDF that attains it (conformal); none: the same."""

    def quantile(self, levels: Sequence[float]) -> np.ndarray:
        """Issues x levels: the smallest grid point with ``H(t) ≥ level``."""
        levels = np.asarray(levels, dtype=float)
        index = (self.cdf[:, :, None] < levels[None, None, :] - 1e-12).sum(axis=1)
        values = GRID[np.minimum(index, len(GRID) - 1)]
        return np.where(np.isnan(self.cdf[:, :1]), np.nan, values)

    def interval(self, level: float = 0.9) -> np.ndarray:
        """The calibrated ``level`` interval, issues x 2: the central interval of the level that
        covered ``level`` of the unseen outcomes when the error model was fitted."""
        central = self.central.get(float(level), level)
        tail = (1 - central) / 2
        return self.quantile([tail, 1 - tail])

    def intervals(self) -> np.ndarray:
        """Issues x 4: ``q05, q25, q75, q95``, the ends of the calibrated 90 % and 50 % intervals."""
        wide, narrow = self.interval(0.9), self.interval(0.5)
        return np.column_stack([wide[:, 0], narrow[:, 0], narrow[:, 1], wide[:, 1]])

    def below(self, value: Any) -> np.ndarray:
        """``P(outcome < value)`` per issue (value on 0..100, one per issue or shared)."""
        value = np.broadcast_to(np.asarray(value, dtype=float), (len(self.cdf),))
        index = np.searchsorted(GRID, value - STEP / 2, side="right") - 1
        return np.where(index >= 0, self.cdf[np.arange(len(self.cdf)), np.maximum(index, 0)], 0.0)

    def band_probabilities(self, edges: Any) -> np.ndarray:
        """Issues x bands: ``P(edge_b ≤ outcome < edge_{b+1})``, the last band closed above.
        ``edges`` (issues x (bands + 1), on 0..100) runs from the scale's low end to its high end."""
        edges = np.asarray(edges, dtype=float)
        below = np.stack([self.below(edges[:, j]) for j in range(edges.shape[1] - 1)], axis=1)
        below = np.concatenate([below, np.ones((len(self.cdf), 1))], axis=1)
        return np.diff(below, axis=1)

    def crps(self, outcome: Any) -> np.ndarray:
        """Continuous ranked probability score per issue, ``∫ (H(t) − 1{t ≥ y})² dt`` in points
        (Gneiting & Raftery 2007, eq. 20), by the grid's left Riemann sum."""
        outcome = np.asarray(outcome, dtype=float)
        step = (GRID[None, :] >= outcome[:, None] - 1e-9).astype(float)
        return ((self.cdf - step) ** 2).sum(axis=1) * STEP

    def sample(self, uniform: Any) -> np.ndarray:
        """Inverse-CDF draws: ``uniform`` is (draws x issues) on 0..1; returns 0..100 values."""
        uniform = np.asarray(uniform, dtype=float)
        out = np.empty_like(uniform)
        for k in range(len(self.cdf)):
            index = np.searchsorted(self.cdf[k], uniform[:, k], side="left")
            out[:, k] = GRID[np.minimum(index, len(GRID) - 1)]
        return out


def uniform_spread(quantiles: np.ndarray) -> Predictive:
    """The baseline that spreads the same quantiles uniformly: the CDF through (0, 0),
    (q05, .05), (q25, .25), (q75, .75), (q95, .95), (100, 1), linear in between."""
    knots_y = np.array([0.0, 0.05, 0.25, 0.75, 0.95, 1.0])
    cdf = np.empty((len(quantiles), len(GRID)))
    for k, q in enumerate(quantiles):
        knots_x = _strictly_increasing_x(np.concatenate([[0.0], q, [100.0]]))
        cdf[k] = np.interp(GRID, knots_x, knots_y)
    return Predictive(cdf)


def _strictly_increasing_x(values: np.ndarray) -> np.ndarray:
    return np.maximum.accumulate(values) + 1e-9 * np.arange(len(values))


# -- fitting ---------------------------------------------------------------------------------------


def fit_error_model(
    model: str,
    forecast: Any,
    outcome: Any,
    features: Any,
    positions: Any,
    clusters: Any,
    folds: int = 5,
    seed: int = 0,
    atoms: bool = True,
    scaled: bool = True,
    conformal: bool = True,
) -> ErrorModel:
    """Fit the error model on issues with forecasts and outcomes (0..100), features (issues x 2),
    actor positions (issues x actors) and clusters (issues negotiated together share one).

    The PIT values that set the calibration come from ``folds`` cluster-grouped folds: each is
    scored under the scale, shape and atom share fitted on the other folds only. The switches
    turn parts off, for the comparisons in docs/backtests.md: ``atoms`` (no point masses),
    ``scaled`` (one scale for every issue), ``conformal`` (interval ends at the nominal levels of
    the recalibrated distribution).
    """
    if not scaled:
        features = np.zeros_like(np.asarray(features, dtype=float))
    if not atoms:
        positions = np.full((len(np.asarray(forecast)), 1), np.nan)
    forecast, outcome = np.asarray(forecast, dtype=float), np.asarray(outcome, dtype=float)
    features, positions = np.asarray(features, dtype=float), np.asarray(positions, dtype=float)
    keep = np.isfinite(forecast) & np.isfinite(outcome)
    forecast, outcome, features, positions = forecast[keep], outcome[keep], features[keep], positions[keep]
    clusters = np.asarray(clusters)[keep]
    rng = np.random.default_rng(seed)
    fold = _grouped_folds(clusters, folds, rng)
    cdf = np.empty((len(forecast), len(GRID)))
    for k in range(folds):
        test = fold == k
        if not test.any():
            continue
        core = _fit_core(forecast[~test], outcome[~test], features[~test], positions[~test])
        kernel = _kernel_cdf_pdf(core["residuals"], core["bandwidth"])
        cdf[test] = _mixture_cdf(kernel, core["atom_share"], forecast[test], _scale(core["coefficients"], features[test]), positions[test])
    levels = np.arange(1, PIT_QUANTILES + 1) / (PIT_QUANTILES + 1)
    pit = np.quantile(_pit(cdf, outcome, rng.random(len(forecast))), levels)
    needed = _central_level_needed(_recalibrate(cdf, pit), outcome)
    core = _fit_core(forecast, outcome, features, positions)
    central = conformal_levels(needed) if conformal else {}
    return ErrorModel(model, core["coefficients"], core["residuals"], core["bandwidth"], core["atom_share"], pit, len(forecast), central=central)


def _central_level_needed(cdf: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Per issue, the smallest central level ``c`` whose interval ``[Q((1−c)/2), Q((1+c)/2)]``
    holds the outcome: ``max(1 − 2 H(y), 2 H(y⁻) − 1)`` (the conformity score)."""
    upper = _at(cdf, outcome)
    lower = _at(cdf, outcome - STEP / 2 - 1e-9)
    return np.clip(np.maximum(1 - 2 * upper, 2 * lower - 1), 0.0, 1.0)


def conformal_levels(needed: np.ndarray, nominal: Sequence[float] = INTERVAL_LEVELS) -> dict[float, float]:
    """The central level to use for each nominal coverage: the ``⌈L (n + 1)⌉``-th smallest score
    (split conformal, Lei et al. 2018 §2; 1 when that exceeds n), so that on exchangeable issues
    the interval covers with probability at least L."""
    ordered = np.sort(needed)
    n = len(ordered)
    result = {}
    for level in nominal:
        rank = math.ceil(level * (n + 1))
        result[float(level)] = float(ordered[rank - 1]) if rank <= n else 1.0
    return result


def _scale(coefficients: np.ndarray, features: np.ndarray) -> np.ndarray:
    return np.maximum(MIN_SCALE, coefficients[0] + features @ coefficients[1:])


def _fit_core(forecast: np.ndarray, outcome: np.ndarray, features: np.ndarray, positions: np.ndarray) -> dict[str, Any]:
    from scipy.optimize import nnls

    error = outcome - forecast
    design = np.column_stack([np.ones(len(error)), features])
    coefficients, _ = nnls(design, np.abs(error))
    standardised = error / _scale(coefficients, features)
    levels = (np.arange(RESIDUAL_QUANTILES) + 0.5) / RESIDUAL_QUANTILES
    residuals = np.quantile(standardised, levels)
    spread = min(np.std(standardised), (np.quantile(standardised, 0.75) - np.quantile(standardised, 0.25)) / 1.34)
    bandwidth = max(0.9 * spread * len(error) ** -0.2, 1e-3)
    kernel = _kernel_cdf_pdf(residuals, bandwidth)
    sigma = _scale(coefficients, features)
    low = _mixture_cdf(kernel, 0.0, forecast, sigma, positions)
    atoms_only = _mixture_cdf(kernel, 1.0, forecast, sigma, positions)
    window = [_at(low, outcome + AT_POSITION) - _at(low, outcome - AT_POSITION - 1e-9), _at(atoms_only, outcome + AT_POSITION) - _at(atoms_only, outcome - AT_POSITION - 1e-9)]
    shares = np.linspace(0.0, 0.95, 96)
    likelihood = (1 - shares[:, None]) * window[0][None, :] + shares[:, None] * window[1][None, :]
    best = shares[np.argmax(np.log(np.maximum(likelihood, 1e-12)).sum(axis=1))]
    return {"coefficients": coefficients, "residuals": residuals, "bandwidth": float(bandwidth), "atom_share": float(best)}


def _at(cdf: np.ndarray, value: np.ndarray) -> np.ndarray:
    """``F(value)`` per row (right-continuous on the grid; 0 below the scale, 1 above)."""
    index = np.searchsorted(GRID, value + 1e-9, side="right") - 1
    inside = cdf[np.arange(len(cdf)), np.clip(index, 0, len(GRID) - 1)]
    return np.where(index < 0, 0.0, np.where(value >= GRID[-1], 1.0, inside))


def _pit(cdf: np.ndarray, outcome: np.ndarray, jitter: np.ndarray) -> np.ndarray:
    """Randomised probability integral transform ``F(y⁻) + v (F(y) − F(y⁻))``."""
    upper = _at(cdf, outcome)
    lower = _at(cdf, outcome - STEP / 2 - 1e-9)
    return lower + jitter * (upper - lower)


def _grouped_folds(clusters: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray:
    labels, index = np.unique(clusters, return_inverse=True)
    order = rng.permutation(len(labels))
    fold_of_label = np.empty(len(labels), dtype=int)
    fold_of_label[order] = np.arange(len(labels)) % folds
    return fold_of_label[index]


# -- the shipped error models ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def shipped_error_models() -> dict[str, ErrorModel]:
    """The error models fitted by ``scripts/fit_error_models.py``, by model name."""
    from importlib import resources

    data = json.loads((resources.files("detente") / "data" / ERROR_MODELS_FILE).read_text(encoding="utf-8"))
    return {name: ErrorModel.from_json(name, fit, data.get("source", "")) for name, fit in data["models"].items()}


def error_model(model: str) -> ErrorModel | None:
    """The shipped error model of ``model``; None for a model detente has none for."""
    return shipped_error_models().get(model)


def issue_edges(issues: Sequence[Issue]) -> list[np.ndarray]:
    """Each issue's band edges (its anchors between the scale's ends) on 0..100; an issue without
    anchors is cut into quarters, as in ``detente simulate``."""
    edges = []
    for issue in issues:
        bands = issue.bands()
        points = [bands[0][0]] + [b[1] for b in bands] if issue.anchors else list(np.linspace(issue.lo, issue.hi, 5))
        edges.append(np.asarray(issue.to_unit(points), dtype=float) * 100.0)
    return edges


def predict(model: str, scenario: Scenario, values: Any) -> Predictive | None:
    """The calibrated predictive distribution of ``model``'s forecasts ``values`` (issue units) for
    ``scenario``'s issues, from the shipped error model; None when ``model`` has none."""
    fit = error_model(model)
    if fit is None:
        return None
    batch = scenario.batch()
    forecast = np.array([float(issue.to_unit(v)) * 100.0 for issue, v in zip(scenario.issues, values)])
    return fit.distribution(forecast, issue_features(batch)[0], positions_100(batch))


def attach_predictive(result: ModelResult) -> ModelResult:
    """Give a model result its calibrated predictive distribution (in place; returned)."""
    result.predictive = predict(result.model, result.scenario, result.values)
    return result


def band_probabilities(result: ModelResult) -> list[list[tuple[float, float, str, float]]]:
    """Per issue, each band ``(low, high, label, P(outcome in band))`` (issue units) under the
    result's predictive distribution: the anchor bands, or the quarters of the scale; empty lists
    without one."""
    if result.predictive is None:
        return [[] for _ in result.scenario.issues]
    out = []
    for k, (issue, edges) in enumerate(zip(result.scenario.issues, issue_edges(result.scenario.issues))):
        p = Predictive(result.predictive.cdf[k : k + 1]).band_probabilities(edges[None, :])[0]
        points = issue.from_unit(edges / 100.0)
        out.append([(float(a), float(b), label, float(v)) for a, b, label, v in zip(points[:-1], points[1:], _band_labels(issue), p)])
    return out


def _band_labels(issue: Issue) -> list[str]:
    if issue.anchors:
        return [label for _, _, label in issue.bands()]
    points = np.linspace(issue.lo, issue.hi, 5)
    return [f"between {a:g} and {b:g}" for a, b in zip(points[:-1], points[1:])]


EXPLANATION = (
    "Intervals and band probabilities: how far each model's forecasts fell from real outcomes in "
    "backtests (DEU III and the bundled cases), scaled by how divided the actors are, calibrated so "
    "that 90 % intervals held 90 % of unseen outcomes; the inputs are taken as given."
)
