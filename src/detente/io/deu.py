"""Reader for the 'Decision-making in the European Union' data set (DEU III).

Arregui, J. & Perarnaud, C. (2021), "A new dataset on legislative decision-making in the European
Union: the DEU III dataset", Journal of European Public Policy; data doi:10.34810/data53, CC BY
4.0. It covers 364 controversial issues of EU legislative proposals (DEU I to III): for each, the
positions and saliences (0..100) of the Commission (``com``), the European Parliament (``ep``)
and the member states, the reference point ``rp`` (what holds without a new law) and the
legislative outcome ``out``, with the procedure ``proc`` (COD or CNS), the Council voting rule
``counvte`` and the dates of introduction ``intro`` and final act ``finact``.

Two layouts are read, recognised by their separator:

* the official release ``Dataset_DEU_III.csv``: semicolon-separated, ``999`` = missing;
* the tab-separated derivative of blksv/predictioneers_game (``deu3.csv``), which adds a second
  line holding each actor's GDP in the position columns and leaves missing cells empty.

Capabilities (DEU records none) are a choice, ``capability=``:

* ``gdp`` (default): GDP from the file's second line (the values of that line are built in for
  files without one). The Commission and Parliament carry the largest member's GDP there.
* ``votes``: each member state's weighted votes in the Council under the treaty in force on the
  date of the final act (the introduction date when the final act is missing); the Commission and
  the Parliament each carry the largest member's votes, as in the GDP line.
* ``equal``: every actor 1.

Each actor also carries the other codings as ``capabilities`` (``gdp``, ``votes``, ``ssi``, the
Shapley-Shubik index of the votes under qualified majority, and ``population``), which the
consensus model averages over.

An issue is kept when at least 3 actors have both a position and a salience; it is scoreable
when it also has an outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from detente.errors import Problem, ScenarioError
from detente.scenario import Scenario

MISSING = 999.0
MIN_ACTORS = 3
Capability = Literal["gdp", "votes", "equal"]
CAPABILITIES: tuple[str, ...] = ("gdp", "votes", "equal")
DEFAULT_CAPABILITY: Capability = "gdp"
CITATION = (
    "DEU III: Arregui & Perarnaud (2021), doi:10.34810/data53, CC BY 4.0; expert-coded legislative outcome"
)

ACTORS: dict[str, str] = {
    "com": "European Commission",
    "ep": "European Parliament",
    "at": "Austria",
    "be": "Belgium",
    "bu": "Bulgaria",
    "cr": "Croatia",
    "cy": "Cyprus",
    "cz": "Czech Republic",
    "dk": "Denmark",
    "ee": "Estonia",
    "fi": "Finland",
    "fr": "France",
    "de": "Germany",
    "el": "Greece",
    "hu": "Hungary",
    "ie": "Ireland",
    "it": "Italy",
    "lv": "Latvia",
    "lt": "Lithuania",
    "lu": "Luxembourg",
    "mt": "Malta",
    "nl": "Netherlands",
    "pl": "Poland",
    "pt": "Portugal",
    "ro": "Romania",
    "si": "Slovenia",
    "sk": "Slovakia",
    "es": "Spain",
    "se": "Sweden",
    "uk": "United Kingdom",
}
INSTITUTIONS = ("com", "ep")

# GDP per actor (the second line of blksv/predictioneers_game deu3.csv), for files without that line.
GDP: dict[str, float] = {
    "com": 4.1, "ep": 4.1, "at": 0.48, "be": 0.58, "bu": 0.09, "cr": 0.08, "cy": 0.03, "cz": 0.31,
    "dk": 0.37, "ee": 0.04, "fi": 0.28, "fr": 2.8, "de": 4.1, "el": 0.22, "hu": 0.2, "ie": 0.5,
    "it": 2.09, "lv": 0.04, "lt": 0.07, "lu": 0.08, "mt": 0.02, "nl": 1.03, "pl": 0.75, "pt": 0.27,
    "ro": 0.32, "si": 0.06, "sk": 0.12, "es": 1.46, "se": 0.55, "uk": 2.64,
}  # fmt: skip

# Population in millions on 1 January 2005 (Eurostat, demo_pjan, rounded to 0.1 million; Cyprus,
# Luxembourg and Malta to 0.01), a capability coding for the consensus model; the Commission and
# the Parliament carry the largest member's, as in the GDP line.
POPULATION: dict[str, float] = {
    "at": 8.2, "be": 10.4, "bu": 7.8, "cr": 4.4, "cy": 0.75, "cz": 10.2, "dk": 5.4, "ee": 1.3,
    "fi": 5.2, "fr": 62.8, "de": 82.5, "el": 11.1, "hu": 10.1, "ie": 4.1, "it": 58.5, "lv": 2.3,
    "lt": 3.4, "lu": 0.46, "mt": 0.40, "nl": 16.3, "pl": 38.2, "pt": 10.5, "ro": 21.7, "si": 2.0,
    "sk": 5.4, "es": 43.0, "se": 9.0, "uk": 60.1,
}  # fmt: skip
POPULATION.update({institution: max(POPULATION.values()) for institution in ("com", "ep")})

_EU12 = {"de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5, "pt": 5, "dk": 3, "ie": 3, "lu": 2}
_EU15 = {**_EU12, "at": 4, "se": 4, "fi": 3}
_NICE = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13, "be": 12, "cz": 12,
    "el": 12, "hu": 12, "pt": 12, "at": 10, "se": 10, "bu": 10, "dk": 7, "ie": 7, "lt": 7, "sk": 7,
    "fi": 7, "cr": 7, "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3,
}  # fmt: skip
_ACCESSION = {"bu": dt.date(2007, 1, 1), "ro": dt.date(2007, 1, 1), "cr": dt.date(2013, 7, 1)}

# Council weighted votes by treaty period (first day in force): Single European Act (EU12), the
# 1995 enlargement (EU15), the 2003 Act of Accession's transition for EU25 (May-Oct 2004), and the
# Nice weights from 1 Nov 2004 (Bulgaria and Romania from 2007, Croatia from July 2013). The
# Lisbon double majority (from Nov 2014) has no weights; the Nice weights, which members could
# still invoke until March 2017, stand in for it.
COUNCIL_VOTES: list[tuple[dt.date, dict[str, int]]] = [
    (dt.date(1986, 7, 1), _EU12),
    (dt.date(1995, 1, 1), _EU15),
    (dt.date(2004, 5, 1), {**_EU15, "pl": 8, "cz": 5, "hu": 5, "ee": 3, "lv": 3, "lt": 3, "si": 3, "sk": 3, "cy": 2, "mt": 2}),
    (dt.date(2004, 11, 1), _NICE),
]


# The qualified majority (votes needed) for each total of Council votes in COUNCIL_VOTES' periods:
# EU12, EU15, the 2004 transition, Nice for EU25, EU27 (2007) and EU28 (July 2013).
QMV_QUOTA: dict[int, int] = {76: 54, 87: 62, 124: 88, 321: 232, 345: 255, 352: 260}


def shapley_shubik(votes: dict[str, int], quota: int) -> dict[str, float]:
    """The Shapley-Shubik index of each member in the weighted vote ``[quota; w_1, ..., w_n]``
    (Shapley & Shubik 1954): the share of orderings in which the member's vote turns a losing
    coalition into a winning one,

        φ_i = Σ_{S ∌ i, q − w_i ≤ w(S) < q} |S|! (n − |S| − 1)! / n!

    counted by dynamic programming over coalition size and weight."""
    names = list(votes)
    weights = np.array([votes[name] for name in names])
    n, total = len(names), int(weights.sum())
    factor = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])
    index = {}
    for i, name in enumerate(names):
        counts = np.zeros((n, total + 1))  # coalitions of the others by size and weight
        counts[0, 0] = 1.0
        for w in np.delete(weights, i):
            counts[1:, w:] = counts[1:, w:] + counts[:-1, : total + 1 - w]
        pivotal = counts[:, max(quota - weights[i], 0) : quota].sum(axis=1)
        index[name] = float(pivotal @ factor)
    return index


def council_votes(on: dt.date) -> dict[str, int]:
    """Each member state's weighted Council votes on a date (members only)."""
    votes: dict[str, int] = {}
    for start, table in COUNCIL_VOTES:
        if on >= start:
            votes = table
    return {k: v for k, v in votes.items() if on >= _ACCESSION.get(k, dt.date.min)}


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(text: str) -> dt.date | None:
    """A DEU date: ``dd-mm-yy`` or ``dd-mm-yyyy`` (also with ``/`` or ``.``); None when empty, 999
    or not a date.

    ``yyyy-mm-dd`` values are ``dd-mm-yy`` dates a spreadsheet read as ``yy-mm-dd`` (in the
    tab-separated derivative ``30-05-01`` became ``1930-05-01``): the last two digits of the
    'year' are the day and the 'day' is the year. Read that way every final act in that file
    follows its proposal's introduction; read as ISO dates 53 would precede it.
    """
    text = text.strip()
    swapped = _YMD.match(text)
    if swapped:
        year_field, month, day_field = (int(g) for g in swapped.groups())
        day, month, year = year_field % 100, month, day_field
    else:
        plain = _DMY.match(text)
        if not plain:
            return None
        day, month, year = (int(g) for g in plain.groups())
    if year < 100:
        year += 1900 if year >= 50 else 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class DeuProposal:
    """One legislative proposal as a scenario (its issues with at least 3 actors), with its procedure."""

    scenario: Scenario
    procedure: str
    voting_rule: str
    decided: dt.date | None


