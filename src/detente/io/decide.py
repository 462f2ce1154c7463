"""Decide / decide-exchange-model input files (Stokman's exchange model; Thomson & Stokman).

One record a row, the first field naming its kind; fields separated by tabs, semicolons or
commas (found from the first ``#D`` row), each optionally in single or double quotes:

* ``#A  id  name  [description]``: an actor;
* ``#P  id  name  [description]``: an issue;
* ``#M  issue  value  [label]``: a point of an issue's scale. The lowest and highest points give
  the scale; labelled points become anchors. An issue without ``#M`` rows has the scale
  [0, 100] (Decide's default); an issue with a single ``#M`` point is an error;
* ``#D  actor  issue  position  salience  power  [comment]``: a stance. Salience and power are
  on 0..1 in Decide files. The comment, if any, becomes the stance's ``basis``;
* ``#O  text``: the scenario's title (further ``#O`` rows go to its description);
* ``#/  ...``: a comment.

Power is given per actor and issue. The actor's capability is the most common of its powers
(the first on a tie); any issue with another power keeps it as a stance override, so every
number of the file is kept. An ``#A`` actor without any ``#D`` row takes part in no issue and
has no power, so it is left out of the scenario. Names are kept as ``name``/``title`` when they
differ from the id; a description is kept when it differs from the name. Ids that are not
slugs are slugified (``EU (incl Norway)`` -> ``EU-incl-Norway``). The scenario id comes from
the file name. A BOM and blank lines are ignored.

:func:`write_decide` writes the tab-separated form Decide reads, with salience and power on
0..1: saliences given on 0..100 are divided by 100, and capabilities are divided by the largest
capability when any exceeds 1 (every model in detente depends on capability ratios only).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.io.common import (
    IdMaker,
    actor_capability,
    file_stem,
    format_number,
    parse_number,
    remaining_problems,
    scenario_id_for,
)
from detente.io import limits
from detente.scenario import LineMap, Scenario, read_number

KINDS = {"#A": "actor", "#P": "issue", "#M": "scale point", "#D": "stance", "#O": "title", "#/": "comment"}
_D_FIELDS = ("actor", "issue", "position", "salience", "power")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].strip()
    return text


def _clean(fields: list[str]) -> list[str]:
    fields = [_unquote(f) for f in fields]
    while fields and not fields[-1]:
        fields.pop()
    if fields and fields[0].startswith("#"):
        fields[0] = fields[0].upper()
    return fields


def _delimiter(lines: list[str]) -> str:
    """The separator that splits the first ``#D`` row into a marker, actor, issue and three numbers."""
    for line in lines:
        if _unquote(re.split(r"[\t;,]", line.strip(), maxsplit=1)[0]).upper() != "#D":
            continue
        for delimiter in ("\t", ";", ","):
            fields = _clean(next(csv.reader([line], delimiter=delimiter)))
            if len(fields) >= 6 and all(parse_number(f, delimiter != ",") is not None for f in fields[3:6]):
                return delimiter
        break
    first = next((line for line in lines if line.strip()), "")
    return "\t" if "\t" in first else ";" if ";" in first else ","


@dataclass
class _Record:
    line: int
    fields: list[str]

    def text(self, start: int) -> str:
        """The fields from ``start`` on, joined (labels and comments may span several)."""
        return " ".join(f for f in self.fields[start:] if f)


