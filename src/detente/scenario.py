"""The scenario data model: issues, actors and their stances, validated as a whole.

A :class:`Scenario` is what every reader produces and every model consumes. Models never see the
objects directly: :meth:`Scenario.batch` gives numpy arrays (a leading batch axis, then actors,
then issues) with positions normalised to 0..1 on each issue's scale and saliences in 0..1.
Absent stances are marked in a boolean mask, never stored as zeros that look like data.

The file format (version 1) is described field by field in ``docs/scenario-format.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Iterable, Mapping, Union

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from detente.errors import Problem, ScenarioError

FORMAT_VERSION = 1
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_NUMBER_TEXT = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,[0-9]+$")
MAX_CAPABILITY = 1e15
MIN_CAPABILITY = 1e-12


def read_number(value: Any, decimal_comma: bool = False) -> float:
    """The one number rule of every format: a finite float from a number or from text that spells one.

    Text is a number when it is written in decimal, with an optional exponent (``60``, ``-60``,
    ``2e2``, ``1.0e308``, ``.5``), whatever the format and whether quoted or not; with
    ``decimal_comma``, ``0,5`` too. Yes/no values (``true``, ``yes``), ``nan``, ``inf`` and
    values beyond the float range (``1e309``, a 400-digit integer) raise :class:`ValueError`
    with a message saying which.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the yes/no value {value!r}")
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"an integer of {_digits(value)} digits overflows: numbers must be below about 1.8e308") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a number, got {type(value).__name__}")
    text = value.strip()
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if not _NUMBER_TEXT.match(text):
        raise ValueError(f"expected a number, got {_clip(value)!r}")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{_clip(text)} overflows: numbers must be below about 1.8e308")
    return number


def _digits(value: int) -> str:
    try:
        return str(len(str(abs(value))))
    except ValueError:  # beyond Python's limit on converting integers to text
        return f"about {int(value.bit_length() * math.log10(2)) + 1}"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _number_field(value: Any) -> Any:
    return None if value is None else read_number(value)


def _number_or_text(value: Any) -> Any:
    """A number, or text that spells none (``outcome: no agreement``, ``position_sd: 5%``)."""
    if isinstance(value, str):
        try:
            return read_number(value)
        except ValueError:
            return value
    return _number_field(value)


Num = Annotated[float, BeforeValidator(_number_field)]
NumOrText = Annotated[float | str, BeforeValidator(_number_or_text)]


class _Strict(BaseModel):
    # Text is stripped of surrounding white space in every format (the table readers always did),
    # so that a scenario reads back the same from any file detente writes.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False, str_strip_whitespace=True)


class Source(_Strict):
    id: str
    title: str | None = None
    publisher: str | None = None
    date: dt.date | None = None
    url: str | None = None
    author: str | None = None
    note: str | None = None


EVIDENCE_ABOUT = ("position", "salience", "capability")


class Evidence(_Strict):
    """A statement from a source that supports a number (written by ``detente draft`` and by hand).

    ``quote`` is the source's sentence, ``source`` the id of an entry of ``sources``, ``note`` the
    reasoning from sentence to number. ``about`` names the number it supports (``position``,
    ``salience`` or ``capability``); without it, an entry under a stance supports the stance's
    position and salience, and an entry under an actor its capability.
    """

    quote: str
    speaker: str | None = None
    source: str | None = None
    offset: int | None = None
    kind: str | None = None
    about: str | None = None
    note: str | None = None


class Stance(_Strict):
    """Where one actor stands on one issue; ``position``/``salience`` in the file's units."""

    position: Num | None = None
    salience: Num | None = None
    capability: Num | None = None
    position_sd: Num | None = None
    salience_sd: Num | None = None
    basis: str | None = None
    source: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Actor(_Strict):
    id: str
    name: str | None = None
    capability: Num
    #: Alternative capability codings by name (e.g. ``gdp``, ``votes``, ``population``), each > 0;
    #: the consensus model averages over them (docs/models/consensus.md).
    capabilities: dict[str, Num] = Field(default_factory=dict)
    group: str | None = None
    description: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    stances: dict[str, Stance] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.id


