"""The flat table (CSV/XLSX): round trips keep every number, and every malformed file gets a
message naming the file, the line and the column."""

from __future__ import annotations

import functools
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from detente.errors import ScenarioError
from detente.io import bundled_ids, load, save
from detente.io.table import read_csv, read_xlsx, write_csv, write_xlsx
from detente.scenario import Scenario

HEADER = "actor,issue,position,salience,capability\n"


@functools.cache
def bundled(scenario_id: str) -> Scenario:
    """A bundled scenario, loaded once for the whole file (the tests never change it)."""
    return load(scenario_id)


def assert_same_numbers(a: Scenario, b: Scenario) -> None:
    """Same arrays (positions, saliences, capabilities per actor and issue) and same stance fields."""
    assert a.actor_ids == b.actor_ids
    assert a.issue_ids == b.issue_ids
    batch_a, batch_b = a.batch(), b.batch()
    for name in ("position", "salience", "capability", "present", "status_quo"):
        assert np.array_equal(getattr(batch_a, name), getattr(batch_b, name), equal_nan=True), name
    for actor_a, actor_b in zip(a.actors, b.actors):
        assert actor_a.stances == actor_b.stances
        assert (actor_a.name, actor_a.group, actor_a.capability) == (actor_b.name, actor_b.group, actor_b.capability)
    assert [i.model_dump() for i in a.issues] == [i.model_dump() for i in b.issues]


def problems_of(text: str, name: str = "stances.csv") -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        read_csv(text, name)
    return caught.value


def only_problem(error: ScenarioError):
    assert len(error.problems) == 1, str(error)
    return error.problems[0]


# -- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", bundled_ids())
def test_csv_round_trip_keeps_every_number_of_every_bundled_scenario(scenario_id):
    original = bundled(scenario_id)
    back = read_csv(write_csv(original), f"{scenario_id}.csv")
    assert_same_numbers(original, back)
    assert back == original  # titles, sources, uncertainty, models: everything


@pytest.mark.parametrize("scenario_id", bundled_ids())
def test_xlsx_round_trip_keeps_every_number_of_every_bundled_scenario(scenario_id):
    original = bundled(scenario_id)
    back = read_xlsx(write_xlsx(original), f"{scenario_id}.xlsx")
    assert_same_numbers(original, back)
    assert back == original


def test_ukraine_round_trip_through_files_keeps_the_per_issue_capability(tmp_path):
    original = bundled("ukraine-2024-11")
    hungary = original.actor("HUN")
    assert hungary.stances["aid"].capability == 35 and hungary.capability == 15
    for suffix in (".csv", ".xlsx"):
        path = save(original, tmp_path / f"ukraine-2024-11{suffix}")
        back = load(str(path))
        assert_same_numbers(original, back)
        assert back.actor("HUN").capability == 15
        assert back.actor("HUN").stances["aid"].capability == 35
        assert back.actor("HUN").stances["territory"].capability is None


def test_written_csv_has_one_row_per_stance_and_the_capability_actually_used():
    scenario = bundled("ukraine-2024-11")
    text = write_csv(scenario)
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    header = rows[0].split(",")
    assert header[:2] == ["actor", "actor_name"]
    assert len(rows) - 1 == sum(len(a.stances) for a in scenario.actors)
    hungary_aid = [r for r in rows if r.startswith("HUN,") and ",aid," in r]
    assert len(hungary_aid) == 1 and ",35," in hungary_aid[0]


def test_long_per_issue_texts_are_written_once_and_read_from_any_row():
    text = write_csv(bundled("ukraine-2024-11"))
    assert text.count("Russian withdrawal to the 1991 borders") == 1


