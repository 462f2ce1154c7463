"""KTAB SMP scenarios (KAPSARC's Spatial Model of Politics), CSV and XML.

**CSV** (as KTAB's ``SMPModel::csvRead`` reads it): row 1 ``name, description, nActors,
nDims``; row 2 the headers ``Actor, Description, Power, <position>, <salience>, ...`` (one
position and one salience column per dimension; KTAB ignores the header texts); then one row
per actor. Spaces around values and trailing commas are ignored. The number of actor rows and
of value columns must match the first row. Dimensions are named from their position headers:
``Policy Position`` gives the issue ``policy`` titled ``Policy``; KTAB's generic ``Pstn1`` gives
``d1``. XML dimension names are lower-cased and slugified into ids and kept as titles.

**XML** (as ``SMPModel::xmlRead``): ``Scenario`` with ``name``, ``desc``, ``prngSeed``,
``ModelParameters``, ``Dimensions/dName``, ``Actors/Actor`` (``name``, ``description``,
``capability``, ``Position/dCoord``, ``Salience/dSal``) and optional ``IdealAdjustment/iaPair``.
Parsed with the standard library's expat parser (the parser under :mod:`xml.etree`), which
gives the line numbers for messages; a file with a DTD or entity declarations is refused.

Values, as KTAB checks them: positions and saliences lie in 0..100 per dimension, and an
actor's saliences sum to at most 100. Every issue gets the scale [0, 100]. Saliences stay in
KTAB's 0..100 units, except that a file whose saliences are all <= 1 is stored divided by 100:
detente reads a file whose saliences are all <= 1 as 0..1, and KTAB means 0..100.

An element without text, such as the empty first ``dCoord`` of Alice in KTAB's
``smpExample.xml``, is an error, as in KTAB since October 2017 (commit 13ed507, "Error handling
in xmlread method", which emptied that element to exercise the check: ``no text for the
following xml element: dCoord``). KTAB's reference log ``20170530_ref-smpExample.txt`` was made
before that commit, with the value 52.8 (``Read dimension 0: 52.80``). detente never fills in
a missing number.

The XML's model parameters go to ``scenario.models["smp"]`` with KTAB's value spellings:
``victory_prob_model`` (VictoryProbModel), ``pce_model`` (PCEModel), ``state_transition``
(StateTransitions), ``voting_rule``, ``big_r_adjust``, ``big_r_range``, ``third_party_commit``,
``inter_vec_brgn``, ``bargn_model``, ``seed`` (prngSeed as an integer) and ``accommodation``
(the ``IdealAdjustment`` pairs as ``{actor: {reference actor: weight}}``, entries of the identity
matrix that the pairs override, as KTAB does). Actor ids are the slugified names; a name that
is not a slug is kept as ``name``. The scenario id comes from the file name, the title from the
scenario's name.
"""

from __future__ import annotations

import csv
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.io import limits
from detente.io.common import IdMaker, remaining_problems, scenario_id_for
from detente.scenario import LineMap, Scenario, read_number