class Issue(_Strict):
    id: str
    title: str | None = None
    description: str | None = None
    scale: tuple[Num, Num] = (0.0, 100.0)
    status_quo: Num | None = None
    anchors: dict[Num, str] = Field(default_factory=dict)
    outcome: NumOrText | None = None
    outcome_source: str | None = None

    @field_validator("anchors", mode="before")
    @classmethod
    def _anchors_may_be_null(cls, value: Any) -> Any:
        return {} if value is None else value

    @property
    def label(self) -> str:
        return self.title or self.id

    @property
    def lo(self) -> float:
        return float(self.scale[0])

    @property
    def hi(self) -> float:
        return float(self.scale[1])

    def to_unit(self, value: Any) -> Any:
        """Map a value from the issue's scale to 0..1."""
        return (np.asarray(value, dtype=float) - self.lo) / (self.hi - self.lo)

    def from_unit(self, value: Any) -> Any:
        """Map a value from 0..1 back to the issue's scale."""
        return self.lo + np.asarray(value, dtype=float) * (self.hi - self.lo)

    def sorted_anchors(self) -> list[tuple[float, str]]:
        return sorted(self.anchors.items())

    @property
    def decimals(self) -> int:
        """Decimals that values on this issue are printed with: 1 on a 0..100 scale, 3 on a 4..10 scale."""
        span = self.hi - self.lo
        return max(1, 3 - int(math.floor(math.log10(span)))) if span > 0 else 2

    def placement(self, value: float) -> tuple[str, tuple[float, ...]] | None:
        """Where a value sits among the anchors: ``("at", (50,))``, ``("near", (50,))``,
        ``("between", (50, 75))``, ``("below", (0,))`` or ``("above", (100,))``; None without
        anchors or a finite value.

        "at" when the value is the anchor as printed (to :attr:`decimals`), "near" when it is
        within 0.5 % of the scale of it.
        """
        points = [p for p, _ in self.sorted_anchors()]
        if not points or value is None or not math.isfinite(value):
            return None
        tolerance = 0.005 * (self.hi - self.lo)
        for point in points:
            if round(value, self.decimals) == round(point, self.decimals):
                return "at", (point,)
            if abs(value - point) <= tolerance:
                return "near", (point,)
        below = [p for p in points if p < value]
        above = [p for p in points if p > value]
        if below and above:
            return "between", (below[-1], above[0])
        return ("below", (above[0],)) if above else ("above", (below[-1],))

    def describe(self, value: float, max_label: int | None = None) -> str:
        """Place a value among the issue's anchor labels, in words (see :meth:`placement`):
        ``at 'X' (50)``, ``near 'X' (50)``, ``between 'X' (50) and 'Y' (75)``, ``below``/``above``.
        With ``max_label``, each label is cut to its first clause and at most that many characters.
        """
        placed = self.placement(value)
        if placed is None:
            return ""
        relation, points = placed
        named = [f"'{_shorten(self.anchors[p], max_label)}' ({_fmt(p)})" for p in points]
        return f"{relation} {' and '.join(named)}"

    def bands(self) -> list[tuple[float, float, str]]:
        """Consecutive anchor intervals ``(lo, hi, label)``; the scale ends close the outer bands."""
        points = [p for p, _ in self.sorted_anchors()]
        edges = sorted({self.lo, self.hi, *points})
        names = dict(self.sorted_anchors())
        bands = []
        for a, b in zip(edges[:-1], edges[1:]):
            left = f"'{names[a]}'" if a in names else _fmt(a)
            right = f"'{names[b]}'" if b in names else _fmt(b)
            bands.append((a, b, f"between {left} and {right}"))
        return bands


class Uncertainty(_Strict):
    """Default spreads for Monte Carlo when a stance gives none."""

    position_sd: NumOrText = 5.0
    salience_sd: Num = 10.0
    capability_cv: Num = 0.2

    def position_sd_for(self, issue: Issue) -> float:
        """The position spread in the issue's units (a ``"5%"`` string is a share of the scale)."""
        value = self.position_sd
        if isinstance(value, str):
            return float(value.strip().rstrip("%")) / 100.0 * (issue.hi - issue.lo)
        return float(value)


