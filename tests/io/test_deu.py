"""The DEU III reader: both layouts, missing values, capabilities, and the reference figures."""

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from detente.errors import ScenarioError
from detente.io.deu import GDP, council_votes, parse_date, read_deu

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEU_OPEN = SHARED / "data" / "deu" / "deu3_open.tsv"
WEIGHTS = SHARED / "data" / "reference" / "eu_council_weights" / "eucouncil_weights.csv"

ACTOR_COLUMNS = ["com", "ep", "de", "fr", "nl", "pl"]
HEADER = ["prnr", "prname", "isnr", "proc", "counvte", "intro", "finact"] + [f"p{a}" for a in ACTOR_COLUMNS] + [f"s{a}" for a in ACTOR_COLUMNS] + ["rp", "out"]


def official(rows):
    """A synthetic file in the official layout: ';'-separated, 999 = missing, no GDP line."""
    return "\n".join(";".join(map(str, r)) for r in [HEADER, *rows]) + "\n"


#          prnr    name   isnr      proc   rule  intro       finact      positions (com ep de fr nl pl)   saliences                     rp   out
SYNTHETIC = [
    ["p1", "alpha", "p1i1", "COD", "QMV", "10-01-03", "20-06-05", 100, 0, 50, 999, 20, 80, 90, 50, 60, 40, 70, 999, 0, 60],
    ["p1", "alpha", "p1i2", "COD", "QMV", "10-01-03", "20-06-05", 0, 999, 100, "", 0, 999, 50, 999, 80, 50, 40, 999, 999, 100],
    ["p2", "beta", "p2i1", "CNS", "Unan", "05-05-99", "999", 40, 60, 999, 30, 999, 999, 70, 20, 999, 50, 999, 999, 40, 999],
    ["p3", "gamma", "p3i1", "CNS", "QMV", "05-05-99", "01-02-01", 10, 90, 999, 999, 999, 999, 50, 50, 999, 999, 999, 999, 50, 50],
]


@pytest.fixture
def synthetic(tmp_path):
    path = tmp_path / "Dataset_DEU_III.csv"
    path.write_text(official(SYNTHETIC), encoding="utf-8")
    return read_deu(path)


def test_999_and_empty_cells_are_missing(synthetic):
    first = synthetic.position[0]
    assert math.isnan(first[synthetic.actors.index("fr")])
    assert synthetic.position[0, synthetic.actors.index("de")] == 50
    assert math.isnan(synthetic.outcome[2]) and synthetic.outcome[0] == 60
    assert math.isnan(synthetic.reference[1])
    assert synthetic.notes == []


def test_an_actor_needs_position_and_salience(synthetic):
    # issue p1i1: fr has a salience but no position, pl a position but no salience
    present = synthetic.participants()[0]
    assert dict(zip(synthetic.actors, present)) == {"com": True, "ep": True, "de": True, "fr": False, "nl": True, "pl": False}


def test_issues_with_fewer_than_three_actors_are_dropped(synthetic):
    # p3i1 has two actors (com, ep); p2i1 has three but no outcome
    assert list(synthetic.kept()) == [True, True, True, False]
    assert list(synthetic.scoreable()) == [True, True, False, False]
    proposals = synthetic.proposals()
    assert [p.scenario.id for p in proposals] == ["p1", "p2"]
    assert [i.id for i in proposals[0].scenario.issues] == ["p1i1", "p1i2"]


def test_proposal_scenario_carries_outcome_reference_point_and_units(synthetic):
    scenario = synthetic.proposals()[0].scenario
    first, second = scenario.issues
    assert (first.status_quo, first.outcome) == (0, 60)
    assert second.status_quo is None and second.outcome == 100
    assert "10.34810/data53" in scenario.outcome_source
    de = scenario.actor("de")
    assert de.stances["p1i1"].position == 50 and de.stances["p1i1"].salience == pytest.approx(0.6)
    assert "fr" not in scenario.actor_ids and "pl" not in scenario.actor_ids


