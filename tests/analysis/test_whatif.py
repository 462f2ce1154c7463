"""What-if levers (parsing, application, named sets) and scenario comparison."""

from __future__ import annotations

import re

import numpy as np
import pytest

from detente.analysis.compare import compare
from detente.analysis.whatif import apply_levers, expand_levers, parse_lever, whatif
from detente.errors import UsageError
from detente.io import load
from detente.scenario import Scenario


@pytest.fixture(scope="module")
def ukraine():
    return load("ukraine-2024-11")


def stance(scenario, actor, issue):
    return scenario.actor(actor).stances[issue]


def test_parse_resolves_ids_with_dashes_and_operators(ukraine):
    lever = parse_lever("UKR-PUB.territory.position-5", ukraine)
    assert (lever.kind, lever.actor, lever.issue, lever.input, lever.operator, lever.value) == ("edit", "UKR-PUB", "territory", "position", "subtract", 5)
    lever = parse_lever("USA.capability*0.5", ukraine)
    assert (lever.actor, lever.issue, lever.input, lever.operator) == ("USA", None, "capability", "scale")
    assert parse_lever("Hungary.salience=10", ukraine).actor == "HUN"  # names work too
    assert parse_lever("USA.territory.position=-0", ukraine).value == 0


def test_capability_levers_scale_per_issue_overrides_too(ukraine):
    changed = apply_levers(ukraine, ["HUN.capability*0.5"])
    assert changed.actor("HUN").capability == ukraine.actor("HUN").capability * 0.5
    assert stance(changed, "HUN", "aid").capability == 17.5
    assert stance(changed, "HUN", "territory").capability is None
    set_all = apply_levers(ukraine, ["HUN.capability=10"])
    assert set_all.actor("HUN").capability == 10 and stance(set_all, "HUN", "aid").capability == 10
    one_issue = apply_levers(ukraine, ["USA.aid.capability=20"])
    assert stance(one_issue, "USA", "aid").capability == 20 and one_issue.actor("USA").capability == 100


def test_salience_and_position_levers(ukraine):
    changed = apply_levers(ukraine, ["USA.salience+10", "RUS.territory.position=80", "FRA.security.salience-30"])
    for issue in ukraine.issue_ids:
        assert stance(changed, "USA", issue).salience == stance(ukraine, "USA", issue).salience + 10
    assert stance(changed, "RUS", "territory").position == 80
    assert stance(changed, "FRA", "security").salience == 50
    # the scenario given is left as it was
    assert stance(ukraine, "RUS", "territory").position == 100


def test_levers_apply_in_order(ukraine):
    a = apply_levers(ukraine, ["USA.capability=50", "USA.capability*2"])
    b = apply_levers(ukraine, ["USA.capability*2", "USA.capability=50"])
    assert (a.actor("USA").capability, b.actor("USA").capability) == (100, 50)


def test_drop_and_add_actors(ukraine):
    changed = apply_levers(ukraine, ["drop:HUN", 'add:CHN name="China (PRC)" group=Asia capability=80 territory=60@50 security=70@40'])
    assert "HUN" not in changed.actor_ids
    china = changed.actor("CHN")
    assert (china.name, china.group, china.capability) == ("China (PRC)", "Asia", 80)
    assert set(china.stances) == {"territory", "security"}
    assert (china.stances["territory"].position, china.stances["territory"].salience) == (60, 50)


def test_a_stance_lever_gives_an_actor_a_stance_it_lacked():
    scenario = Scenario.from_dict(
        {
            "id": "two",
            "issues": [{"id": "a"}, {"id": "b"}],
            "actors": [
                {"id": "X", "capability": 1, "stances": {"a": {"position": 10, "salience": 50}, "b": {"position": 10, "salience": 50}}},
                {"id": "Y", "capability": 1, "stances": {"a": {"position": 90, "salience": 50}, "b": {"position": 90, "salience": 50}}},
                {"id": "Z", "capability": 1, "stances": {"a": {"position": 50, "salience": 50}}},
            ],
        }
    )
    with pytest.raises(UsageError, match="has no stance on b"):
        apply_levers(scenario, ["Z.b.position=30"])
    changed = apply_levers(scenario, ["Z.b=30@40"])
    assert (changed.actor("Z").stances["b"].position, changed.actor("Z").stances["b"].salience) == (30, 40)


def test_dropping_below_two_actors_on_an_issue_is_refused():
    scenario = Scenario.from_dict(
        {
            "id": "thin",
            "issues": [{"id": "a"}],
            "actors": [
                {"id": "X", "capability": 1, "stances": {"a": {"position": 10, "salience": 50}}},
                {"id": "Y", "capability": 1, "stances": {"a": {"position": 90, "salience": 50}}},
            ],
        }
    )
    with pytest.raises(UsageError, match="lever 'drop:Y': the changed scenario is not valid"):
        apply_levers(scenario, ["drop:Y"])


