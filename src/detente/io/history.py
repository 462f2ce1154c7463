"""What happened after the snapshots of a negotiation: dated events, outcomes and the state of the talks.

A *series* is the bundled scenarios whose ids share a stem and differ by a trailing date
(``ukraine-2024-11``, ``ukraine-2025-03``, ...: the series ``ukraine``). Its *history* file
(``data/history/<series>.yaml``) lists dated entries on the issues of those snapshots, on the
same scales, each with its evidence (source sentence and reasoning):

* ``outcome``: the issue is settled and ``value`` is where it settled. Backtests score against it.
* ``state``: the issue is not settled; ``value`` places the proposal on the table at that date.
  It is not an outcome, and every output that uses it says so.
* ``event``: a dated event without a value, marked on the time axis.

``range: [low, high]`` gives the span of readings of an outcome or a state (``docs/ukraine.md``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from detente.errors import Problem, ScenarioError, UsageError
from detente.scenario import SLUG, Evidence, LineMap, Scenario, Source, _plain_message, _Strict, field_name

KINDS = ("outcome", "state", "event")
_DATED = re.compile(r"^(?P<stem>.+?)[-_](?P<date>\d{4}-\d{2}(?:-\d{2})?)$")


class Event(_Strict):
    """One dated entry of a history (see the module docstring for the three kinds)."""

    date: dt.date
    issue: str
    kind: Literal["outcome", "state", "event"]
    title: str
    value: float | None = None
    range: tuple[float, float] | None = None
    evidence: list[Evidence] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The kind as shown to a reader; a state is never presented as an outcome."""
        return {"outcome": "outcome", "state": "state of the talks (not an outcome)", "event": "event"}[self.kind]


class History(_Strict):
    """The dated events, outcomes and states of the talks of one series of snapshots."""

    detente: int = 1
    series: str
    title: str | None = None
    description: str | None = None
    sources: list[Source] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    def for_issue(self, issue: str) -> list[Event]:
        return sorted((e for e in self.events if e.issue == issue), key=lambda e: e.date)

    def outcome(self, issue: str, after: dt.date | None = None) -> Event | None:
        """The issue's outcome, if it was settled (after ``after``, when given)."""
        found = [e for e in self.for_issue(issue) if e.kind == "outcome" and (after is None or e.date > after)]
        return found[-1] if found else None

    def latest_state(self, issue: str, after: dt.date | None = None) -> Event | None:
        """The most recent state of the talks on the issue (after ``after``, when given)."""
        found = [e for e in self.for_issue(issue) if e.kind == "state" and (after is None or e.date > after)]
        return found[-1] if found else None

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


# -- series ----------------------------------------------------------------------------------------


def series_of(scenario_id: str) -> str | None:
    """The series a scenario id belongs to (``ukraine`` for ``ukraine-2024-11``), or None."""
    match = _DATED.match(scenario_id)
    return match.group("stem") if match else None


def series_snapshots(series: str) -> list[Scenario]:
    """The bundled snapshots of a series, by date (undated ones last, in id order)."""
    from detente.io import bundled_ids, load

    found = [load(i) for i in bundled_ids() if series_of(i) == series]
    return sorted(found, key=lambda s: (s.as_of is None, s.as_of or dt.date.min, s.id))


def bundled_series() -> list[str]:
    """Every series with at least two bundled snapshots."""
    from detente.io import bundled_ids

    stems = [series_of(i) for i in bundled_ids()]
    return sorted({s for s in stems if s is not None and stems.count(s) >= 2})


def _history_dir() -> Path:
    return Path(str(resources.files("detente") / "data" / "history"))


def has_history(series: str | None) -> bool:
    return series is not None and (_history_dir() / f"{series}.yaml").is_file()


def load_history(series: str, snapshots: list[Scenario] | None = None) -> History:
    """The bundled history of a series, validated against the scales of its snapshots."""
    path = _history_dir() / f"{series}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(_history_dir().glob("*.yaml"))) or "none"
        raise UsageError(f"no history is bundled for the series {series!r} (histories: {known})")
    scenarios = snapshots if snapshots is not None else series_snapshots(series)
    return read_history(path.read_text(encoding="utf-8"), str(path), _scales(scenarios))


def history_for(scenario: Scenario) -> History | None:
    """The bundled history of the scenario's series, if there is one."""
    series = series_of(scenario.id)
    return load_history(series) if has_history(series) else None


def _scales(scenarios: list[Scenario]) -> dict[str, tuple[float, float]]:
    scales: dict[str, tuple[float, float]] = {}
    for scenario in scenarios:
        for issue in scenario.issues:
            scales.setdefault(issue.id, (issue.lo, issue.hi))
    return scales


# -- reading and validation ------------------------------------------------------------------------