SCALE = [0.0, 100.0]
PARAMETERS = {  # XML element -> (option name, KTAB's values)
    "VictoryProbModel": ("victory_prob_model", ("Linear", "Square", "Quartic", "Octic", "Binary")),
    "PCEModel": ("pce_model", ("Conditional", "MarkovIncentive", "MarkovUniform")),
    "StateTransitions": ("state_transition", ("Deterministic", "Stochastic")),
    "VotingRule": ("voting_rule", ("Proportional", "Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp")),
    "BigRAdjust": ("big_r_adjust", ("OneThird", "None", "Half", "TwoThirds", "Full")),
    "BigRRange": ("big_r_range", ("Mid", "Min", "Max")),
    "ThirdPartyCommit": ("third_party_commit", ("SemiCommit", "NoCommit", "FullCommit")),
    "InterVecBrgn": ("inter_vec_brgn", ("S2P2", "S1P1", "S2PMax")),
    "BargnModel": ("bargn_model", ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp")),
}
_GENERIC_POSITION = re.compile(r"^\s*(pstn|pos|position|dim|dimension)?\s*\d*\s*$", re.IGNORECASE)
_POSITION_WORD = re.compile(r"\s*\b(position|pstn|pos)\b\s*\d*\s*$", re.IGNORECASE)


def _dimension_name(header: str) -> str | None:
    """``Policy Position`` -> ``Policy``; generic headers (``Pstn1``, ``3``) -> None."""
    if _GENERIC_POSITION.match(header):
        return None
    return _POSITION_WORD.sub("", header).strip() or None


@dataclass
class _Builder:
    """Collects actors, issues and problems of a KTAB file into a scenario mapping."""

    source: str | None
    problems: list[Problem] = field(default_factory=list)
    lines: dict[tuple, int] = field(default_factory=dict)
    actors: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    actor_ids: IdMaker = field(default_factory=lambda: IdMaker("actor"))

    def problem(self, message: str, line: int | None, where: str | None = None) -> None:
        self.problems.append(Problem(message, where, line, self.source))

    def number(self, text: str | None, line: int | None, where: str, what: str) -> float | None:
        if text is None or not text.strip():
            self.problem(f"no {what} given (empty or missing); KTAB refuses this too: fill in a number", line, where)
            return None
        try:
            return read_number(text)
        except ValueError as error:
            self.problem(str(error), line, where)
            return None

    def add_issue(self, issue_id: str, title: str | None, line: int | None) -> None:
        self.lines[("issues", len(self.issues))] = line
        issue = {"id": issue_id, "scale": list(SCALE)}
        if title and title != issue_id:
            issue["title"] = title
        self.issues.append(issue)

    def add_actor(self, name: str, description: str, capability: float | None, line: int | None, capability_line: int | None) -> dict:
        actor: dict[str, Any] = {"id": self.actor_ids(name), "stances": {}}
        if name != actor["id"]:
            actor["name"] = name
        if description and description != name:
            actor["description"] = description
        if capability is not None:
            actor["capability"] = capability
        a = len(self.actors)
        self.lines[("actors", a)] = line
        self.lines[("actors", a, "capability")] = capability_line
        self.actors.append(actor)
        return actor

    def add_stance(self, actor: dict, k: int, position: float | None, salience: float | None, lines: tuple[int | None, int | None]) -> None:
        issue_id = self.issues[k]["id"]
        a = len(self.actors) - 1
        actor["stances"][issue_id] = {"position": position, "salience": salience}
        self.lines[("actors", a, "stances", issue_id)] = lines[0]
        self.lines[("actors", a, "stances", issue_id, "position")] = lines[0]
        self.lines[("actors", a, "stances", issue_id, "salience")] = lines[1]

    def check_salience_budget(self) -> None:
        """KTAB refuses saliences outside 0..100 (a range detente checks too) and an actor whose
        saliences sum to more than 100."""
        for a, actor in enumerate(self.actors):
            total = sum(s["salience"] for s in actor["stances"].values() if s["salience"] is not None)
            if total > 100 + 1e-9:
                self.problem(
                    f"the saliences of actor {actor.get('name', actor['id'])!r} sum to {total:g}; KTAB allows at most 100",
                    self.lines[("actors", a)],
                    f"actors[{actor['id']}].salience",
                )

    def scenario(self, data: dict) -> Scenario:
        self.check_salience_budget()
        saliences = [s["salience"] for a in self.actors for s in a["stances"].values() if s["salience"] is not None]
        if saliences and max(saliences) <= 1.0:
            for actor in self.actors:
                for stance in actor["stances"].values():
                    if stance["salience"] is not None:
                        stance["salience"] /= 100.0
        data = {"detente": 1, "id": scenario_id_for(self.source, data.get("title") or "ktab"), **data}
        data["issues"], data["actors"] = self.issues, self.actors
        lines = LineMap({k: v for k, v in self.lines.items() if v is not None})
        if self.problems:
            problems = self.problems + remaining_problems(data, lines, self.source)
            problems.sort(key=lambda p: p.line if p.line is not None else 0)
            raise ScenarioError(problems, self.source)
        return Scenario.from_dict(data, self.source, lines)


# -- CSV ------------------------------------------------------------------------------------------


def read_ktab_csv(text: str, source: str | None = None) -> Scenario:
    """Read a KTAB SMP CSV scenario (see the module docstring)."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    reader = csv.reader(lines, skipinitialspace=True)
    rows: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for row in reader:
            start, consumed = consumed + 1, reader.line_num
            cells = [cell.strip() for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > limits.COLUMNS.value:
                raise limits.COLUMNS.exceeded(f"the row has {len(cells):,} cells", source, start)
            if cells:
                rows.append((start, cells))
            if len(rows) > limits.ACTORS.value + 2:
                raise limits.ACTORS.exceeded(f"the file has more than {limits.ACTORS.value:,} actor rows", source, start)
    except csv.Error as error:
        raise ScenarioError([Problem(f"cannot read the CSV: {error}", line=reader.line_num, file=source)], source) from None
    builder = _Builder(source)
    if len(rows) < 2:
        raise ScenarioError([Problem("a KTAB CSV needs a first row (name, description, actors, dimensions) and a header row", file=source)], source)
    (first_line, first), (header_line, header) = rows[0], rows[1]
    counts = [None, None]
    for index, what in ((2, "number of actors"), (3, "number of dimensions")):
        text_value = first[index] if index < len(first) else None
        value = builder.number(text_value, first_line, f"column {index + 1}", what)
        if value is not None and (not value.is_integer() or value < 1):
            builder.problem(f"the {what} must be a whole number >= 1, got {text_value!r}", first_line, f"column {index + 1}")
        elif value is not None:
            counts[index - 2] = int(value)
    if builder.problems:
        raise ScenarioError(builder.problems, source)
    n_actors, n_dims = counts
    if n_dims > limits.ISSUES.value:
        raise limits.ISSUES.exceeded(f"the first row announces {n_dims:,} dimensions (issues)", source, first_line)
    if n_actors > limits.ACTORS.value:
        raise limits.ACTORS.exceeded(f"the first row announces {n_actors:,} actors", source, first_line)
    width = 3 + 2 * n_dims
    if len(header) != width:
        builder.problem(
            f"the header has {len(header)} columns; {n_dims} dimension(s) need {width} (Actor, Description, Power, "
            "then a position and a salience column per dimension)",
            header_line,
        )
    issue_ids = IdMaker("d", lower=True)
    for k in range(n_dims):
        title = _dimension_name(header[3 + 2 * k]) if 3 + 2 * k < len(header) else None
        builder.add_issue(issue_ids((title or f"d{k + 1}").lower()), title, header_line)
    actor_rows = rows[2:]
    if len(actor_rows) != n_actors:
        builder.problem(f"the first row announces {n_actors} actors, the file has {len(actor_rows)} actor rows", first_line, "column 3")
    for line, cells in actor_rows:
        if len(cells) != width:
            builder.problem(f"the row has {len(cells)} values, expected {width}", line)
        cells = cells + [""] * (width - len(cells))
        if not cells[0]:
            builder.problem("the actor's name is empty", line, header[0] if header else "Actor")
            continue
        capability = builder.number(cells[2], line, _column(header, 2), "power")
        actor = builder.add_actor(cells[0], cells[1], capability, line, line)
        for k in range(n_dims):
            position = builder.number(cells[3 + 2 * k], line, _column(header, 3 + 2 * k), "position")
            salience = builder.number(cells[4 + 2 * k], line, _column(header, 4 + 2 * k), "salience")
            builder.add_stance(actor, k, position, salience, (line, line))
    data = {"title": first[0] if first and first[0] else None, "description": first[1] if len(first) > 1 and first[1] else None}
    return builder.scenario({k: v for k, v in data.items() if v is not None})


def _column(header: list[str], index: int) -> str:
    return header[index] if index < len(header) and header[index] else f"column {index + 1}"


# -- XML ------------------------------------------------------------------------------------------


@dataclass
class _Node:
    """An XML element with the line it starts on."""

    tag: str
    line: int
    parts: list[str] = field(default_factory=list)  # the text as expat delivers it, joined once
    children: list["_Node"] = field(default_factory=list)

    @property
    def text(self) -> str:
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    def find(self, tag: str) -> "_Node | None":
        return next((child for child in self.children if child.tag == tag), None)

    def findall(self, tag: str) -> list["_Node"]:
        return [child for child in self.children if child.tag == tag]

    def child_text(self, tag: str) -> str | None:
        child = self.find(tag)
        return child.text.strip() if child is not None else None


def _parse_xml(text: str, source: str | None) -> _Node:
    """Parse with expat, keeping line numbers; DTDs and entities are refused."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ScenarioError([Problem("XML with a DTD or entity declarations is refused", file=source)], source)
    parser = xml.parsers.expat.ParserCreate()
    root = _Node("", 0)
    stack = [root]
    depth, elements = limits.XML_DEPTH.value, [0, limits.CELLS.value]

    def start(tag: str, attributes: dict) -> None:
        node = _Node(tag, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)
        elements[0] += 1
        if len(stack) - 1 > depth:
            raise limits.XML_DEPTH.exceeded(f"elements are nested more than {depth:,} deep", source, parser.CurrentLineNumber)
        if elements[0] > elements[1]:
            raise limits.CELLS.exceeded(f"the file has more than {elements[1]:,} elements", source, parser.CurrentLineNumber)

    def end(tag: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        stack[-1].parts.append(data)

    def refuse(*args: Any) -> None:
        raise ScenarioError([Problem("XML with a DTD or entity declarations is refused", line=parser.CurrentLineNumber, file=source)], source)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text.lstrip("\ufeff"), True)
    except xml.parsers.expat.ExpatError as error:
        message = xml.parsers.expat.errors.messages.get(error.code, str(error))
        raise ScenarioError([Problem(f"not well-formed XML: {message}", line=error.lineno, file=source)], source) from None
    return root


def read_ktab_xml(text: str, source: str | None = None) -> Scenario:
    """Read a KTAB SMP XML scenario (see the module docstring)."""
    root = _parse_xml(text, source)
    scenario = root.find("Scenario")
    if scenario is None:
        tag = root.children[0].tag if root.children else "nothing"
        raise ScenarioError([Problem(f"expected a <Scenario> element, found <{tag}>", line=1, file=source)], source)
    builder = _Builder(source)
    options = _model_parameters(scenario, builder)
    dimensions = scenario.find("Dimensions")
    names = dimensions.findall("dName") if dimensions is not None else []
    if len(names) > limits.ISSUES.value:
        raise limits.ISSUES.exceeded(f"the file has {len(names):,} dimensions (issues)", source, dimensions.line)
    actors_node = scenario.find("Actors")
    actor_nodes = actors_node.findall("Actor") if actors_node is not None else []
    if len(actor_nodes) > limits.ACTORS.value:
        raise limits.ACTORS.exceeded(f"the file has {len(actor_nodes):,} actors", source, actors_node.line)
    if not names:
        builder.problem("no <Dimensions>/<dName> elements: KTAB needs at least one dimension", scenario.line, "Dimensions")
    issue_ids = IdMaker("d", lower=True)
    for k, node in enumerate(names):
        title = node.text.strip() or None
        builder.add_issue(issue_ids((title or f"d{k + 1}").lower()), title, node.line)
    if not actor_nodes:
        builder.problem("no <Actors>/<Actor> elements", scenario.line, "Actors")
    names_to_ids = {}
    for node in actor_nodes:
        actor = _xml_actor(node, builder, len(names))
        if actor is not None:
            names_to_ids[actor.get("name", actor["id"])] = actor["id"]
    accommodation = _ideal_adjustment(scenario, builder, names_to_ids)
    if accommodation:
        options["accommodation"] = accommodation
    data: dict[str, Any] = {}
    for key, tag in (("title", "name"), ("description", "desc")):
        value = scenario.child_text(tag)
        if value:
            data[key] = value
    if options:
        data["models"] = {"smp": options}
    return builder.scenario(data)


def _model_parameters(scenario: _Node, builder: _Builder) -> dict[str, Any]:
    options: dict[str, Any] = {}
    seed = scenario.find("prngSeed")
    if seed is not None:
        text = seed.text.strip()
        if text.isdigit() and int(text) < 2**64:
            options["seed"] = int(text)
            builder.lines[("models", "smp", "seed")] = seed.line
        else:
            builder.problem(f"prngSeed must be a whole number from 0 to 2^64-1, got {text!r}", seed.line, "prngSeed")
    parameters = scenario.find("ModelParameters")
    if parameters is None:
        return options
    for tag, (name, values) in PARAMETERS.items():
        node = parameters.find(tag)
        if node is None:
            builder.problem(f"<{tag}> is missing (KTAB needs all nine model parameters)", parameters.line, f"ModelParameters.{tag}")
            continue
        given = node.text.strip()
        match = next((v for v in values if v.lower() == given.lower()), None)
        if match is None:
            builder.problem(f"unknown {tag} {given!r}; KTAB knows {', '.join(values)}", node.line, f"ModelParameters.{tag}")
        else:
            options[name] = match
            builder.lines[("models", "smp", name)] = node.line
    return options


def _xml_actor(node: _Node, builder: _Builder, n_dims: int) -> dict | None:
    name = node.child_text("name")
    if not name:
        builder.problem("the actor has no <name>", node.line, "Actor.name")
        return None
    where = f"Actor[{name}]"
    capability_node = node.find("capability")
    capability = builder.number(
        capability_node.text if capability_node is not None else None,
        capability_node.line if capability_node is not None else node.line,
        f"{where}.capability",
        "capability",
    )
    actor = builder.add_actor(name, node.child_text("description") or "", capability, node.line, capability_node.line if capability_node is not None else None)
    values = {}
    for group, tag, what in (("Position", "dCoord", "position"), ("Salience", "dSal", "salience")):
        parent = node.find(group)
        elements = parent.findall(tag) if parent is not None else []
        if len(elements) != n_dims:
            builder.problem(
                f"{len(elements)} <{tag}> element(s) for {n_dims} dimension(s)",
                parent.line if parent is not None else node.line,
                f"{where}.{group}",
            )
        values[what] = [
            (builder.number(e.text, e.line, f"{where}.{group}.{tag}[{k + 1}]", what), e.line) for k, e in enumerate(elements)
        ]
    for k in range(min(n_dims, len(values["position"]), len(values["salience"]))):
        (position, position_line), (salience, salience_line) = values["position"][k], values["salience"][k]
        builder.add_stance(actor, k, position, salience, (position_line, salience_line))
    return actor


def _ideal_adjustment(scenario: _Node, builder: _Builder, names_to_ids: dict[str, str]) -> dict[str, dict[str, float]]:
    """KTAB's ``IdealAdjustment`` pairs as ``{actor id: {reference actor id: weight}}``."""
    adjustment = scenario.find("IdealAdjustment")
    matrix: dict[str, dict[str, float]] = {}
    for pair in adjustment.findall("iaPair") if adjustment is not None else []:
        ids = []
        for tag in ("adjustingIdeal", "referencePos"):
            name = pair.child_text(tag) or ""
            if name not in names_to_ids:
                builder.problem(f"unknown actor {name!r} in <{tag}>", pair.line, f"IdealAdjustment.iaPair.{tag}")
            ids.append(names_to_ids.get(name))
        weight_node = pair.find("adjust")
        weight = builder.number(
            weight_node.text if weight_node is not None else None,
            weight_node.line if weight_node is not None else pair.line,
            "IdealAdjustment.iaPair.adjust",
            "adjustment",
        )
        if weight is not None and not 0.0 <= weight <= 1.0:
            builder.problem(f"an ideal adjustment lies in 0..1, got {weight:g}", weight_node.line, "IdealAdjustment.iaPair.adjust")
        elif weight is not None and None not in ids:
            matrix.setdefault(ids[0], {})[ids[1]] = weight
            builder.lines.setdefault(("models", "smp", "accommodation"), pair.line)
    return matrix
