"""Numbers that matter as evidence: shares, fractions, multiples, money and counted things.

Years, dates, clock times and durations ("a 25-minute call") are left out; so are bare counts
without a unit ("10 diplomats" is reporting, not evidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detente.draft.text import Document, Sentence

_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
              "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10}
_MULTIPLES = {"twofold": 2, "threefold": 3, "fourfold": 4, "fivefold": 5, "tenfold": 10, "doubled": 2, "tripled": 3, "quadrupled": 4}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_QUALIFIER = r"(?:(?:roughly|about|around|nearly|almost|some|over|under|more than|less than|at least|up to|approximately|just over|just under)\s+)?"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("percent", re.compile(rf"{_QUALIFIER}(?P<n>{_NUMBER})\s*(?:percent|per cent|%)(?:age points)?", re.I)),
    ("fraction", re.compile(rf"{_QUALIFIER}(?P<k>a|an|one|two|three|four)[\s\-]+(?P<f>{'|'.join(_FRACTIONS)})\s+of\b(?:\s+[\w’'\-]+){{0,3}}", re.I)),
    ("multiple", re.compile(rf"\b(?P<m>{'|'.join(_MULTIPLES)})\b(?:\s+(?:increase|rise|jump|growth))?", re.I)),
    ("money", re.compile(rf"{_QUALIFIER}(?:[$€£]\s?(?P<n>{_NUMBER})(?:\s*(?P<s>thousand|million|billion|trillion|bn|m)\b)?|"
                         rf"(?P<n2>{_NUMBER})\s+(?P<s2>thousand|million|billion|trillion)\s+(?:dollars|euros|pounds|rubles|roubles|hryvnias?))", re.I)),
    ("count", re.compile(rf"{_QUALIFIER}(?P<n>{_NUMBER})(?:\s+(?P<s>thousand|million|billion))?\s+(?P<u>(?:square\s+)?(?:kilometers|kilometres|km|miles)|troops|soldiers|servicemen|casualties|dead|killed|wounded|refugees|civilians|prisoners|tanks|missiles|drones|shells|rounds|warheads|jets|aircraft|settlements|villages|towns)\b", re.I)),
]


@dataclass(frozen=True)
class Figure:
    """A number in the text: what kind, its value (a share for percents and fractions), its words."""

    kind: str  # percent | fraction | multiple | money | count
    value: float
    text: str
    start: int
    end: int
    sentence: Sentence


def find_numbers(document: Document) -> list[Figure]:
    """Every figure of the document's non-heading paragraphs, in reading order."""
    headings = {p.index for p in document.paragraphs if p.heading}
    figures: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for sentence in document.sentences:
        if sentence.paragraph in headings:
            continue
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(document.text, sentence.start, sentence.end):
                a, b = match.start(), match.end()
                if any(a < y and x < b for x, y in taken):
                    continue
                value = _value(kind, match)
                if value is None:
                    continue
                taken.append((a, b))
                figures.append(Figure(kind, value, re.sub(r"\s+", " ", match.group(0)), a, b, sentence))
    return sorted(figures, key=lambda f: f.start)


def _value(kind: str, match: re.Match) -> float | None:
    groups = match.groupdict()
    if kind == "percent":
        return float(groups["n"].replace(",", "")) / 100.0
    if kind == "fraction":
        return _WORD_NUMBERS[groups["k"].lower()] / _FRACTIONS[groups["f"].lower()]
    if kind == "multiple":
        return float(_MULTIPLES[groups["m"].lower()])
    number = groups.get("n") or groups.get("n2")
    scale = groups.get("s") or groups.get("s2")
    value = float(number.replace(",", ""))
    if kind == "count" and 1900 <= value <= 2100 and "," not in number and not scale:
        return None
    return value * _SCALE.get((scale or "").lower(), 1.0)
