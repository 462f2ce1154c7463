import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.models.median import MedianModel, weighted_median

from ..conftest import TOY_CAPABILITY, TOY_POSITIONS, TOY_SALIENCE, one_issue_batch
from .test_compromise import _batch, issues


def test_emission_case_median_is_seven(emission_batch):
    for weighting in ("cs", "c"):
        assert MedianModel(weighting=weighting).forecast_batch(emission_batch)[0, 0] * 6 + 4 == pytest.approx(7, abs=1e-4)


def test_toy_issue_median():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY)
    assert MedianModel().forecast_batch(batch)[0, 0] * 100 == pytest.approx(55, abs=1e-4)


def test_quota_takes_the_quantile():
    x = np.array([[10.0], [20.0], [30.0], [40.0]])
    w = np.ones((4, 1))
    assert weighted_median(x, w, 0.5)[0] == 20
    assert weighted_median(x, w, 0.74)[0] == 30
    assert weighted_median(x, w, 0.76)[0] == 40


def test_exact_half_at_a_gap_reports_lower_or_midpoint():
    x = np.array([[10.0], [20.0], [30.0], [40.0]])
    w = np.ones((4, 1))
    assert weighted_median(x, w, 0.5, tie="lower")[0] == 20
    assert weighted_median(x, w, 0.5, tie="midpoint")[0] == 25


def test_zero_weight_actors_are_ignored():
    x = np.array([[0.0], [50.0], [100.0]])
    w = np.array([[1.0], [0.0], [1.0]])
    assert weighted_median(x, w, 0.5, tie="midpoint")[0] == 50
    assert weighted_median(x, w, 0.5)[0] == 0


@given(issues())
def test_median_is_an_actor_position_that_no_weighted_majority_beats(data):
    x, s, c = data
    value = MedianModel().forecast_batch(_batch(x, s, c))[0, 0]
    assert np.isclose(x, value).any()
    w = c * s
    assert w[x < value - 1e-12].sum() < 0.5 * w.sum() + 1e-9
    assert w[x > value + 1e-12].sum() <= 0.5 * w.sum() + 1e-9


@given(issues(), st.randoms(use_true_random=False))
def test_median_does_not_depend_on_actor_order(data, random):
    x, s, c = data
    order = list(range(len(x)))
    random.shuffle(order)
    assert MedianModel().forecast_batch(_batch(x[order], s[order], c[order]))[0, 0] == pytest.approx(
        MedianModel().forecast_batch(_batch(x, s, c))[0, 0]
    )


@given(issues(), st.floats(0.01, 1000))
def test_median_ignores_a_common_capability_scale(data, factor):
    x, s, c = data
    assert MedianModel().forecast_batch(_batch(x, s, c * factor))[0, 0] == pytest.approx(MedianModel().forecast_batch(_batch(x, s, c))[0, 0])


@given(issues(), st.integers(0, 11), st.floats(0, 1))
def test_moving_an_actor_toward_the_median_never_pulls_it_away(data, who, step):
    x, s, c = data
    j = who % len(x)
    before = MedianModel().forecast_batch(_batch(x, s, c))[0, 0]
    moved = x.copy()
    moved[j] = x[j] + step * (before - x[j])
    after = MedianModel().forecast_batch(_batch(moved, s, c))[0, 0]
    assert abs(after - moved[j]) <= abs(before - x[j]) + 1e-12
