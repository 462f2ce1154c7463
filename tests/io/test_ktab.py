"""KTAB SMP scenarios: every number of KTAB's example files survives the import (checked against
the raw files and KTAB's own reference log), KTAB's checks are kept, and errors name the line.

tests/data/ktab holds MIT-licensed KTAB files (see LICENSE there): dummyData_3Dim.csv,
smpExample.xml as KTAB ships it today (its first dCoord empty since commit 13ed507),
smpExample-2016.xml (the version of commit 06542ee, with 52.8, that the reference log used) and
the head of that log, 20170530_ref-smpExample-head.txt."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from detente.errors import ScenarioError
from detente.io import load
from detente.io.ktab import read_ktab_csv, read_ktab_xml

DATA = Path(__file__).resolve().parents[1] / "data" / "ktab"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
KTAB_SHARED = SHARED / "data" / "reference" / "ktab"
PARAMETERS = {
    "victory_prob_model": "Linear",
    "pce_model": "MarkovIncentive",
    "state_transition": "Stochastic",
    "voting_rule": "PropCbc",
    "big_r_adjust": "OneThird",
    "big_r_range": "Mid",
    "third_party_commit": "SemiCommit",
    "inter_vec_brgn": "S2P2",
    "bargn_model": "InitOnlyInterp",
}


def raw_ktab_rows(path: Path) -> list[list[str]]:
    rows = [[cell.strip() for cell in row] for row in csv.reader(path.read_text().splitlines())]
    return [[cell for cell in row if cell] for row in rows if any(row)]


def test_dummy_3dim_keeps_every_number():
    path = DATA / "dummyData_3Dim.csv"
    scenario = load(str(path))  # recognised as KTAB CSV by its header
    rows = raw_ktab_rows(path)
    assert rows[0][:4] == ["DummyData_3Dim", "Dummy scenario to test reading format", "7", "3"]
    assert scenario.title == "DummyData_3Dim" and scenario.description == "Dummy scenario to test reading format"
    assert scenario.issue_ids == ["d1", "d2", "d3"]
    values = np.array([[float(v) for v in row[2:]] for row in rows[2:]])
    assert values.shape == (7, 7)
    stances = [[a.stances[i] for i in scenario.issue_ids] for a in scenario.actors]
    np.testing.assert_array_equal([a.capability for a in scenario.actors], values[:, 0])
    np.testing.assert_array_equal([[s.position for s in row] for row in stances], values[:, 1::2])
    np.testing.assert_array_equal([[s.salience for s in row] for row in stances], values[:, 2::2])
    np.testing.assert_allclose(scenario.batch().salience[0], values[:, 2::2] / 100, rtol=1e-15)
    actor = scenario.actor("SActor-02")
    assert actor.capability == 129.643 and actor.description == "Random Spatial Actor"
    assert actor.stances["d3"].position == 0.07 and actor.stances["d2"].salience == 13.55
    assert scenario.models == {}


def test_the_bundled_dummy_scenario_carries_the_same_numbers():
    imported = read_ktab_csv((DATA / "dummyData_3Dim.csv").read_text(), "dummyData_3Dim.csv")
    bundled = load("ktab-dummy-3dim")
    for name in ("position", "salience", "capability", "present"):
        assert np.array_equal(getattr(imported.batch(), name), getattr(bundled.batch(), name)), name
    assert bundled.models["smp"]["state_transition"] == "Deterministic"


@pytest.mark.parametrize("name", ["SOE-Competitive.csv", "SOE-Policy.csv", "SOE-Pol-Comp.csv", "dummyData-a080.csv"])
def test_the_other_ktab_example_csvs(name):
    path = KTAB_SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/data/reference/ktab)")
    rows = raw_ktab_rows(path)
    n_actors, n_dims = int(rows[0][-2]), int(rows[0][-1])
    scenario = load(str(path))  # recognised by its header, whether the third column says Power or Influence
    assert scenario.id == path.stem.lower()
    assert len(scenario.actors) == n_actors and len(scenario.issues) == n_dims
    powers = [float(row[2]) for row in rows[2:]]
    assert [a.capability for a in scenario.actors] == powers
    positions = [float(row[3 + 2 * k]) for row in rows[2:] for k in range(n_dims)]
    assert np.nansum(scenario.to_units(scenario.batch().position)) == pytest.approx(sum(positions))


def test_dimension_names_come_from_the_position_headers():
    path = KTAB_SHARED / "SOE-Pol-Comp.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    scenario = read_ktab_csv(path.read_text(), "SOE-Pol-Comp.csv")
    assert [(i.id, i.title) for i in scenario.issues] == [("policy", "Policy"), ("competitive", "Competitive")]
    xi = scenario.actor("XJ")
    assert xi.description == "Xi Jinping" and xi.capability == 100.0
    assert xi.stances["competitive"].salience == 48.0
    assert scenario.title == "China Policy/Competitive; scen 2"


def test_smp_example_today_has_an_empty_coordinate_which_is_refused_as_ktab_does():
    with pytest.raises(ScenarioError) as caught:
        read_ktab_xml((DATA / "smpExample.xml").read_text(encoding="utf-8"), "smpExample.xml")
    (problem,) = caught.value.problems
    assert problem.line == 32 and problem.field == "Actor[Alice].Position.dCoord[1]"
    assert "no position given" in problem.message


def logged_values(kind: str) -> list[float]:
    """The positions ("dimension") or saliences KTAB printed while reading smpExample.xml."""
    log = (DATA / "20170530_ref-smpExample-head.txt").read_text()
    return [float(v) for v in re.findall(rf"Read {kind} \d+: ([\d.]+)", log)]


def test_smp_example_2016_matches_what_ktab_read_in_its_reference_run():
    scenario = read_ktab_xml((DATA / "smpExample-2016.xml").read_text(encoding="utf-8"), "smpExample.xml")
    positions = scenario.to_units(scenario.batch().position[0])
    saliences = scenario.batch().salience[0] * 100
    assert positions.ravel().tolist() == pytest.approx(logged_values("dimension"), abs=0.005)
    assert saliences.ravel().tolist() == pytest.approx(logged_values("salience"), abs=0.005)
    assert len(logged_values("dimension")) == 15
    assert [a.capability for a in scenario.actors] == [117.7, 93.2, 61.4, 135.4, 63.8]
    assert scenario.issue_ids == ["firstdim", "seconddim", "yadn"] and scenario.issues[2].title == "YADN"
    assert scenario.title == "DummyData_3Dim"
    assert scenario.description == "A very simple test of multi-dim SMP, using psuedonyms"


def test_smp_example_model_parameters_seed_and_ideal_adjustment():
    scenario = read_ktab_xml((DATA / "smpExample-2016.xml").read_text(encoding="utf-8"), "smpExample.xml")
    options = scenario.models["smp"]
    assert {k: options[k] for k in PARAMETERS} == PARAMETERS
    assert options["seed"] == 3507583219545544127  # "03507583219545544127" as KTAB prints it
    assert options["accommodation"] == {
        "Alice": {"Alice": 0.87},
        "Bob": {"Bob": 0.75, "Alice": 0.07},
        "Carol": {"Carol": 0.65, "David": 0.13},
        "David": {"David": 0.57},
    }


def test_smp_example_gives_ktabs_turn_zero_risk_attitudes():
    """End to end with detente's SMP: the log prints R = (+1.000, -0.387, -0.500, -0.001, -0.298)."""
    from detente.models import registry

    if "smp" not in registry():
        pytest.skip("the smp model is not registered")
    scenario = read_ktab_xml((DATA / "smpExample-2016.xml").read_text(encoding="utf-8"), "smpExample.xml")
    result = registry()["smp"]().run(scenario)
    risk = result.round_extras[0]["risk"]
    assert [risk[a] for a in scenario.actor_ids] == pytest.approx([1.0, -0.387, -0.5, -0.001, -0.298], abs=0.0006)


