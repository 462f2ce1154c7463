"""Terminal tables (rich) for Monte Carlo, sensitivity, what-if and comparison results."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from detente.report.table import SHORT_LABEL, anchor_list, format_value, hanging_list, narrow, plain_table, shift_text
from detente.scenario import Issue, _shorten

if TYPE_CHECKING:
    from detente.analysis.compare import Comparison
    from detente.analysis.timeline import Timeline
    from detente.analysis.montecarlo import SimulationResult
    from detente.analysis.sensitivity import SensitivityResult
    from detente.analysis.whatif import WhatIfResult
    from detente.scenario import Scenario


def model_titles(short: bool = False) -> dict[str, str]:
    """Display titles by model name; ``short`` ones (``Compromise``, ``KTAB SMP``) for narrow tables."""
    from detente import models as registry

    return {name: (cls.short_title or cls.title) if short else cls.title for name, cls in registry.registry().items()}


def _percent(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    if 0 < value < 0.001:
        return "<0.1%"
    return f"{100 * value:.1f}%"


def _interval(issue: Issue, lo: float | None, hi: float | None, gap: str = " – ") -> str:
    """``lo – hi`` in the issue's precision; a single dash when there is no interval."""
    if lo is None and hi is None:
        return "–"
    return f"{format_value(issue, lo)}{gap}{format_value(issue, hi)}"


def anchor_legend(issue: Issue) -> Text:
    """The anchor labels of an issue, shortened, as one dim line."""
    parts = [f"{point:g} = {_shorten(label, SHORT_LABEL)}" for point, label in issue.sorted_anchors()]
    return Text(("Anchors: " + "; ".join(parts)) if parts else "No anchors: bands are the quarters of the scale.", style="dim")


def simulation_table(result: "SimulationResult", width: int | None = None) -> Group:
    """Per issue: each model's point forecast, median, intervals, mean and band probabilities,
    laid out for a console ``width`` columns wide (see :func:`monte_carlo_tables`)."""
    return monte_carlo_tables(
        result.scenario, result.records(), result.models, result.draws, result.seed, result.uncertainty.model_dump(), result.notes, width
    )


def monte_carlo_tables(
    scenario: "Scenario",
    records: Sequence[Mapping[str, Any]],
    models: Sequence[str],
    draws: int,
    seed: Any,
    uncertainty: Mapping[str, Any],
    notes: Sequence[str],
    width: int | None = None,
) -> Group:
    """A Monte Carlo's summaries (:meth:`SimulationResult.records
    <detente.analysis.montecarlo.SimulationResult.records>`, as printed or as stored with a run).

    Wide (``width`` None or at least :data:`~detente.report.table.LABELS_IN_ROWS`): one table per
    issue with every interval and band. Narrower: per issue, one line per model with its numbers
    and whole intervals ("57.9–75.6"), then one with its band probabilities, then the anchors."""
    from detente.analysis.montecarlo import issue_bands

    compact = narrow(width)
    titles = model_titles(short=compact)
    by_key = {(r["model"], r["issue"]): r for r in records}
    parts: list[Any] = []
    for issue in scenario.issues:
        rows = [(model, by_key[(model, issue.id)]) for model in models if (model, issue.id) in by_key]
        if not rows:
            continue
        bands = issue_bands(issue)
        heading = f"{issue.label} (scale {issue.lo:g}–{issue.hi:g}; {draws:,} draws)"
        if compact:
            parts += _compact_simulation(issue, heading, rows, bands, titles)
            continue
        table = Table(title=heading, title_justify="left")
        table.add_column("Model", style="bold", max_width=28)
        for column in ("Point", "Median", "Inputs 5% – 95%", "Model error 90%", "Both 90%", "Mean"):
            table.add_column(column, justify="right")
        for lo, hi, _ in bands:
            table.add_column(f"P({lo:g}–{hi:g})", justify="right")
        for model, r in rows:
            table.add_row(
                titles.get(model, model),
                format_value(issue, r["point"]),
                format_value(issue, r["median"]),
                _interval(issue, r["q05"], r["q95"]),
                _interval(issue, r["model_error_q05"], r["model_error_q95"]),
                _interval(issue, r["combined_q05"], r["combined_q95"]),
                format_value(issue, r["mean"]),
                *[_percent(b["probability"]) for b in r["bands"]],
            )
        parts += [table, anchor_legend(issue), Text("")]
    spreads = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in uncertainty.items())
    parts.append(Text(f"seed {seed}; spreads: {spreads} (stances may override)", style="dim"))
    parts.append(
        Text(
            "How to read this: each row is one model's forecast when the inputs vary within their uncertainty. "
            "Point is the forecast of the inputs as given; the median and the inputs' 5%–95% interval summarise the draws; "
            "P(a–b) (in a narrow terminal, the column a–b of the shares) is the share of draws whose forecast falls between those points of the scale. "
            "Model error 90%: where the outcome falls around the point given how far this model has missed in "
            "backtests (DEU III and the bundled cases, calibrated); Both: inputs and model error together.",
            style="italic",
        )
    )
    for note in notes:
        parts.append(Text(f"Note: {note}", style="yellow"))
    return Group(*parts)