def test_gdp_comes_from_the_builtin_table_without_a_gdp_line(synthetic):
    scenario = synthetic.proposals("gdp")[0].scenario
    assert scenario.actor("de").capability == GDP["de"] == 4.1
    assert scenario.actor("com").capability == 4.1


def test_votes_follow_the_treaty_in_force_at_the_final_act(synthetic):
    proposal = synthetic.proposals("votes")[0]
    assert proposal.decided == dt.date(2005, 6, 20)  # Nice weights
    scenario = proposal.scenario
    assert scenario.actor("de").capability == 29 and scenario.actor("nl").capability == 13
    assert scenario.actor("com").capability == 29 and scenario.actor("ep").capability == 29
    # p2 has no final act (999): the introduction date (1999, EU15 weights) stands in
    later = synthetic.proposals("votes")[1]
    assert later.decided == dt.date(1999, 5, 5)
    assert later.scenario.actor("fr").capability == 10


def test_equal_capability(synthetic):
    assert {a.capability for a in synthetic.proposals("equal")[0].scenario.actors} == {1.0}


def test_tab_layout_with_a_gdp_line(tmp_path):
    gdp_line = [""] * 7 + [2.0, 2.0, 1.5, 1.0, 0.5, 0.25] + [""] * 8
    text = "\n".join("\t".join(f'"{c}"' if isinstance(c, str) and c else str(c) for c in r) for r in [HEADER, gdp_line, SYNTHETIC[0][:-1] + [""]])
    path = tmp_path / "deu3.tsv"
    path.write_text(text.replace("999", ""), encoding="utf-8")
    data = read_deu(path)
    assert data.gdp["de"] == 1.5 and data.gdp["com"] == 2.0
    assert data.n_issues == 1 and math.isnan(data.outcome[0])
    assert data.kept()[0] and not data.scoreable()[0]


def test_out_of_range_and_unreadable_cells_are_missing_with_a_note(tmp_path):
    row = list(SYNTHETIC[0])
    row[HEADER.index("pde")] = 150
    row[HEADER.index("sde")] = "lots"
    path = tmp_path / "bad.csv"
    path.write_text(official([row]), encoding="utf-8")
    data = read_deu(path)
    assert math.isnan(data.position[0, data.actors.index("de")])
    assert len(data.notes) == 2 and "pde" in data.notes[0] and "sde" in data.notes[1]


