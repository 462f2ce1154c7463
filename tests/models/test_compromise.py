import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.models.compromise import CompromiseModel, actor_weights, mean_sensitivities, weighted_mean
from detente.scenario import Batch

from ..conftest import TOY_CAPABILITY, TOY_POSITIONS, TOY_SALIENCE, one_issue_batch


def test_emission_case_cs_mean_matches_models_md(emission_batch):
    value = CompromiseModel().forecast_batch(emission_batch)[0, 0] * 6 + 4
    assert value == pytest.approx(7.3900, abs=1e-4)


def test_emission_case_capability_only_mean(emission_batch):
    value = CompromiseModel(weighting="c").forecast_batch(emission_batch)[0, 0] * 6 + 4
    assert value == pytest.approx(7.4752, abs=1e-4)


def test_toy_issue_cs_mean():
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY)
    assert CompromiseModel().forecast_batch(batch)[0, 0] * 100 == pytest.approx(56.1135, abs=1e-4)


def test_variants_weigh_as_documented():
    batch = one_issue_batch([0, 100], [0.5, 1.0], [3.0, 1.0])
    mean = lambda **o: CompromiseModel(**o).forecast_batch(batch)[0, 0] * 100  # noqa: E731
    assert mean() == pytest.approx(100 * 1.0 / (1.5 + 1.0))
    assert mean(weighting="c") == pytest.approx(25.0)
    assert mean(weighting="s") == pytest.approx(100 / 1.5)
    assert mean(weighting="none") == pytest.approx(50.0)
    assert mean(salience_exponent=2) == pytest.approx(100 * 1.0 / (0.75 + 1.0))


def test_status_quo_pseudo_actor_takes_its_share():
    batch = one_issue_batch([0, 100], [1, 1], [1, 1], status_quo=0)
    assert CompromiseModel(status_quo_share=0.2).forecast_batch(batch)[0, 0] == pytest.approx(0.8 * 0.5)


def test_absent_stances_carry_no_weight():
    batch = Batch(
        np.array([[[0.2, 0.9], [0.6, np.nan]]]), np.array([[[1.0, 1.0], [1.0, 0.0]]]), np.ones((1, 2, 2)),
        np.array([[True, True], [True, False]]), np.array([np.nan, np.nan]),
    )
    assert CompromiseModel().forecast_batch(batch)[0] == pytest.approx([0.4, 0.9])


def test_closed_form_derivatives_match_finite_differences():
    rng = np.random.default_rng(3)
    x, s, c = rng.uniform(size=6), rng.uniform(0.1, 1, 6), rng.uniform(0.5, 2, 6)
    present = np.ones((6, 1), bool)
    grads = mean_sensitivities(x[:, None], s[:, None], c[:, None], present)

    def outcome(x=x, s=s, c=c):
        return weighted_mean(x[:, None], (c * s)[:, None])[0]

    h = 1e-6
    for j in range(6):
        bump = np.eye(6)[j] * h
        assert grads["position"][j, 0] == pytest.approx((outcome(x=x + bump) - outcome(x=x - bump)) / (2 * h), rel=1e-6)
        assert grads["capability"][j, 0] == pytest.approx((outcome(c=c + bump) - outcome(c=c - bump)) / (2 * h), rel=1e-6)
        assert grads["salience"][j, 0] == pytest.approx((outcome(s=s + bump) - outcome(s=s - bump)) / (2 * h), rel=1e-6)


actors = st.integers(min_value=2, max_value=12)


@st.composite
def issues(draw):
    n = draw(actors)
    unit = st.floats(0, 1, allow_nan=False)
    positive = st.floats(0.01, 1, allow_nan=False)
    x = np.array(draw(st.lists(unit, min_size=n, max_size=n)))
    s = np.array(draw(st.lists(positive, min_size=n, max_size=n)))
    c = np.array(draw(st.lists(st.floats(0.1, 100, allow_nan=False), min_size=n, max_size=n)))
    return x, s, c


def _batch(x, s, c):
    return Batch(x[None, :, None], s[None, :, None], c[None, :, None], np.ones((len(x), 1), bool), np.array([np.nan]))


@given(issues())
def test_mean_lies_within_the_positions(data):
    x, s, c = data
    value = CompromiseModel().forecast_batch(_batch(x, s, c))[0, 0]
    assert x.min() - 1e-12 <= value <= x.max() + 1e-12


@given(issues(), st.randoms(use_true_random=False))
def test_mean_does_not_depend_on_actor_order(data, random):
    x, s, c = data
    order = list(range(len(x)))
    random.shuffle(order)
    assert CompromiseModel().forecast_batch(_batch(x[order], s[order], c[order]))[0, 0] == pytest.approx(
        CompromiseModel().forecast_batch(_batch(x, s, c))[0, 0], abs=1e-12
    )


@given(issues(), st.floats(0.01, 1000))
def test_scaling_every_capability_changes_nothing(data, factor):
    x, s, c = data
    assert CompromiseModel().forecast_batch(_batch(x, s, c * factor))[0, 0] == pytest.approx(
        CompromiseModel().forecast_batch(_batch(x, s, c))[0, 0], abs=1e-9
    )


@given(issues(), st.integers(0, 11), st.floats(0, 1))
def test_moving_an_actor_toward_the_outcome_never_pulls_it_away(data, who, step):
    x, s, c = data
    j = who % len(x)
    before = CompromiseModel().forecast_batch(_batch(x, s, c))[0, 0]
    moved = x.copy()
    moved[j] = x[j] + step * (before - x[j])
    after = CompromiseModel().forecast_batch(_batch(moved, s, c))[0, 0]
    assert abs(after - moved[j]) <= abs(before - x[j]) + 1e-12
    assert (after - moved[j]) * (before - x[j]) >= -1e-15


def test_batch_axis_gives_each_draw_its_own_forecast():
    batch = _batch(np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([1.0, 3.0])).repeat(3)
    capability = batch.capability.copy()
    capability[1, 0, 0] = 3.0
    batch = Batch(batch.position, batch.salience, capability, batch.present, batch.status_quo)
    assert CompromiseModel().forecast_batch(batch)[:, 0] == pytest.approx([0.75, 0.5, 0.75])


def test_weights_are_zero_where_absent():
    batch = Batch(np.array([[[0.5]]]), np.array([[[0.5]]]), np.array([[[2.0]]]), np.array([[False]]), np.array([np.nan]))
    assert actor_weights(batch)[0, 0, 0] == 0
