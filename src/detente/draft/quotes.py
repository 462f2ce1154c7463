"""Attributed statements: direct quotes, reported speech and reported positions, with their speaker.

Within each sentence (quotations masked so that words inside a quote never attribute it) an
attribution is a speech verb with a speaker next to it:

- ``X said`` / ``X has said that`` / ``X told reporters`` / ``X posted that`` (``X`` right before the
  verb, or before a relative clause or apposition: "A Western official who ..., said");
- ``..., said X`` (the speaker right after the verb, when a comma or quote precedes it);
- ``according to X``; ``as X put it``;
- ``X's (official) position ... remains that ...`` (a reported position).

A quote takes the attribution of its own sentence (the one closest to it when there are several,
"according to" people with no body of their own only when there is no other); a sentence that is
nothing but a quote continues the previous sentence's speaker; a paragraph that opens with a quote
left open at the end of the previous paragraph continues that quote's speaker. "he"/"she" is the
nearest compatible person in this paragraph or the one before (see ``_antecedent``; of the right
gender where the text gives it), "it" a body
(``_body_antecedent``); "the official" (or diplomat, ...) the last singular speaker with that role.
A reported sentence takes the attribution that frames it (``_frame``), not one inside what it
reports. A quote of three words or fewer with no attribution in its sentence is a term
("land-for-peace"), not a statement. Other quotes without a speaker are kept, unattributed.

Sentences without quotes that carry an attribution are reported statements. Sentences whose
source has no body ("officials said", "analysts said") or no attribution at all give *position*
statements: the actors named before a position cue in the same clause ("key allies, including
the United States and Germany, so far rebuffing ...") or after a cue noun with "of" ("the
proposals of ... Orban").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from detente.draft.actors import BODY_NOUNS, Cast, Mention
from detente.draft.lexicon import EXPERTS, Body, Lexicon
from detente.draft.text import Document, QuoteSpan, Sentence, quote_spans, squash

MASK = "\u25a0"
_SUBJECT_GAP = re.compile(
    r"(?:\s*\([A-Z][A-Za-z]{1,9}\))?(?:\s*,\s*\d{1,3}\s*(?=,))?(?:\s*,)?(?:\s+(?:who|has|have|had|also|long|would|will|repeatedly|previously|later|then|publicly|privately|recently|"
    r"once|often|never|not|already|again|reportedly|apparently|briefly|earlier|just|only|separately|himself|herself|however|"
    r"does|do|did|(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|today|yesterday|"
    r"(?:in|at|during)\s+(?:a|an|the|his|her)\s+(?:[a-z\-]+\s+){0,2}(?:statement|interview|briefing|conference|speech|address|post|letter|message)\s*,?))*\s+"
)
_ADVERBS = r"(?:(?:also|then|later|only|however|again|has|have|had|[a-z]+ly)\s+)*"
_RELATIVE_GAP = re.compile(r"(?:,?\s+(?:who|which)\b[^" + MASK + r"]*,|\s*[–—]\s*(?:who|which)\b[^" + MASK + r"]*[–—])\s*" + _ADVERBS)
# An apposition opens with a determiner, a lower-case word or a body's name before one (", UAW president,", ", Canada's envoy,").
_APPOSITION_START = r",\s+(?:(?:a|an|the)\b|[a-z]|(?:[A-Z][\w.\-&]*(?:[’']s)?\s+){1,3}[a-z]|(?=(?:[A-Z][\w.\-&]*\s+){1,3}[A-Z][\w\-]*,))"  # ", NATO Secretary General,"
_APPOSITION_GAP = re.compile(_APPOSITION_START + r"[^" + MASK + r"]*,\s*" + _ADVERBS)
# One clause between a subject and its verb, with no comma inside ("Greer, who ... He Lifeng, suggested";
# not "Qatar, which mediates, the official, Issat el Reshiq, told").
_ONE_CLAUSE_GAPS = (
    re.compile(r"(?:,?\s+(?:who|which)\b[^" + MASK + r",]*,|\s*[–—]\s*(?:who|which)\b[^" + MASK + r"]*[–—])\s*" + _ADVERBS),
    re.compile(_APPOSITION_START + r"[^" + MASK + r",]*,\s*" + _ADVERBS),
)
_TIME_WORDS = r"(?:\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight))?"
_PARTICIPLES = {"saying", "telling", "adding", "noting", "warning", "arguing", "insisting", "writing", "stressing", "urging", "citing"}
_INVERTIBLE = {"said", "says", "added", "adds", "wrote", "writes", "asked", "asks", "explained", "noted", "notes", "stated",
               "replied", "warned", "warns", "insisted", "insists", "argued", "argues", "acknowledged", "declared", "tweeted", "posted"}
_OFFICE_GAP = re.compile(r"(?:[’']s|[’'])\s+(?:[a-z]+\s+)?(?:office|spokes(?:man|woman|person)|statement)" + _SUBJECT_GAP.pattern)  # "Netanyahu’s office said", "AMPTP’s statement read"
# Words in an organisation's name that make it a possible antecedent of "the union", "the party", "the company".
_BODY_NAME_WORDS = {
    "union": ("union", "association", "federation", "workers", "congress", "confederation", "organisation", "organization", "college", "guild",
              "brotherhood", "teamsters"),
    "party": ("party", "democrats", "republicans", "socialists", "conservatives", "liberals", "greens", "union"),
    "company": ("company", "corporation", "corp", "inc", "ltd", "group", "airways", "airlines", "motors", "rail", "mail"),
}
_LEADERS = ("leader", "president", "prime minister", "premier", "chancellor", "king", "emir", "head", "chief", "chairman", "secretary-general")
_STATEMENT_FROM = r"(?:(?:a|the)\s+(?:joint\s+|written\s+)?statement\s+(?:from|by|issued\s+by)\s+)?"  # "said a statement from X"
_PARTICIPLE_GAP = re.compile(r",\s+[a-z]+ing\b[^" + MASK + r",]*,\s*")
# What may follow the speaker of "..., said X": the sentence's end, a comma, a quote, a time or place.
_INVERTED_SUBJECT_END = re.compile(
    r"\s*(?:[,.;:!?()" + MASK + r"]|$|(?:on|in|at|to|during|after|before|last|this|from|of|who|when|while|as|and|adding|according|via|through|told|familiar|close|involved|briefed|with|[a-z]+ing)\b)"
)
_CLAUSE_BREAK = re.compile(r"[;:—–]|\s-\s|\b(?:but|while|though|although|because|whereas|with|which|who|where|when|if)\b|,\s+and\b", re.IGNORECASE)


@dataclass(frozen=True)
class Speaker:
    """Who made a statement, as first written in full, with the bodies they speak for."""

    key: str
    text: str
    kind: str  # named | anonymous | group | body
    bodies: tuple[Body, ...] = ()
    singular: bool = True
    head: str | None = None  # role noun of an unnamed speaker ("official")


@dataclass
class Statement:
    """A quote, a reported statement or a reported position, traceable to its sentence."""

    kind: str  # quote | reported | position
    text: str
    start: int
    end: int
    sentence: Sentence
    speaker: Speaker | None = None
    written: str | None = None  # the speaker as written at this place ("he", "the official")
    rule: str = ""
    holders: tuple[Body, ...] = ()
    issues: tuple[str, ...] = ()
    issue_context: str = "sentence"
    nested: bool = False
    part_of: "Statement | None" = field(default=None, repr=False)  # the quote this one continues


@dataclass
class Attribution:
    verb_start: int
    verb_end: int
    mention: Mention
    rule: str


@dataclass
class _Reader:
    document: Document
    cast: Cast
    lexicon: Lexicon
    speakers: list[Speaker] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    terms: list[Statement] = field(default_factory=list)
    context: list[Mention] = field(default_factory=list)  # the mentions of the sentence being read, outside quotes

    def __post_init__(self) -> None:
        verbs = sorted(self.lexicon.verbs, key=len, reverse=True)
        self.verb_pattern = re.compile(r"(?<![\w])(?:" + "|".join(r"\s+".join(map(re.escape, v.split())) for v in verbs) + r")(?![\w])", re.IGNORECASE)
        after = "|".join(map(re.escape, self.lexicon.sources_after)) or "(?!)"
        self.after_pattern = re.compile(rf"(?<![\w])(?:{after})\s+", re.IGNORECASE)
        self.position_pattern = re.compile("|".join(self.lexicon.position_phrases) or "(?!)", re.IGNORECASE)
        cues = sorted(self.lexicon.position_cues, key=len, reverse=True)
        self.cue_pattern = re.compile(r"(?<![\w])(?:" + "|".join(r"\s+".join(map(re.escape, c.split())) for c in cues) + r")(?![\w])", re.IGNORECASE)
        self.boilerplate = re.compile("|".join(map(re.escape, self.lexicon.boilerplate)) or "(?!)", re.IGNORECASE)
        text = self.document.text
        self.quoted = [q for p in self.document.paragraphs for q in quote_spans(text, p.start, p.end)]  # every quotation, in order

    # -- speakers ------------------------------------------------------------------------------

    def speaker_of(self, mention: Mention, context: list[Mention] = ()) -> tuple[Speaker | None, str]:
        """The speaker a mention stands for, resolving "he" and "the official" to earlier speakers
        (for "he", a person named before it in the same sentence, outside quotes, comes first:
        ``context`` are the sentence's mentions)."""
        if mention.kind == "pronoun" and mention.text.lower() == "it":
            return self._body_antecedent(mention), "pronoun"
        if mention.kind == "pronoun":
            before = [m for m in context if m.kind == "person" and m.end <= mention.start and _agrees(mention, m.person)]
            if before:
                return self.speaker_of(before[-1])[0], "pronoun"
            return self._antecedent(mention), "pronoun"
        owner_name = re.search(r"(?<![\w\-])([A-Z][\w\-]+)(?:[’']s|[’'])\s+(?:[a-z][\w\-]*\s+){0,2}$", self.document.text[max(0, mention.start - 50):mention.start])
        owner = next((p for p in self.cast.people.values() if owner_name and p.surname == owner_name.group(1) and p.body), None) if mention.kind == "source" else None
        if owner is not None and not mention.bodies:  # "Guterres' spokesman said": speaks for Guterres' body
            return Speaker(mention.text.lower(), f"{owner_name.group(0)}{mention.text}".strip(), "anonymous", (owner.body,), not mention.plural, mention.head), "source"
        if mention.kind == "source" and not mention.bodies and re.search(
                r"\b(?:his|her)\s+(?:[\w\-]+\s+){0,3}$", self.document.text[max(0, mention.start - 40):mention.start + len(mention.text) - len(mention.head or "")]):
            paragraph = next(p for p in self.document.paragraphs if p.start <= mention.start < p.end)
            earlier = [m for m in self.cast.within(paragraph.start, mention.start) if m.bodies and (m.kind == "person" or m.person is not None)]
            owner = next((m for m in context if m.kind == "person" and m.end <= mention.start and m.bodies), None) or (earlier[-1] if earlier else None)
            if owner is not None:  # "his top trade advisor" speaks for the body of the man named before
                return Speaker(mention.text.lower(), mention.text, "anonymous", owner.bodies, True, mention.head), "source"  # the sentence's first person
        if mention.kind == "source" and not mention.plural and mention.text.lower().startswith("the ") and mention.bodies:
            named = next((s for s in reversed(self.speakers) if s.kind == "named" and s.bodies == mention.bodies
                          and mention.head in s.text.lower()), None)
            if named is not None:
                return named, "anaphor"  # "the Chinese vice premier" after "Chinese Vice Premier He Lifeng"
            person = self._described(mention)
            if person is not None:
                return self.speaker_of(person)[0], "anaphor"  # "the Ethiopian leader" after "Ethiopian Prime Minister Abiy Ahmed"
            if mention.role_kind == "official" and not any(m.kind == "person" and m.person.body in mention.bodies for m in self.cast.mentions):
                last = self._last_named_nearby(mention)
                if last is not None and not last.bodies and [b for b in mention.bodies if b.kind == "organisation"]:
                    return self._joins(last, mention.bodies[0]), "anaphor"  # "Stocker said ... The ÖVP leader said": Stocker speaks for the ÖVP
                if last is not None:  # "Hans Grundberg said ... “...,” the Swedish diplomat warned": no Swede was named
                    return last, "anaphor"
        owned = re.match(rf"the\s+({'|'.join(sorted(BODY_NOUNS))})[’']s\s", mention.text, re.IGNORECASE) if mention.kind == "source" and not mention.bodies else None
        if owned is not None:  # "the union's president": of the union the text named before
            body = self.speaker_of(Mention(mention.start, mention.start + owned.end(1), f"the {owned.group(1)}", "source", head=owned.group(1).lower(), definite=True))[0]
            return (Speaker(mention.text.lower(), mention.text, "anonymous", body.bodies, not mention.plural, mention.head) if body else None), "anaphor"
        if mention.kind == "source" and mention.definite and not mention.plural and mention.head in BODY_NOUNS:
            quoted = [q for q in self.quoted if q.start < mention.start]
            text = self.document.text
            body = next((m for m in reversed(self.cast.mentions) if m.end <= mention.start and m.bodies and m.bodies[0].kind == "organisation"
                         and (m.kind == "body" or (m.kind == "source" and m.text.lower().endswith(" " + mention.head)))
                         and not any(q.start <= m.start < q.end for q in quoted)  # also a source phrase naming one: "the IG Metall union"
                         and (mention.head in {"group", "organisation", "organization"}  # "the union": a body called or written as a union
                              or any(word in f"{m.bodies[0].name} {text[m.end:m.end + 8]}".lower() for word in _BODY_NAME_WORDS.get(mention.head, (mention.head,))))),
                        None)  # "the group said" after "the Hostages and Missing Families Forum urged", not a name it quotes
            written = f"{mention.text} ({body.text})" if body else ""
            return (Speaker(body.bodies[0].id, written, "body", body.bodies, singular=False) if body else None), "anaphor"
        if mention.kind == "source" and mention.definite and mention.role_kind == "institution":
            paragraph = next(p.index for p in self.document.paragraphs if p.start <= mention.start <= p.end)
            found = next((s.speaker for s in reversed(self.statements) if s.speaker is not None and s.sentence.paragraph >= paragraph - 1
                          and (s.speaker.head or s.speaker.text.lower()).split()[-1] == mention.head.split()[-1]), None)  # also "Turkey's Defense Ministry said"
            if found is None and mention.head == "government" and self.cast.home is not None:  # "the government said": the state the article is about
                found = Speaker(mention.text.lower(), mention.text, "anonymous", (self.cast.home,), True, mention.head)
            return found, "anaphor"  # "The ministry added" after "Egypt’s foreign ministry said"; else unknown
        if mention.kind == "source" and mention.definite and mention.plural:
            found = next((s for s in reversed(self.speakers) if not s.singular and s.head == mention.head), None)
            if found is not None:
                return found, "anaphor"  # "The same sources have said" after "European Union sources have said"
        if mention.kind == "source" and mention.definite and not mention.plural:
            found = next((s for s in reversed(self.speakers) if s.singular and s.head == mention.head), None)
            if found is None:
                found = next((s for s in reversed(self.speakers) if s.singular and mention.head in s.text.lower()), None)
            if found is None:  # "the Minister said" after "Agriculture Minister Michelle Gildernew has met"
                person = next((m.person for m in reversed(self.cast.mentions) if m.end <= mention.start and m.kind == "person"
                               and mention.head in (m.person.role or "").lower()), None)
                found = self.speaker_of(Mention(0, 0, person.name, "person", person=person))[0] if person else None
            return found, "anaphor"
        if mention.kind == "person":
            person = mention.person
            bodies = (person.body,) if person.body else ()
            role = re.fullmatch(r"(?:the\s+)?(?:[a-z\-]+\s+)?([a-z]+),?", (person.role or "").lower())
            introduced = next((m for m in self.cast.mentions if m.person is person), mention)
            definite = (person.role or "").lower().startswith("the ") or self.document.text[max(0, introduced.start - 4):introduced.start].lower() == "the "
            if not bodies and role and definite:  # "the official, Issat el Reshiq," after "A Hamas official said"
                bodies = next((s.bodies for s in reversed(self.speakers) if s.head == role.group(1) and s.bodies), ())
            office = re.match(r"(?:[’']s|[’'])\s+(?:[a-z]+\s+)?(office|spokes(?:man|woman|person))\b", self.document.text[mention.end:mention.end + 40])
            if office:  # "Netanyahu’s office said": the office, speaking for the person's body
                written = squash(self.document.text[mention.start:mention.end + office.end()])
                return Speaker(written.lower(), written, "anonymous", bodies, True, office.group(1)), "source"
            return Speaker(person.name, person.description, "named", bodies), "named"
        if mention.kind == "source" and not mention.plural and not mention.bodies and mention.head in self.lexicon.titles:
            qualified = re.search(r"(?<![\w\-])[Tt]he\s+((?:[a-z][\w\-]*\s+){1,2})$", self.document.text[max(0, mention.start - 40):mention.start])
            office = f"{squash(qualified.group(1))} {mention.head}" if qualified else None
            person = next((m for m in reversed(self.cast.mentions) if office and m.end <= mention.start and m.kind == "person"
                           and re.search(rf"(?<![\w\-]){re.escape(office)}(?![\w\-])", (m.person.role or "").lower())), None)
            if person is not None:  # "the water minister said" after "Ethiopia's water minister, NAME,"
                return self.speaker_of(person)[0], "anaphor"
        if mention.kind == "source":
            kind = "anonymous" if not mention.plural else "group"
            bodies = mention.bodies or ((EXPERTS,) if mention.role_kind == "experts" else ())
            if not bodies and mention.head in {"spokesman", "spokeswoman", "spokesperson"}:
                bodies = self._voice_of_institution(mention)  # "The government said ... A spokesperson said:" speaks for it
            return Speaker(mention.text.lower(), mention.text, kind, bodies, not mention.plural, mention.head), "source"
        if mention.bodies:
            body = mention.bodies[0]
            return Speaker(body.id, mention.text, "body", (body,), singular=False), "body"
        return None, ""

    def _joins(self, speaker: Speaker, body: Body) -> Speaker:
        """A named speaker with no body, described later as of an organisation ("the ÖVP leader"),
        speaks for it in all their statements."""
        joined = Speaker(speaker.key, speaker.text, speaker.kind, (body,), speaker.singular, speaker.head)
        for statement in self.statements:
            if statement.speaker == speaker:
                statement.speaker = joined
        self.speakers = [joined if s == speaker else s for s in self.speakers]
        person = self.cast.people.get(speaker.key)
        if person is not None and person.body is None:
            person.body = body
        return joined

    def _last_named_nearby(self, mention: Mention) -> Speaker | None:
        """The named person who spoke last, when they spoke in this paragraph or the three before."""
        paragraph = next(p.index for p in self.document.paragraphs if p.start <= mention.start <= p.end)
        last = next((s for s in reversed(self.statements) if s.speaker is not None), None)
        if last is not None and last.speaker.kind == "named" and last.sentence.paragraph >= paragraph - 3:
            return last.speaker
        return None

    def _voice_of_institution(self, mention: Mention) -> tuple[Body, ...]:
        """The bodies of the body or institution that spoke last, in this paragraph or the one before."""
        paragraph = next(p.index for p in self.document.paragraphs if p.start <= mention.start <= p.end)
        last = next((s for s in reversed(self.statements) if s.speaker is not None), None)
        if last is None or last.sentence.paragraph < paragraph - 1:
            return ()
        if last.speaker.kind == "body" or (last.speaker.head and self.lexicon.roles.get(last.speaker.head) == "institution"):
            return last.speaker.bodies
        return ()

    def _described(self, mention: Mention) -> Mention | None:
        """The person a description with a body points back to ("the Ethiopian leader", "the Egyptian
        minister"): the nearest person of that body, in this paragraph or the one before, whose title
        the description's noun names ("leader" names any head of state, government or party)."""
        paragraph = next(p.index for p in self.document.paragraphs if p.start <= mention.start <= p.end)
        floor = min((p.start for p in self.document.paragraphs if p.index >= paragraph - 1), default=0)
        for person in reversed([m for m in self.cast.within(floor, mention.start) if m.kind == "person" and m.person.body is not None]):
            if person.person.body not in mention.bodies:
                continue
            role = (person.person.role or "").lower()
            heads = _LEADERS if mention.head == "leader" else (mention.head,)
            if any(re.search(rf"(?<![\w\-]){re.escape(h)}(?![\w\-])", role) for h in heads):
                return person
        return None

    def _introduced_since(self, spoke: Statement, pronoun: Mention, paragraph: int) -> Mention | None:
        """A person named first in a sentence of this paragraph between the last statement and the
        pronoun, nearer to it than that speaker (not in the statement's own sentence: "Macron said,
        standing alongside Mark Rutte. “...,” he added" is Macron)."""
        floor = max(spoke.sentence.end, next(p.start for p in self.document.paragraphs if p.index == paragraph))
        sentence = next((s for s in self.document.sentences if s.start <= pronoun.start < s.end), None)
        if sentence is None or floor >= sentence.start:
            return None
        people = [m for m in self.cast.within(floor, sentence.start) if m.kind == "person" and _agrees(pronoun, m.person)]
        if not people:
            return None
        last = next(s for s in self.document.sentences if s.start <= people[-1].start < s.end)
        return next(m for m in people if m.start >= last.start)

    def _antecedent(self, pronoun: Mention) -> Speaker | None:
        """Who "he"/"she" is: the last singular speaker when they spoke in this paragraph or the one
        before, else the person named first in the nearest sentence of those paragraphs that names
        one ("Egypt’s foreign minister, Sameh Shoukry, met his counterpart. “...,” he said");
        nobody when neither paragraph has a candidate."""
        paragraph = next(p.index for p in self.document.paragraphs if p.start <= pronoun.start <= p.end)
        spoke = next((s for s in reversed(self.statements) if s.speaker is not None and s.kind in {"quote", "reported"}), None)
        introduced = self._introduced_since(spoke, pronoun, paragraph) if spoke is not None else None
        if introduced is not None:
            return self.speaker_of(introduced)[0]  # "Sudan's delegation was led by its minister, Yasir Abbas. He told ..."
        spoke_person = self.cast.people.get(spoke.speaker.key) if spoke is not None and spoke.speaker.kind == "named" else None
        if spoke is not None and spoke.speaker.singular and spoke.speaker.kind in {"named", "anonymous"} and spoke.sentence.paragraph >= paragraph - 1 \
                and _agrees(pronoun, spoke_person):
            return spoke.speaker
        if spoke is not None and spoke.sentence.paragraph >= paragraph - 1 and _agrees(pronoun, spoke_person):
            return None  # the last to speak was a body or a group: "he" is nobody we know
        floor = next((p.start for p in self.document.paragraphs if p.index == paragraph - 1 and not p.heading), None)
        floor = floor if floor is not None else next(p.start for p in self.document.paragraphs if p.index == paragraph)
        quoted = [q for q in self.quoted if floor <= q.start <= pronoun.start]
        people = [m for m in self.cast.within(floor, pronoun.start) if m.kind == "person" and not any(q.start <= m.start < q.end for q in quoted)
                  and _agrees(pronoun, m.person)]
        if not people:
            return None
        sentence = next(s for s in self.document.sentences if s.start <= people[-1].start < s.end)
        first = next(m for m in people if m.start >= sentence.start)
        return self.speaker_of(first)[0]

    def _body_antecedent(self, pronoun: Mention) -> Speaker | None:
        """What "it said" is: the body that spoke last, in this paragraph or the one before, else a
        body that opens this sentence or the one before it in the paragraph ("The union rejected the
        offer. “...,” it said"); nothing otherwise (a report, a plan)."""
        paragraph = next(p.index for p in self.document.paragraphs if p.start <= pronoun.start <= p.end)
        spoke = next((s for s in reversed(self.statements) if s.speaker is not None and s.kind in {"quote", "reported"}), None)
        if spoke is not None and spoke.sentence.paragraph >= paragraph - 1:
            return spoke.speaker if spoke.speaker.kind == "body" else None
        sentences = [s for s in self.document.paragraph_sentences(paragraph) if s.start <= pronoun.start][-2:]
        for sentence in reversed(sentences):
            opener = next((m for m in self.cast.within(sentence.start, sentence.end) if m.kind == "body"
                           and m.bodies[0].kind in {"state", "organisation"}
                           and re.fullmatch(r"(?:the\s+)?", self.document.text[sentence.start:m.start], re.IGNORECASE)), None)
            if opener is not None and opener.end <= pronoun.start:
                return Speaker(opener.bodies[0].id, opener.text, "body", opener.bodies, singular=False)
        return None

    # -- attributions in one sentence ----------------------------------------------------------

    def attributions(self, sentence: Sentence, masked: str, mentions: list[Mention]) -> list[Attribution]:
        base = sentence.start
        text = self.document.text
        holders = [m for m in mentions if m.can_speak]
        # "Trump’s negotiator" speaks, not Trump; "Netanyahu’s office" speaks for Netanyahu
        speakers = [m for m in holders if not re.match(r"[’']s\b", text[m.end:m.end + 2])
                    or (m.kind == "person" and re.match(r"(?:[’']s|[’'])\s+(?:[a-z]+\s+)?(?:office|spokes(?:man|woman|person))\b", text[m.end:m.end + 40]))
                    or (m.kind in {"person", "body"} and re.match(r"[’']s\s+(?:[a-z]+\s+)?statement\b", text[m.end:m.end + 30]))]
        found: list[Attribution] = []
        for verb in self.verb_pattern.finditer(masked):
            a, b = base + verb.start(), base + verb.end()
            word = verb.group(0).lower()
            if word == "read" and not re.search(r"\bstatement\s+$", masked[:verb.start()]):
                continue  # only "the statement read"
            if word in _PARTICIPLES:
                quoted_as = next((m for m in speakers if m.end <= a and re.fullmatch(r"\s+as\s+", self._between(masked, base, m.end, a))
                                  and re.search(r"\bquot(?:ed|es|ing)\s+$", masked[:m.start - base])), None)
                object_pronoun = re.search(r"\bquot(?:ed|es|ing)\s+(him|her)\s+as\s+$", masked[:verb.start()])
                if quoted_as is None and object_pronoun:
                    quoted_as = Mention(base + object_pronoun.start(1), base + object_pronoun.end(1), object_pronoun.group(1), "pronoun")
                if quoted_as is not None:  # "state media quoted him as saying": he speaks
                    found.append(Attribution(a, b, quoted_as, "quoted X as saying"))
                    continue
                passive = re.search(r"\s+(?:was|were|has\s+been|had\s+been)\s+(?:widely\s+)?quoted\s+as\s+$", masked[:verb.start()])
                if passive is not None:  # "NAME was quoted as saying": NAME speaks
                    quoted = next((m for m in reversed(speakers) if m.end <= base + passive.start() and m.kind in {"person", "source", "pronoun"} and (
                        re.fullmatch(r",?\s*", self._between(masked, base, m.end, base + passive.start()))
                        or any(p.fullmatch(self._between(masked, base, m.end, base + passive.start()) + " ") for p in (_RELATIVE_GAP, _APPOSITION_GAP)))), None)
                    if quoted is not None:
                        found.append(Attribution(a, b, quoted, "X was quoted as saying"))
                    continue
                if not re.search(r"(?:[,;:]|\b(?:and|for|after|by|while|when|before|in)|\bstatement\b[^,;" + MASK + r"]{0,30})\s*$", masked[:verb.start()]):
                    continue  # "with both sides warning": the participle has its own subject
                clause = next((f.mention for f in reversed(found) if f.rule == "X said" and f.verb_end <= a
                               and re.search(r"(?:\b(?:while|whereas|but)|;)\s+(?:the\s+)?$", masked[:f.mention.start - base])), None)
                first = clause or next((m for m in speakers if m.end <= a), None)  # "..., while the ELN denied it, saying": the ELN
                if first is not None:
                    found.append(Attribution(a, b, first, "X ..., saying"))
                continue  # a participle clause shares the sentence's subject: "X said ..., adding"
            if re.search(r"\b(?:was|were|been|being|is|are)\s+$", masked[:verb.start()]):
                agent = next((m for m in speakers if m.start >= b and re.fullmatch(r"[^" + MASK + r";]*?\bby\s+(?:the\s+)?",
                                                                                     self._between(masked, base, b, m.start))), None)
                if agent is not None:  # "This was confirmed on Monday ... by the EU spokesperson, Peter Stano"
                    found.append(Attribution(a, b, agent, "was said by X"))
                continue
            after = next((m for m in speakers if m.start >= b and re.fullmatch(_TIME_WORDS + r"\s+" + _STATEMENT_FROM + r"(?:the\s+)?",
                                                                                " " + self._between(masked, base, b, m.start)) is not None), None)
            office_end = re.match(r"(?:[’']s|[’'])\s+(?:[a-z]+\s+)?(?:office|spokes(?:man|woman|person))\b", masked[after.end - base:]) if after is not None and after.kind == "person" else None
            if after is not None and not _INVERTED_SUBJECT_END.match(masked, after.end - base + (office_end.end() if office_end else 0)):
                after = None  # "said Israel would not agree": Israel is the subject of what was said
            before_verb = masked[:verb.start()].rstrip()
            subject = next((m for m in reversed([m for m in speakers if m.end <= a and m.kind in {"person", "source", "body"}])
                            if any(p.fullmatch(self._between(masked, base, m.end, a)) for p in _ONE_CLAUSE_GAPS)), None)
            closing = after is not None and re.fullmatch(r"[\s.!?" + MASK + r"]*", masked[after.end - base:]) is not None  # "..., said Magwenya."
            if after is not None and word in _INVERTIBLE and (before_verb.endswith((",", MASK)) or before_verb == "") \
                    and (before_verb.endswith((MASK, MASK + ",")) or closing or not any(
                        m.kind in {"person", "source"} and re.fullmatch(r"\s*,\s*", self._between(masked, base, m.end, a)) for m in speakers)) \
                    and (subject is None or closing or before_verb.endswith((MASK, MASK + ","))):  # "A spokesman, Geng Shuang, said Beijing": Geng speaks
                found.append(Attribution(a, b, after, "said X"))
                continue
            if subject is None:  # "He gave no details, but said", "Lighthizer chose to emphasize that ..., and said"
                opener = next((m for m in speakers if m.kind in {"person", "pronoun", "source"} and re.fullmatch(r"\s*(?:(?:But|And)\s+)?", masked[:m.start - base])), None)
                if opener is not None and opener.end <= a and re.fullmatch(r"\s+[a-z]+\b[^" + MASK + r";]*,\s+(?:but|and)\s+(?:also\s+)?", self._between(masked, base, opener.end, a)) \
                        and not any(m.start > opener.end and m.end <= a for m in speakers if m.kind in {"person", "source"}) \
                        or opener is not None and opener.end <= a and re.fullmatch(r"\s+(?:[a-z]+ly\s+)?[a-z]+ed\b[^" + MASK + r";,]*\s+(?:but|and)\s+(?:also\s+)?",
                                                                                   self._between(masked, base, opener.end, a)) \
                        and not any(m.start > opener.end and m.end <= a and not re.search(r"(?<![\w\-])[a-z]+ed\s+$", masked[:m.start - base])
                                    for m in speakers if m.kind in {"person", "source", "pronoun"}):  # "NAME thanked Trump and said": Trump is the object
                    found.append(Attribution(a, b, opener, "X ..., and said"))
                    continue
            if subject is None:  # "A U.S. official who requested anonymity to discuss the negotiations said"
                subject = next((m for m in speakers if m.end <= a and m.kind in {"source", "person"}
                                and re.fullmatch(r"\s+who\s+[^" + MASK + r",;]{3,100}?\s+", self._between(masked, base, m.end, a))), None)
                if subject is not None:
                    found.append(Attribution(a, b, subject, "X said"))
                    continue
            for mention in [] if subject is not None else reversed([m for m in speakers if m.end <= a]):
                gap = self._between(masked, base, mention.end, a)
                owner = next((p for p in speakers if (p.kind == "person" or p.person is not None) and p.end <= mention.start
                              and re.fullmatch(r"\s+(?:of|from)\s+(?:the\s+)?", self._between(masked, base, p.end, mention.start))), None)
                if owner is not None and mention.kind in {"body", "demonym"}:
                    mention = owner  # "Fisheries Minister Pat Byrne of Ireland said": the person speaks, not Ireland
                if MASK in gap:
                    break
                if mention.kind != "person" and gap.startswith(",") and re.search(r"\b(?:of|with|to|against|for|from|on|by|about|at|in)\s+$", masked[:mention.start - base]):
                    continue  # "NAME, a critic of the Egyptian government, said": the government closes an apposition, NAME speaks
                if gap == "" or any(p.fullmatch(gap) for p in (_SUBJECT_GAP, _RELATIVE_GAP, _APPOSITION_GAP, _PARTICIPLE_GAP, _OFFICE_GAP)):
                    subject = mention
                    break
                if re.fullmatch(r"(?:’s|'s)?\s+position\b.*", gap):
                    break
            joint = subject is not None and re.search(r"\band\s+(?:the\s+|(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?(?:[a-z][\w\-]*\s+){0,2}$", masked[:max(0, subject.start - base)])
            partner = next((m for m in mentions if joint and subject.kind == "person" and m.kind == "person" and m.end <= subject.start
                            and re.fullmatch(r"\s*", masked[m.end - base:joint.start()])), None)
            if partner is not None:  # "Maina and Lighthizer said": both, as one speaker, for the body they share
                shared = partner.bodies if partner.bodies == subject.bodies else ()
                both = Mention(partner.start, subject.end, squash(self.document.text[partner.start:subject.end]), "source", shared, plural=True)
                found.append(Attribution(a, b, both, "X and Y said"))
                continue
            if joint and not (subject.kind == "body" and any(m.kind == "body" and re.fullmatch(r"\s+", masked[m.end - base:joint.start()])
                                                             for m in mentions if m.end <= subject.start)):
                continue  # "Trump and Chinese officials announced": a joint statement is no one speaker's (two states: either)
            if subject is not None:
                found.append(Attribution(a, b, subject, "X said"))
        colon = re.search(r":\s*" + MASK, masked) if not found else None
        opener = next((m for m in speakers if m.kind in {"person", "source"} and re.fullmatch(r"\s*(?:(?:But|And)\s+)?", masked[:m.start - base])), None) if colon else None
        if opener is not None and opener.end <= base + colon.start() and not any(
                m.kind in {"person", "source", "pronoun"} and opener.end <= m.start < base + colon.start() for m in mentions):
            found.append(Attribution(base + colon.start(), base + colon.start() + 1, opener, "X ...: quote"))  # "Otieno was blunt: “...”"
        for source in self.after_pattern.finditer(masked):
            a = base + source.end()
            mention = next((m for m in speakers if m.start == a or (m.start > a and re.fullmatch(r"\s*" + _STATEMENT_FROM + r"(?:the\s+)?",
                                                                                               self._between(masked, base, a, m.start)))), None)
            if mention is not None:
                found.append(Attribution(base + source.start(), a, mention, "according to X"))
        for phrase in self.position_pattern.finditer(masked):
            a = base + phrase.start()
            holder = next((m for m in reversed(holders) if m.end <= a and re.fullmatch(r"(?:’s|'s)\s+(?:[a-z]+\s+)?", self._between(masked, base, m.end, a))), None)
            if holder is not None:
                found.append(Attribution(a, base + phrase.end(), holder, "X's position is that"))
        return found

    @staticmethod
    def _between(masked: str, base: int, start: int, end: int) -> str:
        return masked[start - base:end - base]

    # -- the whole document --------------------------------------------------------------------

    def read(self) -> None:
        text = self.document.text
        open_quote: Statement | None = None
        for paragraph in self.document.paragraphs:
            if paragraph.heading:
                continue
            spans = quote_spans(text, paragraph.start, paragraph.end)
            opens_with_quote = bool(spans) and spans[0].start == paragraph.start
            continues = open_quote if opens_with_quote else None
            open_quote = None
            last = self.statements[-1] if self.statements else None
            # a paragraph of quotes alone goes on with the speaker of the quote that ended the paragraph before
            # "Pat Cullen said:" or "Lighthizer said the talks were productive." closing a paragraph, then a paragraph of quotes
            introduces = (last is not None and last.kind == "reported" and last.speaker is not None and last.speaker.singular
                          and last.speaker.kind in {"named", "anonymous"}
                          and last.sentence == self.document.paragraph_sentences(paragraph.index - 1)[-1])
            previous_quote: Statement | None = (last if opens_with_quote and last is not None and (last.kind == "quote" or introduces)
                                                and last.sentence.paragraph == paragraph.index - 1 else None)
            for sentence in self.document.paragraph_sentences(paragraph.index):
                if self.boilerplate.search(sentence.text):
                    continue
                inside = [q for q in spans if q.start < sentence.end and q.end > sentence.start]
                masked = self._masked(sentence, inside)
                mentions = [m for m in self.cast.within(sentence.start, sentence.end) if not any(q.start <= m.start < q.end for q in inside)]
                self.context = mentions
                attributions = self.attributions(sentence, masked, mentions)
                quotes = [q for q in inside if q.start >= sentence.start]
                made = self._quotes(sentence, quotes, masked, attributions, previous_quote, continues)
                if made:
                    continues = None
                    if made[-1].speaker is not None or previous_quote is None:
                        previous_quote = made[-1]  # an unattributed quote between does not end the paragraph's speaker
                    if quotes[-1].open:
                        open_quote = made[-1]
                reported = not made and self._reported(sentence, masked, attributions)
                if reported and self.statements[-1].speaker is not None:
                    previous_quote = self.statements[-1]  # a bare quote after "Ford said it had offered more" is Ford's
                positions = False
                if not any(s.speaker and s.speaker.bodies and s.speaker.kind != "group" for s in made) and not reported:
                    positions = self._positions(sentence, masked, mentions, attributions)
                if not made and not reported and not positions:
                    self._reported(sentence, masked, attributions, any_source=True)
        self._fill_open_chains()

    def _masked(self, sentence: Sentence, quotes: list[QuoteSpan]) -> str:
        chars = list(self.document.text[sentence.start:sentence.end])
        for quote in quotes:
            for i in range(max(quote.start, sentence.start), min(quote.end, sentence.end)):
                if not chars[i - sentence.start].isspace():
                    chars[i - sentence.start] = MASK
        return "".join(chars)

    def _quotes(self, sentence, quotes, masked, attributions, previous, continuation) -> list[Statement]:
        made = []
        outside_words = len(re.sub(MASK + "+", " ", masked).split())
        for quote in quotes:
            a, b = quote.inner
            body = squash(self.document.text[a:b]).strip(" ,")
            if not body:
                continue
            statement = Statement("quote", body, a, b, sentence, nested=bool(quote.nested))
            distance = lambda at: min(abs(at.verb_start - quote.end), abs(quote.start - at.verb_end))  # noqa: E731
            short = len(body.split()) <= 3 and not re.fullmatch(r"[A-Z].*[.!?]", body)  # "“Ethiopia must sign.”" is a sentence, not a term
            if attributions and (not short or any(self._same_clause(masked, sentence.start, at, quote) or self._closes(masked, sentence.start, at, quote)
                                                  or self._reports(masked, sentence.start, at, quote) for at in attributions)):
                voices = [at for at in attributions if not self._channel(at)] or attributions
                chosen = min(voices, key=distance)
                speaker, how = self.speaker_of(chosen.mention, self.context)
                statement.speaker, statement.written = speaker, chosen.mention.text
                statement.rule = chosen.rule + ("" if how in {"named", "source", "body"} else f" ({how})")
            elif short:
                self.terms.append(statement)
                continue
            elif outside_words <= 3 and previous is not None and previous.speaker is not None:
                statement.speaker, statement.written, statement.rule = previous.speaker, previous.written, "continues the previous sentence's quote"
            if continuation is not None and quote.start == sentence.start:
                statement.part_of = continuation
                if statement.speaker is None and continuation.speaker is not None:
                    statement.speaker, statement.written = continuation.speaker, continuation.written
                    statement.rule = "continues the previous paragraph's quote"
            self.add(statement)
            made.append(statement)
        return made

    @staticmethod
    def _same_clause(masked: str, base: int, attribution: Attribution, quote: QuoteSpan) -> bool:
        """Whether no clause break separates an attribution from a quote (for short quotes)."""
        a, b = sorted((attribution.verb_end, quote.start)) if attribution.verb_end <= quote.start else (quote.end, attribution.verb_start)
        return b - a <= 40 or _CLAUSE_BREAK.search(masked[max(0, a - base):max(0, b - base)]) is None

    @staticmethod
    def _reports(masked: str, base: int, attribution: Attribution, quote: QuoteSpan) -> bool:
        """Whether a quote stands in what an attribution before it reports, with no second clause of
        its own between ("X said the deal gives Israel “total security”"; not "officials acknowledge
        ..., and diplomats frame it as “land-for-peace”")."""
        if attribution.verb_end > quote.start:
            return False
        between = masked[attribution.verb_end - base:quote.start - base]
        return re.search(r"[;:—–]|,\s+(?:and|but|while|whereas|as)\b|\b(?:while|whereas|although|though|because)\b", between) is None

    @staticmethod
    def _closes(masked: str, base: int, attribution: Attribution, quote: QuoteSpan) -> bool:
        """Whether an attribution closes the sentence after a comma, the quote inside what it reports
        ("The search for a “fruitful collaboration” will “focus” on them, Johan Remkes said.")."""
        first = min(attribution.verb_start, attribution.mention.start) - base
        last = max(attribution.verb_end, attribution.mention.end) - base
        tail = masked[last:].strip(" .!?”\"")
        short_tail = len(tail.split()) <= 6 or re.match(r"(?:with|in|at|on|during|after|before|from|to|for)\b", tail) is not None  # "..., X said with reference to ..."
        return quote.end - base <= first and masked[:first].rstrip().endswith(",") and short_tail and not re.search(r"\bthat\b|,", tail)

    def _reported(self, sentence: Sentence, masked: str, attributions: list[Attribution], any_source: bool = False) -> bool:
        """A reported statement from the best attribution of a sentence without quotes. Sources
        without a body of their own ("officials said") are left to the position cues unless
        ``any_source`` (no position holder was found)."""
        frame = self._frame(sentence, masked, attributions)
        if frame is None:
            return False
        attribution = frame
        speaker, how = self.speaker_of(attribution.mention, self.context)
        if speaker is None:
            return False  # "The source also said Egypt insisted ...": not Egypt, whoever the source is
        if not any_source and ((not speaker.bodies and speaker.kind != "named") or (speaker.bodies == (EXPERTS,) and speaker.kind == "group")):
            return False  # "officials said", "analysts said": the position holders are named in the sentence
        statement = Statement("reported", sentence.text, sentence.start, sentence.end, sentence, speaker, attribution.mention.text,
                              attribution.rule + ("" if how in {"named", "source", "body"} else f" ({how})"))
        self.add(statement)
        return True

    def _channel(self, attribution: Attribution) -> bool:
        """Whether an attribution only names the channel of what others said: "according to" people
        with no body of their own ("according to two diplomats who attended")."""
        if attribution.rule != "according to X":
            return False
        speaker = self.speaker_of(attribution.mention, self.context)[0]
        return speaker is None or (speaker.kind == "group" and not speaker.bodies)

    def _frame(self, sentence: Sentence, masked: str, attributions: list[Attribution]) -> Attribution | None:
        """The attribution that frames a reported sentence, not one inside what is reported: a
        closing one after a comma ("..., a senior official said.", "..., according to a Kremlin
        source"), else the first ("A senior official said Putin had insisted ..."). A closing
        "according to" people with no body of their own is only the channel: "Macron made clear
        ..., according to people familiar with the call" reports Macron."""
        if not attributions:
            return None
        base = sentence.start
        for attribution in sorted(attributions, key=lambda at: -at.verb_start):
            if len(attributions) > 1 and (self._channel(attribution) or (attribution.rule == "according to X"
                                                                         and re.match(r"(?:his|her)\s", attribution.mention.text, re.I))):
                continue  # "Macron has reiterated ..., according to his office": Macron is reported
            if attribution.mention.kind == "body" and attribution.mention.bodies[0].kind != "state" \
                    and any(at.mention.kind == "person" and at.verb_start < attribution.verb_start for at in attributions):
                continue  # "Zarif said ..., IRIB said": the broadcaster only relays the person
            first = min(attribution.verb_start, attribution.mention.start) - base
            last = max(attribution.verb_end, attribution.mention.end) - base
            tail = masked[last:].strip(" .!?”\"")
            if masked[:first].rstrip().endswith(",") and len(tail.split()) <= 6 and not re.search(r"\bthat\b|,", tail):
                return attribution
        return min(attributions, key=lambda at: (min(at.verb_start, at.mention.start), at.verb_start))

    def _positions(self, sentence: Sentence, masked: str, mentions: list[Mention], attributions: list[Attribution]) -> bool:
        base = sentence.start
        source = next((self.speaker_of(a.mention)[0] for a in attributions), None)
        holders: list[Body] = []
        floor = base
        for cue in self.cue_pattern.finditer(masked):
            a = base + cue.start()
            breaks = [base + m.end() for m in _CLAUSE_BREAK.finditer(masked, 0, cue.start())]
            start = max([floor] + breaks)
            for mention in mentions:
                if start <= mention.start and mention.end <= a and mention.kind not in {"location", "pronoun", "other"} and not (mention.kind == "demonym" and not mention.plural):
                    holders.extend(b for b in mention.actor_bodies if b not in holders)
            tail = masked[cue.end():]
            of = cue.group(0).lower() in self.lexicon.position_nouns and re.match(r"\s+of\s+(?:the\s+)?(?:[\w\-]+\s+){0,2}", tail)
            if of:
                target = next((m for m in mentions if m.start >= base + cue.end() and m.start <= base + cue.end() + of.end() + 1), None)
                if target is not None:
                    holders.extend(b for b in target.actor_bodies if b not in holders)
            floor = base + cue.end()
        if holders and not attributions and len(holders) == 1:
            opener = next((m for m in mentions if m.kind == "body" and m.bodies[0] == holders[0]
                           and re.fullmatch(r"(?:the\s+)?", self.document.text[sentence.start:m.start], re.IGNORECASE)
                           and not re.match(r"[’']s?\b|\s+[a-z]+[’']s\b", self.document.text[m.end:m.end + 20])), None)  # not "Britain's biggest union"
            if opener is not None:  # "Tokyo hopes to clinch a deal", "Israel last week rejected ...": the body that opens the sentence holds it
                source = Speaker(holders[0].id, opener.text, "body", (holders[0],), singular=False)
        if holders:
            self.statements.append(Statement("position", sentence.text, sentence.start, sentence.end, sentence, source,
                                             source.text if source else None, "position cue", tuple(holders)))
        return bool(holders)

    def add(self, statement: Statement) -> None:
        self.statements.append(statement)
        if statement.speaker is not None:
            self.speakers.append(statement.speaker)

    def _fill_open_chains(self) -> None:
        """A quote running over paragraphs takes the speaker found in any of its parts."""
        for statement in self.statements:
            if statement.part_of is None:
                continue
            chain = [statement]
            while chain[-1].part_of is not None:
                chain.append(chain[-1].part_of)
            named = next((part for part in chain if part.speaker is not None), None)
            for part in chain:
                if part.speaker is None and named is not None:
                    part.speaker, part.written, part.rule = named.speaker, named.written, "same quote across paragraphs"


def _agrees(pronoun: Mention, person) -> bool:
    """Whether "he" or "she" can stand for a person (of unknown gender: yes)."""
    gender = getattr(person, "gender", None)
    word = pronoun.text.lower()
    return gender is None or word not in {"he", "him", "she"} or (word in {"he", "him"}) == (gender == "m")


def extract_statements(document: Document, cast: Cast, lexicon: Lexicon) -> tuple[list[Statement], list[Statement]]:
    """The statements of a document, in reading order, and the short quoted terms set aside."""
    reader = _Reader(document, cast, lexicon)
    reader.read()
    return reader.statements, reader.terms