class Scenario(_Strict):
    """One negotiation: the issues, the actors and where each stands on each issue."""

    detente: int = FORMAT_VERSION
    id: str
    title: str | None = None
    as_of: dt.date | None = None
    description: str | None = None
    sources: list[Source] = Field(default_factory=list)
    issues: list[Issue]
    actors: list[Actor]
    uncertainty: Uncertainty | None = None
    levers: dict[str, list[str] | str] = Field(default_factory=dict)
    models: dict[str, dict[str, Any]] = Field(default_factory=dict)
    outcome_source: str | None = None
    _origin: str | None = PrivateAttr(default=None)

    @property
    def origin(self) -> str | None:
        """Where the scenario was read from (a path or a bundled id), for messages."""
        return self._origin

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    # -- lookups ---------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return self.title or self.id

    @property
    def actor_ids(self) -> list[str]:
        return [a.id for a in self.actors]

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    def issue(self, key: str) -> Issue:
        for issue in self.issues:
            if issue.id == key:
                return issue
        for issue in self.issues:
            if (issue.title or "").lower() == key.lower():
                return issue
        from detente.errors import UsageError

        raise UsageError(f"unknown issue {key!r}; the scenario has: {', '.join(self.issue_ids)}")

    def actor(self, key: str) -> Actor:
        for actor in self.actors:
            if actor.id == key or (actor.name or "").lower() == key.lower():
                return actor
        from detente.errors import UsageError

        raise UsageError(f"unknown actor {key!r}; the scenario has: {', '.join(self.actor_ids)}")

    @property
    def salience_scale(self) -> float:
        """100 when saliences are given on 0..100, 1 when every salience is <= 1."""
        values = [st.salience for a in self.actors for st in a.stances.values() if st.salience is not None]
        return 1.0 if values and max(values) <= 1.0 else 100.0

    @property
    def has_outcomes(self) -> bool:
        return any(i.outcome is not None for i in self.issues)

    # -- arrays ----------------------------------------------------------------------------------

    def batch(self) -> "Batch":
        """The scenario's numbers as a batch of one (see :class:`Batch`)."""
        return self._arrays

    @cached_property
    def _arrays(self) -> "Batch":
        n, m = len(self.actors), len(self.issues)
        position = np.full((n, m), np.nan)
        salience = np.zeros((n, m))
        capability = np.zeros((n, m))
        present = np.zeros((n, m), dtype=bool)
        scale = self.salience_scale
        for i, actor in enumerate(self.actors):
            for k, issue in enumerate(self.issues):
                stance = actor.stances.get(issue.id)
                if stance is None or stance.position is None or stance.salience is None:
                    continue
                present[i, k] = True
                position[i, k] = issue.to_unit(stance.position)
                salience[i, k] = stance.salience / scale
                capability[i, k] = stance.capability if stance.capability is not None else actor.capability
        status_quo = np.array(
            [issue.to_unit(issue.status_quo) if issue.status_quo is not None else np.nan for issue in self.issues]
        )
        return Batch(
            position=position[None],
            salience=salience[None],
            capability=capability[None],
            present=present,
            status_quo=status_quo,
            codings=self._coding_ratios(capability, present),
        )

    def _coding_ratios(self, capability: np.ndarray, present: np.ndarray) -> dict[str, np.ndarray]:
        """Each alternative capability coding that every actor supplies, as the ratio to the
        capability the batch holds (actors x issues, 1 where absent), so that a coding follows the
        batch's capability when Monte Carlo perturbs it."""
        names = sorted(set.intersection(*(set(a.capabilities) for a in self.actors))) if self.actors else []
        ratios = {}
        for name in names:
            alternative = np.array([a.capabilities[name] for a in self.actors], dtype=float)[:, None]
            ratios[name] = np.where(present, alternative / np.where(present, capability, 1.0), 1.0)
        return ratios

    @property
    def partial_codings(self) -> list[str]:
        """Alternative capability codings that some actors give and others do not."""
        given = [set(a.capabilities) for a in self.actors]
        return sorted(set.union(*given) - set.intersection(*given)) if given else []

    def to_units(self, values: np.ndarray) -> np.ndarray:
        """Map normalised values with issues on the last axis back to each issue's units."""
        lo = np.array([i.lo for i in self.issues])
        hi = np.array([i.hi for i in self.issues])
        return lo + np.asarray(values, dtype=float) * (hi - lo)

    def with_updates(self, **changes: Any) -> "Scenario":
        """A validated copy with some top-level fields replaced."""
        data = self.model_dump(mode="python", exclude_none=True)
        data.update(changes)
        return Scenario.from_dict(data, source=self.origin)

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None, lines: "LineMap | None" = None) -> "Scenario":
        """Validate a plain mapping (e.g. parsed YAML); raise :class:`ScenarioError` listing every problem."""
        problems = collect_problems(data, lines)
        if problems:
            raise ScenarioError([_located(p, source) for p in problems], source)
        scenario = cls.model_validate(data)
        scenario._origin = source
        return scenario

    def validate_all(self) -> list[Problem]:
        return collect_problems(self.model_dump(mode="python", exclude_none=True))

    def __repr__(self) -> str:
        from detente.report.notebook import scenario_repr

        return scenario_repr(self)

    def _repr_html_(self) -> str:
        from detente.report.notebook import scenario_html

        return scenario_html(self)

    def doubts(self) -> list[str]:
        """Values that are valid but probably not what the author meant, one sentence each: a
        salience below 1 among saliences on 0..100 (a share of 1 written on the wrong scale)."""
        if self.salience_scale != 100.0:
            return []
        return [
            f"actors[{actor.id}].stances.{issue}.salience: {stance.salience:g} on this file's 0..100 salience scale is almost no "
            f"salience; if it is a share of 1, write {100 * stance.salience:g} (or give every salience on 0..1)"
            for actor in self.actors
            for issue, stance in actor.stances.items()
            if stance.salience is not None and 0 < stance.salience < 1
        ]


