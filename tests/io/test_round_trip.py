"""Every file detente writes, it reads back to the same scenario, whatever text the scenario holds."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from detente.errors import ScenarioError
from detente.io import load, save
from detente.scenario import Scenario

# Any text with something besides white space: surrounding white space is not kept by any format
# (every reader strips it), so the scenario strips it too.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(lambda t: t.strip())
TRICKY = st.sampled_from(["=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)", "'=already", "a\rb", "a\u2028b", "a\x85b", "a\x0cb", '"q"', "a,b;c\td", "# not a comment", "x" * 140_000])
ANY_TEXT = st.one_of(TEXT, TRICKY)
FIELDS = ("title", "description", "issue_title", "issue_description", "anchor", "outcome", "outcome_source", "name", "group", "actor_description", "basis", "quote", "speaker")


def scenario_with(texts: dict[str, str]) -> Scenario:
    return Scenario.from_dict(
        {
            "detente": 1, "id": "texts", "title": texts["title"], "description": texts["description"],
            "issues": [{"id": "a", "title": texts["issue_title"], "description": texts["issue_description"], "anchors": {0: texts["anchor"], 100: "end"},
                        "outcome": texts["outcome"], "outcome_source": texts["outcome_source"]}],
            "actors": [
                {"id": "x", "name": texts["name"], "group": texts["group"], "description": texts["actor_description"], "capability": 1,
                 "stances": {"a": {"position": -0.0 if False else 10, "salience": 50, "basis": texts["basis"],
                                   "evidence": [{"quote": texts["quote"], "speaker": texts["speaker"]}]}}},
                {"id": "y", "capability": 2, "stances": {"a": {"position": 90, "salience": 40}}},
            ],
        }
    )  # fmt: skip


def _round_trip(scenario: Scenario, suffix: str) -> Scenario:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"texts{suffix}"
        save(scenario, path)
        return load(path)


def _readable_outcome(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return True
    return 0 <= value <= 100


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.fixed_dictionaries({f: ANY_TEXT for f in FIELDS}), st.sampled_from([".yaml", ".csv", ".xlsx"]))
def test_any_text_in_any_text_field_survives_a_round_trip(texts, suffix):
    if not _readable_outcome(texts["outcome"]):
        texts["outcome"] = "settled"
    if suffix == ".xlsx":  # XLSX cannot hold control characters or 32,768 characters, and '=' starts a formula: all refused (below)
        texts = {k: ILLEGAL_CHARACTERS_RE.sub("", v).replace("\r", "").strip().lstrip("=")[:30_000] or "t" for k, v in texts.items()}
        texts["quote"], texts["speaker"] = texts["quote"][:16_000], texts["speaker"][:16_000]  # one evidence cell holds both
    scenario = scenario_with(texts)
    note(f"{suffix} {texts!r}")
    assert _round_trip(scenario, suffix) == scenario


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "'=x", "''+y"])
def test_csv_neutralises_formula_text_and_reads_it_back(tmp_path, text):
    scenario = scenario_with({f: "plain" for f in FIELDS} | {"name": text, "group": text, "basis": text})
    save(scenario, tmp_path / "f.csv")
    written = (tmp_path / "f.csv").read_text()
    assert f",'{text}," in written and f",{text}," not in written
    assert load(tmp_path / "f.csv") == scenario


def test_csv_writes_negative_numbers_as_numbers(tmp_path):
    scenario = Scenario.from_dict(
        {"detente": 1, "id": "neg", "issues": [{"id": "a", "scale": [-100, 0], "status_quo": -50}],
         "actors": [{"id": "x", "capability": 1, "stances": {"a": {"position": -10, "salience": 50}}},
                    {"id": "y", "capability": 1, "stances": {"a": {"position": -90.5, "salience": 50}}}]}
    )  # fmt: skip
    save(scenario, tmp_path / "f.csv")
    rows = (tmp_path / "f.csv").read_text().splitlines()
    assert "y,a,-90.5,50,1,-100,0,-50" in rows and "'" not in "".join(rows)


def test_a_metadata_line_whose_comma_precedes_a_formula_is_one_quoted_cell(tmp_path):
    scenario = scenario_with({f: "plain" for f in FIELDS} | {"description": "harmless, =cmd|' /C calc'!A0"})
    save(scenario, tmp_path / "f.csv")
    lines = (tmp_path / "f.csv").read_text().splitlines()
    assert "\"# description: harmless, =cmd|' /C calc'!A0\"" in lines
    assert load(tmp_path / "f.csv") == scenario


@pytest.mark.parametrize(
    ("text", "said"),
    [("bell\x07 here", r"x/a.basis: the text holds control characters \(U\+0007\)"), ("a\rb", r"U\+000D"), ("x" * 40_000, "the text has 40,000 characters; a spreadsheet cell holds at most 32,767")],
)
def test_xlsx_refuses_text_a_workbook_cannot_hold_naming_the_field(tmp_path, text, said):
    scenario = scenario_with({f: "plain" for f in FIELDS} | {"basis": text})
    with pytest.raises(ScenarioError, match=said):
        save(scenario, tmp_path / "f.xlsx")
    assert not (tmp_path / "f.xlsx").exists()


@pytest.mark.parametrize("name", sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "src" / "detente" / "data" / "scenarios").glob("*.yaml")))
def test_libyaml_writes_the_same_text_as_pure_python_yaml(name):
    """Scenarios are written with libyaml's emitter for speed; the text (and so the content hash
    under which the run store keeps a scenario) is the one PyYAML's own emitter writes."""
    import yaml

    from detente.io import load
    from detente.io.yaml_io import _Dumper, dumps, to_dict

    class PurePython(yaml.SafeDumper):
        yaml_representers = dict(_Dumper.yaml_representers)
        yaml_multi_representers = dict(_Dumper.yaml_multi_representers)

    scenario = load(name)
    assert dumps(scenario) == yaml.dump(to_dict(scenario), Dumper=PurePython, sort_keys=False, allow_unicode=True, width=100)
