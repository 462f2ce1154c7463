"""Attribution patterns on small hand-written texts (one per pattern)."""

from __future__ import annotations

import pytest

from detente.draft import draft_text


def said(text: str, kind: str = "txt") -> list[tuple[str | None, str]]:
    """(speaker, quote) for every direct quote of a text."""
    return [(s.speaker.text if s.speaker else None, s.text) for s in draft_text(text, kind).quotes]


def reported(text: str) -> list[tuple[str, str]]:
    return [(s.speaker.text, s.rule) for s in draft_text(text).statements if s.kind == "reported"]


def test_quote_then_said_name_with_apposition():
    text = "“We will not trade land for peace,” said Anna Kovac, a former Croatian ambassador to Vienna.\n"
    assert said(text) == [("Anna Kovac", "We will not trade land for peace")]


def test_quote_then_name_said():
    text = "“The border is not negotiable,” Polish Foreign Minister Jan Nowak said on Monday.\n"
    assert said(text) == [("Polish Foreign Minister Jan Nowak", "The border is not negotiable")]


def test_name_said_then_quote():
    text = "Finnish Prime Minister Liisa Virtanen said, “Our support will last as long as it takes.”\n"
    assert said(text) == [("Finnish Prime Minister Liisa Virtanen", "Our support will last as long as it takes.")]


def test_relative_clause_between_speaker_and_verb():
    text = "A Western official who, like others, spoke on the condition of anonymity, said, “It is no longer fringe.”\n"
    assert said(text) == [("A Western official", "It is no longer fringe.")]


def test_according_to():
    text = "The talks are “closer than ever to a deal on prisoners,” according to a senior Turkish official.\n"
    assert said(text) == [("a senior Turkish official", "closer than ever to a deal on prisoners")]


def test_told_reporters_with_quote_and_without():
    text = (
        "German Chancellor Karl Weber told reporters, “No decision about Ukraine without Ukraine.”\n"
        "Weber told reporters last week there could be no ceasefire without guarantees.\n"
    )
    assert said(text) == [("German Chancellor Karl Weber", "No decision about Ukraine without Ukraine.")]
    assert reported(text) == [("German Chancellor Karl Weber", "X said")]


def test_posted_that():
    text = (
        "Ukrainian presidential adviser Petro Bondar said the plan was a trap. "
        "He posted that it was absurd to discuss “peace at the expense of the victim only,” in a message on Sunday.\n"
    )
    quotes = draft_text(text).quotes
    assert [(q.speaker.text, q.written, q.text) for q in quotes] == [
        ("Ukrainian presidential adviser Petro Bondar", "He", "peace at the expense of the victim only")
    ]


def test_as_x_put_it():
    text = "Camille Martin, a fellow at a research institute, spoke first. As Martin put it, “there are many shades of gray.”\n"
    assert said(text) == [("Camille Martin, a fellow at a research institute", "there are many shades of gray.")] or said(text) == [
        ("Camille Martin", "there are many shades of gray.")
    ]


def test_quote_split_around_said():
    text = "“We are not against negotiating,” a Western diplomat said, “but the moment matters.”\n"
    assert said(text) == [
        ("a Western diplomat", "We are not against negotiating"),
        ("a Western diplomat", "but the moment matters."),
    ]


def test_multi_sentence_quote_and_the_official():
    text = (
        "Those who proposed it were “practically burned at the stake,” a senior NATO official said.\n"
        "European officials maintain that no deal should reward aggression.\n"
        "“That is one important thing about any arrangement,” the official said. “It can never be seen as a victory.”\n"
    )
    quotes = said(text)
    assert quotes == [
        ("a senior NATO official", "practically burned at the stake"),
        ("a senior NATO official", "That is one important thing about any arrangement"),
        ("a senior NATO official", "It can never be seen as a victory."),
    ]
    assert reported(text) == [("European officials", "X said")]


def test_quote_of_several_sentences_inside_one_pair_of_marks():
    text = "“We have made our offer. The ball is in Moscow’s court. We will wait,” said Jonas Berg, Sweden’s foreign minister.\n"
    assert said(text) == [("Jonas Berg", "We have made our offer. The ball is in Moscow’s court. We will wait")]


