"""The ensemble: combinations by hand, options, and member options carried by a scenario."""

import numpy as np
import pytest

from detente import models
from detente.errors import OptionError
from detente.models.ensemble import DEFAULT_MEMBERS, FITTED_WEIGHTS, EnsembleModel, combine_forecasts
from detente.scenario import Scenario
from tests.conftest import TOY_CAPABILITY, TOY_POSITIONS, TOY_SALIENCE, one_issue_batch

MEMBERS = np.array([[1.0, 2.0], [3.0, np.nan], [8.0, 4.0]])  # three members, two issues


def test_combinations_by_hand_skip_missing_members():
    assert list(combine_forecasts(MEMBERS, "mean")) == pytest.approx([4.0, 3.0])
    assert list(combine_forecasts(MEMBERS, "median")) == pytest.approx([3.0, 3.0])
    assert list(combine_forecasts(MEMBERS, "weights", np.array([1.0, 1.0, 2.0]))) == pytest.approx([20 / 4, 10 / 3])
    assert np.isnan(combine_forecasts(np.full((2, 1), np.nan), "mean")[0])


def test_ensemble_is_the_mean_of_its_members():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY, status_quo=10)
    names = ["compromise", "median", "nash"]
    members = [models.create(name).forecast_batch(batch)[0, 0] for name in names]
    assert EnsembleModel(members=names).forecast_batch(batch)[0, 0] == pytest.approx(np.mean(members))
    median = EnsembleModel(members=names, combine="median").forecast_batch(batch)[0, 0]
    assert median == pytest.approx(np.median(members))


def test_default_is_the_mean_of_compromise_and_exchange():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY, status_quo=10)
    expected = np.mean([models.create(name).forecast_batch(batch)[0, 0] for name in ("compromise", "exchange")])
    assert EnsembleModel().forecast_batch(batch)[0, 0] == pytest.approx(expected)


def test_weights_follow_the_members_and_default_to_the_fitted_ones():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY, status_quo=10)
    weighted = EnsembleModel.from_settings(["members=compromise,median", "combine=weights", "weights=3,1"])
    compromise, median = (models.create(n).forecast_batch(batch)[0, 0] for n in ("compromise", "median"))
    assert weighted.forecast_batch(batch)[0, 0] == pytest.approx((3 * compromise + median) / 4)
    fitted = EnsembleModel(combine="weights").forecast_batch(batch)[0, 0]
    values = [models.create(n).forecast_batch(batch)[0, 0] for n in DEFAULT_MEMBERS]
    assert fitted == pytest.approx(np.dot(FITTED_WEIGHTS, values) / np.sum(FITTED_WEIGHTS))


@pytest.mark.parametrize(
    "settings, message",
    [
        (["members=compromise,ensemble"], "cannot contain itself"),
        (["members=compromise,oracle"], "unknown model 'oracle'"),
        (["members=compromise,median", "weights=1"], "one weight per member"),
        (["weights=-1,1"], ">= 0"),
    ],
)
def test_bad_options_are_clear_errors(settings, message):
    with pytest.raises(OptionError, match=message):
        EnsembleModel.from_settings(settings)


def test_weights_for_other_members_must_be_given():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY)
    with pytest.raises(OptionError, match="needs weights"):
        EnsembleModel(members=["compromise", "median"], combine="weights").forecast_batch(batch)


def _carrying_a_median_quota() -> Scenario:
    return Scenario.from_dict(
        {
            "id": "carried",
            "issues": [{"id": "k"}],
            "actors": [{"id": f"a{i}", "capability": float(c), "stances": {"k": {"position": float(x), "salience": float(s)}}} for i, (x, s, c) in enumerate(zip(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY))],
            "models": {"median": {"quota": 0.74}},
        }
    )


def test_members_take_the_options_the_scenario_carries():
    scenario = _carrying_a_median_quota()
    qualified = models.create("median", quota=0.74).run(scenario).values[0]
    assert EnsembleModel(members=["median"]).run(scenario).values[0] == pytest.approx(qualified)
    assert qualified != pytest.approx(models.create("median").forecast_batch(scenario.batch())[0, 0] * 100)


def test_simulate_and_sensitivity_give_the_members_the_carried_options_too():
    # The point forecast of `simulate` and the baseline of `sensitivity` must be the `forecast` one.
    from detente.analysis.montecarlo import simulate
    from detente.analysis.sensitivity import sensitivity

    scenario = _carrying_a_median_quota()
    qualified = models.create("median", quota=0.74).run(scenario).values[0]
    simulated = simulate(scenario, ["ensemble"], draws=4, settings=["ensemble.members=median"])
    assert simulated.point[0, 0] == pytest.approx(qualified)
    assert simulated.values[0, :, 0] == pytest.approx([qualified] * 4)
    assert sensitivity(scenario, "ensemble", ["members=median"], method="finite").baseline[0] == pytest.approx(qualified)


def test_the_ensemble_is_selectable_but_not_in_the_default_set():
    assert "ensemble" in models.registry() and "ensemble" not in models.default_names()
