"""How honest are the forecast distributions? Probabilistic scores of a backtest.

Each model's error model (:mod:`detente.models.predictive`) is fitted on some cases and scored
on others: the cases are dealt into folds (all issues of one case, e.g. one EU proposal, in one
fold) and each fold is scored by the error model fitted on the other folds, so no issue is ever
scored by a fit that saw it. Per model the scores are:

* ``coverage_50``, ``coverage_90``: the share of outcomes inside the central 50 % and 90 %
  intervals (closed);
* ``interval_score``: the interval score of the 90 % interval ``[l, u]`` (Gneiting & Raftery
  2007, eq. 43), ``(u − l) + (2/α)(l − y)·1{y < l} + (2/α)(y − u)·1{y > u}`` with ``α = 0.1``,
  in points of 0..100 (lower is better);
* ``crps``: the continuous ranked probability score ``∫ (H(t) − 1{t ≥ y})² dt`` (points; lower is
  better), and ``crps_uniform``, the same for the baseline that spreads the same 5/25/75/95 %
  quantiles uniformly (:func:`detente.models.predictive.uniform_spread`);
* ``brier``: the Brier score of the band probabilities, ``Σ_b (p_b − 1{y in b})²`` per issue
  (Brier 1950), the bands being the issue's anchor bands (quarters of the scale without anchors).

Every score comes with a seeded percentile-bootstrap interval that resamples the same clusters
as the accuracy table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from detente.analysis.backtest import BOOTSTRAP_DRAWS, Backtest, grouped_folds, paired_bootstrap
from detente.models.predictive import ErrorModel, error_model, fit_error_model, uniform_spread

QUANTILE_COLUMNS = ("q05", "q25", "q75", "q95")
FOLDS = 10
MIN_CASES_FOR_CV = 5
SCORES = ("coverage_50", "coverage_90", "interval_score", "crps", "crps_uniform", "brier")


@dataclass
class Calibration:
    """Per model, case and issue: the quantiles (issue units) and the scores; ``bands`` has one row
    per model, issue and band (predicted probability ``p``, ``hit`` 1 when the outcome fell in it);
    ``method`` says how the error models were fitted."""

    records: pd.DataFrame
    bands: pd.DataFrame
    models: list[str]
    method: str

    def summary(self, draws: int = BOOTSTRAP_DRAWS, seed: int = 0) -> pd.DataFrame:
        """One row per model: each score with its bootstrap 95 % interval (``<score>_low/_high``)."""
        rows = []
        for model in self.models:
            mine = self.records[(self.records.model == model) & self.records.crps.notna()]
            row: dict[str, Any] = {"model": model, "n": len(mine)}
            for score in SCORES:
                interval = paired_bootstrap(mine[score].to_numpy(dtype=float), mine.cluster.to_numpy(), draws, seed)
                row.update({score: interval.estimate, f"{score}_low": interval.low, f"{score}_high": interval.high})
            gain = paired_bootstrap((mine.crps - mine.crps_uniform).to_numpy(dtype=float), mine.cluster.to_numpy(), draws, seed)
            row.update(crps_vs_uniform=gain.estimate, crps_vs_uniform_low=gain.low, crps_vs_uniform_high=gain.high)
            rows.append(row)
        return pd.DataFrame(rows)

    def reliability(self, models: list[str] | None = None, bins: int = 10) -> pd.DataFrame:
        """The reliability diagram's points: band probabilities cut into ``bins`` equal bins; per
        model and bin the mean predicted probability, the observed frequency and the count."""
        frame = self.bands if models is None else self.bands[self.bands.model.isin(models)]
        edges = np.linspace(0, 1, bins + 1)
        index = np.clip(np.digitize(frame.p, edges[1:-1]), 0, bins - 1)
        grouped = frame.assign(bin=index).groupby(["model", "bin"], sort=True)
        table = grouped.agg(predicted=("p", "mean"), observed=("hit", "mean"), n=("hit", "size")).reset_index()
        return table


def model_frame(backtest: Backtest, model: str) -> pd.DataFrame:
    """One model's scored issues on 0..100 with their inputs (features, positions, band edges)."""
    mine = backtest.records[backtest.records.model == model].reset_index(drop=True)
    width = (mine.hi - mine.lo).to_numpy(dtype=float)
    frame = mine[["case", "issue", "cluster", "lo", "hi", "forecast", "outcome"]].copy()
    frame["forecast_100"] = (mine.forecast.to_numpy(dtype=float) - mine.lo.to_numpy(dtype=float)) / width * 100
    frame["outcome_100"] = (mine.outcome.to_numpy(dtype=float) - mine.lo.to_numpy(dtype=float)) / width * 100
    return frame


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    """Ragged rows as one NaN-padded 2-D array."""
    width = max((len(a) for a in arrays), default=0)
    out = np.full((len(arrays), width), np.nan)
    for k, a in enumerate(arrays):
        out[k, : len(a)] = a
    return out