def _compact_simulation(issue: Issue, heading: str, rows: list[tuple[str, Mapping[str, Any]]], bands: list, titles: dict[str, str]) -> list[Any]:
    def whole(lo: Any, hi: Any) -> str:
        return _interval(issue, lo, hi, gap="–")

    numbers = plain_table()
    numbers.add_column("Model")
    for column in ("Point", "Median", "Mean", "Inputs 5–95%", "Model error 90%", "Both 90%"):
        numbers.add_column(column, justify="right")  # "57.9–75.6" is one word: never broken inside
    chances = plain_table()
    chances.add_column("Share of draws in")
    for lo, hi, _ in bands:
        chances.add_column(f"{lo:g}–{hi:g}", justify="right")
    for model, r in rows:
        title = titles.get(model, model)
        numbers.add_row(
            title, format_value(issue, r["point"]), format_value(issue, r["median"]), format_value(issue, r["mean"]),
            whole(r["q05"], r["q95"]), whole(r["model_error_q05"], r["model_error_q95"]), whole(r["combined_q05"], r["combined_q95"]),
        )
        chances.add_row(title, *[_percent(b["probability"]) for b in r["bands"]])
    legend = anchor_list(issue) or [anchor_legend(issue)]
    return [Text(heading, style="bold"), numbers, Text(""), chances, *legend, Text("")]


def sensitivity_table(result: "SensitivityResult", top: int | None = 20) -> Group:
    """The ranked inputs (the data of a tornado chart), then leave-one-actor-out shifts."""
    issues = {issue.id: issue for issue in result.scenario.issues}
    ranked = result.table if top is None else result.table.head(top)
    table = Table(title=f"What moves the {result.model} forecast most ({result.method}; steps: {result.steps.describe()})", title_justify="left")
    for column in ("Rank", "Actor", "Input", "On issue", "Forecast of", "Down", "Up", "Effect of one step"):
        table.add_column(column, justify="right" if column in {"Rank", "Down", "Up", "Effect of one step"} else "left")
    for rank, row in enumerate(ranked.itertuples(index=False), start=1):
        issue = issues[row.issue]
        table.add_row(
            str(rank), row.actor, row.input, row.input_issue if isinstance(row.input_issue, str) else "all", row.issue,
            format_value(issue, row.low), format_value(issue, row.high), shift_text(issue, row.effect),
        )
    loo = Table(title="Leave one actor out: shift of each forecast when the actor is removed", title_justify="left")
    loo.add_column("Actor", style="bold")
    for issue in result.scenario.issues:
        loo.add_column(issue.id, justify="right")
    shifts = result.leave_one_out.pivot(index="actor", columns="issue", values="shift")
    order = shifts.abs().max(axis=1).sort_values(ascending=False).index
    for actor in order:
        loo.add_row(actor, *[shift_text(issues[i], shifts.loc[actor, i]) for i in result.scenario.issue_ids])
    baseline = "; ".join(f"{i.id} {format_value(i, v)}" for i, v in zip(result.scenario.issues, result.baseline))
    return Group(
        table,
        Text(f"Baseline forecast: {baseline}. Effect = change of the forecast (issue units) when the input moves up one step.", style="dim"),
        Text(""),
        loo,
    )


