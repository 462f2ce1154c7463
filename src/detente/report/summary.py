"""Plain-language summaries of an issue's forecasts, for readers who will not decode numbers.

Each sentence is derived from the numbers: where the models' forecasts fall among the issue's
anchor labels and how many agree, which models stay at the status quo and why their notes say
so, how effective power (capability x salience) splits around the status quo, and how sure the
Monte Carlo draws are.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from detente.report import chartdata as cd
from detente.scenario import Issue, Scenario

if TYPE_CHECKING:
    from detente.forecast import Forecast

SHORT = 80


def issue_summary(forecast: "Forecast", issue_id: str, simulation: Mapping[str, Any] | None = None) -> str:
    """A short paragraph about one issue. ``simulation`` maps each model to its Monte Carlo
    summary for this issue (a record of :meth:`SimulationResult.records
    <detente.analysis.montecarlo.SimulationResult.records>`: ``q05, q95, bands``)."""
    scenario = forecast.scenario
    issue = scenario.issue(issue_id)
    k = scenario.issue_ids.index(issue.id)
    values = [(r.model, cd.model_title(r.model), float(r.values[k]), r.notes.get(issue.id, "")) for r in forecast.results]
    sentences = [_placement(issue, values)]
    sentences += _status_quo_sentences(scenario, issue, values)
    power = _power_sentence(scenario, issue)
    if power:
        sentences.append(power)
    if simulation:
        sure = _uncertainty_sentence(issue, values, simulation)
        if sure:
            sentences.append(sure)
    return " ".join(s for s in sentences if s)


def _placement(issue: Issue, values: Sequence[tuple[str, str, float, str]]) -> str:
    """'Most models (3 of 5) put the outcome between 'A' (25) and 'B' (50) (27.2–41.8); X puts it ...'

    Models are counted in the anchor band (closed at both ends) that holds the most forecasts; a
    tie goes to the band holding the models' median forecast."""
    known = [(t, v) for _, t, v, _ in values if not math.isnan(v)]
    if not known:
        return "No model gives a forecast."
    if not issue.anchors:
        return f"The models put the outcome at {_range(issue, [v for _, v in known])} on the scale {issue.lo:g}–{issue.hi:g}."
    median = float(np.median([v for _, v in known]))
    best = max(issue.bands(), key=lambda band: (sum(band[0] <= v <= band[1] for _, v in known), band[0] <= median <= band[1]))
    lo, hi, _ = best
    inside = [(t, v) for t, v in known if lo <= v <= hi]
    outside = [(t, v) for t, v in known if not lo <= v <= hi]
    where = _between(issue, lo, hi)
    spread = _range(issue, [v for _, v in inside])
    if len(inside) == 1 and len(known) > 1:
        listing = "; ".join(f"{t} {issue.describe(v, SHORT)} ({cd.format_value(issue, v)})" for t, v in known)
        return f"The models disagree: {listing}."
    if not outside:
        lead = f"All {len(known)} models put" if len(known) > 1 else f"{known[0][0]} puts"
        return f"{lead} the outcome {where} ({spread})."
    others = "; ".join(f"{t} puts it {issue.describe(v, SHORT)} ({cd.format_value(issue, v)})" for t, v in outside)
    quantity = "Most models" if len(inside) > len(known) / 2 else "Several models"
    return f"{quantity} ({len(inside)} of {len(known)}) put the outcome {where} ({spread}); {others}."


def _between(issue: Issue, lo: float, hi: float) -> str:
    names = {p: cd.wrap(t.split(";")[0].strip(), SHORT, 1)[0] for p, t in issue.sorted_anchors()}
    left = f"'{names[lo]}' ({lo:g})" if lo in names else f"{lo:g}"
    right = f"'{names[hi]}' ({hi:g})" if hi in names else f"{hi:g}"
    return f"between {left} and {right}"


def _range(issue: Issue, values: Sequence[float]) -> str:
    lo, hi = min(values), max(values)
    if cd.format_value(issue, lo) == cd.format_value(issue, hi):
        return cd.format_value(issue, lo)
    return f"{cd.format_value(issue, lo)}–{cd.format_value(issue, hi)}"


