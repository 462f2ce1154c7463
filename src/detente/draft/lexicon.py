"""The lexicons `detente draft` reads: shipped YAML files, ISO 3166 from pycountry, user extensions.

The shipped files live in ``detente/data/lexicon/`` and each holds one section (``countries``,
``organisations``, ``offices``, ``sources``, ``speech``, ``issues``). A user file may hold any of
these sections; it is merged on top: mappings are updated, lists of words gain the new words, and
entries of ``organisations``/``issues`` with an existing ``id`` gain the new aliases/terms (other
fields replaced). docs/draft.md documents the layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detente.errors import DetenteError

SECTIONS = ("countries", "organisations", "offices", "sources", "speech", "issues")
ACTOR_KINDS = {"state", "organisation", "bloc"}
BODY_KINDS = ACTOR_KINDS | {"experts", "other", "person"}


class LexiconError(DetenteError):
    """A lexicon file that cannot be read or has the wrong layout."""


@dataclass(frozen=True)
class Body:
    """Something a speaker can speak for: a state, an organisation, a bloc, the experts, a person."""

    id: str
    name: str
    kind: str


EXPERTS = Body("EXPERTS", "Experts and former officials (commentators)", "experts")


@dataclass(frozen=True)
class IssueTerms:
    id: str
    title: str
    terms: tuple[str, ...]
    pattern: re.Pattern = field(compare=False)


@dataclass
class Lexicon:
    """Everything the draft matches, compiled."""

    bodies: dict[str, Body]
    aliases: dict[str, tuple[str, str]]  # text -> (body id, form: name|metonym|demonym|org)
    titles: list[str]
    national_titles: list[str]
    state_titles: dict[str, str]
    expert_markers: list[str]
    administrations: dict[str, str]
    people: dict[str, str]
    roles: dict[str, str]
    modifiers: list[str]
    familiar: list[str]
    boilerplate: list[str]
    verbs: list[str]
    sources_after: list[str]
    position_phrases: list[str]
    position_cues: list[str]
    position_nouns: list[str]
    issues: list[IssueTerms]

    def body(self, body_id: str) -> Body:
        return self.bodies[body_id]

    @cached_property
    def national_title_pattern(self) -> re.Pattern:
        return term_regex(self.national_titles) if self.national_titles else re.compile("(?!)")

    @cached_property
    def alias_pattern(self) -> re.Pattern:
        """Every alias of every body, longest first, as whole words (case-sensitive)."""
        parts = [r"\s+".join(re.escape(word) for word in alias.split()) for alias in sorted(self.aliases, key=len, reverse=True)]
        return re.compile(r"(?:(?<![\w\-])|(?<=\s-))(?:" + "|".join(parts) + r")(?![\w]|-(?!(?:led|backed|brokered|based|allied|aligned|controlled|held|run)\b))")  # "(Reuters) -Hamas said", "Iran-backed", not "pro-Russian"


def term_regex(terms: list[str] | tuple[str, ...]) -> re.Pattern:
    """One case-insensitive pattern for a list of terms (``*`` = any word ending; a space matches
    any whitespace or a hyphen)."""
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        words = [re.escape(w).replace(r"\*", r"[\w\-]*") for w in term.split()]
        parts.append(r"[\s\-]+".join(words))
    return re.compile(r"(?<![\w\-])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


def shipped_data() -> dict[str, Any]:
    """The shipped lexicon files merged into one mapping of sections."""
    folder = resources.files("detente") / "data" / "lexicon"
    data: dict[str, Any] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            merge(data, _parse(entry.read_text(encoding="utf-8"), entry.name))
    return data


def _parse(text: str, name: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise LexiconError(f"{name}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LexiconError(f"{name}: a lexicon file must be a mapping of sections ({', '.join(SECTIONS)})")
    unknown = [key for key in data if key not in SECTIONS]
    if unknown:
        raise LexiconError(f"{name}: unknown section {unknown[0]!r}; sections are: {', '.join(SECTIONS)}")
    return data


def merge(into: dict[str, Any], extra: dict[str, Any], where: str = "") -> dict[str, Any]:
    """Merge a lexicon mapping into another (see the module docstring for the rules)."""
    for key, value in extra.items():
        path = f"{where}.{key}" if where else str(key)
        current = into.get(key)
        if current is None:
            into[key] = value
        elif isinstance(current, dict) and isinstance(value, dict):
            merge(current, value, path)
        elif isinstance(current, list) and isinstance(value, list):
            if key in ("organisations", "issues"):
                _merge_entries(current, value, path)
            else:
                current.extend(v for v in value if v not in current)
        elif isinstance(value, type(current)) or value is None:
            into[key] = value if value is not None else current
        else:
            raise LexiconError(f"lexicon field {path}: expected {type(current).__name__}, got {type(value).__name__}")
    return into


def _merge_entries(current: list, extra: list, path: str) -> None:
    by_id = {entry.get("id"): entry for entry in current if isinstance(entry, dict)}
    for entry in extra:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise LexiconError(f"lexicon field {path}: every entry needs an 'id', got {entry!r}")
        old = by_id.get(entry["id"])
        if old is None:
            current.append(entry)
            by_id[entry["id"]] = entry
            continue
        for key, value in entry.items():
            if key in ("aliases", "terms", "members") and isinstance(value, list):
                old.setdefault(key, [])
                old[key].extend(v for v in value if v not in old[key])
            else:
                old[key] = value


def load_lexicon(extra: list[str | Path] | tuple = ()) -> Lexicon:
    """The shipped lexicon, with user files merged on top in order."""
    data = shipped_data()
    for path in extra:
        path = Path(path)
        if not path.is_file():
            raise LexiconError(f"{path}: no such lexicon file")
        merge(data, _parse(path.read_text(encoding="utf-8"), str(path)))
    return compile_lexicon(data)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(f"lexicon field {where}: expected a list of words")
    return value


def _mapping(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LexiconError(f"lexicon field {where}: expected a mapping")
    return {str(k): str(v) for k, v in value.items()}


# A capital stands for its state only where the state has at least this many people: the capitals
# of the smallest states and territories are also common names ("Victoria", "Hamilton", "Douglas").
_CAPITAL_MIN_POPULATION = 1_000_000


@lru_cache(maxsize=1)
def country_facts() -> dict[str, tuple[str, str]]:
    """Other spellings, capitals (as metonyms) and demonyms of the states, from the data of the
    countryinfo package: text -> (ISO alpha-3 code, form). A demonym that two states share
    ("Congolese") is left out; plural demonyms ("Egyptians") are added for the -an and -i forms."""
    from countryinfo import CountryInfo

    try:
        records = CountryInfo.all()
    except TypeError:  # countryinfo 0.1 (the last release for Python 3.10) has it as an instance method
        records = CountryInfo().all()
    found: dict[str, tuple[str, str]] = {}
    demonyms: dict[str, set[str]] = {}
    for record in records.values():
        code = (record.get("ISO") or {}).get("alpha3")
        if not code:
            continue
        for spelling in record.get("altSpellings") or []:
            if re.fullmatch(r"[A-Z][A-Za-z]+(?: [A-Za-z]+)+", spelling):  # one-word spellings are mostly in other languages ("Island")
                found.setdefault(spelling, (code, "name"))
        capital = record.get("capital") or ""
        if capital and (record.get("population") or 0) >= _CAPITAL_MIN_POPULATION and re.fullmatch(r"[A-Z][\w\-]+(?: [A-Z][\w\-]+)*", capital):
            found.setdefault(capital, (code, "metonym"))
        demonym = record.get("demonym") or ""
        if re.fullmatch(r"[A-Z][a-z]+", demonym):
            demonyms.setdefault(demonym, set()).add(code)
    for demonym, codes in demonyms.items():
        if len(codes) == 1:
            code = codes.pop()
            found.setdefault(demonym, (code, "demonym"))
            if demonym.endswith(("an", "i")):
                found.setdefault(demonym + "s", (code, "demonym"))
    return found


def compile_lexicon(data: dict[str, Any]) -> Lexicon:
    """Build a :class:`Lexicon` from merged lexicon data, with the ISO 3166 states from pycountry."""
    import pycountry

    countries = data.get("countries") or {}
    bodies: dict[str, Body] = {}
    aliases: dict[str, tuple[str, str]] = {}
    names = _mapping(countries.get("names"), "countries.names")
    for country in pycountry.countries:
        common = getattr(country, "common_name", None)
        display = names.get(country.alpha_3) or common or country.name
        bodies[country.alpha_3] = Body(country.alpha_3, display, "state")
        for name in (country.name, common, getattr(country, "official_name", None), display):
            if name and "," not in name and "(" not in name:
                aliases.setdefault(name, (country.alpha_3, "name"))
    for code, display in _mapping(countries.get("states"), "countries.states").items():
        bodies[code] = Body(code, display, "state")
        aliases.setdefault(display, (code, "name"))
    ignored = set(_strings(countries.get("ignore"), "countries.ignore"))
    for text, (code, form) in country_facts().items():
        if code in bodies and text not in ignored:
            aliases.setdefault(text, (code, form))
    for section, form in (("aliases", "name"), ("demonyms", "demonym")):
        for text, code in _mapping(countries.get(section), f"countries.{section}").items():
            if code not in bodies:
                raise LexiconError(f"lexicon field countries.{section}.{text}: unknown state code {code!r}")
            aliases[text] = (code, form)
    for entry in data.get("organisations") or []:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise LexiconError(f"lexicon field organisations: every entry needs an 'id', got {entry!r}")
        kind = entry.get("kind", "organisation")
        if kind not in BODY_KINDS:
            raise LexiconError(f"lexicon field organisations[{entry['id']}].kind: {kind!r} is not one of organisation, bloc, experts, other")
        bodies[entry["id"]] = Body(entry["id"], entry.get("name") or entry["id"], kind)
        for alias in _strings(entry.get("aliases"), f"organisations[{entry['id']}].aliases"):
            aliases[alias] = (entry["id"], "org")
    bodies[EXPERTS.id] = EXPERTS
    for text, code in _mapping(countries.get("metonyms"), "countries.metonyms").items():  # after the organisations: "Brussels" is the EU
        if code not in bodies:
            raise LexiconError(f"lexicon field countries.metonyms.{text}: unknown body {code!r} (a state's alpha-3 code or an organisation id)")
        aliases[text] = (code, "metonym")

    offices = data.get("offices") or {}
    sources = data.get("sources") or {}
    speech = data.get("speech") or {}
    people = _mapping(offices.get("people"), "offices.people")
    state_titles = _mapping(offices.get("state_titles"), "offices.state_titles")
    administrations = _mapping(offices.get("administrations"), "offices.administrations")
    for where, mapping in (("offices.people", people), ("offices.administrations", administrations), ("offices.state_titles", state_titles)):
        for key, code in mapping.items():
            if code not in bodies:
                raise LexiconError(f"lexicon field {where}.{key}: unknown body {code!r} (a state's alpha-3 code or an organisation id)")
    roles = _mapping(sources.get("roles"), "sources.roles")
    for role, kind in roles.items():
        if kind not in {"official", "institution", "experts", "generic"}:
            raise LexiconError(f"lexicon field sources.roles.{role}: {kind!r} is not one of official, institution, experts, generic")
    issues = []
    for entry in data.get("issues") or []:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise LexiconError(f"lexicon field issues: every entry needs an 'id', got {entry!r}")
        terms = tuple(_strings(entry.get("terms"), f"issues[{entry['id']}].terms"))
        if not terms:
            raise LexiconError(f"lexicon field issues[{entry['id']}].terms: an issue needs at least one term")
        issues.append(IssueTerms(entry["id"], entry.get("title") or entry["id"], terms, term_regex(terms)))
    return Lexicon(
        bodies=bodies,
        aliases=aliases,
        titles=[t.lower() for t in _strings(offices.get("titles"), "offices.titles")],
        national_titles=[t.lower() for t in _strings(offices.get("national_titles"), "offices.national_titles")],
        state_titles={t.lower(): code for t, code in state_titles.items()},
        expert_markers=[m.lower() for m in _strings(offices.get("expert_markers"), "offices.expert_markers")],
        administrations=administrations,
        people=people,
        roles=roles,
        modifiers=_strings(sources.get("modifiers"), "sources.modifiers"),
        familiar=_strings(sources.get("familiar"), "sources.familiar"),
        boilerplate=[b.lower() for b in _strings(sources.get("boilerplate"), "sources.boilerplate")],
        verbs=_strings(speech.get("verbs"), "speech.verbs"),
        sources_after=_strings(speech.get("sources_after"), "speech.sources_after"),
        position_phrases=_strings(speech.get("position_phrases"), "speech.position_phrases"),
        position_cues=_strings(speech.get("position_cues"), "speech.position_cues"),
        position_nouns=[n.lower() for n in _strings(speech.get("position_nouns"), "speech.position_nouns")],
        issues=issues,
    )
