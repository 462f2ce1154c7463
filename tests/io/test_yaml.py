"""The YAML reader's errors: each names the file, the line and the field, and a file's problems
are all reported at once."""

from __future__ import annotations

import pytest

from detente.errors import ScenarioError
from detente.io.yaml_io import dumps, loads

VALID = """\
detente: 1
id: test
issues:
  - id: tax
    scale: [0, 10]
actors:
  - id: A
    capability: 1
    stances:
      tax: {position: 2, salience: 50}
  - id: B
    capability: 2
    stances:
      tax:
        position: 8
        salience: 40
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        loads(text, "case.yaml")
    return [str(p) for p in caught.value.problems]


def test_the_valid_base_case_loads():
    scenario = loads(VALID, "case.yaml")
    assert scenario.actor("B").stances["tax"].position == 8
    assert loads(dumps(scenario)) == scenario


def test_unknown_issue_id_in_a_stance():
    found = problems(VALID.replace("tax: {position: 2", "vat: {position: 2"))
    assert "case.yaml:10: actors[A].stances.vat: unknown issue id 'vat' (issues: tax)" in found


def test_salience_out_of_range():
    found = problems(VALID.replace("salience: 40", "salience: 140"))
    assert found == ["case.yaml:16: actors[B].stances.tax.salience: salience 140 lies outside 0..100"]


def test_position_outside_the_scale():
    found = problems(VALID.replace("position: 8", "position: 12"))
    assert found == ["case.yaml:15: actors[B].stances.tax.position: position 12 lies outside the scale [0, 10]"]


def test_duplicate_actor_id():
    found = problems(VALID.replace("id: B", "id: A"))
    assert found == ["case.yaml:11: actors[A].id: duplicate actor id 'A'"]


def test_fewer_than_two_actors_on_an_issue():
    found = problems(VALID.replace("salience: 40", "salience: 0"))
    assert found == [
        "case.yaml:4: issues[tax]: issue 'tax' needs at least two actors with a position and positive salience, has 1"
    ]


def test_non_numeric_value():
    found = problems(VALID.replace("position: 8", "position: eight"))
    assert found == ["case.yaml:15: actors[B].stances.tax.position: expected a number, got 'eight'"]


def test_unknown_field():
    found = problems(VALID.replace("capability: 2", "capability: 2\n    colour: red"))
    assert len(found) == 1
    assert found[0].startswith("case.yaml:13: actors[B].colour: unknown field")


def test_bad_yaml_syntax():
    found = problems(VALID.replace("      tax: {position: 2, salience: 50}", "      tax: {position: 2, salience: 50"))
    assert len(found) == 1
    assert found[0].startswith("case.yaml:11: not valid YAML:")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text):
    assert problems(text) == ["case.yaml: the file is empty"]


@pytest.mark.parametrize(
    "text, line",
    [
        (VALID.replace("capability: 1", "capability: !!python/object:os.system 1"), 8),
        ("!!python/object/apply:os.system ['echo hi']\n", 1),
        (VALID.replace("id: test", "id: !!python/name:os.getcwd ''"), 2),
    ],
)
def test_yaml_tags_that_build_objects_are_refused(text, line):
    (found,) = problems(text)
    assert found.startswith(f"case.yaml:{line}: not valid YAML: could not determine a constructor for the tag")
    assert "python/" in found


def test_impossible_date():
    found = problems(VALID.replace("id: test", "id: test\nas_of: 2024-13-01"))
    assert found == ["case.yaml:3: as_of: expected an ISO date (YYYY-MM-DD), got '2024-13-01'"]


def test_a_list_is_not_a_scenario():
    assert problems("- 1\n- 2\n") == ["case.yaml: a scenario must be a mapping of fields, got list"]


def test_every_problem_is_reported_at_once_in_file_order():
    text = (
        VALID.replace("salience: 40", "salience: 140")
        .replace("position: 2", "position: -3")
        .replace("capability: 2", "capability: two")
        .replace("id: B", "id: A")
    )
    found = problems(text)
    assert found == [
        "case.yaml:10: actors[A].stances.tax.position: position -3 lies outside the scale [0, 10]",
        "case.yaml:11: actors[A].id: duplicate actor id 'A'",
        "case.yaml:12: actors[A].capability: expected a number, got 'two'",
        "case.yaml:16: actors[A].stances.tax.salience: salience 140 lies outside 0..100",
    ]


def test_the_error_message_lists_the_problems_under_the_file_name():
    with pytest.raises(ScenarioError) as caught:
        loads(VALID.replace("position: 8", "position: 12").replace("salience: 40", "salience: 140"), "case.yaml")
    message = str(caught.value)
    assert message.splitlines()[0] == "case.yaml: 2 problems found"
    assert "  - case.yaml:15: actors[B].stances.tax.position" in message


def test_aliases_that_expand_exponentially_are_refused_quickly(monkeypatch):
    import detente.io.yaml_io as yaml_io

    monkeypatch.setattr(yaml_io, "MAX_EXPANDED_NODES", 10_000)
    rows = ["detente: 1", "id: laughs", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 6)]
    with pytest.raises(ScenarioError, match="expands to more than 10,000 values through repeated aliases"):
        loads("\n".join(rows) + "\n", "laughs.yaml")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("detente: 1\nid: one\nid: two\n", "f.yaml:3: id: the key 'id' is given twice, on line 2 and on line 3"),
        (
            "detente: 1\nid: t\nissues: [{id: a}]\nactors:\n  - id: x\n    capability: 1\n    stances:\n"
            "      a: {position: 10, salience: 50, position: 90}\n",
            "f.yaml:8: actors[x].stances.a.position: the key 'position' is given twice, on line 8",
        ),
        (
            "detente: 1\nid: t\nissues: [{id: a}]\nactors:\n  - id: x\n    capability: 1\n    stances:\n"
            "      a: {position: 10, salience: 50}\n      a: {position: 90, salience: 50}\n",
            "f.yaml:9: actors[x].stances.a: the key 'a' is given twice, on line 8 and on line 9",
        ),
    ],
)
def test_a_key_given_twice_is_an_error_naming_both_lines(text, said):
    with pytest.raises(ScenarioError) as caught:
        loads(text, "f.yaml")
    assert said in str(caught.value)
