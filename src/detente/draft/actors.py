"""Finding who is in an article: states, organisations, blocs, named people and unnamed sources.

Every finding is a :class:`Mention` (a span of :attr:`Document.text`) with the bodies it stands
for. Rules, in order of precedence where spans overlap:

- a named person: a run of two to four capitalised words with a cue that it is a person: a title
  right before it ("French President Emmanuel Macron"), an apposition after it ("Gerard Araud, a
  former French ambassador"), ", who" after it, or a speech verb next to it; the person's body is
  the state or organisation named right before the title (modifiers like "presidential" or
  "Moscow-friendly" in between are skipped), else the first one in the apposition (", UAW
  president,", ", 55, Kenya's foreign minister,", "who leads Norway's team") that is not a body the
  title deals with ("ambassador to Egypt"); "former", "fellow", "analyst" and the like make the
  person a commentator (the experts actor); later mentions by surname (with a title before it) or by
  the first word of exactly one full name ("Wang" for "Wang Yi") are the same person;
- a speaker phrase around a role noun ("a senior NATO official", "European and NATO officials",
  "several people familiar with the matter", "the Ukrainian government", "the official");
- a state, organisation or bloc by name, alias, capital or seat of power ("Moscow", "the Kremlin";
  a capital right after "in", "at", "from" or "near" is a place), or demonym ("Russian forces",
  "Ukrainians");
- a personal pronoun "he"/"she" (resolved later to the last singular speaker).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from detente.draft.lexicon import EXPERTS, Body, Lexicon
from detente.draft.organisations import find_organisations
from detente.draft.text import Document, quote_spans, squash

_NAME_WORD = r"(?:(?:al|el|ad|as|ash|az|abu|bin|ibn)-[A-Z][a-zà-öø-ÿ]+|[A-Z][’'][A-Z][a-zà-öø-ÿ]+|[A-Z][a-zà-öø-ÿ]+(?:[A-Z][a-zà-öø-ÿ]+)?(?:-[A-Z]?[a-zà-öø-ÿ]+)*)"
_INITIAL = r"[A-Z]\.(?![A-Z]\.)"
_PARTICLES = r"(?:de|da|di|du|van|von|der|den|al|bin|Bin|ben|el|la|le|dos|del)"
_PARTICLE_WORDS = {"de", "da", "di", "du", "van", "von", "der", "den", "al", "bin", "ibn", "ben", "el", "la", "le", "dos", "del", "abu"}
_CAP_RUN = re.compile(rf"(?:(?<![\w.])(?:[A-Z]\.){{2,3}}\s+)?{_NAME_WORD}(?:\s+(?:{_PARTICLES}\s+){{0,2}}(?:{_NAME_WORD}|{_INITIAL}))*")  # "Ursula von der Leyen", "P.K. Saxena"
_STOP_CAPS = {
    "the", "a", "an", "in", "on", "at", "like", "as", "but", "and", "since", "after", "before", "earlier",
    "for", "with", "yet", "also", "when", "while", "if", "then", "now", "this", "that", "these", "those",
    "it", "its", "their", "his", "her", "our", "we", "they", "he", "she", "i", "some", "many", "most",
    "other", "both", "any", "all", "no", "not", "there", "here", "what", "who", "why", "how", "where",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "mr", "mrs", "ms", "dr", "public", "president", "minister", "secretary", "state", "general",
    "chancellor", "prime", "foreign", "defense", "defence", "king", "queen", "pope", "ambassador", "senator",
}
_PRONOUN = re.compile(r"(?<![\w’'])(?:he|she|He|She|it|It|him)(?![\w’'])")
_DETERMINERS = {"a", "an", "another", "one", "the", "two", "three", "four", "five", "several", "some", "many", "other", "most", "key", "his", "her", "its", "their"}
# Speakers who speak for the person or body after "for"/"to": "a spokesman for Boris Johnson", "an adviser to Netanyahu".
_SPEAKS_FOR = {"spokesman", "spokeswoman", "spokesperson", "aide", "adviser", "advisor", "advisers", "advisors", "aides", "envoy"}
# Nouns by which a text points back to an organisation it named ("the group said", "the union said").
BODY_NOUNS = {"group", "union", "organisation", "organization", "party", "company", "alliance", "association", "bloc", "movement", "forum", "federation", "guild"}
_DATELINE_PLACE = re.compile(r"[A-Z][A-Z .'\-/]+,\s*")
_CITY_DATELINE_END = re.compile(r":\s|,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*\([A-Za-z\-]+\)")
_DATELINE_END = re.compile(r"\s*(?:\([\w .]+\)\s*)?[—–\-]")
_PLACE_BEFORE = re.compile(r"(?:\b(?:in|at|near|outside|around)\s+(?:the\s+)?|\b(?:capital|city)\s+of\s+)$", re.IGNORECASE)
_ADJECTIVE_USE = re.compile(r"\s+(?:position|positions|visit|statement|statements|policy|line|channels|figures|data|estimates?|documents?|residence|results?|count|name|title|language|status|recognition|ties|talks|business|capacity|duties|trip)\b")
# Words that end a title walking left: a verb or a determiner ("the AU said its chairman").
_OFFICE_OF_STATE = re.compile(r"(?<![\w\-])(?:[Tt]he\s+)?[a-z]+\s+of\s+(?:the\s+)?([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3}),\s+$")
_NOT_IN_TITLE = {"its", "his", "her", "their", "the", "a", "an", "and", "or", "with", "to", "in", "on", "at", "by", "said", "says", "told", "that",
                 "is", "was", "has", "had", "will", "would"}
_RELATIONAL = re.compile(r"\s+(?:neighbou?rs|borders?|border)\b")
# A relative clause that says what a person is or whom they head or represent ("NAME, who leads Norway's negotiating team,")
# describes their office; other ones ("NAME, who met Egypt's president,") do not.
_LEADS = re.compile(r"who\s+(?:heads|headed|leads|led|chairs|chaired|represents|represented|runs|ran|directs|directed|speaks\s+for|negotiates\s+for|serves\s+as|served\s+as|(?:is|was|has\s+been)(?=\s+(?:also\s+|now\s+)?(?:a|an|the|[A-Z][\w\-.]*[’']s)\s))\s")


@dataclass
class Person:
    """A named person and the body they speak for (``None`` when the text does not say)."""

    name: str
    surname: str
    role: str | None = None
    body: Body | None = None
    affiliation: Body | None = None
    first_written: str = ""
    member_of: Body | None = None  # "Horst Seehofer of the CSU", "Olaf Scholz from the SPD"
    gender: str | None = None  # "m" or "f" when the text says so ("Mr", "Ms", "NAME said his ..."), for "he"/"she"

    @property
    def description(self) -> str:
        return self.first_written or self.name


@dataclass
class Mention:
    """A span of the document that names or points to an actor or a speaker."""

    start: int
    end: int
    text: str
    kind: str  # person | source | body | demonym | location | pronoun
    bodies: tuple[Body, ...] = ()
    person: Person | None = None
    plural: bool = False
    role_kind: str | None = None  # for source phrases: official | institution | experts | generic
    head: str | None = None  # the role noun of a source phrase
    definite: bool = False  # "the official": points back to an earlier speaker

    @property
    def can_speak(self) -> bool:
        return self.kind in {"person", "source", "body", "pronoun"} or (self.kind == "demonym" and self.plural)

    @property
    def actor_bodies(self) -> tuple[Body, ...]:
        return tuple(b for b in self.bodies if b.kind in {"state", "organisation", "bloc"})


@dataclass
class Cast:
    """Every mention of a document (sorted, not overlapping) and the people found."""

    mentions: list[Mention] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    named: list[Body] = field(default_factory=list)  # every state, organisation and bloc named, also inside a title or a name
    home: Body | None = None  # the state the article names most, in its own words

    def actors_named(self) -> list[Body]:
        return list(dict.fromkeys(self.named))

    def within(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]


def find_mentions(document: Document, lexicon: Lexicon) -> Cast:
    """All mentions of the document's non-heading paragraphs (see the module docstring)."""
    text = document.text
    regions = [(p.start, p.end) for p in document.paragraphs if not p.heading]
    gazetteer = [m for a, b in regions for m in _gazetteer(text, a, b, lexicon)]
    states = [m for m in gazetteer if m.bodies[0].kind == "state" and m.kind in {"body", "demonym"}]
    organisations = [Mention(a, b, name, "body", (body,)) for a, b, name, body in
                     find_organisations(text, regions, [(m.start, m.end, m.bodies[0]) for m in gazetteer], lexicon)]
    named = [m.bodies[0] for m in gazetteer + organisations if m.kind != "location" or _in_dateline(text, regions, m)]
    gazetteer = sorted([m for m in gazetteer if not any(o.start <= m.start and m.end <= o.end for o in organisations)] + organisations,
                       key=lambda m: m.start)
    titles = _title_regex(lexicon)
    people: dict[str, Person] = {}
    person_mentions: list[Mention] = []
    for a, b in regions:
        person_mentions += _named_people(text, a, b, gazetteer, titles, lexicon, people)
    quoted = [(q.start, q.end) for a, b in regions for q in quote_spans(text, a, b)]
    unquoted_states = [m for m in states if not any(x <= m.start < y for x, y in quoted)]  # named in the reporter's voice
    home = _home_state(unquoted_states)
    _resolve_people(text, people, person_mentions, lexicon, {m.text: m.bodies[0] for m in organisations},
                    home, document.sentences, unquoted_states, [(m.start, m.bodies[0]) for m in organisations if m.bodies[0].kind == "organisation"],
                    sorted((m for m in gazetteer if m.kind == "body" and m.bodies[0].kind in {"organisation", "bloc"}), key=lambda m: m.start))
    members = [m for a, b in regions for m in _party_member().finditer(text, a, b)]
    members = [Mention(m.start(), m.end(), squash(m.group(0)), "source", (_PARTIES[m.group(1)],), role_kind="official", head=m.group(1).lower(), definite=True)
               for m in members]
    named += [m.bodies[0] for m in members]
    person_mentions = [p for p in person_mentions if not any(m.start <= p.start < m.end for m in members)]
    sources = members + [m for a, b in regions for m in _source_phrases(text, a, b, gazetteer, person_mentions, lexicon)]
    surnames = _surname_mentions(text, regions, people, person_mentions, titles)
    descriptions = _descriptions(text, document.sentences, gazetteer, sorted(person_mentions + surnames, key=lambda m: m.start), lexicon, home)
    pronouns = [Mention(m.start(), m.end(), m.group(0), "pronoun") for a, b in regions for m in _PRONOUN.finditer(text, a, b)]
    chosen: list[Mention] = []
    spoken_for = [p for p in person_mentions if any(s.start < p.start and p.end <= s.end for s in sources)]  # "a spokesman for NAME"
    titled = [m for m in surnames if " " in m.text]  # "President Maduro": the title is part of the mention, not a source phrase of its own
    for group in ([p for p in person_mentions if p not in spoken_for], descriptions, titled, sources, gazetteer, surnames, pronouns):
        for mention in group:
            if not any(mention.start < other.end and other.start < mention.end for other in chosen):
                chosen.append(mention)
    chosen.sort(key=lambda m: m.start)
    _genders(text, document.sentences, chosen)
    for mention in chosen:
        if mention.person is not None and mention.person.body is not None:
            mention.bodies = (mention.person.body,)
    named += [p.body for p in people.values() if p.body is not None]  # "Taoiseach Leo Varadkar" names Ireland
    return Cast(chosen, people, [b for b in named if b.kind in {"state", "organisation", "bloc"}], home)


