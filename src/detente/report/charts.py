"""One chart of a kind for a scenario: runs what the chart needs, then draws it (``detente plot``).

Each kind names the analysis it shows; :func:`make` runs that analysis with the given models and
options and returns the static (matplotlib) figure, or the interactive (plotly) one.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from detente.errors import UsageError
from detente.report import chartdata as cd
from detente.scenario import Scenario

KINDS = {
    "landscape": "the issue's scale with every actor, the status quo and each model's forecast (--draws adds Monte Carlo bands)",
    "paths": "positions round by round of a round-based model (--model, default eum)",
    "perception": "the EUM perception chart of one actor (--actor, --round)",
    "exchanges": "the exchange model's trades, ranked by gain",
    "distribution": "Monte Carlo distribution of each model's forecast (--draws, default 1000)",
    "tornado": "sensitivity ranking of one model (--model, default compromise)",
    "backtest": "forecasts against known outcomes (scenarios with outcomes; default: the bundled cases)",
    "calibration": "reliability of band probabilities and coverage of the calibrated intervals, cross-validated on a backtest (like backtest, or --deu)",
    "timeline": "forecasts across snapshots of one negotiation (several scenarios, or the bundled snapshots of one)",
}


def make(
    kind: str,
    scenarios: Sequence[Scenario],
    issue: str | None = None,
    models: Iterable[str] | None = None,
    settings: Iterable[str] = (),
    actor: str | None = None,
    round: int = 1,
    draws: int | None = None,
    seed: int = 0,
    interactive: bool = False,
    deu: str | None = None,
) -> Any:
    """The ``kind`` chart (see :data:`KINDS`) of the first scenario (or of all of them, for a
    backtest or a timeline); a matplotlib Figure, or a plotly Figure with ``interactive``."""
    from detente.report import interactive as live
    from detente.report import plots as static

    draw = live if interactive else static
    models = list(models or [])
    settings = list(settings)
    if kind not in KINDS:
        raise UsageError(f"unknown chart {kind!r}; choose one of {', '.join(KINDS)}")
    if actor is not None and kind != "perception":
        raise UsageError(f"--actor applies to the perception chart, not to a {kind} chart")
    if draws and kind not in {"landscape", "distribution"}:
        raise UsageError(f"--draws applies to the landscape and distribution charts, not to a {kind} chart")
    if kind == "backtest":
        return draw.backtest(_backtest(scenarios, models, settings, deu).records)
    if kind == "calibration":
        if interactive:
            raise UsageError("the calibration chart is static only (PNG, SVG or PDF)")
        from detente.analysis.calibration import calibrate_backtest

        scored = calibrate_backtest(_backtest(scenarios, models or ["compromise", "consensus", "exchange"], settings, deu), seed=seed)
        if scored.records.empty:
            raise UsageError("no model had an error model to score on these cases")
        return static.calibration(scored.reliability(), scored.summary(seed=seed), scored.method)
    if not scenarios:
        raise UsageError(f"a {kind} chart needs a scenario")
    scenario = scenarios[0]
    issue_id = scenario.issue(issue).id if issue else scenario.issues[0].id
    if kind == "landscape":
        from detente.forecast import forecast

        result = forecast(scenario, models or None, settings)
        bands = None
        if draws:
            from detente.analysis.montecarlo import simulate

            bands = simulate(scenario, models or None, draws, seed, settings).to_frame()
        return draw.landscape(result, issue_id, bands)
    if kind == "paths":
        from detente.analysis.trajectory import run_dynamic

        return draw.paths(run_dynamic(scenario, _one(models, "eum", kind), settings), issue_id)
    if kind == "perception":
        result = _run_one(scenario, _one(models, "eum", kind), settings, "perception", "the expected-utility model (eum)")
        focal = scenario.actor(actor).id if actor else cd.most_powerful(scenario)[0]
        return draw.perception(cd.perception_frame(result, round, focal, issue_id), focal, round, issue_id, scenario)
    if kind == "exchanges":
        result = _run_one(scenario, _one(models, "exchange", kind), settings, "exchanges", "the exchange model (exchange)")
        frame = cd.exchanges_frame(result)
        if frame.empty:
            raise UsageError("the exchange model found no exchange to make in this scenario")
        return draw.exchanges(frame, scenario)
    if kind == "distribution":
        from detente.analysis.montecarlo import simulate

        simulation = simulate(scenario, models or None, draws or 1000, seed, settings)
        return draw.distribution(cd.simulation_draws(simulation), scenario, issue_id)
    if kind == "tornado":
        from detente.analysis.sensitivity import sensitivity

        result = sensitivity(scenario, _one(models, "compromise", kind), settings)
        title = f"{cd.model_title(result.model)}: what moves the forecast"
        return draw.tornado(cd.tornado_frame(result, issue_id), scenario.issue(issue_id), title)
    # timeline
    from detente.analysis.timeline import timeline as run_timeline
    from detente.io.history import history_for

    snapshots = list(scenarios) if len(scenarios) > 1 else cd.snapshots_of(scenario)
    if len(snapshots) < 2:
        raise UsageError(f"a timeline needs snapshots of one negotiation: give several scenarios, e.g. `detente plot timeline a.yaml b.yaml`; none is bundled for {scenario.id!r}")
    return timeline_chart(run_timeline(snapshots, models or None, settings, history_for(scenario)), issue_id, interactive)


def timeline_chart(result: Any, issue: str, interactive: bool = False) -> Any:
    """The timeline chart of one issue of a :class:`~detente.analysis.timeline.Timeline`, with its
    history's outcomes, states of the talks and events, on the scale of the latest snapshot that
    has the issue (its anchors include any added since)."""
    from detente.report import interactive as live
    from detente.report import plots as static

    draw = live if interactive else static
    issue_obj = result.issue(issue)
    latest = next(s for s in reversed(result.snapshots) if issue_obj.id in s.issue_ids)
    return draw.timeline(cd.timeline_frame(result.forecasts), issue_obj.id, latest, events=result.events(issue_obj.id))


def _one(models: list[str], default: str, kind: str) -> str:
    if len(models) > 1:
        raise UsageError(f"a {kind} chart shows one model; give one --model")
    return models[0] if models else default


def _run_one(scenario: Scenario, model: str, settings: list[str], method: str, needed: str) -> Any:
    from detente.forecast import resolve_models

    (built,) = resolve_models([model], settings)
    result = built.run(scenario)
    if not hasattr(result, method):
        raise UsageError(f"model {model!r} gives no {method}; this chart needs {needed}")
    return result


def _backtest(scenarios: Sequence[Scenario], models: list[str], settings: list[str], deu: str | None = None) -> Any:
    from detente.analysis.backtest import bundled_cases, case_from_scenario, deu_cases, run_backtest

    with_outcomes = [s for s in scenarios if s.has_outcomes]
    if deu is not None and scenarios:
        raise UsageError("give either scenarios or --deu FILE, not both")
    if scenarios and not with_outcomes:
        raise UsageError("none of the given scenarios records an outcome (`outcome:` on an issue); a backtest needs known outcomes")
    if deu is not None:
        cases = deu_cases(deu)[0]
    else:
        cases = [case_from_scenario(s) for s in with_outcomes] if with_outcomes else bundled_cases()[0]
    result = run_backtest(cases, models or None, settings)
    if result.records.empty:
        raise UsageError("no model gave a forecast on any issue with a known outcome")
    return result