@dataclass
class DeuData:
    """The issues of a DEU file as arrays, one row per issue and one column per actor.

    ``position`` and ``salience`` are on 0..100 (NaN = missing), ``reference`` (rp) and
    ``outcome`` per issue (NaN = missing). ``notes`` lists cells that were read as missing.
    """

    source: str
    actors: list[str]
    issue_ids: list[str]
    proposal_ids: list[str]
    proposal_names: list[str]
    procedure: list[str]
    voting_rule: list[str]
    decided: list[dt.date | None]
    position: np.ndarray
    salience: np.ndarray
    reference: np.ndarray
    outcome: np.ndarray
    gdp: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def n_issues(self) -> int:
        return len(self.issue_ids)

    def capability(self, kind: Capability = DEFAULT_CAPABILITY) -> np.ndarray:
        """Capability per issue and actor (NaN for a state that was not a member on the decision date)."""
        n, m = self.position.shape
        if kind == "equal":
            return np.ones((n, m))
        if kind == "gdp":
            return np.tile([self.gdp.get(a, math.nan) for a in self.actors], (n, 1))
        if kind != "votes":
            raise ScenarioError([Problem(f"unknown capability {kind!r}; choose one of {', '.join(CAPABILITIES)}")])
        table = np.full((n, m), np.nan)
        for k, date in enumerate(self.decided):
            votes = council_votes(date or dt.date(2004, 11, 1))
            largest = max(votes.values())
            table[k] = [votes.get(a, largest if a in INSTITUTIONS else math.nan) for a in self.actors]
        return table

    def codings(self, rows: list[int]) -> dict[str, dict[str, float]]:
        """Every capability coding DEU supports, per actor, for the proposal holding issue rows
        ``rows`` (dated by its first): ``gdp``, ``votes`` (Council votes), ``ssi`` (their
        Shapley-Shubik index under qualified majority), ``population``. The Commission and the
        Parliament carry the largest member's value; a state that was no member has no votes."""
        date = self.decided[rows[0]] or dt.date(2004, 11, 1)
        votes = council_votes(date)
        ssi = shapley_shubik(votes, QMV_QUOTA[sum(votes.values())])
        result: dict[str, dict[str, float]] = {}
        for code in self.actors:
            values = {"gdp": self.gdp.get(code, math.nan), "population": POPULATION.get(code, math.nan)}
            if code in INSTITUTIONS:
                values.update(votes=max(votes.values()), ssi=max(ssi.values()))
            elif code in votes:
                values.update(votes=votes[code], ssi=ssi[code])
            result[code] = {k: float(v) for k, v in values.items() if v > 0}
        return result

    def participants(self, kind: Capability = DEFAULT_CAPABILITY) -> np.ndarray:
        """Actors with a position, a salience and a capability, per issue."""
        return ~np.isnan(self.position) & ~np.isnan(self.salience) & ~np.isnan(self.capability(kind))

    def kept(self, kind: Capability = DEFAULT_CAPABILITY) -> np.ndarray:
        """Issues with at least :data:`MIN_ACTORS` participants."""
        return self.participants(kind).sum(axis=1) >= MIN_ACTORS

    def scoreable(self, kind: Capability = DEFAULT_CAPABILITY) -> np.ndarray:
        """Issues with an outcome and at least :data:`MIN_ACTORS` participants."""
        return self.kept(kind) & ~np.isnan(self.outcome)

    def proposals(self, kind: Capability = DEFAULT_CAPABILITY) -> list[DeuProposal]:
        """One scenario per proposal holding its kept issues (negotiated together), outcomes set.

        Saliences are given on 0..1 (the file's value / 100), positions on the 0..100 scale.
        """
        capability = self.capability(kind)
        present = self.participants(kind)
        kept = present.sum(axis=1) >= MIN_ACTORS
        order: dict[str, list[int]] = {}
        for k, proposal in enumerate(self.proposal_ids):
            if kept[k]:
                order.setdefault(proposal, []).append(k)
        result = []
        for proposal, rows in order.items():
            first = rows[0]
            codings = self.codings(rows)
            issues = []
            for k in rows:
                issue = {"id": self.issue_ids[k], "title": f"{self.proposal_names[k] or proposal}: issue {self.issue_ids[k]}", "scale": [0, 100]}
                if not math.isnan(self.reference[k]):
                    issue["status_quo"] = float(self.reference[k])
                if not math.isnan(self.outcome[k]):
                    issue["outcome"] = float(self.outcome[k])
                issues.append(issue)
            actors = []
            for a, code in enumerate(self.actors):
                stances = {
                    self.issue_ids[k]: {"position": float(self.position[k, a]), "salience": float(self.salience[k, a]) / 100.0}
                    for k in rows
                    if present[k, a]
                }
                if stances:
                    alternatives = {k: v for k, v in codings[code].items() if k != kind}
                    actors.append(
                        {
                            "id": code,
                            "name": ACTORS.get(code, code),
                            "capability": float(capability[first, a]),
                            "capabilities": alternatives,
                            "stances": stances,
                        }
                    )
            scenario = Scenario.from_dict(
                {
                    "id": _slug(proposal),
                    "title": f"{self.proposal_names[first] or proposal} ({proposal}, {self.procedure[first] or 'procedure unknown'})",
                    "issues": issues,
                    "actors": actors,
                    "outcome_source": CITATION,
                },
                source=f"{self.source}#{proposal}",
            )
            result.append(DeuProposal(scenario, self.procedure[first], self.voting_rule[first], self.decided[first]))
        return result


