"""What-if levers: change a scenario's inputs and see how each model's forecast moves.

A lever is a short string (the syntax is also in docs/uncertainty.md):

    ACTOR.capability*0.5        scale an actor's capability (its per-issue overrides too)
    ACTOR.capability=30         set it (and every per-issue override) to 30
    ACTOR.salience+10           add 10 to the actor's salience on every issue it takes part in
    ACTOR.ISSUE.position=40     set the actor's position on one issue (issue units)
    ACTOR.ISSUE.salience-20     subtract 20 from its salience on one issue (file units)
    ACTOR.ISSUE.capability=80   set its capability on one issue only
    ACTOR.ISSUE=40@60           give the actor a stance on an issue: position 40, salience 60
    drop:ACTOR                  remove an actor
    add:ACTOR capability=C ISSUE=POSITION@SALIENCE ... [name="Full name"] [group=G]
                                add an actor with a stance on each issue named

Operators: ``=`` set, ``*`` scale, ``+`` add, ``-`` subtract (positions cannot be scaled).
ACTOR is an actor id (or name), ISSUE an issue id. A scenario file may declare named lever sets
under ``levers:`` (name: a lever or a list of levers); a name stands for its whole set.
Levers apply in order, each to the result of the previous one; a lever that would put a value
outside its scale, or leave an issue with fewer than two actors, is an error naming the lever.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import pandas as pd

from detente.analysis.montecarlo import Progress, SimulationResult, resolve_uncertainty, simulate
from detente.errors import DetenteError, ScenarioError, UsageError
from detente.forecast import Forecast, forecast
from detente.models.base import Model
from detente.scenario import Scenario, Uncertainty

FIELDS = ("position", "salience", "capability")
OPERATORS = {"=": "set", "*": "scale", "+": "add", "-": "subtract"}

LEVER_SYNTAX = (
    "levers look like 'USA.capability*0.5', 'USA.salience+10', 'USA.territory.position=40', "
    "'USA.kursk=50@30' (a stance: position@salience), 'drop:HUN', or "
    "'add:CHN capability=80 territory=60@50 security=70@40'; operators: = set, * scale, + add, - subtract"
)

_EDIT = re.compile(r"^(?P<path>.+?)\.(?P<field>position|salience|capability)\s*(?P<op>[=*+-])\s*(?P<value>.+)$")
_STANCE = re.compile(r"^(?P<path>[^=]+?)\s*=\s*(?P<position>[^@=]+?)\s*@\s*(?P<salience>[^@=]+)$")


@dataclass(frozen=True)
class Lever:
    """One parsed lever; ``kind`` is ``edit``, ``stance``, ``drop`` or ``add``; ``input`` is the
    edited position, salience or capability."""

    text: str
    kind: str
    actor: str
    issue: str | None = None
    input: str | None = None
    operator: str | None = None
    value: float | None = None
    capability: float | None = None
    stances: dict[str, tuple[float, float]] = field(default_factory=dict)
    name: str | None = None
    group: str | None = None


def _error(text: str, message: str) -> UsageError:
    return UsageError(f"lever {text!r}: {message}")


def _number(text: str, lever: str, what: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise _error(lever, f"{what} must be a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise _error(lever, f"{what} must be a finite number, got {text.strip()!r}")
    return value


def _actor_id(scenario: Scenario, key: str, lever: str) -> str:
    for actor in scenario.actors:
        if actor.id == key:
            return actor.id
    for actor in scenario.actors:
        if (actor.name or "").lower() == key.lower():
            return actor.id
    raise _error(lever, f"unknown actor {key!r}; the scenario has: {', '.join(scenario.actor_ids)}")


def _issue_id(scenario: Scenario, key: str, lever: str) -> str:
    if key in scenario.issue_ids:
        return key
    raise _error(lever, f"unknown issue {key!r}; the scenario has: {', '.join(scenario.issue_ids)}")


def _actor_and_issue(scenario: Scenario, path: str, lever: str) -> tuple[str, str | None]:
    """``ACTOR`` or ``ACTOR.ISSUE`` (ids may contain dots: every split is tried)."""
    path = path.strip()
    if path in scenario.actor_ids:
        return path, None
    for cut in range(len(path)):
        if path[cut] == "." and path[:cut] in scenario.actor_ids and path[cut + 1 :] in scenario.issue_ids:
            return path[:cut], path[cut + 1 :]
    actor, dot, issue = path.rpartition(".") if "." in path else (path, "", "")
    if not dot:
        return _actor_id(scenario, path, lever), None
    return _actor_id(scenario, actor, lever), _issue_id(scenario, issue, lever)


def parse_lever(text: str, scenario: Scenario) -> Lever:
    """Parse one lever string against a scenario (ids are checked); see the module docstring."""
    raw = text.strip()
    if not raw:
        raise UsageError(f"empty lever; {LEVER_SYNTAX}")
    if raw.startswith("drop:"):
        return Lever(raw, "drop", _actor_id(scenario, raw[5:].strip(), raw))
    if raw.startswith("add:"):
        return _parse_add(raw, scenario)
    edit = _EDIT.match(raw)
    if edit:
        actor, issue = _actor_and_issue(scenario, edit["path"], raw)
        operator = OPERATORS[edit["op"]]
        if edit["field"] == "position" and operator == "scale":
            raise _error(raw, "positions cannot be scaled; use =, + or -")
        value = _number(edit["value"], raw, "the value")
        if operator == "scale" and value < 0:
            raise _error(raw, f"a scale factor must be >= 0, got {value:g}")
        return Lever(raw, "edit", actor, issue, edit["field"], operator, value)
    stance = _STANCE.match(raw)
    if stance:
        actor, issue = _actor_and_issue(scenario, stance["path"], raw)
        if issue is None:
            raise _error(raw, "POSITION@SALIENCE needs ACTOR.ISSUE on the left")
        values = (_number(stance["position"], raw, "the position"), _number(stance["salience"], raw, "the salience"))
        return Lever(raw, "stance", actor, issue, stances={issue: values})
    raise UsageError(f"cannot read lever {raw!r}{_diagnosis(raw, scenario)}; {LEVER_SYNTAX}")


def _diagnosis(raw: str, scenario: Scenario) -> str:
    """A hint for the commonest slips: a misspelt input, or a stance without its salience."""
    slip = re.match(r"^(?P<path>.+)\.(?P<word>[^.=*+@-]+?)\s*[=*+-]", raw)
    if not slip:
        return ""
    if slip["word"] in scenario.issue_ids:
        return f" (to give a stance on {slip['word']} write POSITION@SALIENCE, e.g. '{raw.split('=')[0].strip()}=50@40')"
    return f" (unknown input {slip['word']!r}; inputs: {', '.join(FIELDS)})"


def _parse_add(raw: str, scenario: Scenario) -> Lever:
    try:
        words = shlex.split(raw[4:])
    except ValueError as error:
        raise _error(raw, f"{error}") from None
    if not words:
        raise _error(raw, "add: needs an actor id, e.g. 'add:CHN capability=80 territory=60@50'")
    actor = words[0]
    if actor in scenario.actor_ids:
        raise _error(raw, f"actor {actor!r} is already in the scenario")
    capability, name, group, stances = None, None, None, {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep:
            raise _error(raw, f"expected KEY=VALUE, got {word!r}")
        if key == "capability":
            capability = _number(value, raw, "capability")
        elif key == "name":
            name = value
        elif key == "group":
            group = value
        else:
            issue = _issue_id(scenario, key, raw)
            position, at, salience = value.partition("@")
            if not at:
                raise _error(raw, f"a stance is ISSUE=POSITION@SALIENCE, got {word!r}")
            stances[issue] = (_number(position, raw, "the position"), _number(salience, raw, "the salience"))
    if capability is None:
        raise _error(raw, "a new actor needs capability=NUMBER")
    if not stances:
        raise _error(raw, "a new actor needs at least one stance ISSUE=POSITION@SALIENCE")
    return Lever(raw, "add", actor, capability=capability, stances=stances, name=name, group=group)


def expand_levers(scenario: Scenario, items: Iterable[str]) -> list[str]:
    """Lever strings, with the names of the scenario's lever sets replaced by their levers."""
    out: list[str] = []
    for item in items:
        named = scenario.levers.get(item.strip())
        if named is None:
            out.append(item)
        else:
            out.extend([named] if isinstance(named, str) else named)
    return out


