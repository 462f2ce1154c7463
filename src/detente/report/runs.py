"""Terminal views (rich) of stored runs: the list, one run, and the difference between two."""

from __future__ import annotations

import math
from typing import Any, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from detente.errors import DetenteError
from detente.report.chartdata import model_title
from detente.report.table import forecast_table, format_value
from detente.store import Run, RunDiff, RunSummary


def runs_table(runs: Sequence[RunSummary], path: Any) -> Table:
    table = Table(title=f"Stored runs in {path} (newest first)")
    for column in ("Id", "Kind", "When (UTC)", "Scenario", "Models", "Seed", "Seconds"):
        table.add_column(column, justify="right" if column in ("Id", "Seed", "Seconds") else "left")
    for run in runs:
        seconds = "" if run.seconds is None else f"{run.seconds:.2f}"
        table.add_row(str(run.id), run.kind, run.created[:19].replace("T", " "), run.scenario_id, ", ".join(run.models), "" if run.seed is None else str(run.seed), seconds)
    return table


def run_view(run: Run) -> Group:
    """A run's record and its forecasts placed among the anchors (from the stored values)."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Run", f"{run.id} ({run.kind})")
    head.add_row("When", run.created)
    head.add_row("Scenario", f"{run.scenario_id}  sha256 {run.scenario_hash[:16]}…" + (f"  from {run.origin}" if run.origin else ""))
    if len(run.scenario_texts) > 1:
        head.add_row("Scenarios", f"{len(run.scenario_texts)} (`detente runs show {run.id} -f json` has every one)")
    head.add_row("Models", ", ".join(run.models))
    options = {m: o for m, o in run.options.items() if o}
    if options:
        head.add_row("Options", "; ".join(f"{m}: " + ", ".join(f"{k}={v}" for k, v in o.items()) for m, o in options.items()))
    head.add_row("Seed", "none" if run.seed is None else str(run.seed))
    head.add_row("detente", run.version)
    if run.timings:
        head.add_row("Timings", ", ".join(f"{k} {v:.3f} s" for k, v in run.timings.items() if isinstance(v, (int, float))))
    if run.command:
        head.add_row("Command", "detente " + " ".join(run.command))
    parts: list[Any] = [head]
    if not run.forecasts.empty:
        parts.append(forecast_table(run.forecast()))
    return Group(*parts)


def diff_view(diff: RunDiff) -> Group:
    """Inputs that changed, then every forecast side by side with the change."""
    first, second = diff.first, diff.second
    parts: list[Any] = [Text(f"Run {first.id} ({first.created[:19]}) → run {second.id} ({second.created[:19]})", style="bold")]
    if first.scenario_hash == second.scenario_hash:
        parts.append(Text(f"Same scenario ({first.scenario_id}, sha256 {first.scenario_hash[:16]}…).", style="dim"))
    else:
        changes = Table(title=f"Scenario changes ({first.scenario_id} → {second.scenario_id})")
        for column in ("Field", f"run {first.id}", f"run {second.id}"):
            changes.add_column(column)
        for name, a, b in diff.scenario_changes:
            changes.add_row(name, _short(a), _short(b))
        parts.append(changes)
    if diff.option_changes or first.seed != second.seed or first.version != second.version:
        inputs = Table(title="Other inputs that changed")
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
    table = Table(title="Forecasts")
    for column in ("Model", "Issue", f"run {first.id}", f"run {second.id}", "Change"):
        table.add_column(column, justify="right" if column.startswith(("run", "Change")) else "left")
    for row in diff.forecasts.itertuples():
        issue = issues.get(row.issue)
        fmt = (lambda v: format_value(issue, v)) if issue is not None else (lambda v: "–" if _missing(v) else f"{v:.4g}")
        change = "" if _missing(row.change) else f"{row.change:+.3g}"
        table.add_row(model_title(row.model), issue.label if issue is not None else row.issue, fmt(_value(row.first)), fmt(_value(row.second)), Text(change, style="bold" if change and abs(row.change) > 1e-9 else "dim"))
    parts.append(table)
    return Group(*parts)


def _value(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _short(value: Any, limit: int = 60) -> str:
    text = "–" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