def by_issue(records: list[dict[str, Any]], issue_order: list[str]) -> list[tuple[bool, dict[str, Any]]]:
    """Records grouped by issue (in scenario order), models in their given order within each issue,
    each with whether it is the issue's first row (the one that shows the issue's label)."""
    rows = sorted(records, key=lambda r: issue_order.index(r["issue"]))
    return [(i == 0 or rows[i - 1]["issue"] != row["issue"], row) for i, row in enumerate(rows)]


def issue_tables(
    title: str, records: Sequence[Mapping[str, Any]], issues: Mapping[str, Issue], columns: Sequence[str], cells: Callable[[Any], list[str]], compact: bool
) -> list[Any]:
    """Records of models by issue (what-if, compare) as tables: one table with an Issue column
    first, or ``compact`` (a narrow console) the title, then a heading and a box-less table per
    issue, the model names kept on one line. ``cells(record)`` gives a row's cells under ``columns``."""

    def new_table(heading: str, with_issue: bool) -> Table:
        table = plain_table(heading) if compact else Table(title=heading, title_justify="left")
        for column in (["Issue"] if with_issue else []) + list(columns):
            table.add_column(column, justify="left" if column in {"Issue", "Model"} else "right", no_wrap=compact and column == "Model")
        return table

    grouped = by_issue(list(records), list(issues))
    if not compact:
        table = new_table(title, True)
        for first, row in grouped:
            table.add_row(issues[row["issue"]].label if first else "", *cells(row))
        return [table]
    parts: list[Any] = [Text(title, style="bold")]
    for first, row in grouped:
        if first:
            parts += [Text(""), new_table(issues[row["issue"]].label, False)]
        parts[-1].add_row(*cells(row))
    return parts


def whatif_table(result: "WhatIfResult", width: int | None = None) -> Group:
    """Baseline and lever forecasts side by side, with Monte Carlo intervals when draws were run
    (see :func:`whatif_tables`)."""
    simulated = (result.simulations[0].draws, result.simulations[0].seed) if result.simulations else None
    return whatif_tables(result.baseline.scenario.issues, result.records(), result.lever_texts, simulated, result.notes, width)


def whatif_tables(
    issue_list: Sequence[Issue],
    records: Sequence[Mapping[str, Any]],
    levers: Sequence[str],
    simulated: tuple[int, Any] | None,
    notes: Sequence[str],
    width: int | None = None,
) -> Group:
    """A what-if's records (:meth:`WhatIfResult.records
    <detente.analysis.whatif.WhatIfResult.records>`, as printed or as stored with a run); with
    ``simulated`` = (draws, seed), the Monte Carlo intervals. Narrower than
    :data:`~detente.report.table.LABELS_IN_ROWS` (``width``): a heading per issue and one line a
    model, intervals as one word ("57.2–75.5"), no box."""
    compact = narrow(width)
    titles = model_titles(short=compact)
    issues = {issue.id: issue for issue in issue_list}
    records = [dict(r) for r in records if r["issue"] in issues]
    columns = ["Model", "Baseline", "With levers", "Shift"]
    if simulated:
        columns += ["Baseline 5%–95%", "With levers 5%–95%"]
    title = "What if: " + "; ".join(levers)

    def cells(row: dict[str, Any]) -> list[str]:
        issue = issues[row["issue"]]
        values = [titles.get(row["model"], row["model"]), format_value(issue, row["baseline"]), format_value(issue, row["changed"]), shift_text(issue, row["shift"])]
        if simulated:
            gap = "–" if compact else " – "
            values += [_interval(issue, row.get("baseline_q05"), row.get("baseline_q95"), gap), _interval(issue, row.get("changed_q05"), row.get("changed_q95"), gap)]
        return values

    parts = issue_tables(title, records, issues, columns, cells, compact)
    if simulated:
        draws, seed = simulated
        parts.append(Text(f"Intervals from {draws:,} draws, seed {seed}, the same draws for both sides where the actors are the same.", style="dim"))
    for note in notes:
        parts.append(Text(f"Note: {note}", style="yellow"))
    return Group(*parts)


