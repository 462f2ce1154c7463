"""Numbers that matter as evidence: shares, fractions, multiples, money, amounts, terms and counted things.

Years, dates, clock times and durations of events ("a 25-minute call", "two days of talks") are left
out; a term counts when it bears on what is negotiated ("a 60-day ceasefire", "an extension of up
to two years", "10 days to negotiate"), its value in days. Counts of those who report ("10
diplomats said") are left out; counts of what is at stake are kept ("500 new nursing places").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detente.draft.text import Document, Sentence

_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
_COUNTED = "|".join(w for w in _WORD_NUMBERS if w not in {"a", "an", "one"})
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
              "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10}
_MULTIPLES = {"twofold": 2, "threefold": 3, "fourfold": 4, "fivefold": 5, "tenfold": 10, "doubled": 2, "tripled": 3, "quadrupled": 4}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6, "tn": 1e12}
_SCALES = r"thousand|million|billion|trillion|bn|tn|m"
# What a term of days, weeks or years bears on: "a 60-day ceasefire", "an extension of up to two years".
_TERMS = r"ceasefire|cease-fire|truce|pause|deal|agreement|contract|moratorium|extension|transition|window|deadline|freeze|halt|suspension|phase"
# Counted nouns that report who was asked rather than what is at stake ("10 diplomats said").
_REPORTING = r"officials|diplomats|sources|people|analysts|experts|observers|aides|advisers|advisors|lawmakers|interviews|times"
_QUALIFIER = r"(?:(?:roughly|about|around|nearly|almost|some|over|under|more than|less than|at least|at most|no more than|no less than|above|below|beyond|up to|approximately|just over|just under)\s+)?"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("percent", re.compile(rf"{_QUALIFIER}(?P<n>{_NUMBER})\s*(?:percent|per cent|pct|%)(?:age points)?", re.I)),
    ("points", re.compile(rf"{_QUALIFIER}(?P<n>{_NUMBER})\s+percentage\s+points", re.I)),
    ("fraction", re.compile(rf"{_QUALIFIER}(?P<k>a|an|one|two|three|four)[\s\-]+(?P<f>{'|'.join(_FRACTIONS)})\s+of\b(?:\s+[\w’'\-]+){{0,3}}", re.I)),
    ("multiple", re.compile(rf"\b(?P<m>{'|'.join(_MULTIPLES)})\b(?:\s+(?:increase|rise|jump|growth))?", re.I)),
    ("money", re.compile(rf"{_QUALIFIER}(?:[$€£]\s?(?P<n>{_NUMBER})(?:[\s\-]*(?P<s>{_SCALES})\b)?|"
                         rf"(?P<n2>{_NUMBER})[\s\-]*(?P<s2>{_SCALES})?\s*(?:dollars|euros|pounds|rubles|roubles|hryvnias?)\b)", re.I)),
    ("amount", re.compile(rf"{_QUALIFIER}(?P<n>{_NUMBER})[\s\-]*(?P<s>billion|trillion|bn|tn)\b(?:-[\w\-]+)?|\b(?P<s2>billion|trillion)-(?:plus|dollar)\b", re.I)),
    ("term", re.compile(rf"{_QUALIFIER}(?P<n>\d+|{_COUNTED}|one|a couple of|an?)[\s\-](?P<u>day|week|month|year)s?(?:-long)?\s+(?:[\w\-]+\s+){{0,2}}?(?:{_TERMS})\b|"
                        rf"\b(?:extension|extend\w*|period|deadline|within)\s+(?:of\s+)?(?:up\s+to\s+)?(?P<n2>\d+|{_COUNTED})\s+(?P<u2>day|week|month|year)s?\b|"
                        rf"\b(?P<n3>\d+|{_COUNTED})\s+(?P<u3>day|week|month|year)s?\s+to\s+(?:negotiate|agree|reach|conclude|finalise|finalize)\b", re.I)),
    ("count", re.compile(rf"{_QUALIFIER}(?P<n>{_NUMBER})(?:\s+(?P<s>thousand|million|billion))?\s+(?P<u>(?:square\s+)?(?:kilometers|kilometres|km|miles)|troops|soldiers|servicemen|casualties|dead|killed|wounded|refugees|civilians|prisoners|tanks|missiles|drones|shells|rounds|warheads|jets|aircraft|settlements|villages|towns)\b", re.I)),
    # any other counted thing: "1.5m new homes", "440,000 members", "four Israeli hostages", "twelve miles"
    ("count", re.compile(rf"{_QUALIFIER}(?P<n>{_NUMBER}|{_COUNTED})(?:\s*(?P<s>m|k|thousand|million)\b)?\s+(?:(?:new|more|additional|extra|and|or|[A-Z][a-z]+|[a-z]+(?:al|ic|ed|ive|ing))\s+){{0,4}}"
                         rf"(?!(?:{_REPORTING})\b|years?\b|months?\b|weeks?\b|days?\b|hours?\b|minutes?\b|percent\b|per\b|of\b)(?P<u>[a-z]{{3,}}s)\b", re.I)),
    ("multiple", re.compile(rf"\b(?P<m2>{_COUNTED})\s+times\s+(?:as\s+(?:many|much)|more|over)\b", re.I)),
]


@dataclass(frozen=True)
class Figure:
    """A number in the text: what kind, its value (a share for percents and fractions), its words."""

    kind: str  # percent | points | fraction | multiple | money | amount | term | count
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
        return float(_MULTIPLES[groups["m"].lower()] if groups.get("m") else _WORD_NUMBERS[groups["m2"].lower()])
    number = groups.get("n") or groups.get("n2") or groups.get("n3")
    scale = groups.get("s") or groups.get("s2")
    if number is None:  # "the trillion-plus figure"
        return _SCALE[scale.lower()]
    if kind == "term":
        unit = groups.get("u") or groups.get("u2") or groups.get("u3")
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit.lower()]
        return _number(number) * days
    value = _number(number)
    if kind == "count" and 1900 <= value <= 2100 and "," not in number and not scale:
        return None
    return value * _SCALE.get((scale or "").lower(), 1.0)


def _number(word: str) -> float:
    word = word.lower()
    if word == "a couple of":
        return 2.0
    if word in {"a", "an"}:  # "a month-long ceasefire"
        return 1.0
    return float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else float(word.replace(",", ""))
