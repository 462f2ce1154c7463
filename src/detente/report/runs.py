"""Terminal views (rich) of stored runs: the list, one run, and the difference between two."""

from __future__ import annotations

import math
from typing import Any, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from detente.errors import DetenteError
from detente.report.chartdata import model_title
from detente.report.result_tables import model_titles, monte_carlo_tables, whatif_tables
from detente.report.table import forecast_table, format_value, narrow, plain_table, shift_text
from detente.store import Run, RunDiff, RunSummary


def runs_table(runs: Sequence[RunSummary], path: Any) -> Table:
    table = Table(title=f"Stored runs in {path} (newest first)")
    for column in ("Id", "Kind", "When (UTC)", "Scenario", "Models", "Seed", "Seconds"):
        table.add_column(column, justify="right" if column in ("Id", "Seed", "Seconds") else "left")
    for run in runs:
        seconds = "" if run.seconds is None else f"{run.seconds:.2f}"
        table.add_row(str(run.id), run.kind, run.created[:19].replace("T", " "), run.scenario_id, ", ".join(run.models), "" if run.seed is None else str(run.seed), seconds)
    return table


def run_view(run: Run, width: int | None = None) -> Group:
    """A run's record and its forecasts placed among the anchors (from the stored values), laid
    out for a console ``width`` columns wide (see :func:`detente.report.table.forecast_table`)."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Run", f"{run.id} ({run.kind})")
    head.add_row("When", run.created)
    head.add_row("Scenario", f"{run.scenario_id}  sha256 {run.scenario_hash[:16]}" + (f"  from {run.origin}" if run.origin else ""))
    if len(run.scenario_texts) > 1:
        head.add_row("Scenarios", f"{len(run.scenario_texts)} (`detente runs show {run.id} -f json` has every one)")
    head.add_row("Models", ", ".join(run.models))
    options = options_text(run.options)
    if options:
        head.add_row("Options", options)
    head.add_row("Seed", "none" if run.seed is None else str(run.seed))
    head.add_row("detente", run.version)
    if run.timings:
        head.add_row("Timings", ", ".join(f"{k} {v:.3f} s" for k, v in run.timings.items() if isinstance(v, (int, float))))
    if run.command:
        head.add_row("Command", "detente " + " ".join(run.command))
    parts: list[Any] = [head]
    view = _RESULT_VIEWS.get(run.kind, _stored_rows)
    parts += view(run, width)
    return Group(*parts)


def options_text(options: dict[str, Any]) -> str:
    """A run's options on one line: a forecast's are per model (``eum: rounds=50``), the other
    kinds' are the command's (``draws=1000; settings=eum.rounds=50``)."""
    parts = []
    for key, value in options.items():
        if value in (None, [], {}, ""):
            continue
        if isinstance(value, dict):
            parts.append(f"{key}: " + ", ".join(f"{k}={v}" for k, v in value.items()))
        elif isinstance(value, list):
            parts.append(f"{key}=" + ", ".join(map(str, value)))
        else:
            parts.append(f"{key}={value}")
    return "; ".join(parts)


def _issues(run: Run) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        for scenario in run.scenarios():
            found.update({i.id: i for i in scenario.issues if i.id not in found})
    except DetenteError:  # a stored scenario this version can no longer read still shows its numbers
        pass
    return found


def _number(issue: Any, value: Any) -> str:
    if _missing(value):
        return "–"
    return format_value(issue, float(value)) if issue is not None else f"{float(value):.6g}"


def _forecast_view(run: Run, width: int | None) -> list[Any]:
    return [forecast_table(run.forecast(), width=width)] if not run.forecasts.empty else []


def _simulate_view(run: Run, width: int | None) -> list[Any]:
    """The stored Monte Carlo summaries as the command printed them (the draws themselves are not stored)."""
    results = run.results
    heading = Text(f"Monte Carlo: {results.get('draws', '?')} draws, seed {run.seed}", style="bold")
    try:
        scenario = run.scenario()
    except DetenteError:  # a stored scenario this version can no longer read still shows its numbers
        return [heading, *_stored_rows(run, width), *_notes(results)]
    summaries = results.get("summaries") or []
    models = list(dict.fromkeys(str(r.get("model")) for r in summaries))
    tables = monte_carlo_tables(scenario, summaries, models, int(results.get("draws") or 0), run.seed, results.get("uncertainty") or {}, results.get("notes") or [], width)
    return [heading, tables]


def _whatif_view(run: Run, width: int | None) -> list[Any]:
    """The stored baseline and lever forecasts as `detente whatif` printed them."""
    results = run.results
    issues = list(_issues(run).values())
    records = [r for r in results.get("forecasts") or [] if isinstance(r, dict) and "issue" in r]
    if not issues or any(r["issue"] not in {i.id for i in issues} for r in records):
        return _stored_rows(run, width) + _notes(results)
    simulated = (int(results["draws"]), results.get("seed")) if results.get("draws") else None
    levers = results.get("levers") or run.options.get("levers") or []
    return [whatif_tables(issues, records, levers, simulated, results.get("notes") or [], width)]


def _backtest_view(run: Run, width: int | None) -> list[Any]:
    """The stored accuracy table, as `detente backtest` showed it."""
    import pandas as pd

    from detente.report.backtest import summary_table

    results = run.results
    parts: list[Any] = []
    summary = pd.DataFrame.from_records(results.get("summary") or [])
    if not summary.empty:
        summary = summary.fillna(value=math.nan)
        by = summary.columns[0] if summary.columns[0] != "model" else None
        cases = len(run.scenario_texts) or 1
        title = f"Backtest on {cases} case{'s' if cases != 1 else ''}: errors in points of 0..100"
        parts.append(summary_table(summary, title, by, results.get("reference", "compromise"), width))
    parts += [Text(f"skipped: {item}", style="dim") for item in results.get("skipped") or []]
    return parts


def _stored_rows(run: Run, width: int | None) -> list[Any]:
    """Any other kind: its stored forecast rows."""
    if run.forecasts.empty:
        return [Text("This run stored no forecasts; `detente runs show ID -f json` has its results.", style="dim")]
    issues = _issues(run)
    table = Table(title="Stored forecasts", title_justify="left")
    for column in ("Model", "Issue", "Value"):
        table.add_column(column, justify="right" if column == "Value" else "left")
    for row in run.forecasts.itertuples():
        table.add_row(model_title(row.model), row.issue, _number(issues.get(row.issue), _value(row.value)))
    return [table]


def _notes(results: dict[str, Any]) -> list[Text]:
    notes = results.get("notes")
    return [Text(f"Note: {note}", style="yellow") for note in notes] if isinstance(notes, list) else []


# Each view takes the run and the console width (None: wide); the forecast table is the one laid out by it.
_RESULT_VIEWS = {"forecast": _forecast_view, "simulate": _simulate_view, "whatif": _whatif_view, "backtest": _backtest_view}


def csv_rows(run: Run) -> list[dict[str, Any]]:
    """The rows the command that made ``run`` printed with ``-f csv`` (forecast, simulate, what-if,
    backtest), rebuilt from what it stored; the stored forecast values for any other kind."""
    results = run.results
    if run.kind in ("forecast", "whatif") and results.get("forecasts"):
        return results["forecasts"]
    if run.kind == "simulate" and results.get("summaries"):
        from detente.analysis.montecarlo import band_rows

        return band_rows(results["summaries"])
    if run.kind == "backtest" and (results.get("detail") or results.get("summary")):
        return results.get("detail") or results["summary"]
    return run.forecasts.to_dict("records")


def diff_view(diff: RunDiff, width: int | None = None) -> Group:
    """Inputs that changed, then every forecast side by side with the change. Narrower than
    :data:`~detente.report.table.LABELS_IN_ROWS` (``width``): no boxes, and the forecasts a heading
    per issue with one line a model."""
    first, second = diff.first, diff.second
    new_table = plain_table if narrow(width) else Table
    parts: list[Any] = [Text(f"Run {first.id} ({first.created[:19]}) → run {second.id} ({second.created[:19]})", style="bold")]
    if first.scenario_hash == second.scenario_hash:
        parts.append(Text(f"Same scenario ({first.scenario_id}, sha256 {first.scenario_hash[:16]}).", style="dim"))
    else:
        changes = new_table(title=f"Scenario changes ({first.scenario_id} → {second.scenario_id})")
        for column in ("Field", f"run {first.id}", f"run {second.id}"):
            changes.add_column(column)
        for name, a, b in diff.scenario_changes:
            changes.add_row(name, _short(a), _short(b))
        parts.append(changes)
    if diff.option_changes or first.seed != second.seed or first.version != second.version:
        inputs = new_table(title="Other inputs that changed")
        for column in ("Input", f"run {first.id}", f"run {second.id}"):
            inputs.add_column(column)
        for name, a, b in diff.option_changes:
            inputs.add_row(name, _short(a), _short(b))
        if first.seed != second.seed:
            inputs.add_row("seed", str(first.seed), str(second.seed))
        if first.version != second.version:
            inputs.add_row("detente version", first.version, second.version)
        parts.append(inputs)
    issues = {}
    for run in (first, second):
        try:
            issues.update({i.id: i for i in run.scenario().issues})
        except DetenteError:  # a stored scenario this version can no longer read still shows its numbers
            pass

    def cells(row: Any) -> tuple[str, str, Text]:
        issue = issues.get(row.issue)
        fmt = (lambda v: format_value(issue, v)) if issue is not None else (lambda v: "–" if _missing(v) else f"{v:.4g}")
        change = "" if _missing(row.change) else shift_text(issue, row.change) if issue is not None else f"{row.change:+.3g}"
        return fmt(_value(row.first)), fmt(_value(row.second)), Text(change, style="bold" if change and abs(row.change) > 1e-9 else "dim")

    def label(issue_id: str) -> str:
        return issues[issue_id].label if issue_id in issues else issue_id

    columns = (f"run {first.id}", f"run {second.id}", "Change")
    if narrow(width):
        short = model_titles(short=True)
        parts.append(Text("\nForecasts", style="bold"))
        for issue_id, rows in diff.forecasts.groupby("issue", sort=False):
            table = plain_table(title="\n" + label(issue_id))
            table.add_column("Model", no_wrap=True)
            for column in columns:
                table.add_column(column, justify="right")
            for row in rows.itertuples():
                table.add_row(short.get(row.model, row.model), *cells(row))
            parts.append(table)
        return Group(*parts)
    table = Table(title="Forecasts")
    table.add_column("Model")
    table.add_column("Issue")
    for column in columns:
        table.add_column(column, justify="right")
    for row in diff.forecasts.itertuples():
        table.add_row(model_title(row.model), label(row.issue), *cells(row))
    parts.append(table)
    return Group(*parts)


def _value(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _short(value: Any, limit: int = 60) -> str:
    """Long text (addresses, descriptions) cut to ``limit``, never inside a number."""
    text = "–" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip("0123456789.,-+") + "…"