def test_a_file_without_deu_columns_is_a_clear_error(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        read_deu(path)
    message = str(error.value)
    assert "missing column 'isnr'" in message and "no actor columns" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("26-01-00", dt.date(2000, 1, 26)),
        ("17-12-99", dt.date(1999, 12, 17)),
        ("26-09-2012", dt.date(2012, 9, 26)),
        ("1930-05-01", dt.date(2001, 5, 30)),  # a spreadsheet read 30-05-01 as yy-mm-dd
        ("2023-07-01", dt.date(2001, 7, 23)),
        ("999", None),
        ("", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_council_votes_by_date():
    assert council_votes(dt.date(1994, 6, 1))["de"] == 10 and "at" not in council_votes(dt.date(1994, 6, 1))
    assert council_votes(dt.date(1999, 1, 1))["at"] == 4
    assert council_votes(dt.date(2004, 7, 1))["pl"] == 8
    assert council_votes(dt.date(2005, 1, 1))["pl"] == 27 and "ro" not in council_votes(dt.date(2005, 1, 1))
    assert council_votes(dt.date(2008, 1, 1))["ro"] == 14 and "cr" not in council_votes(dt.date(2008, 1, 1))
    assert council_votes(dt.date(2015, 1, 1))["cr"] == 7


def test_council_votes_match_the_shared_table():
    if not WEIGHTS.exists():
        pytest.skip(f"the Council weights table is not at {WEIGHTS} (shared reference data absent)")
    import pandas as pd

    names = {"Austria": "at", "Belgium": "be", "Bulgaria": "bu", "Cyprus": "cy", "Czech Republic": "cz", "Denmark": "dk", "Estonia": "ee", "Finland": "fi", "France": "fr", "Germany": "de", "Greece": "el", "Hungary": "hu", "Ireland": "ie", "Italy": "it", "Latvia": "lv", "Lithuania": "lt", "Luxembourg": "lu", "Malta": "mt", "Netherlands": "nl", "Poland": "pl", "Portugal": "pt", "Romania": "ro", "Slovakia": "sk", "Slovenia": "si", "Spain": "es", "Sweden": "se", "United Kingdom": "uk", "Croatia": "cr"}  # fmt: skip
    table = pd.read_csv(WEIGHTS).assign(code=lambda t: t.name.map(names)).set_index("code")
    for column, date in [("eu12", dt.date(1990, 1, 1)), ("eu15", dt.date(2000, 1, 1)), ("eu25_bv", dt.date(2004, 7, 1)), ("eu25_av", dt.date(2014, 1, 1))]:
        expected = table[column].dropna().astype(int).to_dict()
        assert council_votes(date) == expected, column


@pytest.fixture(scope="module")
def open_file():
    if not DEU_OPEN.exists():
        pytest.skip(f"the DEU III open file is not at {DEU_OPEN} (shared data absent)")
    return read_deu(DEU_OPEN)


def test_open_file_layout(open_file):
    assert open_file.n_issues == 258
    assert len(open_file.actors) == 30
    assert open_file.gdp["de"] == 4.1 and open_file.gdp["mt"] == 0.02
    assert int(open_file.scoreable().sum()) == 245
    assert open_file.notes == []
    # every final act follows its introduction under the swapped-date reading
    assert all(d is not None for d in open_file.decided)


def test_open_file_reference_figures(open_file):
    """The issue's reference numbers: compromise 24.14, median actor position 29.70, 245 issues."""
    from detente.analysis.backtest import case_from_scenario, run_backtest

    cases = [case_from_scenario(p.scenario, {"procedure": p.procedure}, True) for p in open_file.proposals("gdp") if p.scenario.has_outcomes]
    summary = run_backtest(cases, ["compromise", "median-actor"]).summary().set_index("model")
    assert summary.loc["compromise", "n"] == 245
    assert round(summary.loc["compromise", "mae"], 2) == 24.14
    assert round(summary.loc["median-actor", "mae"], 2) == 29.70
    assert summary.loc["median-actor", "n"] == 245


def test_open_file_compromise_by_hand(open_file):
    """The compromise figure straight from the arrays, without scenarios: Σ c s x / Σ c s."""
    keep = open_file.scoreable()
    present = open_file.participants()
    weight = np.where(present, open_file.capability("gdp") * np.nan_to_num(open_file.salience), 0.0)
    forecast = (weight * np.nan_to_num(open_file.position)).sum(axis=1) / weight.sum(axis=1)
    assert np.mean(np.abs(forecast - open_file.outcome)[keep]) == pytest.approx(24.1363, abs=1e-4)


def test_the_official_layout_example_in_shared():
    """The synthetic five-row example of the official layout (../shared/data/reference/deu_derived)."""
    example = SHARED / "data" / "reference" / "deu_derived" / "deu_sample_format_fixture.csv"
    if not example.exists():
        pytest.skip(f"the layout example is not at {example} (shared data absent)")
    data = read_deu(example)
    assert data.issue_ids == ["t01i1", "t01i2", "t02i1", "t02i2", "t03i1"]
    assert math.isnan(data.outcome[3])  # out = 999
    assert list(data.kept()) == [True, True, True, True, False]  # t03i1: two actors
    assert int(data.scoreable().sum()) == 3
    assert [p.procedure for p in data.proposals()] == ["COD", "CNS"]


def test_validating_a_deu_file_points_to_the_backtest_instead_of_a_flood_of_column_errors(tmp_path):
    from detente.io import load

    path = tmp_path / "deu.csv"
    path.write_text(official(SYNTHETIC), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert len(caught.value.problems) == 1
    assert "DEU III data set" in str(caught.value) and "detente backtest --deu" in str(caught.value)