def read_history(text: str, source: str | None, scales: dict[str, tuple[float, float]]) -> History:
    """Parse and validate a history file; every problem is reported at once with its line.

    ``scales`` maps each issue of the series to its scale: an entry must name one of them and
    its value and range must lie on it."""
    from detente.io.yaml_io import parse

    try:
        data, lines = parse(text)
    except Exception as error:  # yaml.YAMLError or ValueError, as for scenarios
        mark = getattr(error, "problem_mark", None)
        raise ScenarioError([Problem(f"not valid YAML: {getattr(error, 'problem', None) or error}", line=mark.line + 1 if mark else None, file=source)], source) from None
    lines = lines or LineMap()
    if not isinstance(data, dict):
        raise ScenarioError([Problem("a history must be a mapping of fields", file=source)], source)
    problems = _structure_problems(data, lines) + _semantic_problems(data, lines, scales)
    if problems:
        problems.sort(key=lambda p: p.line if p.line is not None else 10**9)
        raise ScenarioError([Problem(p.message, p.field, p.line, source) for p in problems], source)
    return History.model_validate(data)


def _structure_problems(data: dict, lines: LineMap) -> list[Problem]:
    try:
        History.model_validate(data)
    except ValidationError as error:
        found = []
        for item in error.errors():
            loc = tuple(item["loc"])
            found.append(Problem(_plain_message(item), field_name(loc, data), lines(loc)))
        return found
    return []


def _semantic_problems(data: dict, lines: LineMap, scales: dict[str, tuple[float, float]]) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: tuple, message: str) -> None:
        problems.append(Problem(message, field_name(path, data), lines(path)))

    series = data.get("series")
    if isinstance(series, str) and not SLUG.match(series):
        add(("series",), f"{series!r} is not a slug (letters, digits, '-', '_', '.'; no spaces)")
    sources = data.get("sources") if isinstance(data.get("sources"), list) else []
    source_ids = set()
    for k, entry in enumerate(sources):
        if not isinstance(entry, dict):
            continue
        source_ids.add(entry.get("id"))
        for key in ("publisher", "title", "date", "url"):
            if not entry.get(key):
                add(("sources", k), f"source {entry.get('id')!r} needs a {key}: a history cites publisher, title, date and address")
    outcomes: dict[str, int] = {}
    for k, event in enumerate(data.get("events") if isinstance(data.get("events"), list) else []):
        if not isinstance(event, dict):
            continue
        path = ("events", k)
        issue, kind, value = event.get("issue"), event.get("kind"), event.get("value")
        if isinstance(issue, str) and issue not in scales:
            add(path + ("issue",), f"unknown issue {issue!r}; the snapshots of the series have: {', '.join(scales)}")
        if kind in ("outcome", "state") and value is None:
            add(path + ("value",), f"an {kind} needs a value: where on the issue's scale it {'settled' if kind == 'outcome' else 'stands'}")
        if kind == "event" and value is not None:
            add(path + ("value",), "an event has no value; make it a state (the proposal on the table) or an outcome")
        if kind == "outcome" and isinstance(issue, str):
            if issue in outcomes:
                add(path + ("kind",), f"a second outcome for issue {issue!r} (the first is event {outcomes[issue] + 1})")
            outcomes.setdefault(issue, k)
        lo, hi = scales.get(issue, (-math.inf, math.inf)) if isinstance(issue, str) else (-math.inf, math.inf)
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if number is not None and not lo <= number <= hi:
            add(path + ("value",), f"value {number:g} lies outside the scale [{lo:g}, {hi:g}]")
        span = event.get("range")
        if isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(v, (int, float)) for v in span):
            if not span[0] <= span[1]:
                add(path + ("range",), f"range must run from low to high, got [{span[0]:g}, {span[1]:g}]")
            elif number is not None and not span[0] <= number <= span[1]:
                add(path + ("range",), f"the value {number:g} lies outside its range [{span[0]:g}, {span[1]:g}]")
            elif not (lo <= span[0] and span[1] <= hi):
                add(path + ("range",), f"range [{span[0]:g}, {span[1]:g}] leaves the scale [{lo:g}, {hi:g}]")
        evidence = event.get("evidence")
        if not evidence:
            add(path + ("evidence",), "every entry needs evidence: a source sentence and the reasoning")
        for e, entry in enumerate(evidence if isinstance(evidence, list) else []):
            if isinstance(entry, dict) and entry.get("source") not in source_ids:
                add(path + ("evidence", e, "source"), f"unknown source id {entry.get('source')!r} (sources: {', '.join(sorted(map(str, source_ids)))})")
    return problems


def records(history: History) -> list[dict[str, Any]]:
    """The entries as plain rows (date, issue, kind, label, value, low, high, title, sources)."""
    rows = []
    for event in sorted(history.events, key=lambda e: (e.date, e.issue)):
        cited = [history.source(e.source) for e in event.evidence if e.source]
        rows.append(
            {
                "date": event.date.isoformat(),
                "issue": event.issue,
                "kind": event.kind,
                "label": event.label,
                "value": event.value,
                "low": event.range[0] if event.range else None,
                "high": event.range[1] if event.range else None,
                "title": event.title,
                "sources": "; ".join(dict.fromkeys(f"{s.publisher}, {s.date}, {s.url}" for s in cited if s is not None)),
            }
        )
    return rows
