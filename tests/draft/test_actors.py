"""Who is in a text: people and the bodies they speak for, unnamed sources, states and blocs."""

from __future__ import annotations

import pytest

from detente.draft.actors import find_mentions
from detente.draft.lexicon import default_lexicon
from detente.draft.text import parse_document


def mentions(text: str):
    return find_mentions(parse_document(text), default_lexicon())


@pytest.mark.parametrize(
    ("text", "name", "body"),
    [
        ("French President Emmanuel Macron spoke.", "Emmanuel Macron", "FRA"),
        ("He stood beside NATO chief Mark Rutte on Tuesday.", "Mark Rutte", "NATO"),
        ("Ukrainian presidential adviser Mykhailo Podolyak said so.", "Mykhailo Podolyak", "UKR"),
        ("The proposals of Moscow-friendly Hungarian leader Viktor Orban were heard.", "Viktor Orban", "HUN"),
        ("“No,” said Gerard Araud, a former French ambassador to Washington.", "Gerard Araud", "EXPERTS"),
        ("“Yes,” said Ana Ruiz, a fellow at the Council on Foreign Relations.", "Ana Ruiz", "EXPERTS"),
        ("Russian Deputy Foreign Minister Sergei Ryabkov said it.", "Sergei Ryabkov", "RUS"),
        ("Ukraine's agriculture minister, Oksana Hrytsenko, wrote on Telegram.", "Oksana Hrytsenko", "UKR"),
        ("The election of Donald Trump, who has said little, worried Kyiv. The Trump administration has no plan.", "Donald Trump", "USA"),
    ],
)
def test_people_and_the_body_they_speak_for(text, name, body):
    person = mentions(text).people[name]
    assert person.body is not None and person.body.id == body


def test_surname_mentions_are_the_same_person_and_capitalised_places_are_not_people():
    cast = mentions("French President Emmanuel Macron spoke. Later Macron left the annexed Crimean Peninsula quietly.")
    assert list(cast.people) == ["Emmanuel Macron"]
    assert [m.text for m in cast.mentions if m.kind == "person"] == ["French President Emmanuel Macron", "Macron"]


@pytest.mark.parametrize(
    ("phrase", "bodies", "plural", "definite"),
    [
        ("a Western official", ("WEST",), False, False),
        ("a European Union diplomat", ("EU",), False, False),
        ("a senior NATO official", ("NATO",), False, False),
        ("European and NATO officials", ("EUROPE", "NATO"), True, False),
        ("several people familiar with the matter", (), True, False),
        ("the Ukrainian government", ("UKR",), False, False),
        ("the official", (), False, True),
        ("analysts", ("EXPERTS",), True, False),
    ],
)
def test_unnamed_speakers(phrase, bodies, plural, definite):
    cast = mentions(f"Then {phrase} said nothing more.")
    source = next(m for m in cast.mentions if m.kind == "source")
    assert source.text == phrase
    assert (tuple(b.id for b in source.bodies), source.plural, source.definite) == (bodies, plural, definite)


def test_states_demonyms_metonyms_and_places():
    cast = mentions(
        "Russian forces advanced. Moscow has signaled little. Talks in Moscow ended. Ukrainians say they are tired. "
        "Baltic nations and Ukrainian neighbors such as Poland fear it. Britain and the Kremlin disagree. Kyiv’s official position holds."
    )
    found = [(m.text, m.kind, m.bodies[0].id if m.bodies else None) for m in cast.mentions]
    assert found == [
        ("Russian", "demonym", "RUS"),
        ("Moscow", "body", "RUS"),
        ("Moscow", "location", "RUS"),
        ("Ukrainians", "demonym", "UKR"),
        ("Baltic nations", "body", "BALTIC"),
        ("Poland", "body", "POL"),
        ("it", "pronoun", None),
        ("Britain", "body", "GBR"),
        ("the Kremlin", "body", "RUS"),
        ("Kyiv", "body", "UKR"),
    ]
