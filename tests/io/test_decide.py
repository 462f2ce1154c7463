"""Decide / decide-exchange-model files: every number of the example files survives the import
(checked against the raw rows parsed here independently), and malformed rows get line numbers.

The example files are GPL-3.0 and stay in ../shared; those tests skip cleanly without it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from detente.errors import ScenarioError
from detente.io import load
from detente.io.decide import read_decide, write_decide

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DECIDE = SHARED / "data" / "reference" / "decide-exchange-model"
EXAMPLES = ["sample_data.txt", "cop21.csv", "copenhagen.csv", "verkiezing2012.csv", "cop21_with_scale_meanings_data.csv"]


def example(name: str) -> Path:
    path = DECIDE / name
    if not path.exists():
        pytest.skip(f"the GPL Decide example {name} lives in ../shared/data/reference/decide-exchange-model, which is absent")
    return path


def raw_rows(path: Path) -> list[list[str]]:
    """The file's rows, split and unquoted here without detente's reader."""
    text = path.read_text(encoding="utf-8")
    delimiter = "\t" if "\t" in text else ";"
    rows = []
    for row in csv.reader(text.splitlines(), delimiter=delimiter):
        cells = [cell.strip().strip("'") for cell in row]
        if cells and cells[0]:
            rows.append(cells)
    return rows


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_stance_of_the_example_keeps_position_salience_and_power(name):
    path = example(name)
    scenario = load(str(path))  # format detected from the content
    stances = [r for r in raw_rows(path) if r[0] == "#D"]
    assert sum(len(a.stances) for a in scenario.actors) == len(stances)
    for _, actor_name, issue_id, position, salience, power, *_ in stances:
        actor = scenario.actor(actor_name)  # by id, or by name where the id had to be slugified
        stance = actor.stances[scenario.issue(issue_id).id]
        assert stance.position == float(position)
        assert stance.salience == float(salience)
        assert (stance.capability if stance.capability is not None else actor.capability) == float(power)
    batch = scenario.batch()
    assert batch.salience.sum() == pytest.approx(sum(float(r[4]) for r in stances))  # saliences read on 0..1
    assert np.nansum(scenario.to_units(batch.position)) == pytest.approx(sum(float(r[3]) for r in stances))


def test_sample_data_spot_values_names_and_descriptions():
    scenario = read_decide(example("sample_data.txt").read_text(encoding="utf-8"), "sample_data.txt")
    assert scenario.id == "sample_data" and len(scenario.actors) == 10 and len(scenario.issues) == 6
    assert scenario.actor("Willems").description == "Test"
    toll = scenario.issue("tol-hoogte")
    assert toll.scale == (0.5, 7.0)  # from its #M rows
    assert scenario.actor("GL").stances["tol-hoogte"].position == 5.0
    assert scenario.actor("GL").capability == 0.6
    assert scenario.issue("wanneer-tol").description == "Wat is dit voor onzin?"


def test_scale_meanings_become_anchors_and_the_title_comes_from_the_o_row():
    path = example("cop21_with_scale_meanings_data.csv")
    scenario = load(str(path))
    assert scenario.title == "CoP21 Paris negotiations (power scores based on expert judgements)"
    labelled = [r for r in raw_rows(path) if r[0] == "#M" and len(r) > 3 and r[3]]
    assert sum(len(i.anchors) for i in scenario.issues) == len(labelled)
    mrv = scenario.issue("mrv")
    assert mrv.title == "mitigation mrv and compliance"
    assert mrv.anchors[65.0] == "International Assessment and Review (IAR)"
    assert scenario.actor("LDCs_BGD").name == "LDCs_represented_by_Bangladesh"


def test_semicolon_file_without_scale_rows_and_an_actor_without_stances():
    path = example("verkiezing2012.csv")
    scenario = load(str(path))
    declared = [r[1] for r in raw_rows(path) if r[0] == "#A"]
    assert "50+" in declared and len(declared) == 11
    assert len(scenario.actors) == 10  # '50+' has no #D row: no power, no position, left out
    assert all(issue.scale == (0.0, 100.0) for issue in scenario.issues)
    assert scenario.actor("SP").stances["bezuinig"].position == 70.94594595
    assert scenario.actor("SP").capability == 0.464159


def test_names_that_are_not_slugs():
    scenario = load(str(example("copenhagen.csv")))
    eu = scenario.actor("EU-incl-Norway")
    assert eu.name == "EU (incl Norway)" and eu.stances["Newtreaty"].position == 50.0


SMALL = """\ufeff'#A'\t'NL'\t'Netherlands'
'#A'\t'BE'\t'Belgium'
'#P'\t'delay'\t'Delay in years'
'#M'\t'delay'\t4\t'soon'
'#M'\t'delay'\t10
'#D'\t'NL'\t'delay'\t4\t0.8\t0.08
'#D'\t'BE'\t'delay'\t7\t0.4\t0.08
"""


def test_quoted_tab_separated_with_bom():
    scenario = read_decide(SMALL, "small.txt")
    delay = scenario.issue("delay")
    assert delay.scale == (4.0, 10.0) and delay.anchors == {4.0: "soon"} and delay.title == "Delay in years"
    assert scenario.actor("BE").stances["delay"].position == 7


def test_comma_separated_double_quotes_and_a_comment_column():
    text = '#A,"a","Alpha"\n#A,"b","Beta"\n#P,"i","Issue"\n#D,"a","i",10,0.5,0.3,"from the 2015 interviews"\n#D,"b","i",20,0.5,0.3\n'
    scenario = read_decide(text, "c.csv")
    assert scenario.actor("a").stances["i"].basis == "from the 2015 interviews"


def test_power_per_issue_keeps_every_number():
    text = "#A;a;A\n#A;b;B\n#P;i;I\n#P;j;J\n#P;k;K\n" + "".join(
        f"#D;{actor};{issue};50;0.5;{power}\n"
        for actor, issue, power in [("a", "i", 0.3), ("a", "j", 0.5), ("a", "k", 0.5), ("b", "i", 0.2), ("b", "j", 0.2), ("b", "k", 0.2)]
    )
    scenario = read_decide(text, "p.csv")
    a = scenario.actor("a")
    assert a.capability == 0.5 and a.stances["i"].capability == 0.3 and a.stances["j"].capability is None
    assert scenario.batch().capability[0, 0].tolist() == [0.3, 0.5, 0.5]


def test_errors_name_the_line_and_field_all_at_once():
    text = "\n".join(
        [
            "#A;a;Alpha",  # 1
            "#A;b;Beta",  # 2
            "#P;i;Issue",  # 3
            "#M;i;0;low",  # 4
            "#M;i;10;high",  # 5
            "#M;j;5",  # 6 unknown issue
            "#X;foo",  # 7 unknown kind
            "#D;a;i;5;0,5;0.3",  # 8 fine (decimal comma)
            "#D;b;i;abc;0.5;0.3",  # 9 not a number
            "#D;c;i;5;0.5;0.3",  # 10 unknown actor
            "#D;a;i;5;0.5;0.3",  # 11 second row
            "#P;k;K",  # 12
            "#D;a;k;50;0.5;0.3",  # 13
            "#D;b;k;150;0.5;0.3",  # 14 outside the scale
        ]
    )
    with pytest.raises(ScenarioError) as caught:
        read_decide(text, "bad.csv")
    messages = [str(p) for p in caught.value.problems]
    assert "bad.csv:6: #M issue: unknown issue 'j' (declare it in a #P row)" in messages
    assert any(m.startswith("bad.csv:7: kind: unknown row kind '#X'") for m in messages)
    assert "bad.csv:9: #D position: expected a number, got 'abc'" in messages
    assert "bad.csv:10: #D actor: unknown actor 'c' (declare it in an #A row)" in messages
    assert any(m.startswith("bad.csv:11: #D: a second #D row for actor 'a' on issue 'i'") for m in messages)
    assert "bad.csv:14: actors[b].stances.k.position: position 150 lies outside the scale [0, 100]" in messages


def test_single_scale_point_is_an_error():
    with pytest.raises(ScenarioError, match=r"one.csv:2: #M: issue 'i' has a single #M point \(5\)"):
        read_decide("#P;i;I\n#M;i;5\n#A;a;A\n#A;b;B\n#D;a;i;5;0.5;0.3\n#D;b;i;5;0.5;0.3\n", "one.csv")


def test_write_decide_round_trip_keeps_positions_saliences_and_capability_ratios():
    original = load("ukraine-2024-11")
    back = read_decide(write_decide(original), "ukraine.txt")
    a, b = original.batch(), back.batch()
    assert back.actor_ids == original.actor_ids and back.issue_ids == original.issue_ids
    assert np.array_equal(a.position, b.position, equal_nan=True)
    np.testing.assert_allclose(a.salience, b.salience, rtol=1e-12)
    ratio = a.capability[a.present[None]] / b.capability[b.present[None]]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)  # divided by the largest capability
    assert b.capability.max() == 1.0
    assert back.issue("territory").anchors == original.issue("territory").anchors