def test_anchor_labels_with_a_bar_and_evidence_survive_a_round_trip():
    data = {
        "detente": 1,
        "id": "bars",
        "issues": [{"id": "i", "scale": [-5, 5], "anchors": {-5: "left | far left", 5: "right: far"}, "outcome": "right"}],
        "actors": [
            {"id": "a", "capability": 1.5, "stances": {"i": {"position": -4.25, "salience": 30, "evidence": [{"quote": 'He said "no", twice', "speaker": "A"}]}}},
            {"id": "b", "capability": 2, "stances": {"i": {"position": 1 / 3, "salience": 70.125, "position_sd": 0.5}}},
        ],
    }
    original = Scenario.from_dict(data)
    assert read_csv(write_csv(original), "bars.csv") == original
    assert read_xlsx(write_xlsx(original), "bars.xlsx") == original


@settings(max_examples=40, deadline=None)
@given(
    positions=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=6),
    data=st.data(),
)
def test_any_numbers_survive_a_csv_round_trip_exactly(positions, data):
    lo, hi = min(positions) - 1.0, max(positions) + 1.0
    saliences = data.draw(st.lists(st.floats(0.001, 100.0), min_size=len(positions), max_size=len(positions)))
    capabilities = data.draw(st.lists(st.floats(1e-6, 1e9), min_size=len(positions), max_size=len(positions)))
    scenario = Scenario.from_dict(
        {
            "id": "random",
            "issues": [{"id": "i", "scale": [lo, hi]}],
            "actors": [
                {"id": f"a{k}", "capability": c, "stances": {"i": {"position": x, "salience": s}}}
                for k, (x, s, c) in enumerate(zip(positions, saliences, capabilities))
            ],
        }
    )
    back = read_csv(write_csv(scenario), "random.csv")
    assert back == scenario


@functools.cache
def emission_csv() -> str:
    return write_csv(bundled("ec-emission-1994"))


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(list(",;\t\n\"'#:|[]{}=x-.0 e")), st.booleans()), max_size=6))
def test_a_damaged_file_gives_problems_never_a_crash(edits):
    text = list(emission_csv())
    for position, char, insert in edits:
        index = position % len(text)
        if insert:
            text.insert(index, char)
        else:
            text[index] = char
    try:
        read_csv("".join(text), "damaged.csv")
    except ScenarioError as error:
        assert error.problems and all(p.file == "damaged.csv" for p in error.problems)


# -- reading variants -----------------------------------------------------------------------------


def test_the_format_example_reads_with_id_and_title_from_the_file_name():
    scenario = read_csv(
        "actor,issue,position,salience,capability\nNetherlands,emissions,4,80,0.08\nBelgium,emissions,7,40,0.08\n",
        "data/EC Emissions.csv",
    )
    assert scenario.id == "ec-emissions" and scenario.title == "EC Emissions"
    assert scenario.issue_ids == ["emissions"]
    assert scenario.actor("Belgium").stances["emissions"].position == 7


def test_aliases_case_and_tabs_without_an_issue_column_make_a_single_issue_scenario():
    text = "# Comment lines before the header are skipped\nStakeholder\tX\tS\tClout\nNetherlands\t4\t80\t0.08\nBelgium\t7\t40\t0.08\n"
    scenario = read_csv(text, "emission.tsv")
    assert scenario.issue_ids == ["emission"]
    assert [a.capability for a in scenario.actors] == [0.08, 0.08]
    assert scenario.actor("Netherlands").stances["emission"].salience == 80


def test_comment_lines_do_not_make_a_csv_look_like_another_format(tmp_path):
    path = tmp_path / "annotated.csv"
    path.write_text("#Data from BDM (1994)\n#Delay in years\nactor,capability,position,salience\nNL,0.08,4,80\nUK,0.16,10,90\n")
    scenario = load(str(path))
    assert scenario.actor("UK").stances["annotated"].position == 10


def test_semicolons_with_decimal_commas():
    scenario = read_csv("Name;Issue;Position;Salience;Power\nA;i;10,5;0,8;1\nB;i;20;0,4;2\n", "semi.csv")
    assert scenario.actor("A").stances["i"].position == 10.5
    assert scenario.salience_scale == 1.0


