"""Terminal tables for backtests: accuracy per model, and each model's forecast per case and issue."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from detente.analysis.backtest import REFERENCE_MODEL
from detente.report.table import narrow, plain_table

MODELS_PER_NARROW_TABLE = 4

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


def _table(title: str, compact: bool) -> Table:
    return plain_table(title, gap=1) if compact else Table(title=title, title_justify="left")


def _bounds(low: float, high: float, show=lambda v: f"{v:+.2f}") -> str:
    """A bootstrap interval as one word, ``[-4.79,+9.17]``: a narrow table wraps between columns, never inside it."""
    return f"[{show(low)},{show(high)}]"


def summary_table(summary: pd.DataFrame, title: str, by: str | None = None, reference: str = REFERENCE_MODEL, width: int | None = None) -> Table:
    """Accuracy per model (and group): errors in points on the 0..100 scale. Narrower than
    :data:`~detente.report.table.LABELS_IN_ROWS` (``width``): no box, the ΔMAE interval in a
    column of its own and the failures column only when a model failed."""
    compact = narrow(width)
    table = _table(title, compact)
    if by is not None:
        table.add_column(by.capitalize())
    table.add_column("Model", style="bold")
    for column in ("n", "MAE", "RMSE", "Median", "≤5", "≤10", "≤20"):
        table.add_column(column, justify="right")
    any_failed = "failed" in summary and bool(summary["failed"].astype(bool).any())
    show_failed = any_failed or not compact
    if compact:
        table.add_column(f"ΔMAE vs {reference}", justify="right")
        table.add_column("95% CI", justify="right")
    else:
        table.add_column(f"ΔMAE vs {reference} [95% CI]", justify="right")
    if show_failed:
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
        ]
        if compact:
            has_reference = not math.isnan(row.vs_reference)
            cells.append(f"{row.vs_reference:+.2f}" if has_reference else "–")
            cells.append(_bounds(row.vs_low, row.vs_high) if has_reference and not math.isnan(row.vs_low) else "")
        else:
            cells.append(_versus(row))
        if show_failed:
            cells.append(str(row.failed) if row.failed else "")
        table.add_row(*cells)
    return table


def _decimals(span: float) -> int:
    return max(1, 2 - int(math.floor(math.log10(span)))) if span > 0 else 2


def issue_table(backtest: "Backtest", width: int | None = None) -> Group:
    """The outcome, then each model's forecast and its absolute error in the issue's own units,
    ``forecast (error)``, per case and issue; a dagger marks third-party outcome codings. With
    fewer issues than models the table is turned (a row per model) so that it fits 80 columns."""
    cells: dict[tuple[str, str], dict[str, str]] = {}
    heads: dict[tuple[str, str], str] = {}
    for _, row in backtest.records.iterrows():
        key = (row.case, row.issue)
        digits = _decimals(row.hi - row.lo)
        heads.setdefault(key, f"{row.outcome:.{digits}f}" + (" †" if row.third_party else ""))
        cells.setdefault(key, {})[row.model] = "–" if math.isnan(row.forecast) else f"{row.forecast:.{digits}f} ({abs(row.error):.{digits}f})"
    title = "Forecast (absolute error) per case and issue, in the issue's units"
    return _grid(title, "Outcome", heads, cells, backtest.models, width)


def state_table(backtest: "Backtest", width: int | None = None) -> Group:
    """Issues not settled yet: each model's forecast against the latest state of the talks, with
    the gap in the issue's units. Not outcomes, and not in the accuracy table."""
    cells: dict[tuple[str, str], dict[str, str]] = {}
    heads: dict[tuple[str, str], str] = {}
    for row in backtest.states.itertuples():
        key = (row.case, row.issue)
        digits = _decimals(row.hi - row.lo)
        heads.setdefault(key, f"{row.state:.{digits}f} on {row.state_date}")
        cells.setdefault(key, {})[row.model] = "–" if math.isnan(row.forecast) else f"{row.forecast:.{digits}f} ({abs(row.error):.{digits}f})"
    title = "Not settled yet: forecast (gap) against the latest state of the talks. NOT an outcome; not scored"
    return _grid(title, "State of the talks", heads, cells, backtest.models, width)


def _grid(title: str, head: str, heads: dict, cells: dict, models: list[str], width: int | None = None) -> Group:
    """A row per case and issue and a column per model, or turned when there are more models than
    issues; no cell is ever cut (long cells wrap). Narrower than
    :data:`~detente.report.table.LABELS_IN_ROWS` (``width``), the models' columns come in groups
    of :data:`MODELS_PER_NARROW_TABLE`, one table each, as a wide data frame prints."""
    keys = list(heads)
    compact = narrow(width)
    if len(keys) < len(models):
        table = _table(title, compact)
        table.add_column("Model", style="bold", no_wrap=True)
        for case, issue in keys:
            table.add_column(f"{case} · {issue}\n{head}: {heads[case, issue]}", justify="right", overflow="fold")
        for model in models:
            table.add_row(model, *[cells[key].get(model, "failed") for key in keys])
        return Group(table)
    groups = [models[k : k + MODELS_PER_NARROW_TABLE] for k in range(0, len(models), MODELS_PER_NARROW_TABLE)] if compact else [models]
    tables = []
    for n, group in enumerate(groups, start=1):
        part = f" ({n} of {len(groups)}: {', '.join(group)})" if len(groups) > 1 else ""
        table = _table(title + part, compact)
        table.add_column("Case · issue", style="bold", max_width=34)
        table.add_column(head, justify="right", overflow="fold")
        for model in group:
            table.add_column(model, justify="right", overflow="fold")
        for key in keys:
            table.add_row(f"{key[0]} · {key[1]}", heads[key], *[cells[key].get(model, "failed") for model in group])
        tables.append(table)
    return Group(*tables)


