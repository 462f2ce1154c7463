"""Organisations the lexicon does not know, found from how the text names them: parties, unions,
firms, armed groups, employers' associations.

A run of capitalised words is an organisation when

- it ends in a word that names a kind of body ("Killybegs Fishermen’s Organisation", "Rapid
  Support Forces", "United States Maritime Alliance", "Royal College of Nursing", "Free Democrats",
  "the Greens"), or
- an acronym follows it in brackets or after "or" ("Social Democratic Party (SPD)", "International
  Longshoremen’s Association union, or ILA"); the acronym names the same body from then on.

A capitalised name after a title and "of" is an organisation ("chief executive of Network Rail",
"co-chairs of the BMA Junior Doctors Committee") unless it is a state or a known body.
A capitalised word or acronym of its own is an organisation when it stands before a role noun
("UAW boss Shawn Fain", "a senior Hamas official", "SPD leader", "KFO Chief Executive"), when it
owns a plant or factory ("a Ford plant", "GM’s Wentzville plant"), or, for an acronym, when its
sentence speaks of parties, unions, votes or members ("the liberal FDP"), names an organisation
found before, or lists the acronym with one ("CDU/CSU", "the SPD, CDU and CSU"). Every later use of
the name or acronym is a mention of the same body.

A run whose first word is a state's name or demonym, or a known organisation, and whose last is an
institution is that state or organisation ("Sudanese Armed Forces", "Qatari Foreign Ministry",
"EU’s Commission"); names the lexicon knows keep the lexicon's body.
"""

from __future__ import annotations

import re

from detente.draft.lexicon import Body, Lexicon

_HEADS = (
    "Party|Parties|Union|Unions|Organisation|Organisations|Organization|Organizations|Association|Federation|"
    "Confederation|Alliance|Coalition|Forces|Council|Congress|Front|Movement|League|Ministry|Commission|Agency|Bank|"
    "Fund|Authority|Committee|Institute|College|Board|Group|Company|Corporation|Corp|Inc|Ltd|Forum|Assembly|"
    "Democrats|Republicans|Socialists|Conservatives|Liberals|Greens|Brotherhood|Guard|Workers|"
    "Rail|Railways|Airways|Airlines|Motors|Mail|Ports|Trust|Employers|Initiative|Guild|Producers|Post"
)
_STATE_HEADS = {"forces", "ministry", "army", "government", "council", "commission", "agency", "authority"}
_OFFICE_HEADS = {"organization", "organisation", "office", "bank", "administration", "department", "service"}  # "... of Iran": not "Writers Guild of America"
_WORD = r"[A-Z][\w’'\-]*"
_JOIN = r"(?:\s+(?:of|for|and|the|de|du|Of|For|And|The)\s+|\s+)"  # "Writers Guild Of America"
_RUN = re.compile(rf"(?<![\w’'\-])(?:{_WORD}{_JOIN})*?(?:{_WORD}\s+)?(?:{_HEADS}|party)(?:{_JOIN}(?:{_WORD}{_JOIN}){{0,3}}?(?:{_HEADS}))*(?:\s+(?:of|for|Of|For)\s+(?:the\s+)?{_WORD}(?:\s+(?:and\s+|&\s+)?{_WORD})*)?(?![\w\-])")
_ACRONYM = r"[A-ZÀ-ÖØ-Þ]{2,6}"  # also "ÖVP", "FPÖ"
_EXPANDED = re.compile(rf"\s*(?:\(({_ACRONYM})\)|(?:\s+(?:union|party))?,\s+or\s+({_ACRONYM})\b)")
_ROLE_AFTER = re.compile(
    r"\s+(?:(?:senior|top|chief|deputy|executive)\s+)*(?:officials?|sources?|delegation|delegates|leaders?|chief|boss|spokes(?:man|woman|person)|advis[eo]rs?|aides?|commanders?|"
    r"negotiators?|members?|president|vice\s+president|secretary|chairman|chairwoman|chair|Chief\s+Executive|Executive|"
    r"Leader|President|General\s+Secretary|lawmakers|MPs|negotiating\s+team|deputy\s+leader|executive\s+vice\s+president|CEO|chief\s+executive)\b"
)
_PLANT_AFTER = re.compile(r"(?:’s|'s)?\s+(?:[A-Z][\w\-]*,?\s+){0,3}(?:plants?|factory|factories|workers|employees|dealers|shares)\b")
_HEAD_OF = re.compile(
    r"\b(?:chief\s+executive|executive\s+director|managing\s+director|president|chairman|chairwoman|chair|co-chairs?|head|leader|"
    r"general\s+secretary|secretary\s+general|director|spokes(?:man|woman|person)|boss|founder|chief\s+negotiator)\s+of\s+(?:the\s+)?"
    rf"(?P<name>{_WORD}(?:\s+{_WORD}){{0,4}})")