def test_names_that_are_not_slugs_become_display_names():
    scenario = read_csv(HEADER + "United Kingdom,Troop levels,10,50,1\nEU (incl Norway),Troop levels,20,50,1\n", "x.csv")
    assert scenario.actor_ids == ["United-Kingdom", "EU-incl-Norway"]
    assert scenario.actor("EU-incl-Norway").name == "EU (incl Norway)"
    assert scenario.issues[0].id == "troop-levels" and scenario.issues[0].title == "Troop levels"


def test_per_issue_values_may_be_on_one_row_and_capability_per_issue_becomes_an_override():
    text = (
        "actor,issue,position,salience,capability,scale_min,scale_max,status_quo\n"
        "A,delay,4,80,0.2,4,10,\n"
        "B,delay,7,40,0.1,,,5\n"
        "A,tax,30,50,0.2,,,\n"
        "B,tax,60,50,0.3,,,\n"
        "B,aid,60,50,0.3,,,\n"
        "A,aid,60,50,0.2,,,\n"
    )
    scenario = read_csv(text, "x.csv")
    delay = scenario.issue("delay")
    assert delay.scale == (4.0, 10.0) and delay.status_quo == 5
    b = scenario.actor("B")
    assert b.capability == 0.3 and b.stances["delay"].capability == 0.1 and b.stances["tax"].capability is None
    assert scenario.actor("A").capability == 0.2
    assert scenario.batch().capability[0, 1].tolist() == [0.1, 0.3, 0.3]


def test_metadata_block_gives_title_date_and_uncertainty():
    text = (
        "# detente: 1\n# title: A test\n# as_of: 2024-01-31\n# uncertainty:\n#   position_sd: 3\n"
        + HEADER
        + "A,i,10,50,1\nB,i,20,50,1\n"
    )
    scenario = read_csv(text, "meta.csv")
    assert scenario.title == "A test" and str(scenario.as_of) == "2024-01-31"
    assert scenario.uncertainty.position_sd == 3


# -- errors: each names the file, the line and the column -----------------------------------------


def test_unknown_column():
    problem = only_problem(problems_of("actor,issue,position,salience,capability,colour\nA,i,1,50,1,red\nB,i,2,50,1,blue\n"))
    assert "stances.csv:1: colour: unknown column 'colour'" in str(problem)


def test_missing_required_column():
    problem = only_problem(problems_of("actor,issue,position,salience\nA,i,1,50\nB,i,2,50\n"))
    assert "stances.csv:1: capability: required column 'capability' is missing" in str(problem)


def test_non_numeric_value():
    problem = only_problem(problems_of(HEADER + "A,i,1,50,1\nB,i,2,lots,1\n"))
    assert "stances.csv:3: salience: expected a number, got 'lots'" in str(problem)


def test_empty_value_in_a_required_column():
    problem = only_problem(problems_of(HEADER + "A,i,1,50,1\nB,i,,50,1\n"))
    assert str(problem).startswith("stances.csv:3: position: empty")


def test_position_outside_the_scale():
    text = "actor,issue,position,salience,capability,scale_min,scale_max\nA,i,4,50,1,4,10\nB,i,12,50,1,4,10\n"
    problem = only_problem(problems_of(text))
    assert "stances.csv:3: actors[B].stances.i.position: position 12 lies outside the scale [4, 10]" in str(problem)


def test_salience_out_of_range():
    problem = only_problem(problems_of(HEADER + "A,i,1,50,1\nB,i,2,150,1\n"))
    assert "stances.csv:3: actors[B].stances.i.salience: salience 150 lies outside 0..100" in str(problem)


def test_duplicate_actor_and_issue_row():
    problem = only_problem(problems_of(HEADER + "A,i,1,50,1\nB,i,2,50,1\nA,i,3,50,1\n"))
    assert "stances.csv:4: actor: a second row for actor 'A' on issue 'i' (the first is on line 2)" in str(problem)


