"""The naive benchmarks: median actor position and status quo."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.models.baselines import MedianActorModel, StatusQuoModel
from detente.scenario import Batch
from tests.conftest import TOY_CAPABILITY, TOY_POSITIONS, TOY_SALIENCE, one_issue_batch


def test_median_actor_of_the_toy_issue_is_the_middle_position():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY)
    assert MedianActorModel().forecast_batch(batch)[0, 0] == pytest.approx(0.55)


def test_median_actor_takes_the_midpoint_of_an_even_count_and_ignores_weights():
    # weights would pull the weighted median to 90; salience 0 still counts as a stance
    batch = one_issue_batch([10, 20, 60, 90], [0.1, 0.0, 0.1, 1.0], [1, 1, 1, 100])
    assert MedianActorModel().forecast_batch(batch)[0, 0] == pytest.approx(0.40)


def test_median_actor_skips_absent_stances():
    batch = one_issue_batch([10, 20, 60, 90], [0.5] * 4, [1] * 4)
    present = np.array([[True], [True], [True], [False]])
    partial = Batch(batch.position, batch.salience, batch.capability, present, batch.status_quo)
    assert MedianActorModel().forecast_batch(partial)[0, 0] == pytest.approx(0.20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=12))
def test_median_actor_is_numpys_median(positions):
    batch = one_issue_batch(positions, [0.5] * len(positions), [1.0] * len(positions))
    assert MedianActorModel().forecast_batch(batch)[0, 0] == pytest.approx(np.median(positions) / 100, abs=1e-12)


def test_status_quo_forecast_is_the_status_quo_or_none():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY, status_quo=30).repeat(3)
    assert list(StatusQuoModel().forecast_batch(batch)[:, 0]) == pytest.approx([0.3] * 3)
    assert np.isnan(StatusQuoModel().forecast_batch(one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY))[0, 0])


def test_baselines_stay_out_of_the_default_forecast():
    from detente import models

    assert {"median-actor", "status-quo"} <= set(models.registry())
    assert not {"median-actor", "status-quo"} & set(models.default_names())