_PARTIES = {"Republican": Body("Republicans", "Republicans", "organisation"), "Democrat": Body("Democrats", "Democrats", "organisation")}
@functools.cache
def _party_member() -> re.Pattern:
    """ "the California Republican", "the New York Democrat": a member of a US party, described by the state they represent."""
    import pycountry

    states = sorted((s.name for s in pycountry.subdivisions.get(country_code="US") if s.type == "State"), key=len, reverse=True)
    return re.compile(r"(?<![\w\-])[Tt]he\s+(?:" + "|".join(map(re.escape, states)) + r")\s+(Republican|Democrat)(?![\w\-’'])")


_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss|Sir|Dame|Lady|Lord)\.?\s+$")
_GENDERED = re.compile(r"(?<![\w’'])(he|him|his|himself|she|her|hers|herself)(?![\w’'])", re.IGNORECASE)


def _genders(text: str, sentences, mentions: list[Mention]) -> None:
    """A person's gender, where the text gives it: an honorific before a mention ("Mr Otieno"), or
    the first personal pronoun after a mention that opens a sentence or clause, with no other speaker
    and no quote between ("Kaja Novak said her government ..."). Conflicting evidence gives none."""
    votes: dict[int, set[str]] = {}
    for i, mention in enumerate(mentions):
        if mention.kind != "person" or mention.person is None:
            continue
        found = set()
        honorific = _HONORIFIC.search(text[max(0, mention.start - 6):mention.start]) or _HONORIFIC.search(mention.text.split()[0] + " ")
        if honorific:
            found.add("m" if honorific.group(1) in {"Mr", "Sir", "Lord"} else "f")
        sentence = next((s for s in sentences if s.start <= mention.start < s.end), None)
        subject = sentence is not None and re.fullmatch(r"(?:.*(?:[,;:]|\band|\bbut))?\s*", text[sentence.start:mention.start], re.S) is not None
        if subject:  # "Lilianne Ploumen then told Remkes that her party ...": "her" is not the object's
            following = next((m.start for m in mentions[i + 1:] if m.kind in {"person", "source"} or (m.kind == "body" and m.start < sentence.end)), sentence.end)
            window = text[mention.end:min(sentence.end, following)]
            window = re.split(r"[“”\"]", window)[0]
            pronoun = _GENDERED.search(window)
            if pronoun:
                found.add("m" if pronoun.group(1).lower() in {"he", "him", "his", "himself"} else "f")
        votes.setdefault(id(mention.person), set()).update(found)
    for mention in mentions:
        if mention.person is not None and len(votes.get(id(mention.person), ())) == 1:
            mention.person.gender = next(iter(votes[id(mention.person)]))


