"""The drafted scenario: format, empty numbers, filling them in, the CLI, lexicon extensions."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from detente import models
from detente.cli import app
from detente.draft import draft_text, load_lexicon
from detente.draft.lexicon import LexiconError
from detente.draft.numbers import find_numbers
from detente.draft.text import parse_document
from detente.errors import ScenarioError
from detente.io.yaml_io import loads

ARTICLE = """\
MOSCOW — Russia and Ukraine resumed talks on a ceasefire on Monday.
“We will never give up our territory,” Ukrainian Foreign Minister Olena Koval said.
“Any ceasefire must freeze the front line where it is,” Russian Foreign Minister Pavel Orlov said.
A senior NATO official said the alliance would keep sending weapons and aid to Ukraine.
Polish President Marek Wolski said Poland would send more aid, warning that “security guarantees must come first.”
A poll found that 61 percent of Ukrainians reject any loss of territory.
"""


@pytest.fixture()
def small():
    return draft_text(ARTICLE, title="Ceasefire talks", date="2024-05-06", source_id="wire-1")


def test_draft_dict_has_source_issues_actors_and_evidence(small):
    data = small.to_dict()
    assert data["sources"][0]["id"] == "wire-1" and str(data["as_of"]) == "2024-05-06"
    assert [i["id"] for i in data["issues"]] == ["territory", "aid"]
    assert "Also mentioned, not drafted (statements of fewer than two actors): Ceasefire terms (2 sentences)" in data["description"]
    assert all(i["anchors"] == {} and i["scale"] == [0, 100] for i in data["issues"])
    actors = {a["id"]: a for a in data["actors"]}
    assert {"UKR", "RUS", "NATO", "POL"} <= set(actors)
    assert all(a["capability"] is None for a in actors.values())
    evidence = actors["UKR"]["stances"]["territory"]["evidence"]
    quote = next(e for e in evidence if e["kind"] == "quote")
    assert quote == {
        "quote": "We will never give up our territory",
        "speaker": "Ukrainian Foreign Minister Olena Koval",
        "source": "wire-1",
        "offset": ARTICLE.index("“We will never"),
        "kind": "quote",
    }
    assert any(e["kind"] == "number" and "61 percent" in e["note"] for e in evidence)
    nato = actors["NATO"]["stances"]["aid"]["evidence"][0]
    assert (nato["kind"], nato["speaker"], nato["note"]) == ("reported", "A senior NATO official", "anonymous source")


def test_validate_lists_exactly_the_empty_numbers(small, tmp_path):
    path = small.write(tmp_path / "draft.yaml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Draft scenario made by `detente draft`")
    assert "position: null  # TO FILL" in text
    data = small.to_dict()
    stances = [(a["id"], issue) for a in data["actors"] for issue in a["stances"]]
    with pytest.raises(ScenarioError) as caught:
        loads(text, str(path))
    fields = sorted(p.field for p in caught.value.problems)
    expected = sorted(
        [f"actors[{a}].stances.{i}.{key}" for a, i in stances for key in ("position", "salience")]
        + [f"actors[{a['id']}].capability" for a in data["actors"]]
    )
    assert fields == expected


def test_a_filled_draft_validates_and_runs(small):
    data = yaml.safe_load(small.to_yaml())
    filled = {}
    for n, actor in enumerate(data["actors"]):
        actor["capability"] = float(n + 1)
        for k, (issue, stance) in enumerate(actor["stances"].items()):
            stance["position"], stance["salience"] = float(10 * n + k), float(50 + 10 * n)
            filled.setdefault(issue, []).append((n + 1.0, 10.0 * n + k, 50.0 + 10 * n))
    scenario = loads(yaml.safe_dump(data, allow_unicode=True), "filled.yaml")
    assert all(st.evidence for a in scenario.actors for st in a.stances.values())
    result = models.create("compromise").run(scenario)
    for issue, rows in filled.items():
        c, x, s = (np.array(v) for v in zip(*rows))
        assert result.forecast[issue] == pytest.approx(np.sum(c * s * x) / np.sum(c * s))


def test_cli_draft_then_validate(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    runner = CliRunner()
    made = runner.invoke(app, ["draft", str(article), "--title", "Talks", "--date", "2024-05-06", "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert "To fill:" in made.output and out.is_file()
    checked = runner.invoke(app, ["validate", str(out)])
    assert checked.exit_code == 1
    assert "position is empty: fill in a number on the scale [0, 100]" in checked.output
    assert "capability is empty: fill in a number > 0" in checked.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the file is empty"), (b"%PDF-1.4 binary", "this is a PDF file"), (b"caf\xe9 au lait, bien s\xfbr", "not UTF-8")],
)
def test_cli_bad_input_is_a_message_not_a_traceback(tmp_path, content, message):
    article = tmp_path / "bad.txt"
    article.write_bytes(content)
    result = CliRunner().invoke(app, ["draft", str(article), "-o", str(tmp_path / "d.yaml")])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_text_with_no_shared_issue_drafts_an_empty_scenario_and_says_so(tmp_path):
    draft = draft_text("“We will win,” said Russian President Ivan Petrov.\n")
    assert draft.to_dict()["issues"] == [] and draft.to_dict()["actors"] == []
    assert "No issue is spoken to by two actors" in draft.summary(tmp_path / "d.yaml")
    assert "Statements tied to no candidate issue:\n- Russian President Ivan Petrov: \"We will win\"" in draft.to_dict()["description"]


def test_cli_refuses_a_non_yaml_output(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(app, ["draft", str(article), "-o", str(tmp_path / "d.csv")])
    assert result.exit_code == 2 and "written as YAML" in result.output


def test_user_lexicon_adds_issue_terms_people_and_organisations(tmp_path):
    text = (
        "“The grain corridor must reopen,” said Ayla Demir.\n"
        "“The Black Sea Forum will monitor the corridor,” a Black Sea Forum official said.\n"
    )
    plain = draft_text(text)
    assert "shipping" not in [c.id for c in plain.candidates]
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "issues:\n  - id: shipping\n    title: Shipping corridor\n    terms: [grain corridor, corridor*]\n"
        "organisations:\n  - id: BSF\n    name: Black Sea Forum\n    kind: organisation\n    aliases: [Black Sea Forum]\n"
        "offices:\n  people:\n    Ayla Demir: TUR\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon([extra])
    drafted = draft_text(text, lexicon=lexicon)
    assert drafted.candidates[0].id == "shipping"
    speakers = [(q.speaker.text, [b.id for b in q.speaker.bodies]) for q in drafted.quotes]
    assert speakers == [("Ayla Demir", ["TUR"]), ("a Black Sea Forum official", ["BSF"])]
    assert [i["id"] for i in drafted.to_dict()["issues"]] == ["shipping"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("issues: [oops", "not valid YAML"),
        ("actors: []\n", "unknown section 'actors'"),
        ("issues:\n  - title: no id\n", "every entry needs an 'id'"),
        ("offices:\n  people:\n    Someone: XXX\n", "unknown body 'XXX'"),
        ("organisations:\n  - id: X\n    kind: club\n", "'club' is not one of"),
    ],
)
def test_bad_user_lexicon_gets_a_clear_error(tmp_path, content, message):
    path = tmp_path / "lex.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        load_lexicon([path])
    with pytest.raises(LexiconError, match="no such lexicon file"):
        load_lexicon([tmp_path / "missing.yaml"])


def test_figures():
    document = parse_document(
        "Russia holds roughly a fifth of the country. A poll showed 58 percent against and 32% in favour, a threefold rise. "
        "The package is worth $61 billion, or 50 billion euros. Some 1,200 troops and 300 km of front. "
        "In 2022 a 25-minute call changed little.\n"
    )
    found = [(f.kind, round(f.value, 4), f.text) for f in find_numbers(document)]
    assert found == [
        ("fraction", 0.2, "roughly a fifth of the country"),
        ("percent", 0.58, "58 percent"),
        ("percent", 0.32, "32%"),
        ("multiple", 3.0, "threefold rise"),
        ("money", 61e9, "$61 billion"),
        ("money", 50e9, "50 billion euros"),
        ("count", 1200.0, "Some 1,200 troops"),
        ("count", 300.0, "300 km"),
    ]