_PARTY_CONTEXT = re.compile(r"\b(?:party|parties|coalition|union|unions|liberal|conservatives?|social democratic|socialists?|investiture|centre-left|centre-right|"
                            r"center-left|center-right|votes|seats|ballot|members)\b", re.IGNORECASE)
_COMPANY_HEADS = {"Motors", "Airways", "Airlines", "Rail", "Railways", "Mail", "Ports", "Company", "Corporation", "Corp", "Inc", "Ltd", "Group"}
_FUNCTION_WORDS = {"The", "A", "An", "In", "On", "At", "But", "And", "For", "With", "After", "Before", "During", "Under", "Meanwhile",
                   "However", "Earlier", "Later", "Both", "Its", "Their", "His", "Her", "Our", "This", "That", "These", "Those", "Any",
                   "Some", "Many", "Most", "Other", "Such", "Each", "Every", "When", "While", "If", "As", "Since", "From", "By", "To"}
# Words that qualify a state's name rather than make a firm of it ("Eastern Ukraine", "Communist China").
_PLACE_QUALIFIERS = {"North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Central", "Greater", "Mainland",
                     "Upper", "Lower", "Inner", "Outer", "Communist", "Imperial", "Soviet", "Nazi", "Occupied", "Free", "Modern", "Rural", "Coastal"}
# A name written before a lower-case kind of body is that body's name.
_NAME_THEN_KIND = re.compile(rf"(?<![\w’'\-])((?:{_WORD}\s+){{0,3}}{_WORD})\s+(?:union|party|employers[’']\s+(?:association|organi[sz]ation))(?![\w\-])")
_DATELINE_AFTER = re.compile(r"\s*(?:\([\w .]+\)\s*)?[—–\-,]")
_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "But", "And", "For", "With", "After", "Before", "During", "Under", "Meanwhile",
    "However", "Earlier", "Later", "Both", "Its", "Their", "His", "Her", "Our", "This", "That", "These", "Those", "Any",
    "Some", "Many", "Most", "Other", "Such", "Each", "Every", "When", "While", "If", "As", "Since", "From", "By", "To",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mr", "Mrs", "Ms", "Dr", "Sir",
    "Lord", "Lady", "President", "Minister", "Secretary", "Chancellor", "Prime", "Deputy", "Senior", "Top", "Trade",
    "Foreign", "Defence", "Defense", "Finance", "Interior", "Health", "Environment", "Treasury", "State", "Marine",
    "Acting", "Vice", "General", "Chief", "Brexit", "TV", "PM", "CEO", "MP", "MPs", "MEP", "MEPs", "AM", "GMT", "UTC", "OK",
    "Government", "Executive", "Cabinet", "Presidency", "Administration",  # "president of the Government", "Executive sources": no body of their own
}