XML = """<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
  <name>T</name>
  <desc>test</desc>
  <prngSeed>7</prngSeed>
  <Dimensions><dName>Only</dName></Dimensions>
  <Actors>
    <Actor><name>A</name><description>a</description><capability>10</capability>
      <Position><dCoord>20</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
    <Actor><name>B b</name><description>b</description><capability>{capability}</capability>
      <Position><dCoord>80</dCoord></Position><Salience><dSal>{salience}</dSal></Salience></Actor>
  </Actors>
</Scenario>
"""


def test_small_xml_without_model_parameters():
    scenario = read_ktab_xml(XML.format(capability=5, salience=60), "small.xml")
    assert scenario.models == {"smp": {"seed": 7}}
    assert scenario.actor("B-b").name == "B b"


def test_xml_errors_name_line_and_field():
    with pytest.raises(ScenarioError) as caught:
        read_ktab_xml(XML.format(capability="lots", salience=160), "bad.xml")
    messages = [str(p) for p in caught.value.problems]
    assert "bad.xml:10: Actor[B b].capability: expected a number, got 'lots'" in messages
    assert "bad.xml:11: actors[B-b].stances.only.salience: salience 160 lies outside 0..100" in messages


def test_unknown_model_parameter_value():
    text = (DATA / "smpExample-2016.xml").read_text(encoding="utf-8").replace(">PropCbc<", ">Majority<")
    with pytest.raises(ScenarioError) as caught:
        read_ktab_xml(text, "p.xml")
    assert "p.xml:12: ModelParameters.VotingRule: unknown VotingRule 'Majority'" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE Scenario [<!ENTITY big "x">]>\n<Scenario/>',
        '<?xml version="1.0"?>\n<!DOCTYPE Scenario SYSTEM "http://example.org/s.dtd">\n<Scenario/>',
    ],
)
def test_dtds_and_entities_are_refused(text):
    with pytest.raises(ScenarioError, match="DTD or entity"):
        read_ktab_xml(text, "evil.xml")