def score_distribution(fit: ErrorModel, frame: pd.DataFrame, inputs: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quantiles, scores and band probabilities of ``frame``'s issues under one error model."""
    keys = list(zip(frame.case, frame.issue))
    features = np.array([inputs[k]["features"] for k in keys]).reshape(len(keys), 2)
    positions = _stack([inputs[k]["positions"] for k in keys])
    distribution = fit.distribution(frame.forecast_100.to_numpy(), features, positions)
    y = frame.outcome_100.to_numpy()
    q = distribution.intervals()
    width = (frame.hi - frame.lo).to_numpy(dtype=float)
    out = frame[["case", "issue", "cluster"]].copy()
    for j, column in enumerate(QUANTILE_COLUMNS):
        out[column] = frame.lo.to_numpy(dtype=float) + q[:, j] / 100 * width
    tol = 1e-9
    out["coverage_50"] = ((q[:, 1] - tol <= y) & (y <= q[:, 2] + tol)).astype(float)
    out["coverage_90"] = ((q[:, 0] - tol <= y) & (y <= q[:, 3] + tol)).astype(float)
    out["interval_score"] = interval_score(q[:, 0], q[:, 3], y, 0.1)
    out["crps"] = distribution.crps(y)
    out["crps_uniform"] = uniform_spread(q).crps(y)
    band_rows = []
    brier = np.empty(len(keys))
    for k, key in enumerate(keys):
        edges = inputs[key]["edges"]
        single = type(distribution)(distribution.cdf[k : k + 1])
        p = single.band_probabilities(edges[None, :])[0]
        hit = _band_hits(edges, y[k])
        brier[k] = float(((p - hit) ** 2).sum())
        band_rows += [{"case": key[0], "issue": key[1], "cluster": frame.cluster.iloc[k], "band": b, "p": float(p[b]), "hit": float(hit[b])} for b in range(len(p))]
    out["brier"] = brier
    out.loc[~np.isfinite(frame.forecast_100.to_numpy()), list(QUANTILE_COLUMNS) + list(SCORES)] = np.nan
    return out, pd.DataFrame(band_rows)


def _band_hits(edges: np.ndarray, outcome: float) -> np.ndarray:
    """1 for the band ``[e_b, e_{b+1})`` holding the outcome (the last band closed above)."""
    hits = np.zeros(len(edges) - 1)
    index = int(np.searchsorted(edges, outcome, side="right")) - 1
    hits[min(max(index, 0), len(hits) - 1)] = 1.0
    return hits


def interval_score(low: Any, high: Any, outcome: Any, alpha: float) -> np.ndarray:
    """Gneiting & Raftery's (2007) interval score of the central ``1 − alpha`` interval."""
    low, high, y = (np.asarray(v, dtype=float) for v in (low, high, outcome))
    return (high - low) + 2 / alpha * np.maximum(low - y, 0) + 2 / alpha * np.maximum(y - high, 0)


def calibrate_backtest(backtest: Backtest, folds: int = FOLDS, seed: int = 0, **fit_options: bool) -> Calibration:
    """Score every model's predictive distributions on the backtest's issues.

    With at least :data:`MIN_CASES_FOR_CV` cases, cross-validated: cases dealt into ``folds``
    folds (:func:`~detente.analysis.backtest.grouped_folds` with ``seed``), each scored by an error
    model fitted on the other folds. With fewer, the shipped error models are scored instead
    (fitted on DEU III and the bundled cases, so in-sample on those) and ``method`` says so.
    ``fit_options`` go to :func:`~detente.models.predictive.fit_error_model` (the variants compared
    in docs/backtests.md).
    """
    records, bands = [], []
    cases = backtest.records.case.unique() if not backtest.records.empty else []
    cross_validate = len(cases) >= MIN_CASES_FOR_CV
    folds = min(folds, len(cases)) if cross_validate else 0
    for model in backtest.models:
        frame = model_frame(backtest, model)
        if frame.empty:
            continue
        if cross_validate:
            fold = grouped_folds(frame.case.to_numpy(), folds, seed)
            for k in range(folds):
                test, train = frame[fold == k], frame[fold != k]
                train = train[np.isfinite(train.forecast_100)]
                if test.empty or len(train) < 10:
                    continue
                fit = _fit(model, train, backtest.inputs, seed + k, **fit_options)
                scored, banded = score_distribution(fit, test, backtest.inputs)
                records.append(scored.assign(model=model))
                bands.append(banded.assign(model=model))
        else:
            fit = error_model(model)
            if fit is None:
                continue
            scored, banded = score_distribution(fit, frame, backtest.inputs)
            records.append(scored.assign(model=model))
            bands.append(banded.assign(model=model))
    method = (
        f"cross-validated: error models fitted on {folds - 1} of {folds} folds of cases, scored on the held-out fold"
        if cross_validate
        else "the shipped error models (fitted on DEU III and the bundled cases; in-sample for those cases)"
    )
    columns = ["model", "case", "issue", "cluster", *QUANTILE_COLUMNS, *SCORES]
    record_frame = pd.concat(records, ignore_index=True)[columns] if records else pd.DataFrame(columns=columns)
    band_frame = pd.concat(bands, ignore_index=True) if bands else pd.DataFrame(columns=["model", "case", "issue", "cluster", "band", "p", "hit"])
    return Calibration(record_frame, band_frame, [m for m in backtest.models if m in set(record_frame.model)], method)


def _fit(model: str, train: pd.DataFrame, inputs: dict, seed: int, **fit_options: bool) -> ErrorModel:
    keys = list(zip(train.case, train.issue))
    features = np.array([inputs[k]["features"] for k in keys]).reshape(len(keys), 2)
    positions = _stack([inputs[k]["positions"] for k in keys])
    return fit_error_model(model, train.forecast_100, train.outcome_100, features, positions, train.case.to_numpy(), seed=seed, **fit_options)


def fit_from_backtest(backtest: Backtest, model: str, seed: int = 0) -> ErrorModel:
    """The error model of ``model`` fitted on every scored issue of the backtest."""
    frame = model_frame(backtest, model)
    return _fit(model, frame[np.isfinite(frame.forecast_100)], backtest.inputs, seed)



def backtest_json(backtest: Backtest, calibration: Calibration | None, by: str | None = None, draws: int = BOOTSTRAP_DRAWS, seed: int = 0, detail: bool = False) -> dict[str, Any]:
    """The backtest's JSON (:meth:`Backtest.to_json`) with the probabilistic scores: per model in
    the summary rows for all issues ``coverage_50``, ``coverage_90``, ``interval_score``, ``crps``
    (each with ``_low``/``_high``), ``crps_uniform``, ``crps_vs_uniform`` and ``brier``; per issue
    in the detail ``q05``, ``q25``, ``q75``, ``q95`` (issue units); and under ``intervals`` the
    method and the reliability diagram's points."""
    data = backtest.to_json(by, draws=draws, seed=seed, detail=detail)
    if calibration is None:
        return data
    scores = {row["model"]: row for row in _json_rows(calibration.summary(draws, seed))}
    for row in data["summary"]:
        if by is None or row.get(by) == "all":
            row.update({k: v for k, v in scores.get(row["model"], {}).items() if k not in ("model", "n")})
    if detail:
        quantiles = calibration.records.set_index(["model", "case", "issue"])[list(QUANTILE_COLUMNS)]
        for row in data["detail"]:
            key = (row["model"], row["case"], row["issue"])
            values = quantiles.loc[key] if key in quantiles.index else None
            row.update({c: None if values is None or np.isnan(values[c]) else round(float(values[c]), 6) for c in QUANTILE_COLUMNS})
    data["intervals"] = {"method": calibration.method, "reliability": _json_rows(calibration.reliability())}
    return data


def _json_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for row in frame.to_dict("records"):
        rows.append({k: (None if isinstance(v, float) and np.isnan(v) else (round(v, 6) if isinstance(v, float) else v)) for k, v in row.items()})
    return rows