@dataclass(frozen=True)
class Batch:
    """Model inputs as arrays with a leading batch axis: ``(draws, actors, issues)``.

    ``position`` is on 0..1 per issue (NaN where absent), ``salience`` on 0..1 (0 where absent),
    ``capability`` is per actor and issue (0 where absent), ``present`` marks the stances that
    exist (actors x issues, shared by every draw) and ``status_quo`` is per issue on 0..1 (NaN
    where the issue has none). A single scenario is a batch of one. ``codings`` holds the
    alternative capability codings every actor supplies (``Actor.capabilities``), each as its
    ratio to ``capability`` (actors x issues, shared by every draw).
    """

    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    present: np.ndarray
    status_quo: np.ndarray
    codings: Mapping[str, np.ndarray] = field(default_factory=dict)

    def coding(self, name: str) -> np.ndarray:
        """Capability per draw, actor and issue under an alternative coding (``Batch.codings``)."""
        return self.capability * self.codings[name][None]

    @property
    def size(self) -> int:
        return self.position.shape[0]

    @property
    def n_actors(self) -> int:
        return self.position.shape[1]

    @property
    def n_issues(self) -> int:
        return self.position.shape[2]

    @property
    def filled_position(self) -> np.ndarray:
        """Positions with absent stances set to 0 (harmless wherever the weight is 0)."""
        return np.where(self.present, self.position, 0.0)

    def effective_power(self) -> np.ndarray:
        """``c * s`` per draw, actor and issue (0 where absent)."""
        return np.where(self.present, self.capability * self.salience, 0.0)

    def take(self, draws: Iterable[int] | slice) -> "Batch":
        index = draws if isinstance(draws, slice) else np.asarray(list(draws))
        return Batch(
            self.position[index], self.salience[index], self.capability[index], self.present, self.status_quo, self.codings
        )

    def select_actors(self, keep: np.ndarray) -> "Batch":
        return Batch(
            self.position[:, keep],
            self.salience[:, keep],
            self.capability[:, keep],
            self.present[keep],
            self.status_quo,
            {name: ratio[keep] for name, ratio in self.codings.items()},
        )

    def select_issues(self, keep: Any) -> "Batch":
        return Batch(
            self.position[:, :, keep],
            self.salience[:, :, keep],
            self.capability[:, :, keep],
            self.present[:, keep],
            self.status_quo[keep],
            {name: ratio[:, keep] for name, ratio in self.codings.items()},
        )

    def repeat(self, draws: int) -> "Batch":
        return Batch(
            np.repeat(self.position[:1], draws, axis=0),
            np.repeat(self.salience[:1], draws, axis=0),
            np.repeat(self.capability[:1], draws, axis=0),
            self.present,
            self.status_quo,
            self.codings,
        )


