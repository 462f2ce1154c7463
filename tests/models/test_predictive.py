"""Calibrated predictive distributions: scores by hand, calibration on synthetic data, the shipped
error models, and intervals that widen when the actors are more divided."""

import json
from importlib import resources
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from detente import models as registry
from detente.analysis.calibration import interval_score
from detente.forecast import forecast
from detente.models.predictive import GRID, Predictive, conformal_levels, error_model, fit_error_model, issue_features, uniform_spread
from detente.scenario import Scenario


def step_at(value: float) -> Predictive:
    return Predictive((GRID >= value).astype(float)[None, :])


def test_crps_of_a_point_forecast_is_the_absolute_error():
    assert step_at(30.0).crps([72.0])[0] == pytest.approx(42.0, abs=0.11)


def test_crps_of_the_uniform_distribution_by_hand():
    uniform = Predictive((GRID / 100.0)[None, :])
    # ∫0^50 (t/100)² dt + ∫50^100 (1 − t/100)² dt = 2 · 50³ / (3 · 100²)
    assert uniform.crps([50.0])[0] == pytest.approx(2 * 50**3 / 3 / 100**2, abs=0.05)


def test_interval_score_by_hand():
    assert list(interval_score([10, 10, 10], [30, 30, 30], [20, 5, 40], 0.1)) == pytest.approx([20, 20 + 20 * 5, 20 + 20 * 10])


def test_uniform_spread_baseline_keeps_the_quantiles():
    baseline = uniform_spread(np.array([[10.0, 30.0, 60.0, 90.0]]))
    assert baseline.quantile([0.05, 0.25, 0.75, 0.95])[0] == pytest.approx([10, 30, 60, 90], abs=0.11)


def test_conformal_level_is_the_rank_ceil_of_level_times_n_plus_one():
    needed = np.arange(1, 11) / 10
    assert conformal_levels(needed, (0.5, 0.9, 0.95)) == pytest.approx({0.5: 0.6, 0.9: 1.0, 0.95: 1.0})


def synthetic(n: int, seed: int):
    """Outcomes around a forecast with an error that grows with dispersion, often at a position."""
    rng = np.random.default_rng(seed)
    positions = rng.uniform(0, 100, (n, 5)).round()
    features = np.column_stack([np.ptp(positions, axis=1), positions.std(axis=1)])
    forecast = positions.mean(axis=1)
    continuous = np.clip(forecast + rng.normal(0, 0.6 * features[:, 1]), 0, 100)
    nearest = positions[np.arange(n), np.abs(positions - continuous[:, None]).argmin(axis=1)]
    outcome = np.where(rng.random(n) < 0.5, nearest, continuous)
    return forecast, outcome, features, positions


def test_a_fitted_error_model_covers_unseen_outcomes_at_the_nominal_rate():
    train = synthetic(600, 1)
    test = synthetic(2000, 2)
    fit = fit_error_model("toy", *train, clusters=np.arange(600))
    distribution = fit.distribution(test[0], test[2], test[3])
    q = distribution.intervals()
    y = test[1]
    assert np.mean((q[:, 0] <= y) & (y <= q[:, 3])) == pytest.approx(0.9, abs=0.03)
    assert np.mean((q[:, 1] <= y) & (y <= q[:, 2])) == pytest.approx(0.5, abs=0.04)
    assert fit.atom_share > 0.2  # half the outcomes sit on a position
    assert fit.coefficients[2] > 0  # the scale grows with dispersion


def test_band_probabilities_sum_to_one():
    fit = error_model("compromise")
    distribution = fit.distribution([40.0], [[60.0, 20.0]], [[10.0, 40.0, 70.0]])
    p = distribution.band_probabilities(np.array([[0, 25, 50, 75, 100.0]]))
    assert p.sum() == pytest.approx(1.0) and (p >= 0).all()


def test_every_registered_model_ships_an_error_model():
    data = json.loads((resources.files("detente") / "data" / "error_models.json").read_text())
    assert set(registry.registry()) <= set(data["models"])
    assert (Path(__file__).resolve().parents[2] / data["generated_by"]).exists()


def spread_scenario(low: float, high: float) -> Scenario:
    return Scenario.from_dict(
        {
            "id": "spread",
            "issues": [{"id": "a"}],
            "actors": [
                {"id": "left", "capability": 1, "stances": {"a": {"position": low, "salience": 1}}},
                {"id": "middle", "capability": 1, "stances": {"a": {"position": 50, "salience": 1}}},
                {"id": "right", "capability": 1, "stances": {"a": {"position": high, "salience": 1}}},
            ],
        }
    )


@pytest.mark.parametrize("model", ["compromise", "consensus", "exchange"])
def test_interval_holds_the_point_and_widens_when_the_actors_are_more_divided(model):
    close, divided = (forecast(spread_scenario(lo, hi), [model])[model] for lo, hi in ((40, 60), (5, 95)))
    assert close.values[0] == pytest.approx(50.0) and divided.values[0] == pytest.approx(50.0)
    fit = error_model(model)
    assert fit.scale(issue_features(divided.scenario.batch())[0]) > fit.scale(issue_features(close.scenario.batch())[0])
    for result in (close, divided):
        q05, q25, q75, q95 = result.intervals()[0]
        assert q05 <= q25 <= result.values[0] <= q75 <= q95
    width = lambda r: r.intervals()[0, 3] - r.intervals()[0, 0]  # noqa: E731
    assert width(divided) > width(close) + 10


def test_forecast_records_carry_the_interval_ends():
    for record in forecast("ukraine-2024-11", ["compromise", "consensus"]).records():
        assert record["q05"] <= record["q25"] < record["q75"] <= record["q95"]
        assert record["q05"] < record["value"] < record["q95"]
        assert record["q95"] - record["q05"] > 40  # the actors are far apart on every issue


@settings(max_examples=60, deadline=None)
@given(
    forecast=st.floats(0, 100),
    positions=st.lists(st.floats(0, 100), min_size=2, max_size=8),
    model=st.sampled_from(["compromise", "consensus", "exchange", "eum"]),
)
def test_every_predictive_distribution_is_a_distribution_on_the_scale(forecast, positions, model):
    positions = np.array([positions])
    features = [[np.ptp(positions), positions.std()]]
    distribution = error_model(model).distribution([forecast], features, positions)
    cdf = distribution.cdf[0]
    assert (np.diff(cdf) >= -1e-12).all() and cdf[0] >= 0 and cdf[-1] == pytest.approx(1.0)
    q05, q25, q75, q95 = distribution.intervals()[0]
    assert 0 <= q05 <= q25 <= q75 <= q95 <= 100
    assert distribution.band_probabilities(np.array([[0, 20, 50, 100.0]])).sum() == pytest.approx(1.0)
