"""Terminal tables for backtests: accuracy per model, and each model's forecast per case and issue."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from detente.analysis.backtest import REFERENCE_MODEL

if TYPE_CHECKING:
    from detente.analysis.backtest import Backtest


def _num(value: float, digits: int = 2) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _share(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.0f}%"


def _versus(row: pd.Series) -> str:
    if math.isnan(row.vs_reference):
        return "–"
    if math.isnan(row.vs_low):
        return f"{row.vs_reference:+.2f}"
    return f"{row.vs_reference:+.2f} [{row.vs_low:+.2f}, {row.vs_high:+.2f}]"


def summary_table(summary: pd.DataFrame, title: str, by: str | None = None, reference: str = REFERENCE_MODEL) -> Table:
    """Accuracy per model (and group): errors in points on the 0..100 scale."""
    table = Table(title=title, title_justify="left")
    if by is not None:
        table.add_column(by.capitalize())
    table.add_column("Model", style="bold")
    for column in ("n", "MAE", "RMSE", "Median", "≤5", "≤10", "≤20"):
        table.add_column(column, justify="right")
    table.add_column(f"ΔMAE vs {reference} [95% CI]", justify="right")
    table.add_column("Failed", justify="right")
    previous = None
    for _, row in summary.iterrows():
        cells = []
        if by is not None:
            group = str(row[by])
            cells.append(group if group != previous else "")
            previous = group
        missing = f" (+{row.no_forecast} none)" if row.no_forecast else ""
        cells += [
            row.model,
            f"{row.n}{missing}",
            _num(row.mae),
            _num(row.rmse),
            _num(row["median"]),
            _share(row.within_5),
            _share(row.within_10),
            _share(row.within_20),
            _versus(row),
            str(row.failed) if row.failed else "",
        ]
        table.add_row(*cells)
    return table


def _decimals(span: float) -> int:
    return max(1, 2 - int(math.floor(math.log10(span)))) if span > 0 else 2


def issue_table(backtest: "Backtest") -> Table:
    """One row per case and issue: the outcome, then each model's forecast and its absolute error
    in the issue's own units, ``forecast (error)``; a dagger marks third-party outcome codings."""
    records = backtest.records
    table = Table(title="Forecast (absolute error) per case and issue, in the issue's units", title_justify="left")
    table.add_column("Case · issue", style="bold", max_width=34)
    table.add_column("Outcome", justify="right")
    for model in backtest.models:
        table.add_column(model, justify="right")
    by_issue: dict[tuple[str, str], dict[str, pd.Series]] = {}
    for _, row in records.iterrows():
        by_issue.setdefault((row.case, row.issue), {})[row.model] = row
    for (case, issue), rows in by_issue.items():
        first = next(iter(rows.values()))
        digits = _decimals(first.hi - first.lo)
        mark = " †" if first.third_party else ""
        cells = [f"{case} · {issue}", f"{first.outcome:.{digits}f}{mark}"]
        for model in backtest.models:
            row = rows.get(model)
            if row is None:
                cells.append("failed")
            elif math.isnan(row.forecast):
                cells.append("–")
            else:
                cells.append(f"{row.forecast:.{digits}f} ({abs(row.error):.{digits}f})")
        table.add_row(*cells)
    return table


def _with_interval(value: float, low: float, high: float, digits: int = 2, share: bool = False) -> str:
    if value is None or math.isnan(value):
        return "–"
    show = (lambda v: f"{100 * v:.0f}%") if share else (lambda v: f"{v:.{digits}f}")
    return show(value) if math.isnan(low) else f"{show(value)} [{show(low)}, {show(high)}]"


def calibration_table(scores: pd.DataFrame, method: str) -> Table:
    """Probabilistic scores per model with bootstrap 95 % intervals (see detente.analysis.calibration)."""
    table = Table(title=f"How honest the intervals are: {method}", title_justify="left")
    table.add_column("Model", style="bold", no_wrap=True)
    for column in ("Cover 50%", "Cover 90%", "Interval score", "CRPS", "CRPS − uniform", "Brier"):
        table.add_column(column, justify="right")
    for _, row in scores.iterrows():
        table.add_row(
            row.model,
            _with_interval(row.coverage_50, row.coverage_50_low, row.coverage_50_high, share=True),
            _with_interval(row.coverage_90, row.coverage_90_low, row.coverage_90_high, share=True),
            _with_interval(row.interval_score, row.interval_score_low, row.interval_score_high, 1),
            _with_interval(row.crps, row.crps_low, row.crps_high),
            _with_interval(row.crps_vs_uniform, row.crps_vs_uniform_low, row.crps_vs_uniform_high),
            _with_interval(row.brier, row.brier_low, row.brier_high, 3),
        )
    return table


CALIBRATION_NOTE = (
    "Cover: share of outcomes inside the calibrated 50% and 90% intervals. Interval score of the 90% interval "
    "(width plus 20x the miss; points, lower is better). CRPS: continuous ranked probability score (points, "
    "lower is better); CRPS − uniform: its paired difference to a distribution that spreads the same "
    "5/25/75/95% quantiles uniformly (negative = the shape, atoms at actors' positions included, helps). "
    "Brier: of the band probabilities (quarters of the scale, or the anchor bands)."
)


def backtest_view(
    backtest: "Backtest",
    summary: pd.DataFrame,
    title: str,
    by: str | None = None,
    show_issues: bool = False,
    reference: str = REFERENCE_MODEL,
    calibration: tuple[pd.DataFrame, str] | None = None,
) -> Group:
    """The whole terminal report: the accuracy table, the probabilistic scores (when given),
    optionally the per-issue table, then notes."""
    parts: list = [summary_table(summary, title, by, reference)]
    if calibration is not None and not calibration[0].empty:
        parts += [calibration_table(*calibration), Text(CALIBRATION_NOTE, style="italic")]
    if show_issues and not backtest.records.empty:
        parts.append(issue_table(backtest))
    notes = [
        "Errors are in points on each issue's scale mapped to 0..100. MAE: mean absolute error; RMSE: root mean "
        f"square error; ≤5/≤10/≤20: share of issues within that many points. ΔMAE: the model's MAE minus {reference}'s "
        "on the same issues (negative = better), with a seeded bootstrap 95% interval."
    ]
    if backtest.records.get("third_party", pd.Series(dtype=bool)).any():
        notes.append("† outcome coded by a third party (a judgement, not a documented fact); see the case's outcome_source.")
    for failure in backtest.failures:
        notes.append(f"{failure.model} failed on {failure.case}: {failure.message}")
    for reason in backtest.skipped:
        notes.append(f"skipped: {reason}")
    parts += [Text(note, style="italic") for note in notes]
    return Group(*parts)
