"""The draft scenario: actors from speaker groups, candidate issues, evidence on every stance.

Numbers are what the analyst decides, so the draft leaves every ``position``, ``salience`` and
actor ``capability`` empty (``null``); ``detente validate`` lists exactly these as the numbers
still to fill. An issue is drafted when statements of at least two actors speak to it (otherwise
it is listed in the description), and an actor gets a stance on each drafted issue its statements
speak to. Everything found that fits no stance (unattributed quotes, statements tied to no issue,
speakers with no body, figures about no actor) is listed in the scenario's description.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from detente.draft.actors import Cast
from detente.draft.demands import Demand, TextIssue, text_issues
from detente.draft.issues import Candidate, issues_in
from detente.draft.lexicon import Body, Lexicon
from detente.draft.numbers import Figure
from detente.draft.quotes import Speaker, Statement
from detente.draft.text import Document
from detente.errors import UsageError
from detente.io.files import write_atomic
from detente.io.yaml_io import _Dumper

TO_FILL = "TO FILL"


class _DraftDumper(_Dumper):
    """The scenario writer's YAML style, without aliases, and long text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_DraftDumper.add_representer(
    str, lambda d, text: d.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)
)


def slug(text: str) -> str:
    value = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return value or "draft"


@dataclass
class DraftActor:
    body: Body
    speakers: Counter = field(default_factory=Counter)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def weight(self) -> int:
        return sum(len(items) for items in self.evidence.values())