def test_salience_levers_respect_a_unit_salience_file():
    scenario = Scenario.from_dict(
        {
            "id": "unit",
            "issues": [{"id": "a"}],
            "actors": [
                {"id": "X", "capability": 1, "stances": {"a": {"position": 10, "salience": 0.5}}},
                {"id": "Y", "capability": 1, "stances": {"a": {"position": 90, "salience": 0.7}}},
            ],
        }
    )
    assert apply_levers(scenario, ["X.salience*2"]).actor("X").stances["a"].salience == 1.0
    with pytest.raises(UsageError, match="outside 0..1"):
        apply_levers(scenario, ["X.salience=50"])


def test_named_lever_sets_expand(ukraine):
    scenario = ukraine.with_updates(levers={"us-exit": ["USA.capability*0.2", "USA.aid.position=100"], "no-hungary": "drop:HUN"})
    assert expand_levers(scenario, ["us-exit", "no-hungary", "RUS.salience*0.9"]) == ["USA.capability*0.2", "USA.aid.position=100", "drop:HUN", "RUS.salience*0.9"]
    with pytest.raises(UsageError, match="lever sets: us-exit, no-hungary"):
        apply_levers(scenario, [])


def test_whatif_shift_and_direction(ukraine):
    result = whatif(ukraine, ["RUS.capability*2"], ["compromise", "median"])
    for row in result.records():
        assert row["shift"] == pytest.approx(row["changed"] - row["baseline"], abs=1e-6)
        if row["model"] == "compromise":
            assert row["shift"] > 0  # Russia sits at 100 on every issue: more clout pulls every mean up


def test_a_neutral_lever_gives_identical_monte_carlo_sides(ukraine):
    result = whatif(ukraine, ["USA.capability*1"], ["compromise"], draws=600, seed=5)
    base, changed = result.simulations
    assert np.array_equal(base.values, changed.values)
    assert not result.notes


def test_compare_with_itself_has_no_shift(ukraine):
    rows = compare(ukraine, ukraine, ["compromise", "median"]).records()
    assert len(rows) == 2 * len(ukraine.issues)
    assert all(row["shift"] == 0 for row in rows)


def test_compare_gives_no_shift_across_different_scales(ukraine):
    data = ukraine.model_dump(exclude_none=True)
    data["issues"][0]["scale"] = [0, 200]
    data["issues"][0]["anchors"] = {}
    data["issues"][0]["status_quo"] = 100
    stretched = Scenario.from_dict(data)
    result = compare(ukraine, stretched, ["compromise"])
    territory = next(r for r in result.records() if r["issue"] == "territory")
    assert territory["shift"] is None and territory["first"] is not None and territory["second"] is not None
    assert any("different scales" in note for note in result.notes)


def test_with_draws_the_default_models_give_intervals_where_monte_carlo_ran_and_say_which_it_left_out(ukraine):
    result = whatif(ukraine, ["drop:HUN"], draws=20, seed=1)
    records = result.records()
    simulated = set(result.simulations[0].models)
    assert {r["model"] for r in records} - simulated == {"consensus"}  # the default set less the slow one
    for row in records:
        if row["model"] in simulated:
            assert row["baseline_q05"] <= row["baseline_median"] <= row["baseline_q95"]
        else:
            assert row["baseline_q05"] is None and row["changed_q95"] is None
    assert any("leaves out by default" in note and "consensus" in note for note in result.notes)


def test_cli_whatif_with_draws_and_the_default_models_prints_a_table():
    from typer.testing import CliRunner

    from detente.cli import app

    done = CliRunner().invoke(app, ["whatif", "ukraine-2024-11", "-l", "drop:HUN", "-n", "20", "--no-store"], env={"COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    assert "Traceback" not in done.output and "Consensus" in done.output
    for title in ("Expected utility", "Exchange model", "KTAB SMP"):  # every model's name and numbers on one line
        row = next(line for line in done.output.splitlines() if line.startswith(title))
        assert len(re.findall(r"\d+\.\d–\d+\.\d", row)) == 2, row


def test_cli_whatif_at_80_columns_keeps_each_model_on_one_line_with_whole_intervals():
    import json
    import re

    from typer.testing import CliRunner

    from detente.cli import app

    args = ["whatif", "ukraine-2024-11", "-l", "drop:HUN", "-m", "compromise", "-m", "smp", "-n", "30", "--no-store"]
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    rows = json.loads(CliRunner().invoke(app, [*args, "-f", "json"]).stdout)["forecasts"]
    row = next(r for r in rows if r["model"] == "smp" and r["issue"] == "territory")
    line = next(line for line in lines if f"{row['baseline_q05']:.1f}–{row['baseline_q95']:.1f}" in line)
    assert f"{row['changed_q05']:.1f}–{row['changed_q95']:.1f}" in line and len(re.findall(r"\d+\.\d", line)) == 7, line
