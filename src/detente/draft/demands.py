"""Candidate issues from the text itself: what each side demands, offers or rules out.

A demand is the object of a cue in a sentence ("Norway wants *binding catch limits*", "the union
is demanding *a pay rise of at least 16 percent*", "Egypt called for *a balanced agreement*",
"*anything above 12 percent* is not on the table"), cut at the first clause break, without its
determiner, coordinated objects split ("binding catch limits and a review clause"). Its holders are
the bodies of the sentence's attributed statements, else the actors named before the cue in its
clause. The figures inside the object, or in a relative clause right after it ("raises that added up
to 61.5%"), are its candidate scale anchors ("at least 16 percent").
Objects with the same words (bar determiners and plural endings) are one candidate issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from detente.draft.actors import Cast
from detente.draft.lexicon import Body
from detente.draft.numbers import Figure
from detente.draft.quotes import Statement
from detente.draft.text import Document, Sentence

_CUES = {
    "wants": r"demands?|demanded|demanding|calls?\s+for|called\s+for|calling\s+for|push(?:es|ed|ing)?\s+for|press(?:es|ed|ing)?\s+for|"
             r"seeks?|sought|seeking|wants?|wanted|insists?\s+on|insisted\s+on|asks?\s+for|asked\s+for|urged|urges|"
             r"hopes?\s+for|needs?|is\s+holding\s+out\s+for|held\s+out\s+for|aims?\s+(?:for|at)",
    "offers": r"offers?|offered|offering|propos(?:es|ed|ing)|put\s+forward|tabled|agreed\s+to|agreed\s+on|accepted|accepts?|backs?|backed|supports?|supported",
    "rejects": r"rejects?|rejected|rejecting|oppos(?:es|ed|ing)|refus(?:es|ed|ing)|resists?|resisted|objects?\s+to|objected\s+to|"
               r"rules?\s+out|ruled\s+out|dismiss(?:es|ed)|won[’']t\s+accept|will\s+not\s+accept",
}
_CUE = re.compile(r"(?<![\w\-])(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _CUES.items()) + r")(?![\w\-])", re.IGNORECASE)
# A wish or an offer negated right before its cue is a refusal: "cannot accept", "does not want",
# "can't support", "will never back".
_NEGATED = re.compile(r"(?:\bnot|n[’']t|\bcannot|\bnever|\bno\s+longer)(?:\s+(?:be\s+able\s+to|(?!only\b)\w+ly))?\s+$", re.IGNORECASE)
_OFF_TABLE = re.compile(r"(?P<object>[^,;:.“”\"]{3,80}?)\s+(?:is|are|was|were|remains?|would\s+be)\s+(?:not\s+on|off)\s+the\s+table", re.IGNORECASE)
_STOP = re.compile(
    r"\s*(?:,(?!\d)|\.(?=\s|$)|[;:!?“”\"()—–]|\s-\s|\b(?:that|which|who|because|but|while|although|though|when|if|after|before|unless|"
    r"so|saying|said|says|adding|as\s+(?:part|well)|in\s+order|in\s+exchange|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b)",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"^(?:(?:a|an|the|its|their|his|her|our|your|any|some|more|further|all|this|these|those|new)\s+)+", re.IGNORECASE)
# What a cue word is followed by when it is not a demand: a pronoun, a clause of its own, a verb (a
# noun cue: "the previous offer stood at", "our offer stands"), a preposition of time or place.
_NO_OBJECT = re.compile(
    r"^(?:it|them|this|that|him|her|us|me|you|they|there|we|i|he|she|to\s+(?:do|be|have|go)|is|are|was|were|stood|has|have|had|"
    r"stands?|remains?|holds|still|will|would|could|can|may|might|must|should|during|from|in|at|by|with|since|until|over|under|into|of|on|about|as|than|"
    r"and|or|but|not|earlier|later|first|again|before|now|then)\b", re.IGNORECASE)
_LEADING_TIME = re.compile(r"^(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+(?:on\s+)?|(?:today|yesterday|again|also|now|first)\s+)", re.IGNORECASE)
_TRAILING = re.compile(r"(?:\s+(?:and|or|of|to|for|in|on|at|with|by|the|a|an))+$", re.IGNORECASE)
_MAX_WORDS = 14


@dataclass
class Demand:
    """One object of a demand, an offer or a refusal, with who holds it and the sentence that shows it."""

    stance: str  # wants | offers | rejects
    object: str
    start: int
    end: int
    sentence: Sentence
    holders: tuple[Body, ...] = ()
    anchors: tuple[Figure, ...] = ()

    @property
    def key(self) -> str:
        words = _DETERMINER.sub("", self.object.lower()).split()
        return " ".join(re.sub(r"(?<=[a-z]{3})s$", "", w) for w in words)


@dataclass
class TextIssue:
    """A candidate issue from the text: an object several sentences (or one) speak to."""

    key: str
    title: str
    demands: list[Demand] = field(default_factory=list)

    @property
    def holders(self) -> list[Body]:
        return list(dict.fromkeys(b for d in self.demands for b in d.holders))

    @property
    def anchors(self) -> list[Figure]:
        return list(dict.fromkeys(f for d in self.demands for f in d.anchors))


def find_demands(document: Document, cast: Cast, statements: list[Statement], figures: list[Figure]) -> list[Demand]:
    """Every demand, offer and refusal of the document, in reading order (see the module docstring)."""
    text = document.text
    headings = {p.index for p in document.paragraphs if p.heading}
    found: list[Demand] = []
    for sentence in document.sentences:
        if sentence.paragraph in headings:
            continue
        spoken = tuple(dict.fromkeys(b for s in statements if s.sentence.index == sentence.index and s.speaker is not None
                                     for b in s.speaker.bodies if b.kind != "experts"))
        for match in _OFF_TABLE.finditer(text, sentence.start, sentence.end):
            start = match.start("object")
            obj = text[start:match.end("object")]
            trimmed = re.search(r"[^,;:]*$", obj)
            start += trimmed.start()
            found += _demands("rejects", text, start, start + len(trimmed.group(0)), sentence, spoken, cast, figures)
        for cue in _CUE.finditer(text, sentence.start, sentence.end):
            stance = next(k for k in _CUES if cue.group(k))
            if stance != "rejects" and _NEGATED.search(text[max(sentence.start, cue.start() - 40) : cue.start()]):
                stance = "rejects"
            start = cue.end()
            start += len(text[start:sentence.end]) - len(text[start:sentence.end].lstrip())
            stop = _STOP.search(text, start, sentence.end)
            end = stop.start() if stop else sentence.end
            relative = re.match(r"\s*(?:that|which)\b(?:[^,;:.“”\"]|\.(?=\d))*", text[end:sentence.end]) if stop else None
            clause_end = end + relative.end() if relative else end  # "raises that added up to 61.5%": the figure anchors the raises
            found += _demands(stance, text, start, end, sentence, spoken, cast, figures, cue.start(), clause_end)
    return found


def _demands(stance, text, start, end, sentence, spoken, cast, figures, cue_at=None, clause_end=None) -> list[Demand]:
    lead = _LEADING_TIME.match(text, start, end)
    if lead:
        start = lead.end()
    words = text[start:end].split()
    if not words or _NO_OBJECT.match(text[start:end].strip()):
        return []
    if len(words) > _MAX_WORDS:
        cut = re.match(r"\S+(?:\s+\S+){%d}" % (_MAX_WORDS - 1), text[start:end])
        end = start + cut.end()
    trailing = _TRAILING.search(text, start, end)
    if trailing:
        end = trailing.start()
    holders = spoken or _holders_before(cast, sentence, cue_at if cue_at is not None else start)
    made = []
    parts = _coordinated(text, start, end)
    for a, b in parts:
        obj = re.sub(r"\s+", " ", text[a:b]).strip()
        if not _DETERMINER.sub("", obj) or len(obj) < 3 or _NO_OBJECT.match(obj):
            continue  # "our contribution to rise and we want modernization": the clause after "and" has its own cue
        last = (a, b) == parts[-1] and clause_end is not None
        anchors = tuple(f for f in figures if a <= f.start and f.end <= (max(b, clause_end) if last else b) + 1)
        made.append(Demand(stance, obj, a, b, sentence, holders, anchors))
    return made


def _coordinated(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"binding catch limits and a review clause" -> the two objects; "filling and operation of the
    dam" stays whole (a one-word part is no object of its own)."""
    parts = []
    cursor = start
    for joint in re.finditer(r",\s+(?:and\s+)?|\s+and\s+", text[start:end]):
        a, b = start + joint.start(), start + joint.end()
        parts.append((cursor, a))
        cursor = b
    parts.append((cursor, end))
    if len(parts) > 1 and all(len(text[a:b].split()) >= 2 for a, b in parts):
        return parts
    return [(start, end)]


def _holders_before(cast: Cast, sentence: Sentence, at: int) -> tuple[Body, ...]:
    before = [m for m in cast.within(sentence.start, at) if m.kind not in {"location", "pronoun"}]
    bodies = [b for m in before for b in m.actor_bodies]
    return tuple(dict.fromkeys(bodies))


def text_issues(demands: list[Demand]) -> list[TextIssue]:
    """Demands grouped by their object's words, those with most holders and sentences first."""
    issues: dict[str, TextIssue] = {}
    for demand in demands:
        issue = issues.setdefault(demand.key, TextIssue(demand.key, demand.object))
        issue.demands.append(demand)
    return sorted(issues.values(), key=lambda i: (-len(i.holders), -len(i.demands), i.demands[0].start))