def find_organisations(text: str, regions: list[tuple[int, int]], taken: list[tuple[int, int, Body]], lexicon: Lexicon) -> list[tuple[int, int, str, Body]]:
    """Mentions of organisations the lexicon lacks, as (start, end, text, body), with the state for
    a run that is a state's institution; ``taken`` are the lexicon's mentions (start, end, body)."""
    names: dict[str, Body] = {}
    title_words = {w for t in lexicon.titles for w in t.replace("-", " ").split()}
    spans: list[tuple[int, int, str, Body]] = []

    def inside_known(a: int, b: int) -> Body | None:
        return next((body for x, y, body in taken if x <= a and b <= y), None)

    def add(a: int, b: int, body: Body) -> None:
        if not any(a < y and x < b for x, y, _, _ in spans):
            spans.append((a, b, re.sub(r"\s+", " ", text[a:b]), body))

    for start, end in regions:
        for run in _RUN.finditer(text, start, end):
            a, b = run.start(), run.end()
            b = _end_at_state(text, a, b, lexicon)
            words = text[a:b].split()
            keep_titles = words[-1] in _COMPANY_HEADS  # "General Motors", "British Airways": not a title before a name
            while words and words[0] in _NOT_NAMES and not (keep_titles and words[0][0].isupper() and words[0] not in _FUNCTION_WORDS):
                a += text[a:b].index(words[0]) + len(words[0])
                a += len(text[a:b]) - len(text[a:b].lstrip())
                words = words[1:]
            if not words or (len(words) == 1 and words[0] not in {"Greens", "Liberals", "Conservatives", "Socialists", "Democrats"}):
                continue
            if inside_known(a, b):
                continue
            state = _state_institution(text[a:b], words, lexicon)
            if state is not None:
                add(a, b, state)
                continue
            while len(words) > 1 and (any(_owner(w) for w in words[:-2]) or words[0].isupper()):  # "Angela Merkel’s Christian ...", "CSU Christian ..."
                owner = next((i for i, w in enumerate(words[:-2]) if _owner(w)), 0)
                a += len(" ".join(words[:owner + 1])) + 1
                a += len(text[a:b]) - len(text[a:b].lstrip())
                words = words[owner + 1:]
            if len(words) == 1 and words[0] not in {"Greens", "Liberals", "Conservatives", "Socialists", "Democrats"}:
                continue
            if words[-1] == "party" and len(words) < 2:
                continue
            name = " ".join(words)
            before = re.search(rf"(?<![\w\-])({_ACRONYM})\s*\(\s*$", text[max(start, a - 12):a])
            if before and _initials(name) == before.group(1):  # "AMPTP (Alliance Of Motion Picture And Television Producers)"
                names[before.group(1)] = names.get(name) or Body(before.group(1), name, "organisation")
            acronym_match = _EXPANDED.match(text, b)
            acronym = next((g for g in acronym_match.groups() if g), None) if acronym_match else None
            body = names.get(name) or names.get(acronym or "") or (names.get(before.group(1)) if before else None) or Body(acronym or name, name, "organisation")
            names[name] = body
            if acronym:
                names[acronym] = body
            add(a, b, body)
        for match in re.finditer(r"(?<![\w’'.\-])([A-Z][a-z]+)\s+([A-Z][a-z]+)(?![\w\-])", text[start:end]):  # "Air Canada", "Radio Canada": a firm
            first, second = match.groups()
            entry = lexicon.aliases.get(second)
            if entry is None or entry[1] == "demonym" or lexicon.body(entry[0]).kind != "state" or first in _NOT_NAMES or first in lexicon.aliases \
                    or first in _PLACE_QUALIFIERS \
                    or first.lower() in title_words or _sentence_start(text, start, start + match.start()) or f"{first} {second}" in lexicon.aliases:
                continue
            names.setdefault(f"{first} {second}", Body(f"{first} {second}", f"{first} {second}", "organisation"))
        for match in _NAME_THEN_KIND.finditer(text, start, end):  # "the IG Metall union", "the United Steelworkers union"
            words = match.group(1).split()
            while words and words[0] in _NOT_NAMES:
                words = words[1:]
            name = " ".join(words)
            if words and name not in lexicon.aliases and not inside_known(match.end(1) - len(name), match.end(1)) \
                    and not any(lexicon.aliases.get(w, ("", ""))[1] == "demonym" for w in words):
                names.setdefault(name, Body(name, name, "organisation"))
        for match in re.finditer(rf"(?<![\w\-])({_ACRONYM}|[A-Z][a-z]+)(?![\w\-])", text[start:end]):
            word = match.group(1)
            a, b = start + match.start(1), start + match.end(1)
            if word in names or word in _NOT_NAMES or inside_known(a, b) or word in lexicon.aliases or any(n.endswith(" " + word) for n in names):
                continue
            role = _ROLE_AFTER.match(text, b)
            chief_executive = bool(role) and role.group(0).strip() == "CEO"  # "Ford CEO Jim Farley"
            role = role and (word.isupper() or role.group(0).strip()[0].islower() or chief_executive)
            if (role or _PLANT_AFTER.match(text, b)) and (word.isupper() or chief_executive or not _sentence_start(text, start, a)):
                names[word] = _spelled_out(word, names) or Body(word, word, "organisation")
    for start, end in regions:  # "Mark Carne, chief executive of Network Rail": the body a title belongs to
        for match in _HEAD_OF.finditer(text, start, end):
            a, b = match.start("name"), match.end("name")
            name = re.sub(r"\s+", " ", text[a:b])
            if not inside_known(a, b) and name not in lexicon.aliases and name not in _NOT_NAMES:
                names.setdefault(name, Body(name, name, "organisation"))
                add(a, b, names[name])
    for start, end in regions:  # "Jesse Klaver (GroenLinks)", "Olaf Scholz (SPD)": the party of a person named just before
        for match in re.finditer(r"(?<![\w\-])[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}\s+\(([A-Z][A-Za-z0-9]{1,15})\)", text[start:end]):
            word = match.group(1)
            if word not in names and word not in lexicon.aliases and word not in _NOT_NAMES:
                names[word] = _spelled_out(word, names) or Body(word, word, "organisation")
    found_names = [n for n in names if not n.isupper()]
    for start, end in regions:  # an acronym in a sentence about parties or beside an organisation found: "the liberal FDP"
        for sentence in re.split(r"(?<=[.!?])\s+", text[start:end]):
            context = _PARTY_CONTEXT.search(sentence) or any(n in sentence for n in found_names)
            for match in re.finditer(rf"(?<![\w\-/])({_ACRONYM})(?![\w\-])", sentence) if context else ():
                word = match.group(1)
                if match.start() == 0 and _DATELINE_AFTER.match(sentence, match.end()):
                    continue  # "GENEVA (AP) —": the dateline's city
                if word not in names and word not in lexicon.aliases and word not in _NOT_NAMES:
                    names[word] = _spelled_out(word, names) or Body(word, word, "organisation")
    for start, end in regions:  # acronyms listed with an organisation: "CDU/CSU", "the SPD, CDU and CSU"
        for match in re.finditer(rf"(?<![\w\-])({_ACRONYM})(?:\s*/\s*|,\s+|\s+and\s+)(?:the\s+)?({_ACRONYM})(?![\w\-])", text[start:end]):
            first, second = match.groups()
            for known, other in ((first, second), (second, first)):
                if known in names and other not in names and other not in lexicon.aliases and other not in _NOT_NAMES:
                    names[other] = Body(other, other, "organisation")
    if names:
        pattern = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w\-])")
        for start, end in regions:
            for match in pattern.finditer(text, start, end):
                if not inside_known(match.start(), match.end()):
                    add(match.start(), match.end(), names[match.group(0)])
    return sorted(spans)


