"""The Python API says what it expected when given the wrong kind of argument."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import detente
from detente.io import bundled_path, load, save


def test_forecast_takes_a_path_as_load_does():
    result = detente.forecast(Path(bundled_path("ukraine-2024-11")), models=["median"])
    assert result["median"].forecast["territory"] == detente.forecast("ukraine-2024-11", models=["median"])["median"].forecast["territory"]


@pytest.mark.parametrize("given", [None, {"id": "x"}, pd.DataFrame({"actor": ["a"]}), 123])
def test_forecast_of_something_that_is_no_scenario_is_a_type_error(given):
    with pytest.raises(TypeError, match=f"forecast\\(\\) takes a Scenario, a file path or the id of a bundled scenario, got {type(given).__name__}"):
        detente.forecast(given)


def test_one_model_name_and_one_setting_may_be_plain_strings():
    result = detente.forecast("ukraine-2024-11", models="median")
    assert [r.model for r in result] == ["median"]
    with_setting = detente.forecast("ukraine-2024-11", models="eum", settings="max_rounds=1")
    assert with_setting["eum"].forecast == detente.forecast("ukraine-2024-11", models=["eum"], settings=["max_rounds=1"])["eum"].forecast


def test_load_and_save_name_what_they_expected():
    with pytest.raises(TypeError, match="load\\(\\) takes a file path or the id of a bundled scenario, got dict"):
        load({"id": "x"})
    with pytest.raises(ValueError, match="load\\(\\) takes a file path or the id of a bundled scenario, got ''"):
        load("")
    with pytest.raises(TypeError, match="save\\(\\) takes a Scenario to write, got NoneType"):
        save(None, "x.yaml")
    with pytest.raises(TypeError, match="save\\(\\) takes the file path to write to, got None"):
        save(load("ukraine-2024-11"), None)
