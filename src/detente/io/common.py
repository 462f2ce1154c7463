"""Small pieces the non-YAML readers share: ids from names, numbers from text, capabilities."""

from __future__ import annotations

import copy
import csv
import io
import re
import unicodedata
from collections import Counter
from pathlib import PurePath
from typing import Any, Iterable, Iterator

from detente.errors import Problem
from detente.scenario import SLUG, LineMap, collect_problems, read_number

_NOT_SLUG = re.compile(r"[^A-Za-z0-9_.\-]+")


def slugify(text: str, lower: bool = False) -> str:
    """A slug (letters, digits, ``-``, ``_``, ``.``) from free text; accents are dropped.

    ``"EU (incl Norway)"`` gives ``"EU-incl-Norway"``; an empty result gives ``""``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.strip()).strip("-_.")
    return slug.lower() if lower else slug


class IdMaker:
    """Turns names into unique slugs: a name that is already a slug is kept as it is, others are
    slugified (lower-cased with ``lower``), with ``-2``, ``-3``... on a clash."""

    def __init__(self, prefix: str, lower: bool = False):
        self._prefix = prefix
        self._lower = lower
        self._by_name: dict[str, str] = {}
        self._taken: set[str] = set()

    def __call__(self, name: str) -> str:
        if name in self._by_name:
            return self._by_name[name]
        base = name if SLUG.match(name) else slugify(name, self._lower)
        base = base or f"{self._prefix}-{len(self._by_name) + 1}"
        candidate, n = base, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{base}-{n}"
        self._by_name[name] = candidate
        self._taken.add(candidate)
        return candidate


def scenario_id_for(source: str | None, fallback: str = "scenario") -> str:
    """The scenario id a file gets from its name: the slugified stem (``EC emissions.csv`` ->
    ``ec-emissions``); sources without a usable name (``<upload>``) give the slugified fallback."""
    stem = PurePath(source).stem if source and not source.startswith("<") else ""
    return slugify(stem, lower=True) or slugify(fallback, lower=True) or "scenario"


def file_stem(source: str | None) -> str | None:
    """The file name without folder and extension, or None for sources like ``<upload>``."""
    if not source or source.startswith("<"):
        return None
    return PurePath(source).stem or None


def parse_number(text: Any, decimal_comma: bool = False) -> float | None:
    """A finite float from a cell (text or number) by the scenario's one number rule
    (:func:`~detente.scenario.read_number`); None when it is not one.

    With ``decimal_comma``, ``"0,5"`` reads as 0.5 (semicolon- and tab-separated files from
    locales that write decimal commas).
    """
    try:
        return read_number(text, decimal_comma)
    except ValueError:
        return None


# Unicode's White_Space characters: what the scenario model strips from text (pydantic's
# str_strip_whitespace), which str.strip() exceeds by the separators U+001C..U+001F
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula: text beginning with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (the OWASP
    rule for CSV injection), and so does text that already begins with apostrophes before one of
    them, so that :func:`restore` gives back exactly the original. Numbers are written as
    numbers: only text goes through here."""
    return "'" + text if text.lstrip("'").startswith(_FORMULA_START) else text


class NumberText(str):
    """A number already written as text: :func:`csv_text` writes it as it is (``-5`` is a number)."""


def lines_of_text(text: str) -> Iterator[str]:
    """The lines of a text file, split only at ``\\n``, ``\\r\\n`` and ``\\r`` (with their ends),
    one at a time: :meth:`str.splitlines` also splits at form feeds, U+0085, U+2028 and other
    characters that are ordinary text inside a CSV cell. (A StringIO would hold a copy of the
    text at four bytes a character.)"""
    return (match.group() for match in _LINE.finditer(text) if match.group())


def unclosed_quote(lines: Iterable[str], delimiter: str = ",") -> bool:
    """Whether the CSV record starting at ``lines[0]`` opens a quote that the file never closes
    (the csv module then silently reads the rest of the file into one cell)."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, skipinitialspace=True, strict=True):
            break
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def restore(text: str) -> str:
    """The original of a :func:`neutralise`-d cell (other text is returned as it is)."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START) else text


def csv_text(rows: Iterable[Iterable[Any]], line_end: str = "\r\n") -> str:
    """CSV text of rows: text cells neutralised (:func:`neutralise`). With RFC 4180's line ends
    (CRLF, the default) the writer quotes every cell holding a line break, a bare carriage
    return included, so that detente reads the text back as it was."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerows([neutralise(cell) if type(cell) is str else cell for cell in row] for row in rows)
    return out.getvalue()


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float; whole numbers without ``.0``."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def plain(value: float) -> float | int:
    """A float as an int when it is whole (so that written files read ``60``, not ``60.0``)."""
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)


def actor_capability(per_issue: Iterable[float]) -> float:
    """The actor-level capability for an actor whose capability is given per issue.

    The most common value, the first one on a tie. The issues with another value keep it as a
    stance override (``stances.<issue>.capability``), so that no number is lost.
    """
    values = list(per_issue)
    counts = Counter(values)
    top = max(counts.values())
    return next(v for v in values if counts[v] == top)


def remaining_problems(data: dict, lines: LineMap, source: str | None) -> list[Problem]:
    """The scenario checks (scale, salience range, two actors per issue...) of a file that
    already has reading problems, so that a user sees every problem at once.

    The numbers that could not be read (``None``) get valid stand-ins first (position: the
    scale's low end, salience: a tiny positive value, capability: 1), so they raise no second
    problem and do not hide the issue's participants. Only used on the way to an error.
    """
    data = copy.deepcopy(data)
    scales = {i.get("id"): (i.get("scale") or [0.0])[0] for i in data.get("issues", [])}
    for actor in data.get("actors", []):
        actor.setdefault("capability", 1.0)
        for issue_id, stance in actor.get("stances", {}).items():
            if stance.get("position") is None:
                stance["position"] = float(scales.get(issue_id, 0.0))
            if stance.get("salience") is None:
                stance["salience"] = 1e-9
    return [Problem(p.message, p.field, p.line, source) for p in collect_problems(data, lines)]