# -- states, organisations, blocs ------------------------------------------------------------------


def _gazetteer(text: str, start: int, end: int, lexicon: Lexicon) -> list[Mention]:
    found = []
    for match in lexicon.alias_pattern.finditer(text, start, end):
        if text[max(start, match.start() - 4):match.start()] == "New ":
            continue  # "New Jersey", "New Mexico": not the state or territory of that name
        alias = re.sub(r"\s+", " ", match.group(0))
        body_id, form = lexicon.aliases[alias]
        if form == "demonym" and re.search(r"\b(?:South|North|Latin|Central)\s+$", text[max(start, match.start() - 8):match.start()]):
            continue  # "the South American country" is not the United States
        body = lexicon.body(body_id)
        kind = "body"
        plural = False
        if form == "demonym":
            kind = "demonym"
            plural = alias.endswith("s") and not alias.endswith("ss")
            if _RELATIONAL.match(text, match.end()):
                continue
        elif form == "metonym" and _PLACE_BEFORE.search(text[max(start, match.start() - 20):match.start()]) or text.startswith(" City", match.end()):
            kind = "location"  # "in Kyiv", "Mexico City"
        if _in_dateline(text, [(start, end)], Mention(match.start(), match.end(), "", "")):
            kind = "location"  # "DOHA, Qatar (AP) —": where the story was filed (still an actor named)
        if body.kind == "other":
            kind = "other"
        found.append(Mention(match.start(), match.end(), alias, kind, (body,), plural=plural))
    return found


def _in_dateline(text: str, regions: list[tuple[int, int]], mention: Mention) -> bool:
    """Whether a mention is the state or city of a dateline opening a paragraph ("DOHA, Qatar (AP) —",
    "Washington, Aug 16 (EFE).-", "Geneva: A clear understanding ...")."""
    start = next((a for a, b in regions if a <= mention.start < b), None)
    if start is None:
        return False
    if start == mention.start and _CITY_DATELINE_END.match(text, mention.end):
        return True
    return _DATELINE_PLACE.fullmatch(text, start, mention.start) is not None and _DATELINE_END.match(text, mention.end) is not None


def _title_regex(lexicon: Lexicon) -> re.Pattern:
    titles = sorted(lexicon.titles, key=len, reverse=True)
    alternatives = "|".join(r"[\s\-]+".join(re.escape(w) for w in title.split()) for title in titles)
    return re.compile(rf"(?<![\w])(?:{alternatives})\s+$", re.IGNORECASE)


# -- named people ----------------------------------------------------------------------------------


def _named_people(text, start, end, gazetteer, titles, lexicon, people) -> list[Mention]:
    organisations = {m.text for m in gazetteer if m.bodies and m.bodies[0].kind == "organisation"}
    titles_then_comma = re.compile(titles.pattern.replace(r"\s+$", r"s?(?:\s+(?:of|for|to|at)\s+[A-Za-z][\w\s,&\-’']{0,50}?)?,\s+$"), re.IGNORECASE)  # "Its head of health, NAME,", "Ireland's representative at the talks, NAME,"
    titles_of_place = re.compile(titles.pattern.replace(r"\s+$", r"\s+(?:to|of|for|at)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w\-’'.]*\s+(?:(?:of|and|for)\s+(?:the\s+)?)?){1,5}"
                                                                r"(?:(?-i:delegation|negotiating team|team|side)\s+)?$"), re.IGNORECASE)  # "head of the Ukrainian delegation NAME"
    covered = [(m.start, m.end) for m in gazetteer if start <= m.start < end]
    title_words = {w for t in lexicon.titles for w in t.replace("-", " ").split()}
    found: list[Mention] = []
    for run in _CAP_RUN.finditer(text, start, end):
        words = [(w.start(), w.end()) for w in re.finditer(r"\S+", text[run.start():run.end()])]
        words = [(run.start() + a, run.start() + b) for a, b in words]
        keep: list[tuple[int, int]] = []
        for a, b in words:
            word = text[a:b].rstrip(".").lower()
            family_he = word == "he" and not keep and titles.search(text[max(start, a - 60):a]) is not None  # "Vice Premier He Lifeng"
            if (word in _STOP_CAPS and not family_he) or word.split("-")[0] in title_words or any(ca <= a < cb for ca, cb in covered):
                keep = []
            else:
                keep.append((a, b))
        if len(keep) > 2 and re.search(r"\b(?:of|for|to|at)\s+(?:the\s+)?$", text[max(start, keep[0][0] - 12):keep[0][0]]):
            keep = keep[-2:]  # "Minister of Fisheries Elisabeth Aspaker": the place ends where the name begins
        name_words = [w for w in keep if text[w[0]:w[1]].lower() not in _PARTICLE_WORDS]  # "Mohammed bin Abdulrahman Al Thani"
        if not keep or len(name_words) > 4 or len(keep) > 6 or text[keep[-1][0]:keep[-1][1]].endswith("."):
            continue
        if len(keep) == 1 and not _single_name_speaks(text, keep[0][0], keep[0][1], end, lexicon, people, organisations) \
                and not _single_name_with_title(text, keep[0][0], keep[0][1], end, titles, lexicon, organisations):
            continue
        name_start, name_end = keep[0][0], keep[-1][1]
        name = squash(text[name_start:name_end])
        before = text[max(start, name_start - 120):name_start]
        after = text[name_end:min(end, name_end + 200)]
        title = titles.search(before) or titles_of_place.search(before)  # "Ambassador to the United States Michael Herzog"
        member_of = re.match(r",?\s+(?:of|from)\s+the\s+(?:[a-z][\w\-]*\s+){0,3}|\s*\(", after)  # "NAME of the SPD", "NAME, of the advocacy group X,", "NAME (SPD)"
        party = next((m for m in gazetteer if member_of and m.start == name_end + member_of.end() and (m.bodies[0].kind == "organisation" or (
            member_of.group(0).strip() == "(" and m.kind == "body" and m.bodies[0].kind == "state" and text.startswith(")", m.end)))), None)  # "NAME (Slovenia)"
        member_of = member_of if party is not None else None
        speech = _speech_next_to(before, re.sub(r"^\s*\([^()]{1,20}\)", "", after), lexicon)
        if title is None and (text[name_end:name_end + 1] in {",", "."} or member_of or speech or re.match(r"\s+(?:was|is)\s+(?:also\s+)?[a-z]+:", after)):
            title = titles_then_comma.search(before)  # "Ukraine's agriculture minister, Oksana Hrytsenko," / "KFO Chief Executive, Seán O’Donoghue commented"
        if title is None and text[name_end:name_end + 1] == ",":
            title = _OFFICE_OF_STATE.search(before)  # "The dictator of Venezuela, Nicolás Maduro,": any office of a state named
            title = title if title and lexicon.aliases.get(squash(title.group(1)), ("", ""))[1] not in {"", "demonym"} \
                and lexicon.body(lexicon.aliases[squash(title.group(1))][0]).kind == "state" else None
        apposition = re.match(r",\s+(?:\d{1,3},\s+)?(?![a-z]+ing\b|(?:with|at|in|on|from|after|during|before)\b)((?:(?:a|an|the)\s+)?(?:(?:[A-Z][\w\-]+\s+){0,2}[A-Z][\w\-]+[’']s\s+|(?:[A-Z][\w.\-&]*\s+){1,3}(?=[a-z]))?[a-z](?:[A-Z]\.(?:[A-Z]\.)+|[^,.;“”\"])+?|(?:[A-Z][\w\-]+[’']s\s+)?(?:[A-Z][\w.\-&]*\s+){1,3}[A-Z][\w\-]*)"
                              r"(?=,|\.|;|$| and said| said)", after)  # ", a former French ambassador", ", Panama's climate envoy", ", UAW president"
        if apposition and not any(re.search(r"(?<![\w\-])" + r"[\s\-]+".join(map(re.escape, t.split())) + r"s?(?![\w\-])", apposition.group(1).lower())
                                  for t in lexicon.titles if len(t) > 3) \
                and not _LEADS.match(apposition.group(1)) or apposition and apposition.group(1).startswith("who ") and not _LEADS.match(apposition.group(1)):
            apposition = None  # "NAME, who met Egypt's president, said": no office of NAME's
        is_person = bool(title or apposition or re.match(r",?\s+(?:who|spoke|speaks|met|meets)\b|\s+(?:has\s+|had\s+)?[a-z]+\s+(?:his|her)\b", after)
                         or speech or name in lexicon.people or party)  # "Robert Lighthizer made his remarks"
        if not is_person:
            continue
        person = people.get(name) or next((p for p in people.values() if p.name.endswith(" " + name)
                                           or re.search(rf"(?<![\w])(?:al|el|ad|as|ash|az)-{re.escape(name)}$", p.name)), None)  # "Al Thani", "Sisi" after "Abdel Fattah el-Sisi"
        if person is None and " " not in name and re.search(r"\b(?:Sheikh|Sheikha|Emir|King|Prince)\s+$", before):
            person = next((p for p in people.values() if p.name.split()[0] == name), None)  # "Sheikh Mohammed" after "Sheikh Mohammed bin Abdulrahman Al Thani"
        if person is None and " " not in name:
            first_named = {p.name: p for p in people.values() if " " in p.name and p.name.split()[0] == name}
            if len(first_named) == 1:  # "Wang said" after "Wang Yi", "Abiy said" after "Abiy Ahmed": a name written family name first or by the given name
                person = first_named.popitem()[1]
        role_start = name_start
        role = None
        if title:
            role_start, role = _role_before(text, start, name_start - len(before) + title.start(), name_start, gazetteer)
        else:
            owner = next((m for m in gazetteer if m.kind in {"body", "location"} and re.fullmatch(r"[’']s\s+", text[m.end:name_start])), None)
            if owner is not None:  # "the ELN’s Pablo Beltran", "Russia’s Sergei Lavrov"
                role_start, role = owner.start, squash(text[owner.start:name_start])
        if person is None:
            person = Person(name, re.sub(r"[’']s$", "", name.split()[-1]))
            people[name] = person
        if party is not None:
            person.member_of = party.bodies[0]
        if role and not person.role:
            person.role = role
        if apposition and not person.role:
            person.role = apposition.group(1)
        elif apposition:
            person.role = f"{person.role}; {apposition.group(1)}"
        written = squash(text[role_start:name_end])
        if not person.first_written or len(written) > len(person.first_written):
            person.first_written = written
        found.append(Mention(role_start, name_end, written, "person", person=person))
    return found