@dataclass
class _DecideReader:
    """Collects a Decide file's records into a scenario mapping, with every problem and the line
    of every field."""

    source: str | None
    decimal_comma: bool
    problems: list[Problem] = field(default_factory=list)
    lines: dict[tuple, int] = field(default_factory=dict)
    actors: dict[str, dict] = field(default_factory=dict)  # by the file's actor id
    issues: dict[str, dict] = field(default_factory=dict)  # by the file's issue id
    points: dict[str, list[tuple[float, str, int]]] = field(default_factory=dict)
    stances: dict[str, dict[str, tuple[dict, float | None, int]]] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)

    def problem(self, message: str, line: int | None, where: str | None = None) -> None:
        self.problems.append(Problem(message, where, line, self.source))

    def number(self, record: _Record, index: int, name: str) -> float | None:
        where = f"{record.fields[0]} {name}"
        if index >= len(record.fields) or not record.fields[index]:
            self.problem(f"{name} is missing", record.line, where)
            return None
        try:
            return read_number(record.fields[index], self.decimal_comma)
        except ValueError as error:
            self.problem(str(error), record.line, where)
            return None

    def read(self, records: list[_Record]) -> dict:
        actor_ids, issue_ids = IdMaker("actor"), IdMaker("issue")
        for record in records:  # declarations first: #M and #D rows may come before them
            kind = record.fields[0]
            if kind == "#A":
                self.declare(record, self.actors, actor_ids, "name")
            elif kind == "#P":
                self.declare(record, self.issues, issue_ids, "title")
            elif kind == "#O":
                self.titles.append(record.text(1))
            elif kind not in KINDS:
                self.problem(f"unknown row kind {kind!r}: Decide rows start with #A, #P, #M, #D, #O or #/", record.line, "kind")
        for record in records:
            if record.fields[0] == "#M":
                self.point(record)
            elif record.fields[0] == "#D":
                self.stance(record)
        data: dict[str, Any] = {"detente": 1}
        if self.titles:
            data["title"] = self.titles[0]
            if self.titles[1:]:
                data["description"] = "\n".join(self.titles[1:])
        data["issues"] = self.issue_list()
        data["actors"] = self.actor_list()
        return data

    def declare(self, record: _Record, found: dict, ids: IdMaker, name_field: str) -> None:
        kind = record.fields[0]
        raw = record.fields[1] if len(record.fields) > 1 else ""
        if not raw:
            self.problem(f"the {KINDS[kind]} id is missing", record.line, f"{kind} id")
            return
        if raw in found:
            self.problem(f"{KINDS[kind]} {raw!r} is declared twice (first on line {found[raw]['_line']})", record.line, f"{kind} id")
            return
        name = record.fields[2] if len(record.fields) > 2 and record.fields[2] else raw
        entry = {"_line": record.line, "id": ids(raw)}
        if name != entry["id"]:
            entry[name_field] = name
        description = record.text(3)
        if description and description not in (name, raw):
            entry["description"] = description
        found[raw] = entry

    def point(self, record: _Record) -> None:
        issue = record.fields[1] if len(record.fields) > 1 else ""
        value = self.number(record, 2, "value")
        if issue not in self.issues:
            self.problem(f"unknown issue {issue!r} (declare it in a #P row)", record.line, "#M issue")
        elif value is not None:
            self.points.setdefault(issue, []).append((value, record.text(3), record.line))

    def stance(self, record: _Record) -> None:
        actor, issue = (record.fields[i] if len(record.fields) > i else "" for i in (1, 2))
        position, salience, power = (self.number(record, i, name) for i, name in enumerate(_D_FIELDS[2:], start=3))
        if actor not in self.actors:
            self.problem(f"unknown actor {actor!r} (declare it in an #A row)", record.line, "#D actor")
        if issue not in self.issues:
            self.problem(f"unknown issue {issue!r} (declare it in a #P row)", record.line, "#D issue")
        if actor not in self.actors or issue not in self.issues:
            return
        issue_id = self.issues[issue]["id"]
        if issue_id in self.stances.get(actor, {}):
            first = self.stances[actor][issue_id][2]
            self.problem(f"a second #D row for actor {actor!r} on issue {issue!r} (the first is on line {first})", record.line, "#D")
            return
        stance: dict[str, Any] = {"position": position, "salience": salience}
        if record.text(6):
            stance["basis"] = record.text(6)
        self.stances.setdefault(actor, {})[issue_id] = (stance, power, record.line)

    def issue_list(self) -> list[dict]:
        issues = []
        for k, (raw, issue) in enumerate(self.issues.items()):
            self.lines[("issues", k)] = issue.pop("_line")
            points = self.points.get(raw, [])
            if points:
                self.scale(issue, points, k)
            issues.append(issue)
        return issues

    def scale(self, issue: dict, points: list[tuple[float, str, int]], k: int) -> None:
        values = sorted({value for value, _, _ in points})
        first_line = min(line for _, _, line in points)
        self.lines[("issues", k, "scale")] = first_line
        if len(values) < 2:
            self.problem(
                f"issue {issue['id']!r} has a single #M point ({format_number(values[0])}); give its lowest and highest values",
                first_line,
                "#M",
            )
            return
        issue["scale"] = [values[0], values[-1]]
        anchors = {value: label for value, label, _ in points if label}
        if anchors:
            issue["anchors"] = anchors
            self.lines[("issues", k, "anchors")] = min(line for _, label, line in points if label)

    def actor_list(self) -> list[dict]:
        actors = []
        for raw, actor in self.actors.items():
            entries = self.stances.get(raw)
            if not entries:
                continue  # declared but in no issue: no power, no position (see the module docstring)
            a = len(actors)
            self.lines[("actors", a)] = actor.pop("_line")
            powers = [(power, line) for _, power, line in entries.values() if power is not None]
            if powers:
                actor["capability"] = actor_capability(power for power, _ in powers)
                self.lines[("actors", a, "capability")] = next(line for power, line in powers if power == actor["capability"])
            actor["stances"] = {}
            for issue_id, (stance, power, line) in entries.items():
                if power is not None and power != actor.get("capability"):
                    stance["capability"] = power
                actor["stances"][issue_id] = stance
                self.lines[("actors", a, "stances", issue_id)] = line
            actors.append(actor)
        return actors