def _with_interval(value: float, low: float, high: float, digits: int = 2, share: bool = False) -> str:
    if value is None or math.isnan(value):
        return "–"
    show = (lambda v: f"{100 * v:.0f}%") if share else (lambda v: f"{v:.{digits}f}")
    return show(value) if math.isnan(low) else f"{show(value)} [{show(low)}, {show(high)}]"


CALIBRATION_COLUMNS = ("Cover 50%", "Cover 90%", "Interval score", "CRPS", "CRPS − uniform", "Brier")


def calibration_table(scores: pd.DataFrame, method: str, width: int | None = None) -> Group:
    """Probabilistic scores per model with bootstrap 95 % intervals (see detente.analysis.calibration).
    Narrower than :data:`~detente.report.table.LABELS_IN_ROWS` (``width``): two tables of three
    scores with no box, each score's interval on the line under it."""
    title = f"How honest the intervals are: {method}"
    rows = []
    for _, row in scores.iterrows():
        rows.append((row.model, [
            (row.coverage_50, row.coverage_50_low, row.coverage_50_high, 0, True),
            (row.coverage_90, row.coverage_90_low, row.coverage_90_high, 0, True),
            (row.interval_score, row.interval_score_low, row.interval_score_high, 1, False),
            (row.crps, row.crps_low, row.crps_high, 2, False),
            (row.crps_vs_uniform, row.crps_vs_uniform_low, row.crps_vs_uniform_high, 2, False),
            (row.brier, row.brier_low, row.brier_high, 3, False),
        ]))
    if not narrow(width):
        table = _table(title, False)
        table.add_column("Model", style="bold", no_wrap=True)
        for column in CALIBRATION_COLUMNS:
            table.add_column(column, justify="right")
        for model, scored in rows:
            table.add_row(model, *[_with_interval(v, lo, hi, digits or 2, share) for v, lo, hi, digits, share in scored])
        return Group(table)
    tables = []
    for part, columns in ((slice(0, 3), "1 of 2"), (slice(3, 6), "2 of 2")):
        table = _table(f"{title} ({columns})" if part.start == 0 else f"How honest the intervals are ({columns})", True)
        table.add_column("Model", style="bold", no_wrap=True)
        for column in CALIBRATION_COLUMNS[part]:
            table.add_column(column, justify="right")
        for model, scored in rows:
            chosen = scored[part]
            table.add_row(model, *[_with_interval(v, math.nan, math.nan, digits or 2, share) for v, _, _, digits, share in chosen])
            bounds = ["" if math.isnan(lo) else _bounds(lo, hi, _shown(digits, share)) for _, lo, hi, digits, share in chosen]
            table.add_row("", *bounds, style="dim")
        tables.append(table)
    return Group(*tables)


def _shown(digits: int, share: bool):
    return (lambda x: f"{100 * x:.0f}%") if share else (lambda x: f"{x:.{digits}f}")


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
    width: int | None = None,
) -> Group:
    """The whole terminal report: the accuracy table, the probabilistic scores (when given),
    optionally the per-issue table, then notes; laid out for a console ``width`` columns wide."""
    parts: list = [summary_table(summary, title, by, reference, width)]
    if calibration is not None and not calibration[0].empty:
        parts += [calibration_table(*calibration, width=width), Text(CALIBRATION_NOTE, style="italic")]
    if show_issues and not backtest.records.empty:
        parts.append(issue_table(backtest, width))
    if not backtest.states.empty:
        parts.append(state_table(backtest, width))
    notes = [
        "Errors are in points on each issue's scale mapped to 0..100. MAE: mean absolute error; RMSE: root mean "
        f"square error; ≤5/≤10/≤20: share of issues within that many points. ΔMAE: the model's MAE minus {reference}'s "
        "on the same issues (negative = better), with a seeded bootstrap 95% interval."
    ]
    if not backtest.states.empty:
        notes.append("A state of the talks is where the proposal on the table stood at that date on an issue not settled yet; "
                     "it is shown for comparison only and never enters MAE, RMSE or the shares.")
    if backtest.records.get("third_party", pd.Series(dtype=bool)).any():
        notes.append("† outcome coded by a third party (a judgement, not a documented fact); see the case's outcome_source.")
    for failure in backtest.failures:
        notes.append(f"{failure.model} failed on {failure.case}: {failure.message}")
    for reason in backtest.skipped:
        notes.append(f"skipped: {reason}")
    parts += [Text(note, style="italic") for note in notes]
    return Group(*parts)