def _single_name_speaks(text: str, start: int, end: int, floor_end: int, lexicon: Lexicon, people: dict, organisations: set[str]) -> bool:
    """A lone capitalised word is a person when a speech verb follows it ("Rutte said", "Greer
    pointed to") and it is no body, title or known surname."""
    word = text[start:end]
    if word in lexicon.aliases or word.lower() in lexicon.roles or any(p.surname == word for p in people.values()) or word in organisations:
        return False
    if re.search(r"(?:[’']s|\bthe|\bof|\bfor)\s+$", text[max(0, start - 5):start], re.IGNORECASE) \
            or re.search(r"\b(?:of|for)\s+[A-Z][\w\-]*\s+(?:and|&)\s+$", text[max(0, start - 40):start]):
        return False  # "the EU’s Commission has", "the Union said", "the Department of Health said": a body, not a person
    if re.search(r"[,”\"]\s*(?:said|says|added|adds|told|asked|wrote|warned|insisted|argued|explained|noted)\s+$", text[max(0, start - 20):start]) \
            and re.match(r"\s*(?:[,.;:]|$|\s+(?:on|in|at|to|who|after|before|during|last|this)\b)", text[end:min(floor_end, end + 12)]):
        return True  # "“We are close,” said Barnier."
    verbs = "|".join(re.escape(v) for v in sorted(lexicon.verbs, key=len, reverse=True))
    return re.match(rf"(?:(?:[’']s|[’'])\s+(?:[a-z]+\s+)?(?:office|spokes(?:man|woman|person))|,\s+(?:speaking|writing|who)\b[^,.;“”\"]{{0,60}},)?\s+(?:has\s+|had\s+|also\s+|then\s+|later\s+)?(?:{verbs})\b",
                    text[end:min(floor_end, end + 100)]) is not None  # "Guterres, speaking in Baku, said"


def _single_name_with_title(text: str, start: int, end: int, floor_end: int, titles: re.Pattern, lexicon: Lexicon, organisations: set[str]) -> bool:
    """A lone capitalised word opening a sentence or clause with a title in apposition is a person:
    "Frost, the UK’s chief negotiator, said"."""
    word = text[start:end]
    if word in lexicon.aliases or word.lower() in lexicon.roles or word in organisations:
        return False
    apposition = re.match(r",\s+(?:the\s+)?([^,.;“”\"]{3,60}?),", text[end:min(floor_end, end + 80)])
    return apposition is not None and titles.search(apposition.group(1) + " ") is not None