def test_quote_running_over_paragraphs():
    text = (
        "Lithuanian President Rasa Kalnaite said: “We know what occupation means.\n\n"
        "“We will not accept a peace that rewards it, and neither should anyone in Europe.”\n\n"
        "The next paragraph is narration only.\n"
    )
    quotes = draft_text(text).quotes
    assert [(q.speaker.text, q.text) for q in quotes] == [
        ("Lithuanian President Rasa Kalnaite", "We know what occupation means."),
        ("Lithuanian President Rasa Kalnaite", "We will not accept a peace that rewards it, and neither should anyone in Europe."),
    ]
    assert quotes[1].part_of is quotes[0]


def test_speaker_named_only_in_the_second_paragraph_of_a_quote():
    text = "“We know what occupation means.\n\n“We will not accept a peace that rewards it,” said Estonian Prime Minister Mart Tamm.\n"
    assert [s for s, _ in said(text)] == ["Estonian Prime Minister Mart Tamm"] * 2


def test_straight_quotes():
    text = '"There will be no freeze of the front line," Russian Foreign Minister Ivan Sokolov said.\n'
    assert said(text) == [("Russian Foreign Minister Ivan Sokolov", "There will be no freeze of the front line")]


def test_unattributed_quote_is_kept_and_flagged():
    text = "The mood has changed. “Nobody talks about victory any more, only about the terms.”\nThe fighting went on.\n"
    draft = draft_text(text)
    assert [(q.speaker, q.text) for q in draft.quotes] == [(None, "Nobody talks about victory any more, only about the terms.")]
    assert draft.unattributed == draft.quotes
    assert "Unattributed quotes (no speaker found):" in draft.to_dict()["description"]


def test_short_scare_quotes_are_terms_not_statements():
    text = "Diplomats frame it not as “land-for-peace” but as security. Blueprints of “peace plans” abound.\n"
    draft = draft_text(text)
    assert draft.quotes == []
    assert [t.text for t in draft.terms] == ["land-for-peace", "peace plans"]


@pytest.mark.parametrize(
    "text",
    [
        "A European Union diplomat said the idea was gaining ground: “Nobody in the room was going, ‘We need to give up the Donbas.’”\n",
        "A European Union diplomat said the idea was gaining ground: \"Nobody in the room was going, 'We need to give up the Donbas.'\"\n",
    ],
)
def test_nested_quotes_stay_inside_the_outer_quote(text):
    draft = draft_text(text)
    assert len(draft.quotes) == 1
    quote = draft.quotes[0]
    assert quote.speaker.text == "A European Union diplomat"
    assert quote.text.startswith("Nobody in the room was going,") and "We need to give up the Donbas." in quote.text
    assert quote.nested


def test_apostrophes_are_not_quotes():
    text = "“Ukraine’s allies’ patience isn’t endless,” said Polish President Adam Zielinski.\n"
    assert said(text) == [("Polish President Adam Zielinski", "Ukraine’s allies’ patience isn’t endless")]


def test_he_resolves_to_the_last_speaker_not_the_last_name():
    text = (
        "Backing the army “is the only path to negotiations,” French President Paul Girard said, standing next to NATO chief Erik Lund. "
        "“And let me be clear,” he added, “nothing will be decided without Ukraine.”\n"
    )
    assert [s for s, _ in said(text)] == ["French President Paul Girard"] * 3


def test_reported_statements_and_positions():
    text = (
        "Moscow has signaled it would accept nothing less than capitulation.\n"
        "Kyiv’s official position, and what it would call a victory, remains that Russian forces must leave all Ukrainian territory.\n"
        "Key allies, including the United States and Germany, are rebuffing Ukraine’s request for an invitation to NATO.\n"
    )
    draft = draft_text(text)
    kinds = [(s.kind, s.speaker.text if s.speaker else None, tuple(b.id for b in s.holders)) for s in draft.statements]
    assert kinds == [
        ("reported", "Moscow", ()),
        ("reported", "Kyiv", ()),
        ("position", None, ("USA", "DEU", "UKR")),
    ]
    assert draft.statements[1].rule == "X's position is that"
