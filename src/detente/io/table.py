"""The flat table (CSV and XLSX): one row per actor and issue.

Columns (names are case-insensitive; spaces and hyphens count as ``_``):

* per stance: ``actor`` (aliases ``name``, ``stakeholder``), ``issue``, ``position`` (``x``),
  ``salience`` (``s``), ``capability`` (``power``, ``clout``, ``c``), ``position_sd``,
  ``salience_sd``, ``basis``, ``source``, ``evidence``;
* per actor: ``actor_name``, ``group``, ``actor_description``, ``actor_evidence`` (a JSON list:
  the evidence for the actor's capability);
* per issue: ``issue_title``, ``issue_description``, ``scale_min``, ``scale_max``,
  ``status_quo``, ``anchors``, ``outcome``, ``outcome_source``.

``actor``, ``position``, ``salience`` and ``capability`` are required on every row; so is
``issue`` when the column exists. Without an ``issue`` column the file is a single-issue
scenario whose issue takes the scenario's id. An ``actor`` or ``issue`` value that is not a
slug becomes the display name (``actor_name``/``issue_title``) and is slugified into the id.

Per-actor and per-issue values may be repeated on every row or given on one row only;
different values for the same actor or issue are an error. ``scale_min`` and ``scale_max`` come
together (default scale [0, 100]).

Capability per issue: when an actor's rows carry different capabilities, the actor's
capability is the most common of them (the first on a tie) and the other rows become stance
overrides (``stances.<issue>.capability``), so every number survives a round trip.

Extensions beyond the basic columns of docs/scenario-format.md (all optional; files without them load unchanged):

* ``anchors``: labelled points of the issue's scale, ``0: Full withdrawal | 50: Ceasefire |
  100: Cession`` (``value: label`` pairs separated by ``|``; a literal ``|`` is written ``||``).
* ``evidence``: a JSON list of evidence objects (``[{"quote": "...", "speaker": "..."}]``).
* ``issue_title``, ``issue_description``, ``actor_description``, ``outcome`` (a number or a
  text), ``outcome_source``.
* Scenario metadata the rows cannot hold (title, as_of, description, sources, uncertainty,
  levers, models, outcome_source) as YAML: in a CSV, a block of leading comment lines starting
  with ``# detente: 1``, each line prefixed with ``#``; in an XLSX, a sheet named ``metadata``
  holding the same YAML one line per row in column A. Other leading ``#`` lines of a CSV are
  comments and are skipped.

The scenario id is the slugified file stem unless the metadata gives one; the title is the
metadata's, or the file stem when the file has no metadata block. Text cells are stripped of
surrounding spaces and line breaks. The delimiter of a CSV (comma, semicolon or tab) is sniffed with :mod:`csv`; in
semicolon- and tab-separated files a decimal comma (``0,5``) is accepted. XLSX files are read
with openpyxl without evaluating anything: a formula cell is an error naming the cell.

The writers keep everything a scenario holds; the row order (actor by actor, issues in scenario
order) gives the actors' and issues' order on reading, by first appearance. An actor without
any stance would have no row: writing such a scenario is refused (YAML holds it).
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from detente.errors import Problem, ScenarioError
from detente.io.common import (
    IdMaker,
    WHITE_SPACE,
    NumberText,
    actor_capability,
    csv_text,
    file_stem,
    format_number,
    lines_of_text,
    parse_number,
    plain,
    remaining_problems,
    restore,
    scenario_id_for,
    unclosed_quote,
)
from detente.io import limits
from detente.io.limits import allow_long_csv_fields
from detente.io.yaml_io import parse as parse_yaml
from detente.scenario import LineMap, Scenario, read_number

ALIASES = {
    "power": "capability",
    "clout": "capability",
    "c": "capability",
    "x": "position",
    "s": "salience",
    "name": "actor",
    "stakeholder": "actor",
}
REQUIRED = ("actor", "position", "salience", "capability")
STANCE_NUMBERS = ("position_sd", "salience_sd")
STANCE_TEXTS = ("basis", "source")
ACTOR_COLUMNS = {"actor_name": "name", "group": "group", "actor_description": "description", "actor_evidence": "evidence"}
ISSUE_NUMBERS = ("scale_min", "scale_max", "status_quo")
ISSUE_TEXTS = {"issue_title": "title", "issue_description": "description", "outcome_source": "outcome_source"}
COLUMNS = (
    "actor", "actor_name", "group", "actor_description", "actor_evidence",
    "issue", "issue_title",
    "position", "salience", "capability", "position_sd", "salience_sd", "basis", "source", "evidence",
    "scale_min", "scale_max", "status_quo", "anchors", "issue_description", "outcome", "outcome_source",
)  # fmt: skip
METADATA_FIELDS = ("detente", "id", "title", "as_of", "description", "sources", "uncertainty", "levers", "models", "outcome_source")
METADATA_SHEET = "metadata"
_METADATA_START = re.compile(r"^#\s*detente\s*:")
_FORMULA_AFTER_COMMA = re.compile(r"[,;\t]\s*['\"]*[=+\-@\t\r]")
# Characters XML 1.0 cannot hold (openpyxl refuses them) and the carriage return (XML reads it back as a line feed)
_XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]")
XLSX_CELL_CHARACTERS = 32_767  # Excel's limit; longer text is cut when the file is opened
_SNIFF_CHARACTERS = 65536  # csv.Sniffer's regular expressions take minutes on megabytes
_ANCHOR_SPLIT = re.compile(r"(?<!\|)\|(?!\|)")


# -- a table independent of its file format -------------------------------------------------------


@dataclass
class _Cell:
    value: Any  # text from a CSV; text, number, date, ... from an XLSX
    ref: str | None = None  # the XLSX cell, e.g. "C5"


@dataclass
class _Table:
    header_line: int
    header: list[_Cell]
    rows: list[tuple[int, list[_Cell]]]
    decimal_comma: bool = False
    metadata: str = ""
    metadata_lines_are_file_lines: bool = True


def _where(column: str, cell: _Cell | None) -> str:
    return f"{column} ({cell.ref})" if cell is not None and cell.ref else column


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(WHITE_SPACE))


def _text(value: Any) -> str:
    if isinstance(value, float):
        return format_number(value)
    return str(value).strip(WHITE_SPACE)


def _show(value: Any) -> str:
    return format_number(value) if isinstance(value, float) else repr(value)


def _canonical(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


# -- reading --------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row and where its cells are, for reading values and naming them in problems."""

    line: int
    cells: list[_Cell]
    columns: dict[str, int]
    decimal_comma: bool
    problems: list[Problem]
    source: str | None

    def where(self, name: str) -> str:
        index = self.columns.get(name)
        return _where(name, self.cells[index] if index is not None and index < len(self.cells) else None)

    def problem(self, message: str, name: str | None) -> None:
        self.problems.append(Problem(message, self.where(name) if name else None, self.line, self.source))

    def value(self, name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(self.cells) or _is_empty(self.cells[index].value):
            return None
        return self.cells[index].value

    def text(self, name: str, required: bool = False) -> str | None:
        raw = self.value(name)
        if raw is None and required:
            self.problem("empty: every row needs a value in this column", name)
        return None if raw is None else _text(raw)

    def number(self, name: str, required: bool = False) -> float | None:
        raw = self.value(name)
        if raw is None:
            if required:
                self.problem("empty: every row needs a number in this column", name)
            return None
        try:
            return read_number(raw, self.decimal_comma)
        except ValueError as error:
            self.problem(str(error), name)
            return None

    def number_or_text(self, name: str) -> float | str | None:
        raw = self.value(name)
        if raw is None:
            return None
        parsed = parse_number(raw, self.decimal_comma)
        return parsed if parsed is not None else _text(raw)

    def anchors(self) -> dict[float, str] | None:
        """``0: label | 50: label`` -> ``{0.0: "label", 50.0: "label"}`` (``||`` is a literal ``|``)."""
        raw = self.text("anchors")
        if raw is None:
            return None
        anchors: dict[float, str] = {}
        for part in _ANCHOR_SPLIT.split(raw):
            if not part.strip(WHITE_SPACE):
                continue
            point, sep, label = part.partition(":")
            value = parse_number(point, self.decimal_comma)
            if not sep or value is None or not label.strip(WHITE_SPACE):
                self.problem(
                    f"cannot read anchor {part.strip()!r}: write 'value: label' pairs separated by '|', "
                    "e.g. '0: Full withdrawal | 100: Cession'",
                    "anchors",
                )
                return None
            anchors[value] = label.strip(WHITE_SPACE).replace("||", "|")
        return anchors or None

    def evidence(self, name: str = "evidence") -> list | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            items = json.loads(raw)
        except json.JSONDecodeError as error:
            self.problem(f"{name} must be a JSON list of objects: {error.msg} at character {error.pos}", name)
            return None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            self.problem(f'{name} must be a JSON list of objects, e.g. [{{"quote": "..."}}]', name)
            return None
        return items


@dataclass
class _Reader:
    """Turns a :class:`_Table` into a validated :class:`Scenario`, collecting every problem."""

    table: _Table
    source: str | None
    problems: list[Problem] = field(default_factory=list)
    lines: dict[tuple, int] = field(default_factory=dict)
    issues: dict[str, dict] = field(default_factory=dict)
    actors: dict[str, dict] = field(default_factory=dict)
    actor_index: dict[str, int] = field(default_factory=dict)
    rows_seen: dict[tuple[str, str], int] = field(default_factory=dict)
    capabilities: dict[str, list[tuple[float, int, str]]] = field(default_factory=dict)
    attributes: dict[tuple[str, str, str], tuple[Any, int]] = field(default_factory=dict)
    display_names: dict[tuple[str, str], str] = field(default_factory=dict)

    def problem(self, message: str, line: int | None, where: str | None = None) -> None:
        self.problems.append(Problem(message, where, line, self.source))

    def fail(self) -> None:
        self.problems.sort(key=lambda p: p.line if p.line is not None else 0)
        raise ScenarioError(self.problems, self.source)

    def read(self, default_id: str, default_title: str | None) -> Scenario:
        columns = self.columns()
        if any(name not in columns for name in REQUIRED):
            self.fail()
        metadata = self.metadata()
        if self.table.metadata.strip():
            default_title = None  # a file with a metadata block has the title it gives, or none
        single_issue = metadata["id"] if isinstance(metadata.get("id"), str) else default_id
        actor_ids, issue_ids = IdMaker("actor"), IdMaker("issue", lower=True)
        width = len(self.table.header)
        for line, cells in self.table.rows:
            row = _Row(line, cells, columns, self.table.decimal_comma, self.problems, self.source)
            if any(not _is_empty(c.value) for c in cells[width:]):
                row.problem(f"the row has {len(cells)} values but the header has {width} columns", None)
            actor_name = row.text("actor", required=True)
            issue_name = row.text("issue", required=True) if "issue" in columns else single_issue
            stance = self.stance(row)
            if actor_name is not None and issue_name is not None:
                self.add(row, actor_ids(actor_name), actor_name, issue_ids(issue_name), issue_name, stance)
        limits.check_counts(len(self.actors), len(self.issues), self.source)
        data = self.assemble(metadata, default_id, default_title)
        if self.problems:
            self.problems += remaining_problems(data, LineMap(self.lines), self.source)
            self.fail()
        return Scenario.from_dict(data, self.source, LineMap(self.lines))

    def columns(self) -> dict[str, int]:
        """Canonical column name -> index, reporting unknown, repeated and missing columns."""
        found: dict[str, int] = {}
        line = self.table.header_line
        for index, cell in enumerate(self.table.header):
            if _is_empty(cell.value):
                if any(index < len(cells) and not _is_empty(cells[index].value) for _, cells in self.table.rows):
                    self.problem(f"column {index + 1} has values but no name", line, _where(f"column {index + 1}", cell))
                continue
            raw = _text(cell.value)
            name = _canonical(raw)
            if name not in COLUMNS:
                self.problem(
                    f"unknown column {raw!r} (known columns: {', '.join(COLUMNS)}; aliases: "
                    f"{', '.join(f'{a}={c}' for a, c in ALIASES.items())})",
                    line,
                    _where(raw, cell),
                )
            elif name in found:
                self.problem(f"column {raw!r} repeats the {name!r} column", line, _where(raw, cell))
            else:
                found[name] = index
        for name in REQUIRED:
            if name not in found:
                self.problem(f"required column {name!r} is missing", line, name)
        return found

    @staticmethod
    def stance(row: _Row) -> dict[str, Any]:
        """The row's stance fields; ``capability`` is kept aside until the actor's value is known."""
        stance: dict[str, Any] = {name: row.number(name, required=True) for name in ("position", "salience", "capability")}
        for name in STANCE_NUMBERS:
            stance[name] = row.number(name)
        for name in STANCE_TEXTS:
            stance[name] = row.text(name)
        stance["evidence"] = row.evidence()
        return stance

    def add(self, row: _Row, actor_id: str, actor_name: str, issue_id: str, issue_name: str, stance: dict) -> None:
        line = row.line
        if (actor_id, issue_id) in self.rows_seen:
            row.problem(
                f"a second row for actor {actor_name!r} on issue {issue_name!r} (the first is on line "
                f"{self.rows_seen[actor_id, issue_id]})",
                "actor",
            )
            return
        self.rows_seen[actor_id, issue_id] = line
        if issue_id not in self.issues:
            self.lines[("issues", len(self.issues))] = line
            self.issues[issue_id] = {"id": issue_id}
            if issue_id != issue_name:
                self.display_names[("issue", issue_id)] = issue_name
        if actor_id not in self.actors:
            self.actor_index[actor_id] = len(self.actors)
            self.lines[("actors", len(self.actors))] = line
            self.actors[actor_id] = {"id": actor_id, "stances": {}}
            if actor_id != actor_name:
                self.display_names[("actor", actor_id)] = actor_name
        for name in ACTOR_COLUMNS:
            self.attribute(row, "actor", actor_id, name, row.evidence(name) if name == "actor_evidence" else row.text(name))
        for name in ISSUE_TEXTS:
            self.attribute(row, "issue", issue_id, name, row.text(name))
        for name in ISSUE_NUMBERS:
            self.attribute(row, "issue", issue_id, name, row.number(name))
        self.attribute(row, "issue", issue_id, "anchors", row.anchors())
        self.attribute(row, "issue", issue_id, "outcome", row.number_or_text("outcome"))

        capability = stance.pop("capability")
        if capability is not None:
            self.capabilities.setdefault(actor_id, []).append((capability, line, issue_id))
        self.actors[actor_id]["stances"][issue_id] = {
            k: v for k, v in stance.items() if v is not None or k in ("position", "salience")
        }
        self.lines[("actors", self.actor_index[actor_id], "stances", issue_id)] = line

    def attribute(self, row: _Row, kind: str, key: str, name: str, value: Any) -> None:
        """Record a per-actor or per-issue value; a different value for the same one is a problem."""
        if value is None:
            return
        slot = (kind, key, name)
        if slot not in self.attributes:
            self.attributes[slot] = (value, row.line)
        elif self.attributes[slot][0] != value:
            old, old_line = self.attributes[slot]
            row.problem(f"{name} {_show(value)} differs from {_show(old)} given for {kind} {key!r} on line {old_line}", name)

    def assemble(self, metadata: dict, default_id: str, default_title: str | None) -> dict:
        issue_index = {key: k for k, key in enumerate(self.issues)}
        actor_index = {key: a for a, key in enumerate(self.actors)}
        for (kind, key), name in self.display_names.items():
            slot = (kind, key, "actor_name" if kind == "actor" else "issue_title")
            if slot not in self.attributes:
                self.attributes[slot] = (name, self.lines[(f"{kind}s", (actor_index if kind == "actor" else issue_index)[key])])
        for (kind, key, name), (value, line) in self.attributes.items():
            if kind == "actor":
                target, path = self.actors[key], ("actors", actor_index[key], ACTOR_COLUMNS[name])
                target[ACTOR_COLUMNS[name]] = value
            else:
                target, field_name = self.issues[key], ISSUE_TEXTS.get(name, name)
                if name in ("scale_min", "scale_max"):
                    field_name = "scale"
                else:
                    target[field_name] = value
                path = ("issues", issue_index[key], field_name)
            self.lines.setdefault(path, line)
        for key, issue in self.issues.items():
            lo, hi = self.attributes.get(("issue", key, "scale_min")), self.attributes.get(("issue", key, "scale_max"))
            if (lo is None) != (hi is None):
                given, line = ("scale_min", lo[1]) if lo else ("scale_max", hi[1])
                missing = "scale_max" if lo else "scale_min"
                self.problem(f"{given} is given for issue {key!r} but {missing} is not: give both ends of the scale", line, given)
            elif lo is not None:
                issue["scale"] = [lo[0], hi[0]]
        for key, entries in self.capabilities.items():
            chosen = actor_capability(value for value, _, _ in entries)
            self.actors[key]["capability"] = chosen
            self.lines[("actors", actor_index[key], "capability")] = next(line for value, line, _ in entries if value == chosen)
            for value, _, issue_id in entries:
                if value != chosen:
                    self.actors[key]["stances"][issue_id]["capability"] = value
        data: dict[str, Any] = {"detente": 1, "id": default_id}
        if default_title:
            data["title"] = default_title
        data.update(metadata)
        data["issues"] = list(self.issues.values())
        data["actors"] = list(self.actors.values())
        return data

    def metadata(self) -> dict:
        """The YAML metadata block (CSV comment lines or the XLSX ``metadata`` sheet)."""
        text = self.table.metadata
        if not text.strip():
            return {}
        try:
            data, line_map = parse_yaml(text)
        except (yaml.YAMLError, ValueError) as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None and self.table.metadata_lines_are_file_lines else None
            reason = getattr(error, "problem", None) or str(error)
            self.problem(f"the metadata is not valid YAML: {reason}", line, "metadata")
            return {}
        if not isinstance(data, dict):
            self.problem("the metadata must be YAML fields (title: ..., as_of: ...)", None, "metadata")
            return {}
        for key in ("issues", "actors"):
            if key in data:
                self.problem(f"{key} come from the table's rows, not from the metadata", None, f"metadata.{key}")
                data.pop(key)
        if self.table.metadata_lines_are_file_lines and line_map is not None:
            for key in data:
                line = line_map((key,))
                if line is not None:
                    self.lines[(key,)] = line
        return data


def _read(table: _Table, source: str | None) -> Scenario:
    return _Reader(table, source).read(scenario_id_for(source), file_stem(source))


# -- CSV ------------------------------------------------------------------------------------------


def _comment(line: str) -> str | None:
    """The text of a comment line (``# ...``, or ``"# ..."`` as one quoted cell), else None."""
    stripped = line.strip()
    if stripped.startswith('"#'):
        cells = next(csv.reader([stripped]), [])
        return cells[0] if len(cells) == 1 else None
    return stripped if stripped.startswith("#") else None


def _split_preamble(lines: list[str]) -> tuple[int, str]:
    """How many leading lines are comments, and the metadata YAML among them (blank-padded so
    that YAML line numbers are file line numbers)."""
    count = 0
    while count < len(lines) and (not lines[count].strip() or _comment(lines[count]) is not None):
        count += 1
    while count and not lines[count - 1].strip():
        count -= 1
    start = next((i for i in range(count) if _METADATA_START.match(_comment(lines[i]) or "")), None)
    if start is None:
        return count, ""
    yaml_lines = [""] * start
    for line in lines[start:count]:
        body = (_comment(line) or "#")[1:]
        yaml_lines.append(body[1:] if body.startswith(" ") else body)
    return count, "\n".join(yaml_lines)


def _delimiter(sample: str, header: str) -> str:
    """Comma, semicolon or tab, as :class:`csv.Sniffer` finds it; when it finds none, or one the
    header row does not contain, the one the header row (whose names hold none) has most of."""
    try:
        found = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        if found in header:
            return found
    except csv.Error:
        pass
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(text: str, source: str | None = None) -> Scenario:
    """Read the flat table from CSV text (comma, semicolon or tab separated)."""
    allow_long_csv_fields()
    text = text.lstrip("\ufeff")
    lines = lines_of_text(text)  # read lazily: a 50 MB file is not split up front
    head: list[str] = []  # the leading comment and blank lines
    header = next(lines, "")
    while header and (not header.strip() or _comment(header) is not None):
        head.append(header)
        header = next(lines, "")
    if not header:
        raise ScenarioError([Problem("the file has no header row and no data", file=source)], source)
    skip, (_, metadata) = len(head), _split_preamble([line.rstrip("\r\n") for line in head])
    start_of_body = sum(map(len, head))
    delimiter = _delimiter(text[start_of_body : start_of_body + _SNIFF_CHARACTERS], header[:_SNIFF_CHARACTERS])
    reader = csv.reader(itertools.chain([header], lines), delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=True)
    records: list[tuple[int, list[_Cell]]] = []
    consumed = cells = 0
    max_rows, max_columns, max_cells = limits.ROWS.value + 1, limits.COLUMNS.value, limits.CELLS.value
    try:
        for row in reader:
            start = skip + consumed + 1
            consumed = reader.line_num
            if row and any(cell.strip(WHITE_SPACE) for cell in row):
                if len(records) == max_rows:
                    raise limits.ROWS.exceeded(f"the table has more than {max_rows - 1:,} rows below its header", source, start)
                if len(row) > max_columns:
                    raise limits.COLUMNS.exceeded(f"the row has {len(row):,} cells", source, start)
                cells += len(row)
                if cells > max_cells:
                    raise limits.CELLS.exceeded(f"the table has more than {max_cells:,} cells", source, start)
                records.append((start, [_Cell(restore(cell)) for cell in row]))
    except csv.Error as error:
        raise ScenarioError([Problem(f"cannot read the CSV: {error}", line=skip + reader.line_num, file=source)], source) from None
    if records and unclosed_quote(itertools.islice(lines_of_text(text), records[-1][0] - 1, None), delimiter):
        message = 'a quote (") opened in this row is never closed: the rest of the file was read as one cell; close it or remove it'
        raise ScenarioError([Problem(message, line=records[-1][0], file=source)], source)
    if not records:
        raise ScenarioError([Problem("the file has no header row and no data", file=source)], source)
    header_line, header = records[0]
    table = _Table(header_line, header, records[1:], decimal_comma=delimiter != ",", metadata=metadata)
    return _read(table, source)


# -- XLSX -----------------------------------------------------------------------------------------


def _sheet_cells(sheet: Any, problems: list[Problem], source: str | None) -> list[tuple[int, list[_Cell]]]:
    """The sheet's non-empty rows, streamed (openpyxl's read-only mode) and stopped at the first
    row, column or cell beyond the limits (a far cell such as XFD1048576 would otherwise make
    openpyxl fill in every empty cell before it)."""
    from openpyxl.utils import get_column_letter

    sheet.reset_dimensions()  # the declared dimension may lie; read only the cells there are
    max_rows, max_columns, max_cells = limits.ROWS.value + 1, limits.COLUMNS.value, limits.CELLS.value
    rows, cell_count = [], 0
    for line, row in enumerate(sheet.iter_rows(), start=1):
        if not row:
            continue
        if line > max_rows:
            raise limits.ROWS.exceeded(f"sheet {sheet.title!r} has rows beyond row {max_rows:,}", source, line)
        if len(row) > max_columns:
            raise limits.COLUMNS.exceeded(f"sheet {sheet.title!r} has a cell in column {len(row):,} ({get_column_letter(len(row))})", source, line)
        cells = []
        for column, cell in enumerate(row, start=1):
            value = cell.value
            ref = f"{get_column_letter(column)}{line}"
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                problems.append(
                    Problem(
                        f"cell {ref} of sheet {sheet.title!r} holds a formula ({str(value)[:40]!r}); "
                        "detente never evaluates formulas: replace it with its value",
                        f"{sheet.title}!{ref}",
                        line,
                        source,
                    )
                )
                value = None
            cells.append(_Cell(value, ref))
        if any(not _is_empty(c.value) for c in cells):
            cell_count += len(cells)
            if cell_count > max_cells:
                raise limits.CELLS.exceeded(f"sheet {sheet.title!r} has more than {max_cells:,} cells", source, line)
            rows.append((line, cells))
    return rows


def _check_parts(data: bytes, source: str | None) -> None:
    """Refuse a workbook whose parts unpack beyond the limit, from the zip directory's sizes,
    before openpyxl unpacks anything (a zip bomb is a few kilobytes that unpack to gigabytes)."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ScenarioError([Problem(f"not a readable .xlsx workbook (not a zip archive: {error})", file=source)], source) from None
    cap = limits.XLSX_PART_MB.value * 2**20
    for part in parts:
        if part.file_size > cap:
            found = f"part {part.filename!r} of the workbook unpacks to {part.file_size / 2**20:,.0f} MB"
            raise limits.XLSX_PART_MB.exceeded(found, source)
    total = sum(part.file_size for part in parts)
    if total > 2 * cap:
        raise limits.XLSX_PART_MB.exceeded(f"the workbook unpacks to {total / 2**20:,.0f} MB in all (twice the limit of one part is allowed)", source)
    for part in parts:  # openpyxl reads the whole shared-strings table up front, at some microseconds a text
        if part.filename.lower().endswith("sharedstrings.xml"):
            try:
                count = archive.read(part).count(b"<si")
            except (zipfile.BadZipFile, ValueError, OSError, EOFError):
                continue  # openpyxl names the damage
            if count > limits.XLSX_STRINGS.value:
                raise limits.XLSX_STRINGS.exceeded(f"the workbook's table of texts holds {count:,} texts", source)


def read_xlsx(data: bytes, source: str | None = None) -> Scenario:
    """Read the flat table from the first sheet of an XLSX workbook (formulas are refused)."""
    from openpyxl import load_workbook

    _check_parts(data, source)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds of errors for a damaged file
        raise ScenarioError([Problem(f"not a readable .xlsx workbook ({type(error).__name__}: {error})", file=source)], source) from None
    try:
        problems: list[Problem] = []
        tables = [ws for ws in workbook.worksheets if ws.title.strip().lower() != METADATA_SHEET]
        if not tables:
            raise ScenarioError([Problem("the workbook has no sheet with the table", file=source)], source)
        rows = _sheet_cells(tables[0], problems, source)
        metadata = ""
        for sheet in workbook.worksheets:
            if sheet.title.strip().lower() == METADATA_SHEET:
                by_row = {line: cells[0].value for line, cells in _sheet_cells(sheet, problems, source)}
                last = max(by_row, default=0)
                metadata = "\n".join("" if _is_empty(by_row.get(r)) else str(by_row[r]) for r in range(1, last + 1))
    except ScenarioError:
        raise
    except Exception as error:  # read-only mode parses while iterating: a damaged sheet fails here
        raise ScenarioError([Problem(f"not a readable .xlsx workbook ({type(error).__name__}: {error})", file=source)], source) from None
    finally:
        workbook.close()
    if problems:
        raise ScenarioError(problems, source)
    if not rows:
        raise ScenarioError([Problem(f"sheet {tables[0].title!r} is empty", file=source)], source)
    header_line, header = rows[0]
    table = _Table(header_line, header, rows[1:], metadata=metadata, metadata_lines_are_file_lines=False)
    return _read(table, source)


# -- writing --------------------------------------------------------------------------------------


def _anchors_text(anchors: dict[float, str]) -> str:
    return " | ".join(f"{format_number(point)}: {label.replace('|', '||')}" for point, label in sorted(anchors.items()))


def _records(scenario: Scenario) -> tuple[list[str], list[dict[str, Any]]]:
    """The table's columns (only those with a value somewhere) and one record per stance.

    Short per-actor and per-issue values are repeated on every row (the table stays readable
    when sorted or filtered); anchors and descriptions are written on the first row only.
    """
    lonely = [a.id for a in scenario.actors if not any(i.id in a.stances for i in scenario.issues)]
    if lonely:
        raise ScenarioError(
            [Problem("the actor has no stance, so the flat table has no row for it; save as YAML", f"actors[{a}]", None, scenario.origin) for a in lonely],
            scenario.origin,
        )
    records = []
    issues = {issue.id: issue for issue in scenario.issues}
    issues_written: set[str] = set()
    for actor in scenario.actors:
        for issue_id in [i.id for i in scenario.issues if i.id in actor.stances]:
            stance, issue = actor.stances[issue_id], issues[issue_id]
            record = {
                "actor": actor.id,
                "actor_name": actor.name,
                "group": actor.group,
                "actor_description": actor.description,
                "actor_evidence": json.dumps([e.model_dump(exclude_none=True) for e in actor.evidence], ensure_ascii=False)
                if actor.evidence
                else None,
                "issue": issue.id,
                "issue_title": issue.title,
                "position": stance.position,
                "salience": stance.salience,
                "capability": stance.capability if stance.capability is not None else actor.capability,
                "position_sd": stance.position_sd,
                "salience_sd": stance.salience_sd,
                "basis": stance.basis,
                "source": stance.source,
                "evidence": json.dumps([e.model_dump(exclude_none=True) for e in stance.evidence], ensure_ascii=False)
                if stance.evidence
                else None,
                "scale_min": issue.lo if issue.scale != (0.0, 100.0) else None,
                "scale_max": issue.hi if issue.scale != (0.0, 100.0) else None,
                "status_quo": issue.status_quo,
                "anchors": _anchors_text(issue.anchors) if issue.anchors else None,
                "issue_description": issue.description,
                "outcome": issue.outcome,
                "outcome_source": issue.outcome_source,
            }
            if issue.id in issues_written:
                record.update(anchors=None, issue_description=None, outcome_source=None)
            if records and records[-1]["actor"] == actor.id:
                record.update(actor_description=None, actor_evidence=None)
            issues_written.add(issue.id)
            records.append(record)
    if any(r["scale_min"] is not None for r in records):
        for r in records:
            r["scale_min"], r["scale_max"] = issues[r["issue"]].lo, issues[r["issue"]].hi
    columns = [c for c in COLUMNS if c in REQUIRED or c == "issue" or any(r[c] is not None for r in records)]
    return columns, records


def _metadata_yaml(scenario: Scenario) -> str:
    from detente.io.yaml_io import _Dumper, to_dict

    data = to_dict(scenario)
    metadata = {key: data[key] for key in METADATA_FIELDS if key in data}
    return yaml.dump(metadata, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def write_csv(scenario: Scenario) -> str:
    """The scenario as CSV: a ``# detente: 1`` metadata block, a header row, one row per stance.

    Text cells that a spreadsheet would run as a formula are neutralised with a leading
    apostrophe (see :func:`~detente.io.common.neutralise`), which the reader removes; a metadata
    line in which a comma is followed by such text is written as one quoted cell, so that no part
    of it becomes a formula cell of its own in a spreadsheet.
    """
    metadata = []
    for line in _metadata_yaml(scenario).split("\n")[:-1]:
        comment = f"# {line}" if line else "#"
        metadata.append(csv_text([[comment]]) if _FORMULA_AFTER_COMMA.search(comment) else comment + "\r\n")
    columns, records = _records(scenario)
    rows = [[_csv_cell(record[c]) for c in columns] for record in records]
    return "".join(metadata) + csv_text([columns, *rows])


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return NumberText(format_number(value)) if isinstance(value, float) else value


def write_xlsx(scenario: Scenario) -> bytes:
    """The scenario as an XLSX workbook: sheet ``stances`` (the table) and sheet ``metadata``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns, records = _records(scenario)
    problems = []
    for r in records:
        for c in columns:
            where = f"{r['actor']}/{r['issue']}.{c}"
            if isinstance(r[c], str) and r[c].startswith("="):
                problems.append(Problem("text starting with '=' would turn into a formula in a spreadsheet; change the text", where, None, scenario.origin))
            elif isinstance(r[c], str) and _xlsx_cell_problem(r[c]):
                problems.append(Problem(_xlsx_cell_problem(r[c]), where, None, scenario.origin))
    metadata_lines = _metadata_yaml(scenario).splitlines()
    problems += [Problem(_xlsx_cell_problem(line), "metadata", None, scenario.origin) for line in metadata_lines if _xlsx_cell_problem(line)]
    if problems:
        raise ScenarioError(problems, scenario.origin)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "stances"
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([plain(record[c]) if isinstance(record[c], float) else record[c] for c in columns])
    sheet.freeze_panes = "A2"
    meta = workbook.create_sheet(METADATA_SHEET)
    for line in metadata_lines:
        meta.append([line if line else None])
    return _workbook_bytes(workbook)


def _xlsx_cell_problem(text: str) -> str | None:
    if len(text) > XLSX_CELL_CHARACTERS:
        return f"the text has {len(text):,} characters; a spreadsheet cell holds at most {XLSX_CELL_CHARACTERS:,}: shorten it or save as .yaml or .csv"
    found = sorted({f"U+{ord(ch):04X}" for ch in _XLSX_UNSAFE.findall(text)})
    if found:
        return f"the text holds control characters ({', '.join(found)}) that an .xlsx file cannot hold; remove them or save as .yaml or .csv"
    return None


def _workbook_bytes(workbook: Any) -> bytes:
    """The saved workbook. openpyxl streams each sheet through a temporary file; when that write
    fails (a full disk), its half-run writer complains again while being collected, after the
    error is already reported: that second report is silenced, the error itself is raised."""
    out = io.BytesIO()
    hook, sys.unraisablehook = sys.unraisablehook, lambda unraisable: None
    try:
        try:
            workbook.save(out)
            return out.getvalue()
        except OSError as error:
            failure = OSError(error.errno, error.strerror)
        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise failure