def _role_before(text, floor, title_start, name_start, gazetteer) -> tuple[int, str]:
    """The title with the body word and modifiers before it: "French President", "NATO chief",
    "the EU’s deputy foreign policy chief"; not across a verb or a determiner ("the AU said its
    chairman, NAME": "its chairman")."""
    start = title_start - 3 if text[max(floor, title_start - 3):title_start] == "ex-" else title_start  # "South Africa’s ex-vice president"
    for mention in sorted(gazetteer, key=lambda m: -m.start):
        if mention.end <= title_start and mention.start >= floor:
            gap = text[mention.end:start]
            if re.fullmatch(r"(?:[’']s)?(?:\s+[A-Za-z][\w\-]*)*\s+", gap) and len(gap.split()) <= 4 \
                    and not any(w.lower() in _NOT_IN_TITLE for w in gap.split()):  # "EU Climate Commissioner"
                start = mention.start
                break
            if mention.end < title_start - 40:
                break
    modifiers = re.search(r"((?:\b(?:former|deputy|acting|top|senior|chief|lead|then|government|union|party)\s+)+)$", text[floor:start], re.IGNORECASE)
    if modifiers:
        start -= len(modifiers.group(1))
    owner = re.search(r"(?<![\w\-])((?:[Tt]he\s+(?:union|group|party|company|organi[sz]ation|alliance|association|federation|movement|bloc)|[A-Z][\w\-]+)[’']s\s+|[A-Z][\w\-]*s[’']\s+|[Ii]ts\s+)"
                      r"((?:[a-z][\w\-]*\s+){0,2})$", text[floor:start])
    if owner:
        start -= len(owner.group(1)) + len(owner.group(2))  # "Trump’s chief trade negotiator", "the union’s general secretary"
    return start, squash(text[start:name_start])


# ", a critic of the government," between a name and a speech verb: the name is a person's (not ", an advocacy group,").
_PERSON_APPOSITION = (r",\s+\d{1,3},|,\s+(?:a|an)\s+(?![^,.;“”\"]*\b(?:group|organi[sz]ation|charity|company|firm|union|party|agency|alliance|association|coalition|"
                      r"network|institute|council|committee|movement|newspaper|broadcaster|channel|outlet|website|body)\b)[^,.;“”\"]{3,80},")


def _speech_next_to(before: str, after: str, lexicon: Lexicon) -> bool:
    verbs = "|".join(re.escape(v) for v in sorted(lexicon.verbs, key=len, reverse=True))
    return bool(
        re.match(rf"(?:(?:[’']s|[’'])\s+(?:[a-z]+\s+)?(?:office|spokes(?:man|woman|person))|,\s+(?:speaking|writing)\b[^,.;“”\"]{{0,60}},|{_PERSON_APPOSITION})?"
                 rf"\s+(?:has\s+|had\s+|have\s+)?(?:also\s+)?(?:{verbs})\b", after)
        or re.search(rf"\b(?:{verbs})\s+$", before)
    )


def _resolve_people(text: str, people: dict[str, Person], mentions: list[Mention], lexicon: Lexicon, organisations: dict[str, Body],
                    home: Body | None, sentences=(), states: list[Mention] = (), organisation_spans: list[tuple[int, Body]] = (),
                    bodies_named: list[Mention] = ()) -> None:
    """Each person's body: from their title or apposition, the people lexicon, an administration
    named after them ("the Trump administration"), or, for a national office with no state written
    ("Treasury Secretary"), the one state named beside them when they are introduced, else the state
    the article names most (``home``); a title only one state has ("Taoiseach") names that state."""
    by_person: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_person.setdefault(mention.person.name, []).append(mention)
    pattern = lexicon.alias_pattern
    for name, person in people.items():
        role = person.role or ""
        found = [(m.start(), lexicon.body(lexicon.aliases[re.sub(r"\s+", " ", m.group(0))][0])) for m in pattern.finditer(role)]
        found += [(m.start(), body) for name, body in organisations.items() for m in re.finditer(rf"(?<![\w\-]){re.escape(name)}(?![\w\-])", role)]
        elliptic = list(re.finditer(r",\s+and\s+(?:of|for)\s+", role))
        if elliptic:  # "The president of Venezuela, NAME, and of Guyana, NAME": the office of the last body named
            found = [(at, body) for at, body in found if at >= elliptic[-1].end()]
        dealt_with = [at for at, _ in found if _COUNTERPART.search(role[:at]) and not _SERVES.search(role[:at])]
        counterparts = {body for at, body in found if at in dealt_with}  # "ambassador to Egypt", "relations with the EU"
        bodies = [body for at, body in sorted(found, key=lambda f: f[0]) if at not in dealt_with]
        bodies = [b for b in bodies if b.kind != "other"]
        lowered = role.lower()
        if bodies:
            person.affiliation = bodies[0]
        owner = re.search(r"(?:^the\s+(?:union|group|party|company|organi[sz]ation|alliance|association|federation|movement|bloc)[’']s|^(?:union|party)\s|"
                          r"\b(?:of|from)\s+the\s+(?:union|group|party|company|organi[sz]ation|alliance|association|federation|movement))\b", lowered)
        if person.member_of is None and owner and by_person.get(name):
            first = by_person[name][0].start  # "the union’s general secretary", "the president of the union": the organisation named last before
            known = sorted(list(organisation_spans) + [(m.start, m.bodies[0]) for m in bodies_named if m.bodies[0].kind == "organisation"], key=lambda o: o[0])
            person.member_of = next((b for a, b in reversed(known) if a < first), None)
        if person.member_of is None and lowered.startswith("its ") and by_person.get(name):
            first = by_person[name][0].start  # "Norway rejected it. Its chief negotiator, Kari Dahl,": the body named last before
            person.member_of = next((m.bodies[0] for m in sorted(list(states) + list(bodies_named), key=lambda m: -m.start) if m.start < first), None)
        if person.member_of is not None:
            person.body = person.member_of
        elif re.search(r"\bopposition\b", lowered) and not [b for b in bodies if b.kind != "state"]:
            continue  # "Israel's Opposition Leader": not the voice of the state
        elif not bodies and _SPEAKS_FOR_PERSON.search(role):
            continue  # "spokesperson for President Cyril Ramaphosa": the body of the person spoken for (below)
        elif any(re.search(rf"(?<![\w]){re.escape(marker)}", lowered) for marker in lexicon.expert_markers):
            person.body = EXPERTS
        elif bodies:
            person.body = bodies[0] if bodies[0].kind != "experts" else EXPERTS
        elif name in lexicon.people:
            person.body = lexicon.body(lexicon.people[name])
        else:
            for word, code in lexicon.administrations.items():
                if re.search(rf"\b{re.escape(person.surname)}(?:’s|'s)?\s+{re.escape(word)}\b", text):
                    person.body = lexicon.body(code)
                    person.role = person.role or f"head of the {lexicon.body(code).name} {word}"
                    break
            else:
                own = next((code for title, code in lexicon.state_titles.items() if re.search(rf"\b{re.escape(title)}\b", lowered)), None)
                if own is not None:
                    person.body = lexicon.body(own)  # "Taoiseach Leo Varadkar"
                elif lexicon.national_title_pattern.search(lowered) or re.search(r"\bgovernment\b", lowered):  # "chief government delegate"
                    person.body = _state_beside(text, by_person[name][0], sentences, states, mentions) \
                        or _home_unless_met(text, by_person[name][0], sentences, states, mentions, home)  # "Environment Secretary George Eustice"
                    if person.body in counterparts:
                        person.body = None  # "the ambassador to Egypt" in an article about Egypt
                elif not role and " " not in name and _named_as_actor(text, [m for m in states if m.bodies[0] == home]):
                    person.body = home  # "Trump said": a leader the article names by surname alone is of the state it names most
    _bodies_of_owners(people)