def _slug(text: str) -> str:
    from detente.io.common import slugify

    return slugify(text) or "proposal"


def read_deu(source: str | Path, text: str | None = None) -> DeuData:
    """Read a DEU file (official ``;`` release or the tab-separated derivative with a GDP line)."""
    name = str(source)
    if text is None:
        data = Path(source).read_bytes()
        text = _decode(data, name)
    lines = text.splitlines()
    if not lines:
        raise ScenarioError([Problem("the file is empty", file=name)], name)
    separator = ";" if lines[0].count(";") > lines[0].count("\t") else "\t"
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    header = [h.strip().lstrip("\ufeff").lower() for h in rows[0]]
    column = {h: i for i, h in enumerate(header)}
    problems = [Problem(f"missing column {c!r} (a DEU file has isnr, prnr, proc, rp, out and p<actor>/s<actor> columns)", file=name) for c in ("isnr", "out") if c not in column]
    actors = [a for a in ACTORS if f"p{a}" in column and f"s{a}" in column]
    if not actors:
        problems.append(Problem("no actor columns found (expected pairs like pcom/scom, pde/sde)", file=name))
    if problems:
        raise ScenarioError(problems, name)

    notes: list[str] = []
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    gdp = dict(GDP)
    if body and not _cell(body[0], column, "isnr"):
        gdp.update({a: v for a in actors if (v := _number(_cell(body[0], column, f"p{a}"))) is not None and v > 0})
        body = body[1:]

    def score(row: list[str], key: str, line: int) -> float:
        raw = _cell(row, column, key)
        value = _number(raw)
        if value is None:
            if raw.strip():
                notes.append(f"line {line}: {key} = {raw!r} is not a number; read as missing")
            return math.nan
        if value == MISSING:
            return math.nan
        if not 0 <= value <= 100:
            notes.append(f"line {line}: {key} = {raw!r} lies outside 0..100; read as missing")
            return math.nan
        return value

    first_line = len(rows) - len(body) + 1
    position = np.full((len(body), len(actors)), np.nan)
    salience = np.full_like(position, np.nan)
    reference, outcome = np.full(len(body), np.nan), np.full(len(body), np.nan)
    for k, row in enumerate(body):
        line = first_line + k
        for a, code in enumerate(actors):
            position[k, a] = score(row, f"p{code}", line)
            salience[k, a] = score(row, f"s{code}", line)
        reference[k] = score(row, "rp", line) if "rp" in column else math.nan
        outcome[k] = score(row, "out", line)
    issue_ids = [_cell(r, column, "isnr") or f"issue-{k + 1}" for k, r in enumerate(body)]
    return DeuData(
        source=name,
        actors=actors,
        issue_ids=issue_ids,
        proposal_ids=[_cell(r, column, "prnr") or issue_ids[k] for k, r in enumerate(body)],
        proposal_names=[_cell(r, column, "prname") for r in body],
        procedure=[_cell(r, column, "proc").upper() for r in body],
        voting_rule=[_cell(r, column, "counvte") for r in body],
        decided=[parse_date(_cell(r, column, "finact")) or parse_date(_cell(r, column, "intro")) for r in body],
        position=position,
        salience=salience,
        reference=reference,
        outcome=outcome,
        gdp=gdp,
        notes=notes,
    )


def _cell(row: list[str], column: dict[str, int], key: str) -> str:
    index = column.get(key)
    return row[index].strip() if index is not None and index < len(row) else ""


def _number(text: str) -> float | None:
    from detente.io.common import parse_number

    return parse_number(text, decimal_comma=True) if text.strip() else None


def _decode(data: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ScenarioError([Problem("cannot decode the file as text", file=source)], source)
