"""Short reprs and HTML tables of detente's objects for notebooks (Jupyter calls ``_repr_html_``).

Each function takes one public object and returns a small, readable HTML fragment: numbers printed
to the issue's precision and placed among the issue's anchor labels, never the object's full
dump (a scenario's dataclass repr runs to tens of kilobytes).
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from detente.report.words import counted

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.backtest import Backtest
    from detente.analysis.compare import Comparison
    from detente.analysis.montecarlo import SimulationResult
    from detente.analysis.sensitivity import SensitivityResult
    from detente.analysis.whatif import WhatIfResult
    from detente.forecast import Forecast
    from detente.models.base import ModelResult
    from detente.scenario import Issue, Scenario
    from detente.store import Run

STYLE = "border-collapse:collapse;font-size:0.9em"


def _number(issue: "Issue", value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):.{issue.decimals}f}"


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]], caption: str | None = None, numeric: Iterable[int] = ()) -> str:
    numeric = set(numeric)
    cells = lambda row, tag: "".join(  # noqa: E731
        f'<{tag} style="text-align:{"right" if n in numeric else "left"};padding:2px 8px">{html.escape(str(c))}</{tag}>' for n, c in enumerate(row)
    )
    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    title = f"<caption style='text-align:left;font-weight:bold'>{html.escape(caption)}</caption>" if caption else ""
    return f'<table style="{STYLE}">{title}<thead><tr>{cells(head, "th")}</tr></thead><tbody>{body}</tbody></table>'


def _model_title(name: str) -> str:
    from detente import models as registry

    found = registry.registry().get(name)
    return found.title if found is not None else name


# -- reprs -------------------------------------------------------------------------------------------


def scenario_repr(scenario: "Scenario") -> str:
    when = f", as of {scenario.as_of}" if scenario.as_of else ""
    return f"<Scenario {scenario.id!r}: {counted(len(scenario.actors), 'actor')}, {counted(len(scenario.issues), 'issue')}{when}>"


def forecast_repr(forecast: "Forecast") -> str:
    return f"<Forecast {forecast.scenario.id!r}: {', '.join(r.model for r in forecast.results)} on {counted(len(forecast.scenario.issues), 'issue')}>"


def model_result_repr(result: "ModelResult") -> str:
    values = ", ".join(f"{issue.id}={_number(issue, v)}" for issue, v in zip(result.scenario.issues, result.values))
    return f"<{type(result).__name__} {result.model} on {result.scenario.id!r}: {values}>"


# -- HTML --------------------------------------------------------------------------------------------


def scenario_html(scenario: "Scenario") -> str:
    head = f"<p><b>{html.escape(scenario.label)}</b> ({html.escape(scenario_repr(scenario)[1:-1])})</p>"
    issues = _table(
        ["Issue", "Title", "Scale", "Status quo", "Anchors"],
        [
            (i.id, i.label, f"{i.lo:g}–{i.hi:g}", "" if i.status_quo is None else f"{i.status_quo:g}", "; ".join(f"{p:g} = {t}" for p, t in i.sorted_anchors()))
            for i in scenario.issues
        ],
        "Issues",
    )
    actors = _table(
        ["Actor", "Name", "Capability", "Group", *scenario.issue_ids],
        [
            (a.id, a.name or "", f"{a.capability:g}", a.group or "", *[_stance(a, i) for i in scenario.issues])
            for a in scenario.actors
        ],
        "Actors (position @ salience per issue)",
        numeric=[2],
    )
    return head + issues + actors


def _stance(actor: Any, issue: "Issue") -> str:
    stance = actor.stances.get(issue.id)
    if stance is None or stance.position is None:
        return ""
    return f"{stance.position:g} @ {stance.salience:g}" if stance.salience is not None else f"{stance.position:g}"


def _interval(issue: "Issue", quantiles: Sequence[float]) -> str:
    """The calibrated 90 % interval (``q05``–``q95`` of ``q05, q25, q75, q95``), or a dash without one."""
    low, high = float(quantiles[0]), float(quantiles[3])
    if math.isnan(low) or math.isnan(high):
        return "–"
    return f"{_number(issue, low)}–{_number(issue, high)}"


def forecast_html(forecast: "Forecast") -> str:
    rows = []
    intervals = [result.intervals() for result in forecast.results]
    for k, issue in enumerate(forecast.scenario.issues):
        for n, result in enumerate(forecast.results):
            value = float(result.values[k])
            rows.append((issue.label if n == 0 else "", _model_title(result.model), _number(issue, value), _interval(issue, intervals[n][k]), issue.describe(value, 60)))
    head = ["Issue", "Model", "Forecast", "90 % interval", "Where it falls on the scale"]
    return _table(head, rows, forecast.scenario.label, numeric=[2, 3])


def model_result_html(result: "ModelResult") -> str:
    rows = [
        (issue.label, _number(issue, v), _interval(issue, q), issue.describe(float(v), 60), result.notes.get(issue.id, ""))
        for issue, v, q in zip(result.scenario.issues, result.values, result.intervals())
    ]
    head = ["Issue", "Forecast", "90 % interval", "Where it falls on the scale", "Note"]
    return _table(head, rows, f"{_model_title(result.model)} on {result.scenario.label}", numeric=[1, 2])


def simulation_html(result: "SimulationResult") -> str:
    issues = {i.id: i for i in result.scenario.issues}
    rows = []
    for record in result.records():
        issue = issues[record["issue"]]
        bands = [b for b in record["bands"] if b["probability"] is not None]
        best = max(bands, key=lambda b: b["probability"]) if bands else None
        rows.append(
            (
                issue.label, _model_title(record["model"]), _number(issue, record["point"]), _number(issue, record["median"]),
                f"{_number(issue, record['q05'])}–{_number(issue, record['q95'])}", f"{best['label']}: {100 * best['probability']:.0f}%" if best else "",
            )
        )
    notes = "".join(f"<p><i>{html.escape(note)}</i></p>" for note in result.notes)
    caption = f"Monte Carlo: {counted(result.draws, 'draw')}, seed {result.seed}"
    return _table(["Issue", "Model", "Point", "Median", "5–95 %", "Most likely band"], rows, caption, numeric=[2, 3, 4]) + notes


def frame_html(frame: "pd.DataFrame", caption: str, limit: int = 20) -> str:
    """A frame's first ``limit`` rows, floats to 4 significant digits."""
    shown = frame.head(limit)
    rows = [[f"{v:.4g}" if isinstance(v, float) and not math.isnan(v) else ("–" if isinstance(v, float) else v) for v in row] for row in shown.itertuples(index=False)]
    numeric = [n for n, column in enumerate(shown.columns) if shown[column].dtype.kind in "fi"]
    more = f"<p><i>{len(frame) - limit} more rows: use .to_frame()</i></p>" if len(frame) > limit else ""
    return _table([str(c) for c in shown.columns], rows, caption, numeric) + more


def sensitivity_html(result: "SensitivityResult") -> str:
    return frame_html(result.table, f"What moves the {_model_title(result.model)} forecast most ({result.method})", limit=15)


def whatif_html(result: "WhatIfResult") -> str:
    return frame_html(result.to_frame(), "What if: " + "; ".join(result.lever_texts), limit=50)


def comparison_html(result: "Comparison") -> str:
    return frame_html(result.to_frame(), f"{result.first.id} → {result.second.id}", limit=50)


def backtest_html(result: "Backtest") -> str:
    return frame_html(result.summary(), "Backtest: errors in points of 0..100", limit=50)


def run_html(run: "Run") -> str:
    head = f"<p><b>Run {run.id}</b> ({html.escape(run.kind)}, {html.escape(run.created[:19])}) on {html.escape(run.scenario_id)}: {html.escape(', '.join(run.models))}</p>"
    return head + frame_html(run.forecasts, "Stored forecasts", limit=50)