def _named_as_actor(text: str, mentions: list[Mention]) -> bool:
    """Whether a state is named more than once, or once other than as the object of a verb or a
    preposition ("Otieno told reporters, blaming Ethiopia": Ethiopia is no home for Otieno)."""
    return len(mentions) > 1 or any(not _GOVERNED.search(text[max(0, m.start - 16):m.start])
                                    and not re.search(r"\b[a-z]+(?:ing|ed)\s+$", text[max(0, m.start - 20):m.start]) for m in mentions)


_MEETS = re.compile(r"\b(?:with|met|meets|meeting|hosted|hosts|received|receives|welcomed|phoned)\b")


def _home_unless_met(text: str, mention: Mention, sentences, states: list[Mention], others: list[Mention], home: Body | None) -> Body | None:
    """The state the article names most, for a national office with no state written, unless the
    sentence that introduces the person has them meet a person of that state ("Trade Secretary
    NAME is continuing talks with Commerce Minister NAME", "his meeting with Prime Minister NAME"):
    then the one state named most after it, or none when two are named as often."""
    sentence = next((s for s in sentences if s.start <= mention.start < s.end), None)
    if home is None or sentence is None:
        return home
    met = {b for m in others if sentence.start <= m.start and m.end <= mention.start and m.person is not mention.person
           for b in (m.person.body, m.person.affiliation) if b is not None and b.kind == "state" and _MEETS.search(text[m.end:mention.start])}
    if home not in met:
        return home
    counts = Counter(m.bodies[0].id for m in states if m.bodies[0] not in met).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return next(m.bodies[0] for m in states if m.bodies[0].id == counts[0][0])


_SPEAKS_FOR_PERSON = re.compile(r"\b(?:spokes(?:man|woman|person)|advis[eo]r|aide|envoy)\s+(?:for|to)\s+")


def _bodies_of_owners(people: dict[str, Person]) -> None:
    """"Trump’s chief trade negotiator" and "a spokesperson for President Cyril Ramaphosa" speak for
    the body Trump or Ramaphosa speaks for."""
    by_surname = {p.surname: p for p in people.values() if p.body is not None}
    for person in people.values():
        if person.body is None and person.role:
            owners = [m.group(1) for m in re.finditer(r"([A-Z][\w\-]+)(?:[’']s\b|(?<=s)[’'](?=\s))", person.role)]  # "Trump’s", "Guterres'"
            spoken_for = _SPEAKS_FOR_PERSON.search(person.role)
            if spoken_for:
                owners += re.findall(r"[A-Z][\w\-]+", person.role[spoken_for.end():])
            owner = next((by_surname[name] for name in owners if name in by_surname and by_surname[name] is not person), None)
            if owner is not None:
                person.body = owner.body


def _state_beside(text: str, mention: Mention, sentences, states: list[Mention], others: list[Mention] = ()) -> Body | None:
    """The one state named in the sentence that introduces a person, other than as the object of a
    preposition ("tariffs on China", "talks in Geneva") or in another person's title ("President X
    and Qatar's Emir Y"); else the one state so named in the sentence before, in the same paragraph
    ("Israel's army said ... Defense Minister Yoav Gallant vowed")."""
    sentence = next((s for s in sentences if s.start <= mention.start < s.end), None)
    if sentence is None:
        return None
    titled = [(o.start, o.end) for o in others if o.person is not mention.person]
    previous = next((s for s in reversed(sentences) if s.end <= sentence.start and s.paragraph == sentence.paragraph), None)
    for where in (sentence, previous):
        if where is None:
            return None
        found = {m.bodies[0] for m in states if where.start <= m.start < where.end
                 and not _GOVERNED.search(text[max(where.start, m.start - 16):m.start])
                 and not any(a <= m.start < b for a, b in titled)}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


# A body after these words in a person's title is whom they deal with, not whom they speak for.
_COUNTERPART = re.compile(r"(?:\b(?:to|against|toward|towards|on|over|into|between)|\b(?:relations|talks|negotiations|ties|dealings|dialogue|met|meeting)\s+with)\s+(?:the\s+)?(?:[a-z][\w\-]*\s+)?$", re.IGNORECASE)
_SERVES = re.compile(r"\b(?:advis[eo]rs?|aides?|spokes(?:man|woman|person)|assistant|counsel(?:l?or)?)\s+to\s+(?:the\s+)?(?:[a-z][\w\-]*\s+)?$", re.IGNORECASE)  # "an adviser to the government"
_GOVERNED = re.compile(r"\b(?:on|against|with|to|toward|towards|from|in|at|into|by|over)\s+(?:the\s+)?$")


def _home_state(states: list[Mention]) -> Body | None:
    """The state named most often, by name or capital (the first of those named equally often);
    by demonym when no state is named ("the Colombian government", "Colombian media")."""
    named = [m.bodies[0] for m in states if m.kind == "body"]
    by_demonym = Counter(m.bodies[0].id for m in states if m.kind == "demonym")
    if not named:
        named = [m.bodies[0] for m in states if m.kind == "demonym"]
    if not named:
        return None
    counts = Counter(b.id for b in named)
    return max(dict.fromkeys(named), key=lambda b: (counts[b.id], by_demonym[b.id]))  # a tie goes to the state also named by demonym more


def _surname_mentions(text, regions, people, person_mentions, titles: re.Pattern | None = None) -> list[Mention]:
    """Later mentions of known people by surname, with a title right before them ("wrote President Maduro")."""
    found = []
    by_surname = {p.surname: p for p in people.values()}
    by_surname |= {re.sub(r"^(?:al|el|ad|as|ash|az)-", "", p.surname): p for p in people.values() if re.match(r"(?:al|el|ad|as|ash|az)-", p.surname)}  # "Sisi"
    if not by_surname:
        return found
    pattern = re.compile(r"(?<![\w\-])(" + "|".join(re.escape(s) for s in by_surname) + r")(?![\w\-])")
    for a, b in regions:
        for match in pattern.finditer(text, a, b):
            if any(m.start <= match.start() < m.end for m in person_mentions):
                continue
            titled = titles.search(text[max(a, match.start() - 40):match.start()]) if titles is not None else None
            begin = match.start() - len(titled.group(0)) if titled and not any(m.start < match.start() and m.end > match.start() - len(titled.group(0))
                                                                               for m in person_mentions) else match.start()
            found.append(Mention(begin, match.end(), squash(text[begin:match.end()]), "person", person=by_surname[match.group(1)]))
    return found


# -- descriptions of named people ---------------------------------------------------------------------