def read_decide(text: str, source: str | None = None) -> Scenario:
    """Read a Decide input file (``#A``/``#P``/``#M``/``#D`` rows); see the module docstring."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    delimiter = _delimiter(lines)
    reader = _DecideReader(source, decimal_comma=delimiter != ",")
    records = []
    rows = csv.reader(lines, delimiter=delimiter, quotechar='"')
    consumed = 0
    try:
        for row in rows:
            start, consumed = consumed + 1, rows.line_num
            fields = _clean(row)
            if not fields:
                continue
            if not fields[0].startswith("#"):
                reader.problem(f"expected a row starting with #A, #P, #M, #D, #O or #/, got {fields[0]!r}", start, "kind")
                continue
            records.append(_Record(start, fields))
            if len(records) > limits.ROWS.value:
                raise limits.ROWS.exceeded(f"the file has more than {limits.ROWS.value:,} rows", source, start)
    except csv.Error as error:
        raise ScenarioError([Problem(f"cannot read the file: {error}", line=rows.line_num, file=source)], source) from None
    if not any(r.fields[0] == "#D" for r in records) and not reader.problems:
        reader.problem("no #D rows (actor, issue, position, salience, power): this is not a Decide file with data", None)
    data = reader.read(records)
    data.setdefault("title", file_stem(source))
    data = {"detente": 1, "id": scenario_id_for(source), **{k: v for k, v in data.items() if v is not None}}
    if reader.problems:
        problems = reader.problems + remaining_problems(data, LineMap(reader.lines), source)
        problems.sort(key=lambda p: p.line if p.line is not None else 0)
        raise ScenarioError(problems, source)
    return Scenario.from_dict(data, source, LineMap(reader.lines))


def write_decide(scenario: Scenario) -> str:
    """The scenario as a tab-separated Decide file (salience and power on 0..1)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    salience_scale = scenario.salience_scale
    largest = max(
        [a.capability for a in scenario.actors]
        + [st.capability for a in scenario.actors for st in a.stances.values() if st.capability is not None]
    )
    power_scale = largest if largest > 1 else 1.0
    writer.writerow(["#O", scenario.title or scenario.id])
    for actor in scenario.actors:
        writer.writerow(["#A", actor.id, actor.name or actor.id, actor.description or ""])
    for issue in scenario.issues:
        writer.writerow(["#P", issue.id, issue.title or issue.id, issue.description or ""])
        points = {issue.lo: "", issue.hi: "", **issue.anchors}
        for value in sorted(points):
            writer.writerow(["#M", issue.id, format_number(value), points[value]])
    for actor in scenario.actors:
        for issue in scenario.issues:
            stance = actor.stances.get(issue.id)
            if stance is None or stance.position is None or stance.salience is None:
                continue
            capability = stance.capability if stance.capability is not None else actor.capability
            writer.writerow(
                [
                    "#D",
                    actor.id,
                    issue.id,
                    format_number(stance.position),
                    format_number(stance.salience / salience_scale),
                    format_number(capability / power_scale),
                    stance.basis or "",
                ]
            )
    return out.getvalue()
