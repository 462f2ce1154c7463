"""The scenario data model: arrays for the models, anchors in words, validation collects everything."""

import numpy as np
import pytest

import detente
from detente.errors import ScenarioError
from detente.scenario import Scenario


def small(**changes):
    data = {
        "detente": 1,
        "id": "small",
        "issues": [
            {"id": "years", "scale": [4, 10], "status_quo": 4, "anchors": {4: "now", 7: "later", 10: "much later"}},
            {"id": "money"},
        ],
        "actors": [
            {"id": "A", "capability": 2, "stances": {"years": {"position": 7, "salience": 50}, "money": {"position": 20, "salience": 100}}},
            {"id": "B", "capability": 1, "stances": {"years": {"position": 10, "salience": 100, "capability": 3}}},
            {"id": "C", "capability": 1, "stances": {"money": {"position": 80, "salience": 40}}},
        ],
    }
    data.update(changes)
    return data


def test_batch_normalises_positions_and_saliences_and_marks_absent_stances():
    batch = Scenario.from_dict(small()).batch()
    assert batch.position.shape == (1, 3, 2)
    assert batch.position[0, :, 0].tolist()[:2] == pytest.approx([0.5, 1.0])
    assert np.isnan(batch.position[0, 2, 0]) and not batch.present[2, 0]
    assert batch.salience[0, :, 1].tolist() == pytest.approx([1.0, 0.0, 0.4])
    assert batch.capability[0, 1, 0] == 3, "a per-issue capability overrides the actor's"
    assert batch.status_quo[0] == 0 and np.isnan(batch.status_quo[1])


def test_saliences_on_0_to_1_are_accepted_as_such():
    data = small()
    for actor in data["actors"]:
        for stance in actor["stances"].values():
            stance["salience"] /= 100
    assert Scenario.from_dict(data).batch().salience[0, 0, 0] == pytest.approx(0.5)


def test_values_map_back_to_issue_units():
    scenario = Scenario.from_dict(small())
    assert scenario.to_units(np.array([0.5, 0.25])).tolist() == pytest.approx([7, 25])


def test_describe_places_a_value_between_anchor_labels():
    issue = Scenario.from_dict(small()).issues[0]
    assert issue.describe(8.2) == "between 'later' (7) and 'much later' (10)"
    assert issue.describe(7.0004) == "at 'later' (7)"  # 7.000 as printed on a 4..10 scale


def test_describe_says_near_not_at_when_the_printed_value_differs_from_the_anchor():
    issue = Scenario.from_dict(small()).issues[0]
    assert issue.describe(7.01) == "near 'later' (7)"  # printed 7.010: 'at (7)' would contradict the number beside it
    wide = Scenario.from_dict(small(issues=[{"id": "years", "scale": [4, 10]}, {"id": "money", "anchors": {33: "a third"}}])).issues[1]
    assert wide.describe(32.8) == "near 'a third' (33)"
    assert wide.describe(33.04) == "at 'a third' (33)"
    assert [b[:2] for b in issue.bands()] == [(4, 7), (7, 10)]


def test_every_problem_is_reported_at_once():
    data = small()
    data["actors"][0]["stances"]["years"]["position"] = 12
    data["actors"][1]["stances"]["years"]["salience"] = 130
    data["actors"][2]["id"] = "A"
    data["actors"][2]["stances"]["moneyy"] = {"position": 1, "salience": 1}
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data, source="small.yaml")
    text = str(caught.value)
    assert "4 problems" in text
    assert "actors[A].stances.years.position: position 12 lies outside the scale [4, 10]" in text
    assert "salience 130 lies outside 0..100" in text
    assert "duplicate actor id 'A'" in text
    assert "unknown issue id 'moneyy'" in text


def test_an_issue_needs_two_actors_with_positive_salience():
    data = small()
    data["actors"][2]["stances"]["money"]["salience"] = 0
    with pytest.raises(ScenarioError, match="issue 'money' needs at least two actors"):
        Scenario.from_dict(data)


def test_non_numeric_values_and_unknown_fields_are_named():
    data = small()
    data["actors"][0]["stances"]["years"]["position"] = "seven"
    data["actors"][0]["stances"]["years"]["postion"] = 7
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    text = str(caught.value)
    assert "actors[A].stances.years.position: expected a number, got 'seven'" in text
    assert "actors[A].stances.years.postion: unknown field" in text


def test_infinite_and_nan_numbers_are_named_not_accepted():
    data = small()
    data["issues"][0]["scale"] = [4, float("inf")]
    data["actors"][0]["capability"] = "1e400"
    data["actors"][1]["stances"]["years"]["position"] = float("nan")
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    text = str(caught.value)
    assert "issues[years].scale[1]: expected a finite number, got inf" in text
    assert "actors[A].capability: 1e400 overflows" in text
    assert "actors[B].stances.years.position: expected a finite number, got nan" in text


def test_a_scale_too_wide_for_floating_point_is_named():
    data = small()
    data["issues"][0]["scale"] = [-1e308, 1e308]
    data["issues"][0]["status_quo"] = 0
    with pytest.raises(ScenarioError, match=r"issues\[years\]\.scale: the scale \[-1e\+308, 1e\+308\] is too wide"):
        Scenario.from_dict(data)


def test_bundled_scenarios_load():
    for scenario_id in detente.bundled_ids():
        assert detente.load(scenario_id).id == scenario_id


def test_evidence_must_cite_a_listed_source_and_say_what_it_supports():
    data = small(sources=[{"id": "wapo", "publisher": "The Washington Post", "date": "2024-11-14", "url": "https://example.org"}])
    data["actors"][0]["evidence"] = [{"quote": "A has clout", "source": "wapo", "note": "capability"}]
    data["actors"][0]["stances"]["years"]["evidence"] = [{"quote": "q", "source": "nyt", "about": "position"}]
    data["actors"][1]["evidence"] = [{"quote": "q", "source": "wapo", "about": "power"}]
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data, source="small.yaml")
    text = str(caught.value)
    assert "2 problems" in text
    assert "actors[A].stances.years.evidence[0].source: unknown source id 'nyt' (sources: wapo)" in text
    assert "actors[B].evidence[0].about: about must be one of position, salience, capability, got 'power'" in text
    data["actors"][0]["stances"]["years"]["evidence"][0]["source"] = "wapo"
    data["actors"][1]["evidence"][0]["about"] = "capability"
    scenario = Scenario.from_dict(data)
    assert scenario.actor("A").evidence[0].note == "capability" and scenario.actor("B").evidence[0].about == "capability"