# Titles a description shares with many people ("a Hamas official"): such a phrase is an unnamed source.
_SHARED_TITLES = {"official", "diplomat", "member", "lawmaker", "legislator", "representative", "adviser", "advisor", "aide", "spokesman",
                  "spokeswoman", "spokesperson", "delegate", "general", "gen.", "sen.", "rep.", "senator", "member of parliament", "official"}
# Titles of whoever heads a body: "the WTO chief" is "the head of the World Trade Organization".
_HEAD_TITLES = {"chief", "head", "leader", "boss", "chairman", "chairwoman", "chair", "president", "director", "director-general",
                "director general", "secretary-general", "secretary general"}


def _descriptions(text: str, sentences, gazetteer: list[Mention], people: list[Mention], lexicon: Lexicon, home: Body | None = None) -> list[Mention]:
    """A body's office-holder described without a name ("Iran’s foreign minister", "the WTO chief",
    "the head of the World Trade Organization") is a mention of the person who holds it: the person
    of that body named before with that title (or the only person of that body named before), else,
    for a lede that names the person only afterwards, the person whose bare name opens one of the
    next two sentences ("The head of the World Trade Organization on Thursday said ... Ngozi
    Okonjo-Iweala told reporters ..."), who then takes the body and the title."""
    titles = sorted((t for t in lexicon.titles if t not in _SHARED_TITLES and t not in lexicon.expert_markers), key=len, reverse=True)
    alternatives = "|".join(r"[\s\-]+".join(map(re.escape, t.split())) for t in titles)
    after_body = re.compile(rf"(?:[’']s)?\s+((?:[a-z][\w\-]*\s+){{0,3}}?)((?i:{alternatives}))(?![\w\-])(?:\s+(?:to|for)\s+(?:the\s+)?[A-Z][\w\-]+(?=[\s,.]))?")  # "the UN envoy to Yemen"
    before_body = re.compile(rf"(?<!\w)[Tt]he\s+((?:[a-z][\w\-]*\s+){{0,2}}?)((?i:{alternatives}))\s+of\s+(?:the\s+)?$")
    found: list[Mention] = []
    national = re.compile(rf"(?<!\w)[Tt]he\s+(federal|national)\s+((?:[a-z][\w\-]*\s+){{0,2}}?)((?i:{alternatives}))(?![\w\-])")
    anchors = list(gazetteer)
    if home is not None:  # "the federal jobs minister": of the state the article is about
        anchors += [Mention(m.start(1), m.end(1), m.group(1), "body", (home,)) for m in national.finditer(text)]
    for body in sorted(anchors, key=lambda m: m.start):
        if body.kind not in {"body", "demonym"} or body.bodies[0].kind not in {"state", "organisation", "bloc"}:
            continue
        start = end = None
        match = after_body.match(text, body.end)
        determiner = re.search(r"(?<![\w\-])[Tt]he\s+$", text[max(0, body.start - 4):body.start])
        if match and match.group(2).lower() == "counterpart" and not determiner:
            determiner = re.search(r"(?<![\w\-])(?:[Hh]is|[Hh]er|[Tt]heir)\s+$", text[max(0, body.start - 6):body.start])  # "his Chinese counterpart"
        if match and (determiner or text[body.end:body.end + 1] in "’'"):
            start, end, title = body.start - (len(determiner.group(0)) if determiner else 0), match.end(), match.group(2).lower()
        else:
            match = before_body.search(text, max(0, body.start - 60), body.start)
            if match:
                start, end, title = match.start(), body.end, match.group(2).lower()
        if start is None or re.match(r"s?\b(?:\s+|,\s+)(?:[A-Z][a-z]|of\b|for\b|to\b)", text[end:end + 6]) or re.match(r"s\b", text[end:end + 2]):
            continue  # a title before a name or an apposition ("Iran’s foreign minister, Mohammad Javad Zarif,"), a plural, a longer title
        if any(p.start < end and start < p.end for p in people) or any(f.start < end and start < f.end for f in found):
            continue
        earlier = [p for p in people if p.end <= start and p.person.body == body.bodies[0]]
        titled = [p for p in earlier if _same_office(title, p.person.role or "")]
        target = titled[-1] if titled else (earlier[-1] if len({p.person.name for p in earlier}) == 1 else None)
        if target is None:
            here = next((i for i, s in enumerate(sentences) if s.start <= start < s.end), None)
            window = sentences[here + 1:here + 3] if here is not None else []
            target = next((p for p in people if any(s.start == p.start for s in window) and not p.person.role and " " in p.text
                           and p is next(q for q in people if q.person is p.person)), None)  # introduced there by full name
            if target is not None:
                target.person.role, target.person.body = squash(text[start:end]), body.bodies[0]
        if target is not None:
            found.append(Mention(start, end, squash(text[start:end]), "person", person=target.person))
    return sorted(found, key=lambda m: m.start)


def _same_office(title: str, role: str) -> bool:
    role = role.lower()
    if re.search(rf"(?<![\w\-]){re.escape(title)}(?![\w\-])", role):
        return True
    return title in _HEAD_TITLES and any(re.search(rf"(?<![\w\-]){re.escape(t)}(?![\w\-])", role) for t in _HEAD_TITLES)


# -- unnamed speakers --------------------------------------------------------------------------------


