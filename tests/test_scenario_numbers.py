"""One number rule for every format: every spelling of a number is checked like the number."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.io import read_bytes

TEMPLATE = """detente: 1
id: spelled
issues:
  - id: a
    scale: [{scale_lo}, {scale_hi}]
    status_quo: {status_quo}
    anchors: {{{anchor}: edge}}
    outcome: {outcome}
actors:
  - id: x
    capability: {capability}
    stances:
      a: {{position: {position}, salience: {salience}, capability: {stance_capability}, position_sd: {position_sd}, salience_sd: {salience_sd}}}
  - id: y
    capability: 1
    stances:
      a: {{position: 20, salience: 50}}
uncertainty:
  salience_sd: {u_salience_sd}
  capability_cv: {u_capability_cv}
"""
VALID = {
    "scale_lo": 0, "scale_hi": 100, "status_quo": 50, "anchor": 0, "outcome": 40, "capability": 2, "position": 30,
    "salience": 60, "stance_capability": 3, "position_sd": 5, "salience_sd": 5, "u_salience_sd": 10, "u_capability_cv": 0.2,
}  # fmt: skip
# field -> (out-of-range values, the field name the problem must name)
OUT_OF_RANGE = {
    "position": ([200, -5, 100.5], "stances.a.position"),
    "salience": ([1000, -1, 100.25], "stances.a.salience"),
    "capability": ([-60, 0, 1e16], "actors[x].capability"),
    "stance_capability": ([-1, 0, 2e20], "stances.a.capability"),
    "status_quo": ([150, -0.5], "status_quo"),
    "anchor": ([150, -20], "anchors"),
    "outcome": ([101, -3], "outcome"),
    "position_sd": ([-1, -0.25], "position_sd"),
    "salience_sd": ([-2], "stances.a.salience_sd"),
    "scale_lo": ([100, 250], "scale"),
    "u_salience_sd": ([-1], "uncertainty.salience_sd"),
    "u_capability_cv": ([-0.5], "uncertainty.capability_cv"),
}


def spellings(value: float) -> list[str]:
    """Ways a YAML file may write ``value``: plain, with a dot, with exponents (YAML 1.1 reads
    ``2e2`` and ``1.0e2`` as text, not as numbers), and quoted."""
    mantissa, exponent = f"{value:e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    forms = [f"{value:g}", repr(float(value)), f"{mantissa}e{int(exponent)}", f"{mantissa}E{int(exponent):+d}", f"{value:.3e}"]
    if float(value).is_integer():
        forms.append(str(int(value)))
    return forms + [f'"{f}"' for f in forms] + [f"'{f}'" for f in forms]


def yaml_with(field: str, spelled: str) -> bytes:
    values = {k: str(v) for k, v in VALID.items()}
    values[field] = spelled
    return TEMPLATE.format(**values).encode()


def test_the_template_is_valid_as_it_stands():
    scenario = read_bytes(yaml_with("position", "30"), "yaml", "f.yaml")
    assert scenario.actors[0].stances["a"].position == 30


@pytest.mark.parametrize("spelled", spellings(200.0))
def test_a_position_outside_the_scale_is_refused_in_every_spelling(spelled):
    with pytest.raises(ScenarioError, match=r"f.yaml:13: actors\[x\].stances.a.position: position 200 lies outside"):
        read_bytes(yaml_with("position", spelled), "yaml", "f.yaml")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(OUT_OF_RANGE)), st.data())
def test_every_out_of_range_value_is_refused_whatever_its_spelling(field, data):
    values, named = OUT_OF_RANGE[field]
    value = data.draw(st.sampled_from(values))
    spelled = data.draw(st.sampled_from(spellings(value)))
    with pytest.raises(ScenarioError) as caught:
        read_bytes(yaml_with(field, spelled), "yaml", "f.yaml")
    assert named in str(caught.value), str(caught.value)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(VALID)), st.data())
def test_every_spelling_of_a_valid_value_reads_as_that_number(field, data):
    value = float(VALID[field])
    scenario = read_bytes(yaml_with(field, data.draw(st.sampled_from(spellings(value)))), "yaml", "f.yaml")
    read = {
        "scale_lo": scenario.issues[0].lo, "scale_hi": scenario.issues[0].hi, "status_quo": scenario.issues[0].status_quo,
        "anchor": next(iter(scenario.issues[0].anchors)), "outcome": scenario.issues[0].outcome,
        "capability": scenario.actors[0].capability, "position": scenario.actors[0].stances["a"].position,
        "salience": scenario.actors[0].stances["a"].salience, "stance_capability": scenario.actors[0].stances["a"].capability,
        "position_sd": scenario.actors[0].stances["a"].position_sd, "salience_sd": scenario.actors[0].stances["a"].salience_sd,
        "u_salience_sd": scenario.uncertainty.salience_sd, "u_capability_cv": scenario.uncertainty.capability_cv,
    }  # fmt: skip
    assert read[field] == value and isinstance(read[field], float)


@pytest.mark.parametrize("field", ["position", "salience", "capability", "stance_capability", "status_quo", "salience_sd"])
@pytest.mark.parametrize("spelled", ["yes", "true", "on", "no"])
def test_yes_no_values_are_not_numbers(field, spelled):
    with pytest.raises(ScenarioError, match="expected a number, got the yes/no value"):
        read_bytes(yaml_with(field, spelled), "yaml", "f.yaml")


@pytest.mark.parametrize(
    ("spelled", "said"),
    [("1e309", "1e309 overflows"), ('"-1e999"', "-1e999 overflows"), ("9" * 400, "an integer of 400 digits overflows"), (".nan", "finite"), (".inf", "finite")],
)
def test_numbers_beyond_the_float_range_are_named(spelled, said):
    with pytest.raises(ScenarioError, match=said):
        read_bytes(yaml_with("position", spelled), "yaml", "f.yaml")


def test_csv_cells_follow_the_same_rule():
    header = "actor,issue,position,salience,capability\n"
    for cell, said in [("2e2", "position 200 lies outside"), ("1e309", "1e309 overflows"), ("9" * 400, "overflows"), ("nan", "expected a number")]:
        body = header + f"x,a,{cell},50,1\ny,a,20,50,1\n"
        with pytest.raises(ScenarioError, match=said):
            read_bytes(body.encode(), "csv", "f.csv")


def test_read_number_accepts_decimal_spellings_only():
    from detente.scenario import read_number

    assert read_number(" -6e1 ") == -60.0 and read_number(".5") == 0.5 and read_number("0,5", decimal_comma=True) == 0.5
    for text in ["1_000", "0x10", "infinity", "١٢", "", "5%"]:
        with pytest.raises(ValueError):
            read_number(text)
    assert math.isfinite(read_number(10**300))