def _status_quo_sentences(scenario: Scenario, issue: Issue, values: Sequence[tuple[str, str, float, str]]) -> list[str]:
    if issue.status_quo is None:
        return []
    tolerance = 0.005 * (issue.hi - issue.lo)
    stay = [(t, note) for _, t, v, note in values if not math.isnan(v) and abs(v - issue.status_quo) <= tolerance]
    if not stay or len(stay) == len(values):
        return []
    sentences = []
    for title, note in stay:
        reason = ""
        if "gridlock" in note:
            low, high = _strongest_sides(scenario, issue)
            if low and high:
                reason = (
                    f" because {low} and {high} stand on opposite sides of it ({cd.format_value(issue, issue.status_quo)}) and each "
                    "prefers no deal to any move toward the other"
                )
            else:
                reason = ": no outcome is better than the status quo for every actor the model needs"
        sentences.append(f"{title} stays at the status quo{reason}.")
    return sentences


def _strongest_sides(scenario: Scenario, issue: Issue) -> tuple[str | None, str | None]:
    land = cd.landscape_data(scenario, issue.id)
    actors = land.actors
    below = actors[actors["position"] < issue.status_quo].sort_values("power", ascending=False)
    above = actors[actors["position"] > issue.status_quo].sort_values("power", ascending=False)
    return (below["name"].iloc[0] if len(below) else None, above["name"].iloc[0] if len(above) else None)


def _power_sentence(scenario: Scenario, issue: Issue) -> str:
    """How effective power splits around the status quo, with the strongest actor on each side."""
    if issue.status_quo is None:
        return ""
    actors = cd.landscape_data(scenario, issue.id).actors
    if actors.empty or actors["power"].sum() <= 0:
        return ""
    total = actors["power"].sum()
    below = actors[actors["position"] < issue.status_quo]
    above = actors[actors["position"] > issue.status_quo]
    if below.empty or above.empty:
        side = "below" if above.empty else "above"
        return f"Every actor with a stance wants the outcome {side} the status quo."
    lead_low = below.sort_values("power", ascending=False)["name"].iloc[0]
    lead_high = above.sort_values("power", ascending=False)["name"].iloc[0]
    share_low, share_high = 100 * below["power"].sum() / total, 100 * above["power"].sum() / total
    return (
        f"{share_low:.0f}% of the effective power (capability x salience) wants less than the status quo, led by {lead_low}, "
        f"and {share_high:.0f}% more, led by {lead_high}."
    )


def _uncertainty_sentence(issue: Issue, values: Sequence[tuple[str, str, float, str]], simulation: Mapping[str, Any]) -> str:
    """For the first model with Monte Carlo results: its most likely band and 5-95 % range."""
    for model, title, _, _ in values:
        record = simulation.get(model)
        if not record or record.get("q05") is None:
            continue
        bands = [b for b in record.get("bands", []) if b.get("probability") is not None]
        interval = f"5-95 % range {cd.format_value(issue, record['q05'])}–{cd.format_value(issue, record['q95'])}"
        if not bands or not issue.anchors:
            return f"Across the Monte Carlo draws, {title} has a {interval}."
        best = max(bands, key=lambda b: b["probability"])
        return f"Across the Monte Carlo draws, {title} lands {shorten_band(best['label'])} in {100 * best['probability']:.0f}% of them ({interval})."
    return ""


def shorten_band(label: str) -> str:
    """'between 'A long label; more' and 'B'' with each quoted label cut to its first clause."""
    parts = label.split("'")
    return "'".join(cd.wrap(p.split(";")[0].strip(), SHORT, 1)[0] if n % 2 else p for n, p in enumerate(parts))


def simulation_by_issue(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Mapping[str, Any]]]:
    """``{issue: {model: record}}`` from a simulation's records."""
    out: dict[str, dict[str, Mapping[str, Any]]] = {}
    for record in records:
        out.setdefault(record["issue"], {})[record["model"]] = record
    return out