def _source_phrases(text, start, end, gazetteer, people, lexicon) -> list[Mention]:
    """Speaker phrases built around a role noun, walking left over bodies, modifiers, determiners."""
    roles = sorted(lexicon.roles, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w\-])(" + "|".join(r"\s+".join(map(re.escape, r.split())) for r in roles) + r")(?![\w\-])", re.IGNORECASE)
    familiar = re.compile(r"\s+(?:" + "|".join(lexicon.familiar) + r")", re.IGNORECASE) if lexicon.familiar else None
    modifiers = {m.lower() for m in lexicon.modifiers}
    found = []
    for match in pattern.finditer(text, start, end):
        if any(p.start <= match.start() < p.end for p in people) or any(g.start <= match.start() < g.end for g in gazetteer):
            continue  # "the Killybegs Fishermen’s Organisation" is a body, not a source phrase
        owner = next((g for g in gazetteer if match.start() - 60 <= g.end <= match.start() and (
                          g.kind == "body" and re.fullmatch(r"[’']s\s+(?:[a-z][\w\-]*\s+|(?-i:[A-Z])[a-z]+\s+(?:[A-Z][a-z]+[’']s\s+)?){0,2}", text[g.end:match.start()])
                          or g.kind in {"body", "demonym"} and re.fullmatch(r"\s+(?:[a-z][\w\-]*\s+){0,2}[a-z]+[’']s\s+", text[g.end:match.start()]))),
                     None)  # "China’s commerce ministry", "Israel's Prime Minister's Office", "the South African president’s spokesperson"
        if re.match(r"[’']s\s", text[match.end():match.end() + 3]):
            continue  # "the Prime Minister's Office said": the office speaks
        owned = None if owner is not None else re.search(rf"(?<![\w\-])[Tt]he\s+(?:{'|'.join(sorted(BODY_NOUNS))})[’']s\s+(?:[a-z][\w\-]*\s+){{0,2}}$",
                                                           text[max(start, match.start() - 60):match.start()])
        if owned and not _ADJECTIVE_USE.match(text, match.end()) and not re.match(r"[’']s\s|,?\s+" + _NAME_WORD, text[match.end():match.end() + 40]):
            head = match.group(1).lower()  # "the union's president said": the union named before speaks through them (see quotes)
            found.append(Mention(match.start() - len(owned.group(0)), match.end(), squash(text[match.start() - len(owned.group(0)):match.end()]), "source",
                                 plural=head.endswith("s"), role_kind=lexicon.roles.get(head, "generic"), head=head, definite=True))
            continue
        if _ADJECTIVE_USE.match(text, match.end()) or (owner is None and re.search(r"[’']s\s+$", text[max(start, match.start() - 4):match.start()])):
            continue  # "Kyiv's official position"
        if re.match(r"\s+" + _NAME_WORD + r"\s+" + _NAME_WORD, text[match.end():match.end() + 60]) \
                or any(g.start == match.end() + 1 and g.kind == "body" for g in gazetteer):
            continue  # a title before a name: "adviser Mykhailo Podolyak", "streamers negotiator AMPTP"
        if pattern.match(text, match.end() + 1) and text[match.end():match.end() + 1].isspace():
            continue  # a role noun used as a modifier: "government official"
        head = match.group(1).lower()
        kind = lexicon.roles.get(head) or lexicon.roles.get(re.sub(r"\s+", " ", head), "generic")
        bodies: list[Body] = [owner.bodies[0]] if owner else []
        left = owner.start if owner else match.start()
        determiner = None
        cursor = left
        while owner is None:
            body = next((g for g in gazetteer if cursor - 24 <= g.end <= cursor and g.kind in {"body", "demonym"}
                         and re.fullmatch(r"(?:[’']s)?\s*(?:,\s*|\s+and\s+|\s+or\s+)?\s*", text[g.end:cursor])), None)
            if body is not None:
                bodies.insert(0, body.bodies[0])
                cursor = left = body.start
                continue
            word = re.search(r"([\w\-]+)(\s*,?\s+(?:and\s+)?)$", text[max(start, cursor - 40):cursor])
            if word is None:
                break
            token = word.group(1).lower()
            if head in BODY_NOUNS and word.group(1).isalpha() and word.group(1).islower() and token not in _DETERMINERS \
                    and re.search(r"(?<![\w\-])[Tt]he\s+$", text[max(start, cursor - len(word.group(0)) - 4):cursor - len(word.group(0))]):
                cursor = left = cursor - len(word.group(0))  # "the studio group", "the teachers union"
                continue
            if token in modifiers or (token.isdigit() and len(token) < 4) or lexicon.roles.get(token) == "institution":  # "an army spokesman"
                cursor = left = cursor - len(word.group(0))
                continue
            if token in _DETERMINERS and word.group(2).strip() == "":
                determiner = token
                left = cursor - len(word.group(0))
                break
            possessive = re.search(r"(?<![\w\-])(his|her|its|their)\s+(?:[a-z][\w\-]*\s+){1,2}$", text[max(start, cursor - 40):cursor], re.IGNORECASE)
            if possessive and not bodies:  # "his top trade advisor"
                determiner = possessive.group(1).lower()
                left = cursor - len(possessive.group(0))
            break
        if any(re.fullmatch(r",\s+(?:\d{1,3},\s+)?(?:the\s+)?", text[p.end:left]) for p in people if p.end <= left):
            continue  # "Frost, the UK’s chief negotiator, said": an apposition of the person, who speaks
        right = match.end()
        spoken_for = re.match(r"\s+(?:for|to)\s+(?:the\s+)?", text[right:end]) if head in _SPEAKS_FOR else None
        represented = spoken_for and next((m for m in list(people) + [g for g in gazetteer if g.kind == "body"] if m.start == right + spoken_for.end()), None)
        if represented:  # "a spokesman for Prime Minister Boris Johnson": the spokesman, for Johnson's body
            right = represented.end
            bodies = list(bodies) + ([represented.person.body] if represented.person and represented.person.body else list(represented.bodies))
        place = re.match(r"\s+(?:in|from|at)\s+(?:[A-Z][\w\-]+)(?:\s+[A-Z][\w\-]+)?", text[right:end])
        team = re.match(r"\s+(?:in|from|on|close\s+to)\s+(?:the\s+)?", text[right:end])
        owner = next((g for g in gazetteer if team and g.start == right + team.end() and g.kind in {"body", "demonym"}), None)
        member = owner and re.match(r"(?:[’']s)?\s+(?:[a-z]+\s+){0,2}(?:team|delegation|government|office|camp|side|leadership)\b", text[owner.end:end])
        led = re.match(r"([A-Z][\w\-]+)[’']s?\s+(?:[a-z]+\s+){0,2}(?:team|delegation|government|office|camp|cabinet|administration)\b",
                       text[right + team.end():end]) if team and not member else None
        leader = next((p.person for p in people if led and p.person.surname == led.group(1) and p.person.body is not None), None)
        if member:
            right, bodies = owner.end + member.end(), bodies + [owner.bodies[0]]  # "a source in Israel’s negotiating team"
        elif leader is not None:
            right, bodies = right + team.end() + led.end(), bodies + [leader.body]  # "a senior official in Netanyahu's government"
        elif owner and owner.kind == "body" and owner.bodies[0].kind in {"organisation", "bloc"} and text[right + team.end() - 4:right + team.end()].lower() == "the ":
            right, bodies = owner.end, bodies + [owner.bodies[0]]  # "diplomats in the EU", "officials at the WTO"
        elif place and (head.endswith("s") or kind in {"institution", "official"}):
            right += place.end()  # "diplomats in Ankara", "Norway’s embassy in Mexico"
        if familiar is not None:
            extra = familiar.match(text, right)
            if extra:
                right = extra.end()
        plural = head.endswith("s") or head in {"people", "authorities"}
        for word, code in lexicon.administrations.items():  # "top Trump administration officials"
            if not bodies and re.search(rf"\b[A-Z][\w\-]+\s+{re.escape(word)}\s+$", text[max(start, left - 40):match.start()]):
                bodies.append(lexicon.body(code))
        if head in BODY_NOUNS:
            bodies = [b for b in bodies if b.kind != "state"]  # "Britain's biggest nursing union" is not Britain
        if kind == "experts":
            bodies = [EXPERTS]
        definite = determiner == "the" and not bodies
        if kind in {"generic", "institution"} and right == match.end() and not bodies and determiner not in {"his", "her", "its", "their"} \
                and not (determiner == "the" and (head in BODY_NOUNS or kind == "institution")):
            continue  # a bare "people" or "military" is no source; "his office" and "the union" (named before) are
        found.append(Mention(left, right, squash(text[left:right]), "source", tuple(dict.fromkeys(bodies)), plural=plural,
                             role_kind=kind, head=head, definite=definite, person=represented.person if represented else None))
    return found

