"""The self-contained HTML report: one file that opens offline and prints as a readable document.

:func:`build` runs what the report shows (every chosen model, a Monte Carlo run, the sensitivity
ranking, the other snapshots of the same negotiation) and :func:`render` turns that into HTML:
the scenario (issues with their anchors, the stakeholder table with each stance's basis and
source), each model's forecast placed among the anchor labels, a plain-language summary per
issue, the charts that apply, the Monte Carlo summary and the sensitivity ranking.

Charts are interactive plotly figures (plotly.js is embedded once; nothing is fetched from the
network). For print, the page renders each figure to an SVG image in the browser once it has
loaded, and ``@media print`` shows those images in place of the live figures.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from detente.errors import DetenteError, UsageError
from detente.report import chartdata as cd
from detente.report.interactive import WIDTH
from detente.io.files import write_atomic
from detente.io.yaml_io import content_hash
from detente.report.summary import issue_summary, simulation_by_issue
from detente.report.words import counted
from detente.scenario import Issue, Scenario

if TYPE_CHECKING:
    from detente.analysis.advise import Advice
    from detente.analysis.montecarlo import SimulationResult
    from detente.analysis.sensitivity import SensitivityResult
    from detente.forecast import Forecast
    from detente.io.history import History
    from detente.store import Run

DEFAULT_DRAWS = 500
Progress = Callable[[str], None]


@dataclass
class ReportData:
    """Everything a report shows; :func:`build` fills it, :func:`from_run` fills it from a stored run."""

    forecast: "Forecast"
    simulation: "SimulationResult | None" = None
    sensitivity: "SensitivityResult | None" = None
    snapshots: list["Forecast"] = field(default_factory=list)
    advice: list["Advice"] = field(default_factory=list)
    run_id: int | None = None
    notes: list[str] = field(default_factory=list)
    history: "History | None" = None

    @property
    def scenario(self) -> Scenario:
        return self.forecast.scenario


def build(
    scenario: Scenario,
    models: Iterable[str] | None = None,
    settings: Iterable[str] = (),
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    sensitivity_model: str | None = "compromise",
    timeline: bool = True,
    progress: Progress | None = None,
    advise: Iterable[str] = (),
) -> ReportData:
    """Run the chosen models (default: the standard set), ``draws`` Monte Carlo draws (0: none),
    the sensitivity ranking of ``sensitivity_model``, with ``timeline`` the same models on
    the bundled snapshots of the same negotiation, and advice for each target of ``advise``
    (``"territory<=30"``: the cheapest plans to get there, see :mod:`detente.analysis.advise`)."""
    from detente.forecast import forecast

    say = progress or (lambda message: None)
    models = list(models) if models else None
    settings = list(settings)
    say("forecasting")
    result = forecast(scenario, models, settings)
    data = ReportData(result)
    if draws:
        from detente.analysis.montecarlo import simulate

        say(f"Monte Carlo ({draws} draws)")
        data.simulation = simulate(scenario, models, draws, seed, settings)
        data.notes += data.simulation.notes
    if sensitivity_model:
        from detente.analysis.sensitivity import sensitivity

        say("sensitivity")
        try:
            data.sensitivity = sensitivity(scenario, sensitivity_model, [s for s in settings if s.startswith(f"{sensitivity_model}.")])
        except DetenteError as error:
            data.notes.append(f"no sensitivity ranking: {error}")
    for target in advise:
        from detente.analysis.advise import advise as run_advise, split_target

        issue_id, goal = split_target(target, None)
        if issue_id is None:
            raise UsageError(f"advice target {target!r} names no issue; write it as ISSUE<=VALUE, e.g. {scenario.issue_ids[0]}<=30")
        say(f"advice for {target}")
        data.advice.append(run_advise(scenario, issue_id, goal, models, settings, draws=min(draws, 200), seed=seed))
    if timeline:
        others = [s for s in cd.snapshots_of(scenario) if s.id != scenario.id]
        if others:
            say("snapshots")
            data.snapshots = sorted([forecast(s, models, settings) for s in others] + [result], key=lambda f: (f.scenario.as_of is None, str(f.scenario.as_of)))
    data.history = _history(scenario)
    return data


def _history(scenario: Scenario) -> "History | None":
    from detente.io.history import history_for

    return history_for(scenario)


def from_run(run: "Run", timeline: bool = False) -> ReportData:
    """A report of a stored run: its scenario and its stored forecasts (a simulation's point
    forecasts), with the round-by-round paths of the round-based models, without re-running
    anything. Charts that need a model's internals (perception, exchanges) or the Monte Carlo
    draws are left out; re-run the scenario for those."""
    if run.kind not in {"forecast", "simulate"}:
        raise UsageError(f"run {run.id} is a {run.kind} run: a report is made from a forecast or simulate run (see `detente runs show {run.id}`)")
    from detente.models.predictive import attach_predictive

    data = ReportData(run.forecast(), run_id=run.id)
    for result in data.forecast.results:
        attach_predictive(result)
    data.notes.append(f"made from stored run {run.id} ({run.kind}, {run.created}, detente {run.version}); forecasts as stored")
    if timeline:
        from detente.forecast import forecast

        others = [s for s in cd.snapshots_of(data.scenario) if s.id != data.scenario.id]
        data.snapshots = sorted([forecast(s, run.models) for s in others] + [data.forecast], key=lambda f: (f.scenario.as_of is None, str(f.scenario.as_of))) if others else []
    data.history = _history(data.scenario)
    return data


# -- rendering -------------------------------------------------------------------------------------


def render(data: ReportData, progress: Progress | None = None) -> str:
    """The report as one HTML document (plotly.js embedded once; no network requests)."""
    from plotly.offline import get_plotlyjs

    say = progress or (lambda message: None)
    charts = _Charts()
    scenario = data.scenario
    sections: list[tuple[str, str, str]] = []  # (anchor id, title, html)
    say("summary")
    sections.append(("summary", "Summary", _summary_section(data)))
    for issue in scenario.issues:
        say(f"issue {issue.id}")
        sections.append((f"issue-{_slug(issue.id)}", issue.label, _issue_section(data, issue, charts)))
    extra = _interactions_section(data, charts)
    if extra:
        sections.append(("interactions", "How the actors interact", extra))
    if len(data.snapshots) > 1:
        sections.append(("timeline", "Forecasts over time", _timeline_section(data, charts)))
    then = _then_and_now_section(data)
    if then:
        sections.append(("what-happened", "What each model said then and what happened", then))
    if data.simulation is not None:
        sections.append(("montecarlo", "Monte Carlo summary", _simulation_section(data)))
    if data.sensitivity is not None:
        sections.append(("sensitivity", "Sensitivity ranking", _sensitivity_section(data, charts)))
    if scenario.has_outcomes:
        backtest = _backtest_section(data, charts)
        if backtest:
            sections.append(("backtest", "Forecasts against the known outcome", backtest))
    if data.advice:
        sections.append(("advice", "What would move the outcome", _advice_section(data)))
    sections.append(("scenario", "The scenario", _scenario_section(scenario)))
    body = "\n".join(f'<section id="{sid}">\n<h2>{html.escape(title)}</h2>\n{content}\n</section>' for sid, title, content in sections)
    toc = " ".join(f'<a href="#{sid}">{html.escape(title)}</a>' for sid, title, _ in sections)
    template = Template(_resource("report.html"))
    return template.substitute(
        version=html.escape(_version()),
        title=html.escape(scenario.label),
        css=_resource("report.css"),
        plotly=get_plotlyjs(),
        meta=_meta(data),
        description=f'<p class="description">{html.escape(scenario.description.strip())}</p>' if scenario.description else "",
        toc=toc,
        body=body,
        footer=_footer(data),
        scripts=PRINT_IMAGES,
    )


def write(data: ReportData, path: str | Path, progress: Progress | None = None) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"the report is an HTML file; name it with .html, not {path.suffix or 'no extension'!r}")
    return write_atomic(path, render(data, progress))


class _Charts:
    """Numbers the charts and embeds each as a live plotly figure plus an image slot for print:
    once the page has loaded, a script renders every figure to SVG in the browser (at the width its
    labels were laid out for) and fills the slot, which ``@media print`` shows instead."""

    def __init__(self) -> None:
        self.count = 0

    def figure(self, fig: Any, caption: str) -> str:
        self.count += 1
        chart_id = f"chart-{self.count}"
        div = fig.to_html(
            full_html=False, include_plotlyjs=False, div_id=chart_id,
            config={"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "svg", "filename": chart_id}},
        )
        text = html.escape(caption)
        return f'<figure class="chart"><div class="chart-live">{div}</div><img class="chart-static" data-for="{chart_id}" alt="{text}"><figcaption>{text}</figcaption></figure>'


PRINT_IMAGES = """<script type="text/javascript">
window.addEventListener("load", function () {
  var charts = Array.prototype.slice.call(document.querySelectorAll(".chart-live .plotly-graph-div"));
  Promise.all(charts.map(function (chart) {
    var height = (chart._fullLayout && chart._fullLayout.height) || 500;
    return Plotly.toImage(chart, {format: "svg", width: %d, height: height}).then(function (url) {
      document.querySelector('img[data-for="' + chart.id + '"]').src = url;
    });
  })).then(function () { document.body.setAttribute("data-print-ready", "yes"); });
});
</script>""" % WIDTH


def _summary_section(data: ReportData) -> str:
    scenario = data.scenario
    mc = simulation_by_issue(data.simulation.records()) if data.simulation is not None else {}
    titles = ", ".join(html.escape(cd.model_title(r.model)) for r in data.forecast.results)
    parts = [
        f'<p class="lead">{counted(len(scenario.actors), "actor")}, {counted(len(scenario.issues), "issue")}. Models: {titles}. '
        "Each issue is a scale whose numbered points carry labels; every forecast below is placed among those labels.</p>"
    ]
    for issue in scenario.issues:
        text = issue_summary(data.forecast, issue.id, mc.get(issue.id))
        parts.append(
            f'<div class="summary-issue"><h3><a href="#issue-{_slug(issue.id)}">{html.escape(issue.label)}</a></h3><p>{html.escape(text)}</p></div>'
        )
    for note in data.notes:
        parts.append(f'<p class="muted small">Note: {html.escape(note)}</p>')
    return "\n".join(parts)


def _issue_section(data: ReportData, issue: Issue, charts: _Charts) -> str:
    from detente.report import interactive

    scenario = data.scenario
    k = scenario.issue_ids.index(issue.id)
    bands = data.simulation.to_frame() if data.simulation is not None else None
    parts = [f'<p class="muted">Scale {issue.lo:g}–{issue.hi:g}' + (f"; status quo {issue.status_quo:g}" if issue.status_quo is not None else "") + ".</p>"]
    if issue.description:
        parts.append(f"<p>{html.escape(issue.description)}</p>")
    parts.append(_forecast_table(data, issue))
    parts.append(
        charts.figure(
            interactive.landscape(data.forecast, issue.id, bands),
            f"{issue.label}: each actor at its position (circle area = capability x salience, colour = group), the effective-power "
            "landscape, the status quo and each model's forecast" + (" with its Monte Carlo 5-95 % range." if bands is not None else "."),
        )
    )
    if data.simulation is not None:
        draws = cd.simulation_draws(data.simulation)
        parts.append(
            charts.figure(
                interactive.distribution(draws, scenario, issue.id),
                f"{issue.label}: where each model's forecast lands across {data.simulation.draws} Monte Carlo draws, and the probability of each band between labelled points.",
            )
        )
    for result in data.forecast.results:
        if hasattr(result, "positions") and len(getattr(result, "positions", ())) > 1 and not np.all(np.isnan(result.positions[:, :, k])):
            parts.append(
                charts.figure(
                    interactive.paths(result, issue.id),
                    f"{issue.label}: every actor's position round by round in {cd.model_title(result.model)}, and the forecast after each round.",
                )
            )
    return "\n".join(parts)


def _forecast_table(data: ReportData, issue: Issue) -> str:
    k = data.scenario.issue_ids.index(issue.id)
    mc = simulation_by_issue(data.simulation.records()).get(issue.id, {}) if data.simulation is not None else {}
    from detente.models.predictive import EXPLANATION, band_probabilities

    calibrated = any(result.predictive is not None for result in data.forecast.results)
    rows = []
    if issue.status_quo is not None:
        rows.append(
            f'<tr class="status-quo"><td>Status quo</td><td class="num">{cd.format_value(issue, issue.status_quo)}</td>'
            f'<td class="where">{html.escape(issue.describe(issue.status_quo))}</td>' + ("<td></td><td></td>" if calibrated else "") + ("<td></td>" if mc else "") + "<td></td></tr>"
        )
    for result in data.forecast.results:
        value = float(result.values[k])
        record = mc.get(result.model)
        honest = ""
        if calibrated:
            q = result.intervals()[k]
            bands = band_probabilities(result)[k]
            shares = "; ".join(f'<span title="{html.escape(label)}">{lo:g}–{hi:g}: {100 * p:.0f}%</span>' for lo, hi, label, p in bands)
            honest = (
                f'<td class="num interval">{"–" if np.isnan(q[0]) else cd.format_value(issue, q[0]) + "–" + cd.format_value(issue, q[3])}</td>'
                f'<td class="bands">{shares or "–"}</td>'
            )
        interval = ""
        if record and record.get("median") is not None:
            interval = f'<td class="num">{cd.format_value(issue, record["median"])} [{cd.format_value(issue, record["q05"])}–{cd.format_value(issue, record["q95"])}]</td>'
        elif mc:
            interval = "<td></td>"
        note = result.notes.get(issue.id, "")
        rows.append(
            f'<tr class="forecast" data-model="{html.escape(result.model)}"><td>{html.escape(cd.model_title(result.model))}</td>'
            f'<td class="num">{cd.format_value(issue, value)}</td><td class="where">{html.escape(issue.describe(value))}</td>{honest}{interval}'
            f'<td class="note">{html.escape(note)}</td></tr>'
        )
    head = '<tr><th>Model</th><th class="num">Forecast</th><th>Where it falls among the labelled points</th>'
    head += '<th class="num">Calibrated 90 % interval</th><th>Probability of each band</th>' if calibrated else ""
    head += '<th class="num">Monte Carlo median [5–95 %]</th>' if mc else ""
    head += "<th>Note</th></tr>"
    explanation = f'<p class="explain">{html.escape(EXPLANATION)}</p>' if calibrated else ""
    return f'<table class="forecasts"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>{explanation}'


def _interactions_section(data: ReportData, charts: _Charts) -> str:
    from detente.report import interactive

    scenario = data.scenario
    parts = []
    for result in data.forecast.results:
        if hasattr(result, "perception"):
            issue = scenario.issues[0]
            for focal in cd.most_powerful(scenario, 2):
                try:
                    frame = cd.perception_frame(result, 1, focal, issue.id)
                except DetenteError:
                    continue
                if frame.empty:
                    continue
                name = scenario.actor(focal).label
                parts.append(
                    charts.figure(
                        interactive.perception(frame, focal, 1, issue.id, scenario),
                        f"How {name} saw every other actor on {issue.label} in the first round of {cd.model_title(result.model)}: "
                        "its expected utility of challenging each (x) against its estimate of theirs of challenging it (y).",
                    )
                )
        if hasattr(result, "exchanges"):
            frame = cd.exchanges_frame(result)
            if not frame.empty:
                parts.append(
                    charts.figure(
                        interactive.exchanges(frame, scenario),
                        f"The largest exchanges of voting positions in {cd.model_title(result.model)}: who gave ground to whom on which issue, and the gain of each side.",
                    )
                )
    return "\n".join(parts)


def _timeline_section(data: ReportData, charts: _Charts) -> str:
    from detente.report import interactive

    from detente.io.history import records

    frame = cd.timeline_frame(data.snapshots)
    events = records(data.history) if data.history is not None else []
    listing = ", ".join(f"{html.escape(f.scenario.id)} ({f.scenario.as_of or 'undated'})" for f in data.snapshots)
    parts = [f"<p>The same negotiation coded at {len(data.snapshots)} dates: {listing}.</p>"]
    if events:
        parts.append("<p>Marked on the time axis, from the negotiation's history: outcomes (gold stars), states of the talks "
                     "(hollow hexagons: where the proposal on the table stood; not outcomes) and events (dotted lines).</p>")
    for issue in data.scenario.issues:
        if frame[frame["issue"] == issue.id]["scenario"].nunique() < 2:
            continue
        latest = next(f.scenario for f in reversed(data.snapshots) if issue.id in f.scenario.issue_ids)
        parts.append(
            charts.figure(
                interactive.timeline(frame, issue.id, latest, events),
                f"{issue.label}: each model's forecast at each snapshot, with that snapshot's status quo"
                + (" and what happened." if any(e["issue"] == issue.id for e in events) else "."),
            )
        )
    return "\n".join(parts)


def _then_and_now_section(data: ReportData) -> str:
    """Per issue of this snapshot: each model's forecast then, beside the outcome dated after the
    snapshot, or else the latest state of the talks (labelled: not an outcome), with the gap."""
    history = data.history
    if history is None:
        return ""
    scenario = data.scenario
    blocks = []
    for k, issue in enumerate(scenario.issues):
        event = history.outcome(issue.id, scenario.as_of) or history.latest_state(issue.id, scenario.as_of)
        if event is None:
            continue
        outcome = event.kind == "outcome"
        what = "Outcome" if outcome else "State of the talks (not an outcome)"
        span = f" (range {_fmt(issue, event.range[0])}–{_fmt(issue, event.range[1])})" if event.range else ""
        rows = []
        for result in data.forecast.results:
            value = float(result.values[k])
            gap = "–" if np.isnan(value) else _fmt(issue, abs(value - event.value))
            rows.append(f"<tr><td>{html.escape(cd.model_title(result.model))}</td><td class=\"num\">{_fmt(issue, value)}</td><td class=\"num\">{gap}</td></tr>")
        cited = [history.source(e.source) for e in event.evidence if e.source]
        sources = "; ".join(dict.fromkeys(
            f'{html.escape(s.publisher or "")}, <a href="{html.escape(s.url or "")}">{html.escape(s.title or "")}</a>, {s.date}' for s in cited if s is not None
        ))
        blocks.append(
            f'<h3>{html.escape(issue.label)}</h3><p class="{"outcome" if outcome else "state-of-talks"}"><strong>{what}, {event.date}:</strong> '
            f"{html.escape(event.title)}. At {_fmt(issue, event.value)}{span}: {html.escape(issue.describe(event.value))}.</p>"
            f'<table class="then-now"><thead><tr><th>Model</th><th>Said on {scenario.as_of or "the snapshot date"}</th>'
            f'<th>{"Error" if outcome else "Gap to the state of the talks"}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="muted small">Sources: {sources}</p>'
        )
    if not blocks:
        return ""
    intro = (f"<p>What the models forecast from this snapshot ({html.escape(scenario.id)}, {scenario.as_of}) beside what happened "
             f"after it, from the history of the {html.escape(history.series)} talks. An outcome is where an issue settled; on an issue "
             "not settled yet, the state of the talks is where the proposal on the table stood at the latest date the sources reach. "
             "It is not an outcome, and the gap to it is not an error. Gaps in the issue's units.</p>")
    return intro + "\n".join(blocks)


def _fmt(issue: Issue, value: float) -> str:
    return cd.format_value(issue, value)


def _simulation_section(data: ReportData) -> str:
    sim = data.simulation
    spread = sim.uncertainty
    rows = []
    for record in sim.records():
        issue = data.scenario.issue(record["issue"])
        bands = [b for b in record["bands"] if b.get("probability") is not None]
        best = max(bands, key=lambda b: b["probability"]) if bands else None
        likely = f"{html.escape(best['label'])}: {100 * best['probability']:.0f}%" if best else ""
        rows.append(
            f"<tr><td>{html.escape(issue.label)}</td><td>{html.escape(cd.model_title(record['model']))}</td>"
            f'<td class="num">{cd.format_value(issue, record["point"])}</td><td class="num">{cd.format_value(issue, record["median"])}</td>'
            f'<td class="num">{cd.format_value(issue, record["q05"])}–{cd.format_value(issue, record["q95"])}</td><td>{likely}</td></tr>'
        )
    intro = (
        f"<p>{sim.draws} draws (seed {sim.seed}). Each draw varies every position (sd {html.escape(str(spread.position_sd))} on the issue's scale "
        f"unless a stance gives its own), salience (sd {spread.salience_sd:g}) and capability (coefficient of variation {spread.capability_cv:g}), "
        "then runs every model.</p>"
    ) + "".join(f"<p>{html.escape(note)}.</p>" for note in sim.notes)
    head = '<tr><th>Issue</th><th>Model</th><th class="num">Forecast</th><th class="num">Median</th><th class="num">5–95 %</th><th>Most likely band</th></tr>'
    return intro + f'<table class="montecarlo"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _sensitivity_section(data: ReportData, charts: _Charts) -> str:
    from detente.report import interactive

    sens = data.sensitivity
    scenario = data.scenario
    names = {a.id: a.label for a in scenario.actors}
    steps = sens.steps
    parts = [
        f"<p>How far one step of each input moves the forecast of {html.escape(cd.model_title(sens.model))} ({html.escape(sens.method)}): "
        f"position {steps.position:g} % of the scale, salience {steps.salience:g} points, capability {steps.capability:g} %. "
        "The largest effects first.</p>"
    ]
    rows = []
    for row in sens.table.head(15).itertuples():
        issue = scenario.issue(row.issue)
        rows.append(
            f"<tr><td>{html.escape(names.get(row.actor, row.actor))}</td><td>{html.escape(row.input)}"
            + (f" on {html.escape(scenario.issue(row.input_issue).label)}" if isinstance(row.input_issue, str) and row.input_issue != row.issue else "")
            + f'</td><td>{html.escape(issue.label)}</td><td class="num">{row.effect:+.3g}</td>'
            f'<td class="num">{cd.format_value(issue, row.low)} → {cd.format_value(issue, row.high)}</td></tr>'
        )
    head = '<tr><th>Actor</th><th>Input</th><th>Issue</th><th class="num">Effect of one step</th><th class="num">Forecast, step down → up</th></tr>'
    parts.append(f'<table class="sensitivity"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>')
    for issue in scenario.issues:
        frame = cd.tornado_frame(sens, issue.id)
        if frame.empty:
            continue
        title = f"{cd.model_title(sens.model)}: what moves the forecast"
        parts.append(
            charts.figure(
                interactive.tornado(frame, issue, title),
                f"{issue.label}: the forecast when each input moves one step down (blue) or up (orange), largest swings on top.",
            )
        )
    return "\n".join(parts)


def _backtest_section(data: ReportData, charts: _Charts) -> str:
    from detente.analysis.backtest import case_from_scenario, run_backtest
    from detente.report import interactive

    result = run_backtest([case_from_scenario(data.scenario)], [r.model for r in data.forecast.results])
    if result.records.empty:
        return ""
    return charts.figure(
        interactive.backtest(result.records),
        "Each model's forecast against the outcome recorded in the scenario file, as a share of each issue's scale, and the absolute errors.",
    )


def _advice_section(data: ReportData) -> str:
    from detente.report.table import format_value

    parts = [
        "<p>The cheapest changes of inputs found that bring a forecast to the analyst's target. Cost: the "
        "salience-weighted distance an actor is asked to move, plus priced changes of salience and "
        "capability; each plan is checked under every model, and P is the share of Monte Carlo draws "
        "in which it reaches the target.</p>"
    ]
    for advice in data.advice:
        issue = advice.issue
        parts.append(f"<h3>{html.escape(issue.label)}: target {html.escape(advice.target.describe())}</h3>")
        parts.append(f"<p>{html.escape(advice.summary())}</p>")
        shown = advice.plans or ([advice.closest] if advice.closest else [])
        for rank, plan in enumerate(shown, 1):
            if not plan.steps:
                continue
            title = f"Plan {rank}, cost {plan.cost:.1f}" if advice.plans else f"Closest plan, cost {plan.cost:.1f} (does not reach the target)"
            steps = "".join(f"<li>{html.escape(step.words)} <span class=\"dim\">(cost {step.cost:.1f})</span></li>" for step in plan.steps)
            rows = "".join(
                f"<tr><td>{html.escape(model)}</td><td class=\"num\">{format_value(issue, advice.baseline[model])}</td>"
                f"<td class=\"num\">{format_value(issue, plan.forecasts[model])}</td><td>{'reached' if plan.reached[model] else 'missed'}</td>"
                f"<td class=\"num\">{'' if model not in plan.probability else f'{100 * plan.probability[model]:.0f}%'}</td></tr>"
                for model in advice.models
            )
            parts.append(
                f"<h4>{html.escape(title)}</h4><ul>{steps}</ul>"
                f"<table><thead><tr><th>Model</th><th>Now</th><th>With the plan</th><th>Target</th><th>P</th></tr></thead><tbody>{rows}</tbody></table>"
            )
    return "\n".join(parts)


def _scenario_section(scenario: Scenario) -> str:
    parts = ["<h3>Issues and their labelled points</h3>"]
    for issue in scenario.issues:
        anchors = "".join(f"<dt>{point:g}</dt><dd>{html.escape(text)}</dd>" for point, text in issue.sorted_anchors())
        sq = f"; status quo {issue.status_quo:g} ({html.escape(issue.describe(issue.status_quo))})" if issue.status_quo is not None else ""
        outcome = f"; known outcome {html.escape(str(issue.outcome))}" if issue.outcome is not None else ""
        parts.append(f'<p><b>{html.escape(issue.label)}</b> <span class="muted">(id {html.escape(issue.id)}, scale {issue.lo:g}–{issue.hi:g}{sq}{outcome})</span></p>')
        if anchors:
            parts.append(f'<dl class="anchors">{anchors}</dl>')
    parts.append("<h3>Stakeholders</h3>")
    parts.append(
        f'<p class="muted small">Positions on each issue\'s scale; salience 0–{scenario.salience_scale:g} (how much the actor cares); capability is the actor\'s clout '
        "(only ratios matter). Basis and source say where each estimate comes from; the sources are listed below.</p>"
    )
    sources = {s.id: s for s in scenario.sources}
    rows = []
    for actor in scenario.actors:
        stances = [(scenario.issue(i), st) for i, st in actor.stances.items()]
        first = True
        for issue, stance in stances:
            head = ""
            if first:
                span = len(stances)
                head = (
                    f'<td rowspan="{span}"><b>{html.escape(actor.label)}</b><br><span class="muted small">{html.escape(actor.id)}</span></td>'
                    f'<td rowspan="{span}">{html.escape(actor.group or "")}</td><td rowspan="{span}" class="num">{actor.capability:g}</td>'
                )
                first = False
            source = ""
            if stance.source:
                entry = sources.get(stance.source)
                tooltip = f' title="{html.escape(_source_text(entry))}"' if entry else ""
                source = f"<span{tooltip}>{html.escape(stance.source)}</span>"
            position = "" if stance.position is None else cd.format_value(issue, stance.position)
            capability = f" (capability {stance.capability:g} here)" if stance.capability is not None else ""
            rows.append(
                f'<tr class="stance">{head}<td>{html.escape(issue.label)}</td><td class="num">{position}</td>'
                f'<td class="num">{"" if stance.salience is None else f"{stance.salience:g}"}</td>'
                f"<td>{html.escape(stance.basis or '')}{html.escape(capability)}</td><td class=\"small\">{source}</td></tr>"
            )
    head = '<tr><th>Actor</th><th>Group</th><th class="num">Capability</th><th>Issue</th><th class="num">Position</th><th class="num">Salience</th><th>Basis</th><th>Source</th></tr>'
    parts.append(f'<table class="stakeholders"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>')
    if scenario.sources:
        parts.append("<h3>Sources</h3><ul>")
        for source in scenario.sources:
            link = f' <span class="small muted">{html.escape(source.url)}</span>' if source.url else ""
            parts.append(f"<li><b>{html.escape(source.id)}</b>: {html.escape(_source_text(source))}{link}</li>")
        parts.append("</ul>")
    return "\n".join(parts)


def _source_text(source: Any) -> str:
    bits = [source.title or source.id]
    if source.publisher:
        bits.append(source.publisher)
    if source.date:
        bits.append(str(source.date))
    return ", ".join(bits)


def _meta(data: ReportData) -> str:
    scenario = data.scenario
    bits = []
    if scenario.as_of:
        bits.append(f"as of {scenario.as_of}")
    bits.append(f"scenario {html.escape(scenario.id)} (content hash {content_hash(scenario)[:12]})")
    if data.run_id is not None:
        bits.append(f"stored run {data.run_id}")
    bits.append(f"generated {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by detente {html.escape(_version())}")
    return " · ".join(bits)


def _footer(data: ReportData) -> str:
    return (
        "How to read this report: each issue is a scale between two extremes with labelled points in between; a forecast is where "
        "a model expects the issue to settle. The models disagree because they assume different bargaining: the compromise model "
        "averages positions weighted by capability x salience, the weighted median is the position a majority of that weight can "
        "impose, Nash bargaining only accepts deals that every party prefers to the status quo, and the round-based models "
        "(expected utility, exchange, KTAB's SMP) let actors challenge, compromise or trade over several rounds. The inputs are "
        "estimates; the Monte Carlo section shows how much the forecasts move when they vary."
    )


def _resource(name: str) -> str:
    return (resources.files("detente.report") / "templates" / name).read_text(encoding="utf-8")


def _version() -> str:
    from detente import __version__

    return __version__


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


__all__ = ["DEFAULT_DRAWS", "ReportData", "build", "from_run", "render", "write"]