def _end_at_state(text: str, a: int, b: int, lexicon: Lexicon) -> int:
    """A run "... of STATE" ends with the state: "Atomic Energy Organization of Iran Ali Akbar Salehi"."""
    of = re.search(r"\s+of\s+(?:the\s+)?", text[a:b])
    if of is None:
        return b
    tail = text[a + of.end():b].split()
    for size in range(min(3, len(tail) - 1), 0, -1):
        entry = lexicon.aliases.get(" ".join(tail[:size]))
        if entry and lexicon.body(entry[0]).kind == "state":
            return a + of.end() + len(" ".join(tail[:size]))
    return b


def _owner(word: str) -> bool:
    """A possessive that names an owner, not part of the name ("Tigray People’s Liberation Front", "Fishermen’s")."""
    return re.search(r"[’']s$", word) is not None and re.fullmatch(r"(?:People|Women|Children|[A-Z]\w*men)[’']s", word) is None


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() and w not in {"Of", "And", "For", "The"})


def _spelled_out(acronym: str, names: dict[str, Body]) -> Body | None:
    """The organisation found before whose initials an acronym is ("KFO": Killybegs Fishermen’s Organisation)."""
    if not acronym.isupper():
        return None
    return next((body for name, body in names.items() if _initials(name) == acronym), None)


def _sentence_start(text: str, floor: int, at: int) -> bool:
    before = text[floor:at].rstrip(" “\"‘'")
    return before == "" or before.endswith((".", "!", "?", ":"))


def _state_institution(run: str, words: list[str], lexicon: Lexicon) -> Body | None:
    """The state or known organisation of "Sudanese Armed Forces", "Qatari Foreign Ministry", "EU’s Commission"."""
    if "of" in words and words[words.index("of") - 1].lower() in _STATE_HEADS | _OFFICE_HEADS:  # "Atomic Energy Organization of Iran": a state's own body
        owner = lexicon.aliases.get(" ".join(w for w in words[len(words) - 1 - words[::-1].index("of") + 1:] if w != "the"))
        if owner and lexicon.body(owner[0]).kind == "state" and owner[1] != "demonym":
            return lexicon.body(owner[0])
    if "of" in words or "for" in words:  # "Ethiopia's Ministry of Water and Energy": the head is before "of"
        words = words[:min(words.index(w) for w in ("of", "for") if w in words)]
    if not words:
        return None
    head = words[-1].lower()
    if head not in _STATE_HEADS and not (head == "forces" and len(words) >= 2):
        return None
    if not all(w[0].isupper() for w in words):
        return None
    for size in range(len(words) - 1, 0, -1):  # the longest name before the head: "African Union Commission"
        entry = lexicon.aliases.get(re.sub(r"[’']s$", "", " ".join(words[:size])))
        if entry and lexicon.body(entry[0]).kind in {"state", "organisation"}:
            return lexicon.body(entry[0])  # "Qatari Foreign Ministry", "EU’s Commission"
    return None