@dataclass
class Draft:
    """Everything read from an article, and the scenario drafted from it."""

    document: Document
    lexicon: Lexicon
    cast: Cast
    statements: list[Statement]
    terms: list[Statement]
    candidates: list[Candidate]
    figures: list[Figure]
    demands: list[Demand]
    source_id: str
    title: str
    date: dt.date | None = None

    # -- what was found ------------------------------------------------------------------------

    @property
    def quotes(self) -> list[Statement]:
        return [s for s in self.statements if s.kind == "quote"]

    @property
    def unattributed(self) -> list[Statement]:
        return [s for s in self.quotes if s.speaker is None]

    def text_issues(self) -> list[TextIssue]:
        """Candidate issues from the text: the objects of demands, offers and refusals, grouped."""
        return text_issues(self.demands)

    @property
    def speakers(self) -> list[Speaker]:
        """Each speaker once, in order of first statement."""
        return list({s.speaker.key: s.speaker for s in self.statements if s.speaker is not None and s.kind != "position"}.values())

    # -- the scenario --------------------------------------------------------------------------

    def actors(self) -> list[DraftActor]:
        """Actors with their evidence per issue, before choosing the issues (most evidence first)."""
        found: dict[str, DraftActor] = {}
        for statement in self.statements:
            for body in self._bodies_of(statement):
                actor = found.setdefault(body.id, DraftActor(body))
                if statement.speaker is not None and statement.kind != "position":
                    actor.speakers[statement.speaker.text] += 1
                for issue_id in statement.issues:
                    _add_evidence(actor.evidence.setdefault(issue_id, []), self._evidence(statement, body))
        by_sentence: dict[int, list[Figure]] = {}
        for figure in self.figures:
            by_sentence.setdefault(figure.sentence.index, []).append(figure)
        for figures in by_sentence.values():
            sentence = figures[0].sentence
            bodies = {b.id for m in self.cast.within(sentence.start, sentence.end) if m.kind != "location" for b in m.actor_bodies}
            for issue_id in issues_in(sentence.text, self.lexicon):
                for body_id in sorted(bodies & set(found)):
                    found[body_id].evidence.setdefault(issue_id, []).append(self._figure_evidence(figures))
        return sorted(found.values(), key=lambda a: -a.weight)

    def drafted_issues(self, actors: list[DraftActor] | None = None) -> list[Candidate]:
        actors = self.actors() if actors is None else actors
        return [c for c in self.candidates if sum(1 for a in actors if c.id in a.evidence) >= 2]

    def to_dict(self) -> dict[str, Any]:
        """The draft in the scenario format, numbers left ``None`` for the analyst."""
        actors = self.actors()
        issues = self.drafted_issues(actors)
        issue_ids = [c.id for c in issues]
        actor_entries = []
        for actor in actors:
            stances = {}
            for issue_id in issue_ids:
                if issue_id in actor.evidence:
                    evidence = sorted(actor.evidence[issue_id], key=lambda e: e.get("offset") or 0)
                    stances[issue_id] = {"position": None, "salience": None, "source": self.source_id, "evidence": evidence}
            if not stances:
                continue
            entry: dict[str, Any] = {"id": actor.body.id, "name": actor.body.name, "capability": None}
            entry["description"] = _actor_description(actor)
            entry["stances"] = stances
            actor_entries.append(entry)
        source: dict[str, Any] = {"id": self.source_id, "title": self.title}
        if self.document.publisher:
            source["publisher"] = self.document.publisher
        if self.date:
            source["date"] = self.date
        if self.document.url:
            source["url"] = self.document.url
        source["note"] = f"drafted by detente draft from {Path(self.document.path).name}" if self.document.path else "drafted by detente draft"
        data: dict[str, Any] = {"detente": 1, "id": slug(self.title)}
        data["title"] = self.title
        if self.date:
            data["as_of"] = self.date
        data["description"] = self._description(actors, issue_ids)
        data["sources"] = [source]
        data["issues"] = [
            {
                "id": c.id,
                "title": c.title,
                "description": f"Candidate issue: {c.summary()}. {TO_FILL}: label what 0 and 100 mean (anchors), "
                "optionally the status quo.",
                "scale": [0, 100],
                "anchors": {},
            }
            for c in issues
        ]
        data["actors"] = actor_entries
        return data

    def to_yaml(self) -> str:
        from detente.io.yaml_io import _FlowList

        data = self.to_dict()
        for issue in data["issues"]:
            issue["scale"] = _FlowList(issue["scale"])
        positions = sum(len(a["stances"]) for a in data["actors"])
        header = (
            f"# Draft scenario made by `detente draft` from {self.document.path or 'a text'}.\n"
            f"# {TO_FILL}: {positions} positions, {positions} saliences and {len(data['actors'])} capabilities (the nulls),\n"
            "# and each issue's anchors. `detente validate` lists the numbers still to fill. Every stance\n"
            "# carries its evidence: the statement, its speaker as written, and the character offset of its\n"
            "# sentence in the source text. Delete what does not belong.\n"
        )
        body = yaml.dump(data, Dumper=_DraftDumper, sort_keys=False, allow_unicode=True, width=100)
        body = re.sub(r"^(\s*(?:position|salience|capability): null)$", rf"\1  # {TO_FILL}", body, flags=re.M)
        return header + body

    def summary(self, destination: str | Path | None = None) -> str:
        """One paragraph for the command line: what was drafted and what is left to fill."""
        data = self.to_dict()
        stances = sum(len(a["stances"]) for a in data["actors"])
        where = f"wrote {destination}: " if destination else ""
        text = (
            f"{where}{_counted(len(data['actors']), 'actor')}, {_counted(len(data['issues']), 'issue')}, {_counted(len(self.quotes), 'quote')} "
            f"({len(self.unattributed)} unattributed), {len(self.figures)} figures."
        )
        if not data["issues"]:
            return text + " No issue is spoken to by two actors, so the draft has no issues or actors yet; its description lists what was found."
        check = f"`detente validate {destination}`" if destination else "`detente validate`"
        return text + f" To fill: {stances} positions, {stances} saliences, {len(data['actors'])} capabilities; {check} lists them."

    def write(self, destination: str | Path) -> Path:
        path = Path(destination)
        if path.suffix.lower() not in {".yaml", ".yml"}:
            raise UsageError(f"{path}: a draft is written as YAML; give an output file ending in .yaml")
        return write_atomic(path, self.to_yaml())

    # -- helpers -------------------------------------------------------------------------------

    def _bodies_of(self, statement: Statement) -> tuple[Body, ...]:
        if statement.kind == "position":
            return statement.holders
        if statement.speaker is None:
            return ()
        if statement.speaker.bodies:
            return tuple(b for b in statement.speaker.bodies if b.kind != "other")
        if statement.speaker.kind == "named":
            return (Body(slug(statement.speaker.key).upper(), statement.speaker.key, "person"),)
        return ()

    def _evidence(self, statement: Statement, body: Body) -> dict[str, Any]:
        notes = []
        if statement.kind == "quote" and statement.written and statement.speaker and statement.written != statement.speaker.text:
            notes.append(f"speaker written as '{statement.written}' here")
        if statement.speaker is not None and statement.speaker.kind == "anonymous":
            notes.append("anonymous source")
        if statement.kind == "position":
            others = [b.name for b in statement.holders if b != body]
            notes.append("position named in the text" + (f" together with {', '.join(others)}" if others else "") + "; check whose it is")
        if statement.issue_context != "sentence":
            notes.append(f"issue read from the {statement.issue_context}")
        opens_sentence = statement.start <= statement.sentence.start + 1
        if statement.kind == "quote" and not opens_sentence and len(statement.text) < 0.6 * len(statement.sentence.text):
            notes.append(f"sentence: {statement.sentence.text}")
        entry: dict[str, Any] = {"quote": statement.text}
        speaker = statement.speaker.text if statement.speaker else None
        if speaker:
            entry["speaker"] = speaker
        entry.update({"source": self.source_id, "offset": statement.sentence.start, "kind": statement.kind})
        if notes:
            entry["note"] = "; ".join(notes)
        return entry

    def _figure_evidence(self, figures: list[Figure]) -> dict[str, Any]:
        sentence = figures[0].sentence
        note = "; ".join(f"{f.text} ({f.kind} {f.value:g})" for f in figures)
        return {"quote": sentence.text, "source": self.source_id, "offset": sentence.start, "kind": "number", "note": note}

    def _description(self, actors: list[DraftActor], issue_ids: list[str]) -> str:
        lines = [
            f"Draft from {Path(self.document.path).name if self.document.path else 'a text'}: "
            f"{len(self.quotes)} quotes, {sum(1 for s in self.statements if s.kind == 'reported')} reported statements, "
            f"{sum(1 for s in self.statements if s.kind == 'position')} reported positions, {len(self.figures)} figures. "
            f"Positions, saliences and capabilities are empty for the analyst to fill in from the evidence."
        ]
        if self.unattributed:
            lines.append("Unattributed quotes (no speaker found):")
            lines += [f"- \"{s.text}\" (offset {s.sentence.start})" for s in self.unattributed]
        loose = [s for s in self.statements if s.speaker is not None and s.kind != "position" and not s.issues]
        if loose:
            lines.append("Statements tied to no candidate issue:")
            lines += [f"- {s.speaker.text}: \"{_short(s.text)}\" (offset {s.sentence.start})" for s in loose]
        bodiless = [s for s in self.statements if s.kind != "position" and s.speaker is not None and not self._bodies_of(s)]
        if bodiless:
            lines.append("Speakers who speak for no body found in the text:")
            lines += [f"- {s.speaker.text}: \"{_short(s.text)}\" (offset {s.sentence.start})" for s in bodiless]
        dropped = [c for c in self.candidates if c.id not in issue_ids]
        if dropped:
            lines.append("Also mentioned, not drafted (statements of fewer than two actors): "
                         + "; ".join(f"{c.title} ({c.sentences} sentence{'s' if c.sentences != 1 else ''})" for c in dropped) + ".")
        wanted = self.text_issues()
        if wanted:
            lines.append("Candidate issues from the text (what is demanded, offered or ruled out, by whom, with figures that could anchor a scale):")
            for issue in wanted:
                holders = ", ".join(b.name for b in issue.holders) or "holder not named"
                anchors = f"; anchors: {', '.join(f.text for f in issue.anchors)}" if issue.anchors else ""
                stances = ", ".join(dict.fromkeys(d.stance for d in issue.demands))
                offsets = ", ".join(str(d.sentence.start) for d in issue.demands)
                lines.append(f"- {issue.title} ({stances}: {holders}{anchors}; offset {offsets})")
        drafted = {a.body.id for a in actors if any(i in a.evidence for i in issue_ids)}
        others = [a.body.name for a in actors if a.body.id not in drafted]
        if others:
            lines.append(f"Named with no statement on a drafted issue: {', '.join(others)}.")
        return "\n".join(lines) + "\n"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _add_evidence(items: list[dict[str, Any]], entry: dict[str, Any]) -> None:
    """Append, joining a quote to the previous one of the same speaker and sentence ("A … B")."""
    if items and entry["kind"] == "quote":
        last = items[-1]
        if last["kind"] == "quote" and last.get("speaker") == entry.get("speaker") and last["offset"] == entry["offset"]:
            last["quote"] = f"{last['quote']} … {entry['quote']}"
            return
    if entry not in items:
        items.append(entry)


def _actor_description(actor: DraftActor) -> str:
    kinds = {"state": "state", "organisation": "international organisation", "bloc": "group of states",
             "experts": "commentators quoted in the source, not a party: keep only if they act in the negotiation",
             "person": "a person whose body the text does not name: say whom they speak for"}
    text = kinds.get(actor.body.kind, actor.body.kind)
    if actor.speakers:
        voices = ", ".join(f"{name} ({count})" for name, count in actor.speakers.most_common())
        text += f". Speakers in the source: {voices}"
    return text + "."


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