def _apply_number(operator: str, old: float, value: float) -> float:
    return {"set": value, "scale": old * value, "add": old + value, "subtract": old - value}[operator]


def _check_range(lever: Lever, value: float, lo: float, hi: float, what: str) -> None:
    if not lo <= value <= hi:
        raise _error(lever.text, f"{what} would be {value:g}, outside {lo:g}..{hi:g}")


def apply_lever(scenario: Scenario, lever: Lever) -> Scenario:
    """A new, validated scenario with one lever applied."""
    data = scenario.model_dump(mode="python", exclude_none=True)
    actors = data["actors"]
    issues = {issue.id: issue for issue in scenario.issues}
    salience_top = scenario.salience_scale
    if lever.kind == "drop":
        data["actors"] = [a for a in actors if a["id"] != lever.actor]
    elif lever.kind == "add":
        for issue_id, (position, salience) in lever.stances.items():
            _check_range(lever, position, issues[issue_id].lo, issues[issue_id].hi, f"{lever.actor}'s position on {issue_id}")
            _check_range(lever, salience, 0, salience_top, f"{lever.actor}'s salience on {issue_id}")
        new = {"id": lever.actor, "capability": lever.capability, "stances": {k: {"position": p, "salience": s} for k, (p, s) in lever.stances.items()}}
        new.update({k: v for k, v in (("name", lever.name), ("group", lever.group)) if v is not None})
        actors.append(new)
    else:
        actor = next(a for a in actors if a["id"] == lever.actor)
        stances = actor.setdefault("stances", {})
        if lever.kind == "stance":
            ((issue_id, (position, salience)),) = lever.stances.items()
            _check_range(lever, position, issues[issue_id].lo, issues[issue_id].hi, f"{lever.actor}'s position on {issue_id}")
            _check_range(lever, salience, 0, salience_top, f"{lever.actor}'s salience on {issue_id}")
            stances.setdefault(issue_id, {}).update({"position": position, "salience": salience})
        else:
            _apply_edit(lever, actor, stances, issues, salience_top)
    try:
        return Scenario.from_dict(data, source=scenario.origin)
    except ScenarioError as error:
        problems = "; ".join(p.message for p in error.problems)
        raise _error(lever.text, f"the changed scenario is not valid: {problems}") from None