def test_xml_that_is_not_well_formed():
    with pytest.raises(ScenarioError, match=r"broken.xml:3: not well-formed XML"):
        read_ktab_xml("<Scenario>\n<name>x</name>\n<desc></Scenario>", "broken.xml")


HEAD = "Case,Test case,{n},2,\nActor,Description,Power,Pstn1,Sal1,Pstn2,Sal2,\n"


def test_csv_salience_budget_counts_and_numbers():
    text = HEAD.format(n=3) + "A,a,10,50,60,50,50,\nB,b,ten,50,20,150,20,\n"
    with pytest.raises(ScenarioError) as caught:
        read_ktab_csv(text, "k.csv")
    messages = [str(p) for p in caught.value.problems]
    assert "k.csv:1: column 3: the first row announces 3 actors, the file has 2 actor rows" in messages
    assert "k.csv:3: actors[A].salience: the saliences of actor 'A' sum to 110; KTAB allows at most 100" in messages
    assert "k.csv:4: Power: expected a number, got 'ten'" in messages
    assert "k.csv:4: actors[B].stances.d2.position: position 150 lies outside the scale [0, 100]" in messages


def test_csv_saliences_all_below_one_are_read_as_ktabs_0_to_100():
    scenario = read_ktab_csv(HEAD.format(n=2) + "A,a,10,50,0.6,50,0.2,\nB,b,20,20,0.5,30,0.5,\n", "tiny.csv")
    assert scenario.actor("A").stances["d1"].salience == pytest.approx(0.006)
    assert scenario.batch().salience[0, 0].tolist() == pytest.approx([0.006, 0.002])