# -- validation ------------------------------------------------------------------------------------


class LineMap:
    """Line numbers of fields in a parsed file, keyed by the field's path (a tuple)."""

    def __init__(self, lines: dict[tuple, int] | None = None):
        self._lines = lines or {}

    def __call__(self, path: tuple) -> int | None:
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None


def _shorten(label: str, limit: int | None) -> str:
    if limit is None:
        return label
    clause = label.split(";")[0].strip()
    if len(clause) <= limit:
        return clause
    cut = clause[: limit - 1]
    at_word = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut
    return at_word.rstrip(" ,:–-") + "…"


def _fmt(value: float) -> str:
    return f"{value:g}"


def _located(problem: Problem, source: str | None) -> Problem:
    return Problem(problem.message, problem.field, problem.line, problem.file or source)


def field_name(path: tuple, data: Any) -> str:
    """A readable field path: ``actors[UKR].stances.territory.position``."""
    parts: list[str] = []
    node = data
    for key in path:
        if isinstance(key, int):
            label = str(key)
            if isinstance(node, list) and 0 <= key < len(node) and isinstance(node[key], dict) and "id" in node[key]:
                label = str(node[key]["id"])
            parts.append(f"[{label}]")
        else:
            parts.append(("." if parts else "") + str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts)


def _pydantic_problems(data: Any, lines: LineMap) -> list[Problem]:
    try:
        Scenario.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            message = _plain_message(item)
            problems.append(Problem(message, field_name(loc, data), lines(loc)))
        return problems
    return []


def _scale_message(value: Any) -> str:
    """What is wrong with a scale that is not a pair of numbers, with the fix when it is a range
    written as text ('0-100', '0 to 100', '0..100')."""
    found = re.fullmatch(r"\s*(-?[\d.]+)\s*(?:-|–|to|\.\.)\s*(-?[\d.]+)\s*", value) if isinstance(value, str) else None
    if found:
        return f"a scale is a list of two numbers: write [{found.group(1)}, {found.group(2)}], not {value!r}"
    return f"a scale is a list of two numbers [low, high], e.g. [0, 100]; got {value!r}"


