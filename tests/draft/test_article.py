"""The seed article of shared/context (read from there, never copied): speakers, quotes, actors,
issues, figures, and the precision and recall of the attributions against a hand-made gold list.

The gold lists identify each quote or reported sentence by its first words (test data, not the
article) with the speaker a careful reader attributes it to; ``None`` marks quoted words that no
one speaks (scare quotes, survey wording), which the draft must not attribute.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.draft import draft_file
from detente.io.yaml_io import loads
from tests.draft.scoring import quote_pairs, reported_pairs, score, who

ARTICLE = Path(__file__).resolve().parents[2].parent / "shared" / "context" / "seed-article-2024-11.txt"

# (first words of the quote, speaker: a surname or the unnamed speaker's phrase)
GOLD_QUOTES = [
    ("land-for-peace", None),
    ("I think everybody has", "Araud"),
    ("It’s certainly not fringe", "a Western official"),
    ("peace plans", None),
    ("negotiations might be coming", "Grand"),
    ("will entail some concessions", "Grand"),
    ("a big question mark", "Grand"),
    ("is the only path", "Macron"),
    ("And let me be", "Macron"),
    ("when the moment comes", "Macron"),
    ("Nobody in the room", "a European Union diplomat"),
    ("there are 50 shades", "Grand"),
    ("if Ukraine’s neutrality does", "Putin"),
    ("Ukraine to give up", "Podolyak"),
    ("peace at the expense", "Podolyak"),
    ("real scenarios of forcing", "Podolyak"),
    ("under no circumstances", None),
    ("some of [Ukraine’s] territories", None),
    ("We’re not against negotiating", "a Western diplomat"),
    ("but the moment matters", "a Western diplomat"),
    ("practically burned at the", "a senior NATO official"),
    ("we all realize it", "a senior NATO official"),
    ("That is one important", "a senior NATO official"),
    ("It can never be", "a senior NATO official"),
]

# Reported speech without quotation marks: (first words of the sentence, speaker).
GOLD_REPORTED = [
    ("The conversation has taken", "Trump"),
    ("Interviews with 10 current", "10 current and former European and NATO diplomats"),
    ("European and NATO officials acknowledge", "European and NATO officials"),
    ("European policymakers say they", "European policymakers"),
    ("Trump briefly raised the", "several people familiar with the matter"),
    ("In a 25-minute phone", "Macron"),
    ("At a dinner of", "officials"),
    ("Moscow has signaled it", "Moscow"),
    ("Putin has maintained that", "Putin"),
    ("He has also said", "Putin"),
    ("After a failed 2014-2015", "Ukrainians"),
    ("Kyiv’s official position, and", "Kyiv"),
    ("Zelensky told reporters last", "Zelensky"),
    ("Earlier this year, Macron", "Macron"),
    ("Some countries, including Britain", "analysts"),
    ("European officials maintain that", "European officials"),
]


@pytest.fixture(scope="module")
def draft():
    if not ARTICLE.is_file():
        pytest.skip(f"the seed article is not at {ARTICLE} (it stays in shared/, outside the project)")
    return draft_file(ARTICLE, title="Allies shift toward negotiations", date="2024-11-14", source_id="wapo-2024-11-14")


def test_every_quote_of_the_article_is_found(draft):
    texts = [s.text for s in draft.quotes] + [t.text for t in draft.terms]
    assert len(texts) == len(GOLD_QUOTES)
    for start, _ in GOLD_QUOTES:
        assert sum(1 for text in texts if text.startswith(start)) == 1, start


def test_quote_attribution_precision_and_recall(draft):
    precision, recall, correct, made, wanted = score(quote_pairs(draft, GOLD_QUOTES))
    print(f"\nquotes: precision {precision:.3f} ({correct}/{made}), recall {recall:.3f} ({correct}/{wanted})")
    assert (correct, made, wanted) == (20, 20, 20)


def test_reported_attribution_precision_and_recall(draft):
    precision, recall, correct, made, wanted = score(reported_pairs(draft, GOLD_REPORTED))
    print(f"\nreported: precision {precision:.3f} ({correct}/{made}), recall {recall:.3f} ({correct}/{wanted})")
    assert (correct, made, wanted) == (16, 16, 16)


def test_named_and_anonymous_speakers_with_their_bodies(draft):
    speakers = {(who(s), s.speaker.kind, tuple(b.id for b in s.speaker.bodies)) for s in draft.statements if s.speaker and s.kind != "position"}
    for expected in [
        ("Araud", "named", ("EXPERTS",)),
        ("Grand", "named", ("EXPERTS",)),
        ("Macron", "named", ("FRA",)),
        ("Podolyak", "named", ("UKR",)),
        ("Putin", "named", ("RUS",)),
        ("Zelensky", "named", ("UKR",)),
        ("a Western official", "anonymous", ("WEST",)),
        ("a European Union diplomat", "anonymous", ("EU",)),
        ("a Western diplomat", "anonymous", ("WEST",)),
        ("a senior NATO official", "anonymous", ("NATO",)),
    ]:
        assert any(s[0].lower() == expected[0].lower() and s[1:] == expected[1:] for s in speakers), expected


def test_actors_issues_and_poll_figures(draft):
    data = draft.to_dict()
    actors = {a["id"] for a in data["actors"]}
    assert {"RUS", "UKR", "USA", "FRA", "DEU", "GBR", "POL", "HUN", "BALTIC", "NORDIC", "EU", "NATO"} <= actors
    issues = [i["id"] for i in data["issues"]]
    assert {"territory", "security", "aid"} <= set(issues)
    ukraine = next(a for a in data["actors"] if a["id"] == "UKR")
    notes = [e.get("note", "") for e in ukraine["stances"]["territory"]["evidence"] if e["kind"] == "number"]
    assert any("58 percent (percent 0.58)" in n and "32 percent (percent 0.32)" in n for n in notes)
    assert any("roughly a fifth of the country" in n for n in notes)


def test_evidence_offsets_point_at_the_sentence_in_the_source(draft):
    text = ARTICLE.read_text(encoding="utf-8")
    for actor in draft.to_dict()["actors"]:
        for stance in actor["stances"].values():
            for evidence in stance["evidence"]:
                start = evidence["offset"]
                first = evidence["quote"].split(" … ")[0][:30] if evidence["kind"] == "quote" else evidence["quote"][:30]
                window = " ".join(text[start:start + 2000].split())
                assert first in window, (actor["id"], first)


def test_the_yaml_draft_lists_exactly_the_numbers_to_fill(draft, tmp_path):
    from detente.errors import ScenarioError

    data = draft.to_dict()
    stances = sum(len(a["stances"]) for a in data["actors"])
    with pytest.raises(ScenarioError) as caught:
        loads(draft.to_yaml(), "draft.yaml")
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2 * stances + len(data["actors"])
    assert sum(m.startswith("position is empty: fill in") for m in messages) == stances
    assert sum(m.startswith("salience is empty: fill in") for m in messages) == stances
    assert sum(m.startswith("capability is empty: fill in") for m in messages) == len(data["actors"])
