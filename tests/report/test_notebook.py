"""Notebook display: every public result has a short repr and an HTML table, and to_frame()."""

from __future__ import annotations

import pytest

import detente
from detente.analysis.backtest import case_from_scenario, run_backtest
from detente.analysis.compare import compare
from detente.analysis.montecarlo import simulate
from detente.analysis.sensitivity import sensitivity
from detente.analysis.whatif import whatif


@pytest.fixture(scope="module")
def objects():
    scenario = detente.load("ukraine-2024-11")
    forecast = detente.forecast(scenario, ["compromise", "eum", "smp"])
    emission = detente.load("ec-emission-1994")
    return {
        "scenario": scenario,
        "forecast": forecast,
        "eum": forecast["eum"],
        "smp": forecast["smp"],
        "compromise": forecast["compromise"],
        "simulation": simulate(scenario, ["compromise"], 20),
        "sensitivity": sensitivity(scenario, "compromise"),
        "whatif": whatif(scenario, ["drop:HUN"], ["compromise"]),
        "comparison": compare(detente.load("ukraine-2023-06"), scenario, ["compromise"]),
        "backtest": run_backtest([case_from_scenario(emission)], ["compromise", "median"]),
    }


NAMES = ["scenario", "forecast", "eum", "smp", "compromise", "simulation", "sensitivity", "whatif", "comparison", "backtest"]


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_one_short_line(objects, name):
    text = repr(objects[name])
    assert "\n" not in text and len(text) < 200, text
    assert text.startswith("<") and text.endswith(">")


@pytest.mark.parametrize("name", NAMES)
def test_html_is_a_readable_table(objects, name):
    page = objects[name]._repr_html_()
    assert "<table" in page and len(page) < 40_000


def test_forecast_html_places_values_among_the_anchor_labels(objects):
    page = objects["forecast"]._repr_html_()
    assert "Where it falls on the scale" in page
    assert "Russian withdrawal to the lines of 23 February 2022" in page
    assert "Expected utility (Bueno de Mesquita)" in page


@pytest.mark.parametrize("name", ["forecast", "eum"])
def test_forecast_html_shows_the_90_percent_interval_the_terminal_table_shows(objects, name):
    page = objects[name]._repr_html_()
    records = objects[name].records()
    assert "90 % interval" in page
    territory = next(r for r in records if r["issue"] == "territory" and r["model"] == "eum")
    assert f"{territory['q05']:.1f}–{territory['q95']:.1f}" in page


def test_scenario_html_lists_issues_anchors_and_stances(objects):
    page = objects["scenario"]._repr_html_()
    assert "Territorial settlement" in page and "UKR" in page and "5 @ 95" in page


@pytest.mark.parametrize("name", ["forecast", "eum", "simulation", "sensitivity", "whatif", "comparison", "backtest"])
def test_to_frame_is_documented_and_gives_a_frame(objects, name):
    obj = objects[name]
    assert obj.to_frame.__doc__ and len(obj.to_frame.__doc__) > 30
    assert len(obj.to_frame()) > 0


def test_the_readme_says_where_band_probabilities_are(objects):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    spread = objects["simulation"]
    assert "probability" not in spread.to_frame().columns and "probability" in spread.bands_frame().columns
    assert "spread.bands_frame()" in readme
    assert "band probabilities" not in next(line for line in readme.splitlines() if "spread.to_frame()" in line)


def test_stored_runs_and_their_diff_display_short(tmp_path):
    from detente.store import Store

    scenario = detente.load("ukraine-2024-11")
    with Store(tmp_path / "runs.sqlite") as store:
        first = store.record_forecast(detente.forecast(scenario, ["compromise"]))
        second = store.record_forecast(detente.forecast(scenario, ["median"]))
        run, diff = store.get(first), store.diff(first, second)
    for obj in (run, diff):
        assert len(repr(obj)) < 200 and "\n" not in repr(obj)
        assert "<table" in obj._repr_html_()