def comparison_table(result: "Comparison", width: int | None = None) -> Group:
    """Two scenarios' forecasts side by side with the shift. Narrower than
    :data:`~detente.report.table.LABELS_IN_ROWS` (``width``): a heading per issue and one line a
    model (short titles), no box."""
    compact = narrow(width)
    titles = model_titles(short=compact)
    issues = {issue.id: issue for issue in result.first.issues}
    issues.update({issue.id: issue for issue in result.second.issues if issue.id not in issues})
    title = f"{result.first.id} → {result.second.id}"
    columns = ("Model", result.first.id, result.second.id, "Shift")

    def cells(row: dict[str, Any]) -> list[str]:
        issue = issues[row["issue"]]
        return [titles.get(row["model"], row["model"]), format_value(issue, row["first"]), format_value(issue, row["second"]), shift_text(issue, row["shift"])]

    parts = issue_tables(title, result.records(), issues, columns, cells, compact)
    for note in result.notes:
        parts.append(Text(f"Note: {note}", style="yellow"))
    return Group(*parts)


def _event_value(issue: Issue, event: Mapping[str, Any]) -> str:
    value = "" if event["value"] is None else format_value(issue, event["value"])
    if event["low"] is not None:
        value += f" ({format_value(issue, event['low'])}–{format_value(issue, event['high'])})"
    return value


def _event_text(issue: Issue, event: Mapping[str, Any]) -> str:
    """An event on one line of a list: "state of the talks (not an outcome), 62.0 (55.0–85.0): what"."""
    value = _event_value(issue, event)
    return f"{event['label']}{', ' + value if value else ''}: {event['title']}"


def timeline_tables(result: "Timeline", width: int | None = None) -> Group:
    """Per issue: one row per model (its name; `detente models` has the titles), one column per
    snapshot date, then what happened on the issue: dated events, outcomes and states of the talks,
    each labelled (a state is never shown as an outcome). Narrower than
    :data:`~detente.report.table.LABELS_IN_ROWS` (``width``), what happened is a list under its dates."""
    parts: list[Any] = []
    for issue_id in result.issue_ids():
        issue = result.issue(issue_id)
        wide = result.wide(issue_id)
        table = Table(title=f"{issue.label} (scale {issue.lo:g}–{issue.hi:g}): forecasts at each snapshot", title_justify="left")
        table.add_column("Model", style="bold", no_wrap=True)
        for column in wide.columns:  # a date as year over month-day keeps seven snapshots within 80 columns
            table.add_column(str(column).replace("-", "\n", 1), justify="right", overflow="fold")
        for model, row in wide.iterrows():
            table.add_row(model, *[format_value(issue, v) for v in row])
        parts.append(table)
        events = result.events(issue_id)
        if events and narrow(width):
            parts.append(Text(f"{issue.label}: what happened", style="bold"))
            parts.append(hanging_list([(event["date"], _event_text(issue, event)) for event in events]))
        elif events:
            happened = Table(title=f"{issue.label}: what happened", title_justify="left", show_header=True)
            for column in ("Date", "Kind", "Value", "What"):
                happened.add_column(column, justify="right" if column == "Value" else "left", overflow="fold", no_wrap=column == "Date")
            for event in events:
                happened.add_row(event["date"], event["label"], _event_value(issue, event), event["title"])
            parts.append(happened)
        parts += anchor_list(issue) if narrow(width) else [anchor_legend(issue)]
        parts.append(Text(""))
    for note in result.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    return Group(*parts)