def _apply_edit(lever: Lever, actor: dict, stances: dict, issues: dict, salience_top: float) -> None:
    targets = [lever.issue] if lever.issue else list(stances)
    if lever.issue and lever.issue not in stances:
        raise _error(lever.text, f"{lever.actor} has no stance on {lever.issue}; give it one with '{lever.actor}.{lever.issue}=POSITION@SALIENCE'")
    if lever.input == "capability" and lever.issue is None:
        actor["capability"] = _apply_number(lever.operator, actor["capability"], lever.value)
        if actor["capability"] <= 0:
            raise _error(lever.text, f"{lever.actor}'s capability would be {actor['capability']:g}; it must stay > 0")
        for stance in stances.values():
            if "capability" in stance:
                stance["capability"] = _apply_number(lever.operator, stance["capability"], lever.value)
        return
    for issue_id in targets:
        stance = stances[issue_id]
        issue = issues[issue_id]
        if lever.input == "capability":
            old = stance.get("capability", actor["capability"])
            stance["capability"] = _apply_number(lever.operator, old, lever.value)
            if stance["capability"] <= 0:
                raise _error(lever.text, f"{lever.actor}'s capability on {issue_id} would be {stance['capability']:g}; it must stay > 0")
        elif lever.input == "position":
            stance["position"] = _apply_number(lever.operator, stance["position"], lever.value)
            _check_range(lever, stance["position"], issue.lo, issue.hi, f"{lever.actor}'s position on {issue_id}")
        else:
            stance["salience"] = _apply_number(lever.operator, stance["salience"], lever.value)
            _check_range(lever, stance["salience"], 0, salience_top, f"{lever.actor}'s salience on {issue_id}")