def _plain_message(item: dict) -> str:
    kind = item["type"]
    value = item.get("input")
    if item["loc"] and item["loc"][-1] == "scale" and kind in {"tuple_type", "too_short", "too_long"}:
        return _scale_message(value)
    if item["loc"] and item["loc"][-1] == "capability" and (kind == "missing" or value is None):
        return "capability is empty: fill in a number > 0 (only the ratios between actors matter)"
    if kind == "value_error":
        return str(item["ctx"]["error"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; docs/scenario-format.md lists every field)"
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type"}:
        return f"expected a number, got {value!r}"
    if kind == "finite_number":
        return f"expected a finite number, got {value!r}"
    if kind in {"dict_type", "model_type"}:
        return f"expected a mapping of fields, got {type(value).__name__}"
    if kind == "list_type":
        return f"expected a list, got {type(value).__name__}"
    if kind.startswith("date"):
        return f"expected an ISO date (YYYY-MM-DD), got {value!r}"
    return f"{item['msg']} (got {_clip(repr(value))})"


def collect_problems(data: Any, lines: LineMap | None = None) -> list[Problem]:
    """Every problem of a scenario mapping, structural and semantic, in file order."""
    lines = lines or LineMap()
    if not isinstance(data, dict):
        return [Problem(f"a scenario must be a mapping of fields, got {type(data).__name__}")]
    problems = _pydantic_problems(data, lines)
    problems += _semantic_problems(data, lines)
    seen, unique = set(), []
    for problem in problems:
        key = (problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    unique.sort(key=lambda p: (p.line if p.line is not None else 10**9))
    return unique


def _number(value: Any) -> float | None:
    """The value as :func:`read_number` reads it, or None (its problem is reported by the field's type)."""
    try:
        return None if value is None else read_number(value)
    except ValueError:
        return None


def _semantic_problems(data: dict, lines: LineMap) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: tuple, message: str) -> None:
        problems.append(Problem(message, field_name(path, data), lines(path)))

    version = data.get("detente")
    if version is not None and version != FORMAT_VERSION:
        add(("detente",), f"unsupported format version {version!r}; this detente reads version {FORMAT_VERSION}")
    if isinstance(data.get("id"), str) and not SLUG.match(data["id"]):
        add(("id",), f"{data['id']!r} is not a slug (letters, digits, '-', '_', '.'; no spaces)")

    issues = data.get("issues")
    actors = data.get("actors")
    if isinstance(issues, list) and not issues:
        add(("issues",), "a scenario needs at least one issue")
    if isinstance(actors, list) and len(actors) < 2:
        add(("actors",), f"a scenario needs at least two actors, found {len(actors)}")
    issues = issues if isinstance(issues, list) else []
    actors = actors if isinstance(actors, list) else []

    def check_id(path: tuple, kind: str, value: Any, seen: set) -> None:
        if value in seen:
            add(path, f"duplicate {kind} id {value!r}")
        seen.add(value)
        if isinstance(value, str) and not SLUG.match(value):
            add(path, f"{value!r} is not a slug (letters, digits, '-', '_', '.'; no spaces)")

    source_ids = {s.get("id") for s in data.get("sources") or [] if isinstance(s, dict)}

    def check_evidence(path: tuple, entries: Any) -> None:
        """Evidence cites a listed source (when the file lists any) and says what it supports."""
        for e, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict):
                continue
            src = entry.get("source")
            if src is not None and source_ids and src not in source_ids:
                add(path + (e, "source"), f"unknown source id {src!r} (sources: {', '.join(sorted(map(str, source_ids)))})")
            about = entry.get("about")
            if about is not None and about not in EVIDENCE_ABOUT:
                add(path + (e, "about"), f"about must be one of {', '.join(EVIDENCE_ABOUT)}, got {about!r}")
    scales: dict[str, tuple[float, float]] = {}
    seen_issues: set = set()
    for k, issue in enumerate(issues):
        if not isinstance(issue, dict):
            continue
        issue_id = issue.get("id")
        check_id(("issues", k, "id"), "issue", issue_id, seen_issues)
        scale = issue.get("scale", (0, 100))
        lo = hi = None
        if isinstance(scale, (list, tuple)) and len(scale) == 2:
            lo, hi = _number(scale[0]), _number(scale[1])
            if lo is not None and hi is not None and not lo < hi:
                add(("issues", k, "scale"), f"the scale must run from a lower to a higher number, got [{scale[0]}, {scale[1]}]")
                lo = hi = None
            elif lo is not None and hi is not None and not math.isfinite(hi - lo):
                add(("issues", k, "scale"), f"the scale [{lo:g}, {hi:g}] is too wide: its width overflows; use smaller units")
                lo = hi = None
        elif scale is not None:
            add(("issues", k, "scale"), _scale_message(scale))
        if lo is None or hi is None:
            continue
        scales[issue_id] = (lo, hi)
        sq = _number(issue.get("status_quo"))
        if sq is not None and not lo <= sq <= hi:
            add(("issues", k, "status_quo"), f"status quo {sq:g} lies outside the scale [{lo:g}, {hi:g}]")
        for point in (issue.get("anchors") or {}) if isinstance(issue.get("anchors"), dict) else {}:
            value = _number(point)
            if value is None:
                add(("issues", k, "anchors"), f"anchor point {point!r} is not a number")
            elif not lo <= value <= hi:
                add(("issues", k, "anchors", point), f"anchor {value:g} lies outside the scale [{lo:g}, {hi:g}]")
        outcome = _number(issue.get("outcome"))
        if outcome is not None and not lo <= outcome <= hi:
            add(("issues", k, "outcome"), f"outcome {outcome:g} lies outside the scale [{lo:g}, {hi:g}]")

    saliences = [
        _number(st.get("salience"))
        for a in actors
        if isinstance(a, dict) and isinstance(a.get("stances"), dict)
        for st in a["stances"].values()
        if isinstance(st, dict) and _number(st.get("salience")) is not None
    ]
    salience_max = 1.0 if saliences and max(saliences) <= 1.0 else 100.0

    participants: dict[str, int] = {i: 0 for i in scales}
    pending: dict[str, int] = {i: 0 for i in scales}
    seen_actors: set = set()
    for a, actor in enumerate(actors):
        if not isinstance(actor, dict):
            continue
        actor_id = actor.get("id")
        check_id(("actors", a, "id"), "actor", actor_id, seen_actors)
        capability_problem = _capability_problem(_number(actor.get("capability")))
        if capability_problem:
            add(("actors", a, "capability"), capability_problem)
        codings = actor.get("capabilities")
        for name, value in codings.items() if isinstance(codings, dict) else ():
            coding_problem = _capability_problem(_number(value))
            if coding_problem:
                add(("actors", a, "capabilities", name), f"capability coding {name!r}{coding_problem.removeprefix('capability')}")
        check_evidence(("actors", a, "evidence"), actor.get("evidence"))
        stances = actor.get("stances")
        if not isinstance(stances, dict):
            continue
        for issue_id, stance in stances.items():
            path = ("actors", a, "stances", issue_id)
            if issue_id not in seen_issues:
                add(path, f"unknown issue id {issue_id!r} (issues: {', '.join(map(str, seen_issues))})")
                continue
            if not isinstance(stance, dict) or issue_id not in scales:
                continue
            lo, hi = scales[issue_id]
            raw_position, raw_salience = stance.get("position"), stance.get("salience")
            position, salience = _number(raw_position), _number(raw_salience)
            if raw_position is None:
                add(path + ("position",), f"position is empty: fill in a number on the scale [{lo:g}, {hi:g}]")
            elif position is not None and not lo <= position <= hi:
                add(path + ("position",), f"position {position:g} lies outside the scale [{lo:g}, {hi:g}]")
            if raw_salience is None:
                add(path + ("salience",), f"salience is empty: fill in a number from 0 to {salience_max:g}")
            elif salience is not None and not 0 <= salience <= salience_max:
                add(path + ("salience",), f"salience {salience:g} lies outside 0..{salience_max:g}")
            capability_problem = _capability_problem(_number(stance.get("capability")))
            if capability_problem:
                add(path + ("capability",), capability_problem)
            for key in ("position_sd", "salience_sd"):
                sd = _number(stance.get(key))
                if sd is not None and sd < 0:
                    add(path + (key,), f"{key} must be >= 0, got {sd:g}")
            src = stance.get("source")
            if src is not None and source_ids and src not in source_ids:
                add(path + ("source",), f"unknown source id {src!r} (sources: {', '.join(sorted(map(str, source_ids)))})")
            check_evidence(path + ("evidence",), stance.get("evidence"))
            if salience is not None and salience > 0 and position is not None:
                participants[issue_id] += 1
            elif (position is None or salience is None) and salience != 0:
                pending[issue_id] += 1  # an empty or non-numeric value is reported above; the count follows once fixed

    for k, issue in enumerate(issues):
        if isinstance(issue, dict) and issue.get("id") in participants and participants[issue["id"]] + pending[issue["id"]] < 2:
            count = participants[issue["id"]]
            add(("issues", k), f"issue {issue['id']!r} needs at least two actors with a position and positive salience, has {count}")

    uncertainty = data.get("uncertainty")
    if isinstance(uncertainty, dict):
        sd = uncertainty.get("position_sd")
        percent = isinstance(sd, str) and sd.strip().endswith("%")
        value = _number(sd.strip().removesuffix("%")) if percent else _number(sd)
        if value is None and isinstance(sd, str):
            add(("uncertainty", "position_sd"), f"expected a number or a percentage like '5%', got {sd!r}")
        elif value is not None and value < 0:
            add(("uncertainty", "position_sd"), f"position_sd must be >= 0, got {sd!r}")
        for key in ("salience_sd", "capability_cv"):
            value = _number(uncertainty.get(key))
            if value is not None and value < 0:
                add(("uncertainty", key), f"{key} must be >= 0, got {value:g}")
    return problems


def _capability_problem(capability: float | None) -> str | None:
    """Capabilities are positive and, as only their ratios matter, bounded so that the models'
    sums and products of capabilities stay finite."""
    if capability is None:
        return None
    if capability <= 0:
        return f"capability must be > 0, got {capability:g}"
    if not MIN_CAPABILITY <= capability <= MAX_CAPABILITY:
        return (
            f"capability {capability:g} lies outside {MIN_CAPABILITY:g}..{MAX_CAPABILITY:g}: only the ratios "
            "between actors matter, so divide or multiply every capability by the same factor"
        )
    return None