def test_fewer_than_two_actors_on_an_issue():
    problem = only_problem(problems_of(HEADER + "A,i,1,50,1\nB,i,2,50,1\nA,j,3,50,1\n"))
    assert "stances.csv:4: issues[j]: issue 'j' needs at least two actors" in str(problem)


def test_conflicting_repeated_per_issue_value():
    text = "actor,issue,position,salience,capability,status_quo\nA,i,1,50,1,40\nB,i,2,50,1,45\n"
    problem = only_problem(problems_of(text))
    assert "stances.csv:3: status_quo: status_quo 45 differs from 40 given for issue 'i' on line 2" in str(problem)


def test_line_numbers_count_the_metadata_block_and_comments():
    text = "# detente: 1\n# title: T\n#\n" + HEADER + "A,i,1,50,1\nB,i,x,50,1\n"
    assert str(only_problem(problems_of(text))).startswith("stances.csv:6: position:")


def test_every_problem_is_reported_at_once():
    text = HEADER + "A,i,abc,500,1\nB,i,2,50,-1\nB,i,2,50,1\nC,j,5,50,1\n"
    error = problems_of(text)
    found = [(p.line, p.message.split(" ")[0]) for p in error.problems]
    assert (2, "expected") in found  # position 'abc'
    assert (2, "salience") in found  # 500 out of range
    assert (3, "capability") in found  # -1
    assert (4, "a") in found  # second row for B on i
    assert (5, "issue") in found  # j has one actor
    assert all(p.file == "stances.csv" for p in error.problems)


def test_empty_file_and_header_only():
    assert "no header row" in str(problems_of(""))
    assert "no header row" in str(problems_of("# just a comment\n,,,\n\n"))
    assert "needs at least one issue" in str(problems_of(HEADER))


# -- XLSX -----------------------------------------------------------------------------------------


def workbook_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_errors_name_the_row_and_the_cell():
    data = workbook_bytes([["Actor", "Issue", "Position", "Salience", "Power"], ["A", "i", 10, 50, 1], ["B", "i", "ten", 50, 1]])
    with pytest.raises(ScenarioError) as caught:
        read_xlsx(data, "book.xlsx")
    assert "book.xlsx:3: position (C3): expected a number, got 'ten'" in str(caught.value)


def test_xlsx_formula_is_refused_naming_the_cell():
    data = workbook_bytes([["actor", "issue", "position", "salience", "capability"], ["A", "i", 10, 50, 1], ["B", "i", 20, 50, "=A1*2"]])
    cell = load_workbook(io.BytesIO(data)).active["E3"]
    assert cell.data_type == "f"
    with pytest.raises(ScenarioError) as caught:
        read_xlsx(data, "book.xlsx")
    assert "book.xlsx:3: Sheet!E3: cell E3 of sheet 'Sheet' holds a formula" in str(caught.value)


def test_xlsx_writer_refuses_text_that_would_become_a_formula():
    scenario = bundled("ukraine-2024-11")
    data = scenario.model_dump(exclude_none=True)
    data["actors"][0]["stances"]["territory"]["basis"] = "=HYPERLINK(\"http://example.org\")"
    with pytest.raises(ScenarioError, match="formula"):
        write_xlsx(Scenario.from_dict(data))


def test_an_actor_without_stances_is_not_silently_dropped():
    data = bundled("ec-emission-1994").model_dump(exclude_none=True)
    data["actors"].append({"id": "ESP", "capability": 0.1})
    scenario = Scenario.from_dict(data)
    for write in (write_csv, write_xlsx):
        with pytest.raises(ScenarioError, match=r"actors\[ESP\]: the actor has no stance"):
            write(scenario)


def test_xlsx_that_is_not_a_workbook():
    with pytest.raises(ScenarioError, match="not a readable .xlsx workbook"):
        read_xlsx(b"PK\x03\x04 not really", "broken.xlsx")