def apply_levers(scenario: Scenario, levers: Iterable[str]) -> Scenario:
    """The scenario with every lever (or named lever set) applied in order."""
    texts = expand_levers(scenario, levers)
    if not texts:
        raise UsageError(f"no lever given; {LEVER_SYNTAX}" + _named_sets(scenario))
    changed = scenario
    for text in texts:
        changed = apply_lever(changed, parse_lever(text, changed))
    return changed


def lever_set_problems(scenario: Scenario) -> list[str]:
    """Why each of the scenario's named lever sets (``levers:``) cannot be applied, one sentence
    per broken set (an unknown actor or issue, a value off the scale, a malformed lever)."""
    problems = []
    for name in scenario.levers:
        try:
            apply_levers(scenario, [name])
        except DetenteError as error:
            problems.append(f"levers.{name}: {error}")
    return problems


def _named_sets(scenario: Scenario) -> str:
    return f"; the scenario's lever sets: {', '.join(scenario.levers)}" if scenario.levers else ""


@dataclass
class WhatIfResult:
    """Baseline and changed forecasts; with draws, both Monte Carlo results too."""

    baseline: Forecast
    changed: Forecast
    lever_texts: list[str]
    simulations: tuple[SimulationResult, SimulationResult] | None = None
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        summaries: dict[tuple[str, str, str], dict] = {}
        if self.simulations:
            for side, sim in zip(("baseline", "changed"), self.simulations):
                for record in sim.records():
                    summaries[(side, record["model"], record["issue"])] = record
        rows = []
        for base, changed in zip(self.baseline.results, self.changed.results):
            for issue, before, after in zip(self.baseline.scenario.issues, base.values, changed.values):
                row = {"model": base.model, "issue": issue.id, "baseline": _num(before), "changed": _num(after), "shift": _num(after - before)}
                for side in ("baseline", "changed") if self.simulations else ():
                    record = summaries.get((side, base.model, issue.id), {})  # none for a model the Monte Carlo left out (see notes)
                    row.update({f"{side}_median": record.get("median"), f"{side}_q05": record.get("q05"), f"{side}_q95": record.get("q95")})
                rows.append(row)
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per model and issue: ``baseline, changed, shift`` (issue units); with draws,
        also ``baseline_median, baseline_q05, baseline_q95`` and the same for ``changed``."""
        return pd.DataFrame.from_records(self.records())

    def __repr__(self) -> str:
        return f"<WhatIfResult {self.baseline.scenario.id!r}: {'; '.join(self.lever_texts)}>"

    def _repr_html_(self) -> str:
        from detente.report.notebook import whatif_html

        return whatif_html(self)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenario": self.baseline.scenario.id, "levers": self.lever_texts, "forecasts": self.records(), "notes": self.notes}
        if self.simulations:
            out["draws"] = self.simulations[0].draws
            out["seed"] = self.simulations[0].seed
        return out

    def __rich_console__(self, console, options):
        """Laid out for the width it is printed at (narrow layouts below 120 columns)."""
        from detente.report.result_tables import whatif_table

        yield whatif_table(self, options.max_width)


def _num(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 6)


def whatif(
    scenario: Scenario,
    levers: Sequence[str],
    models: Iterable[str | Model] | None = None,
    settings: Iterable[str] = (),
    draws: int | None = None,
    seed: int | None = 0,
    uncertainty: Uncertainty | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress | None = None,
) -> WhatIfResult:
    """Forecast the scenario as given and with the levers applied; with ``draws``, Monte Carlo
    intervals for both from the same seed (the same draws wherever the actors are the same)."""
    texts = expand_levers(scenario, levers)
    changed = apply_levers(scenario, texts)
    models = list(models) if models else None
    settings = list(settings)
    result = WhatIfResult(forecast(scenario, models, settings), forecast(changed, models, settings), texts)
    if draws:
        uncertainty = uncertainty or resolve_uncertainty(scenario)
        runs = []
        for offset, which in enumerate((scenario, changed)):
            step = (lambda done, total, offset=offset: progress(done + offset * total, 2 * total)) if progress else None
            runs.append(simulate(which, models, draws, seed, settings, uncertainty, workers, scheduler, progress=step))
        result.simulations = (runs[0], runs[1])
        result.notes += runs[0].notes
        if [a.id for a in scenario.actors] != [a.id for a in changed.actors]:
            result.notes.append("the levers change the set of actors, so the two sides use different draws")
    return result
