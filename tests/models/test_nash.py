import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.models.nash import NashModel, nash_bargaining_1d, pivotal_coalition
from detente.scenario import Batch

from ..conftest import TOY_CAPABILITY, TOY_POSITIONS, TOY_SALIENCE, one_issue_batch
from .test_compromise import issues

# docs/models/specification.md §1.4: NBS for the toy issue at three status quos, γ = 1 and γ = 2.
REFERENCE = [(0, 1, 32.2709), (0, 2, 33.5930), (10, 1, 28.2857), (10, 2, 27.7366), (100, 1, 82.8571), (100, 2, 83.0656)]


@pytest.mark.parametrize("status_quo, gamma, expected", REFERENCE)
def test_toy_issue_matches_models_md(status_quo, gamma, expected):
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY, status_quo=status_quo)
    assert NashModel(gamma=gamma).forecast_batch(batch)[0, 0] * 100 == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("status_quo, gamma, expected", REFERENCE)
def test_joint_bargaining_on_one_issue_agrees(status_quo, gamma, expected):
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY, status_quo=status_quo)
    assert NashModel(gamma=gamma, joint=True).forecast_batch(batch)[0, 0] * 100 == pytest.approx(expected, abs=1e-3)


def test_far_disagreement_limit_is_the_weighted_mean():
    """Achen's limit (docs/models/specification.md §1.1): with SQ far outside, γ=2 NBS tends to the c·s mean; without an SQ we return it."""
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY)
    assert NashModel(gamma=2).forecast_batch(batch)[0, 0] * 100 == pytest.approx(56.1135, abs=1e-4)


def test_an_actor_at_the_status_quo_means_gridlock():
    batch = one_issue_batch([90, 40, 10], [1, 1, 1], [1, 1, 1], status_quo=40)
    assert NashModel().forecast_batch(batch)[0, 0] == pytest.approx(0.4)


def test_quota_rule_needs_only_the_pivotal_coalition():
    # Two actors far right carry 80 % of capability; the holdout at SQ no longer blocks.
    batch = one_issue_batch([90, 80, 10], [1, 1, 1], [4, 4, 2], status_quo=10)
    assert NashModel().forecast_batch(batch)[0, 0] == pytest.approx(0.1)
    moved = NashModel(rule="quota", quota=0.74).forecast_batch(batch)[0, 0]
    assert 0.1 < moved <= 0.9
    x = batch.filled_position
    members = pivotal_coalition(x, batch.capability, np.ones_like(x, bool), np.array([[0.1]]), 0.74)
    assert members[0, :, 0].tolist() == [True, True, False]



@pytest.mark.parametrize("joint", [False, True])
def test_quota_rule_without_a_winning_side_keeps_the_status_quo(joint):
    # Each side of SQ holds half the capability; neither reaches a 74 % quota, so nobody can move
    # the outcome away from SQ (it used to fall to the bottom of the scale with no coalition at all).
    batch = one_issue_batch([20, 80], [1, 1], [1, 1], status_quo=50)
    assert NashModel(rule="quota", quota=0.74, joint=joint).forecast_batch(batch)[0, 0] == pytest.approx(0.5)

def test_joint_bargaining_trades_across_issues():
    """Two issues: the joint NBS stays in the set both prefer to SQ and differs from issue-by-issue."""
    x = np.array([[[0.9, 0.1], [0.1, 0.9]]])
    s = np.array([[[0.9, 0.1], [0.1, 0.9]]])
    batch = Batch(x, s, np.ones_like(x), np.ones((2, 2), bool), np.array([0.5, 0.5]))
    joint = NashModel(joint=True).forecast_batch(batch)[0]
    loss = lambda y, i: (s[0, i] * (y - x[0, i]) ** 2).sum()  # noqa: E731
    for i in range(2):
        assert loss(joint, i) < loss(np.array([0.5, 0.5]), i)


@given(issues(), st.floats(0, 1), st.sampled_from([1, 2]))
@settings(max_examples=150)
def test_nbs_never_leaves_the_set_every_actor_prefers_to_the_status_quo(data, status_quo, gamma):
    x, s, c = data
    batch = Batch(x[None, :, None], s[None, :, None], c[None, :, None], np.ones((len(x), 1), bool), np.array([status_quo]))
    y = NashModel(gamma=gamma).forecast_batch(batch)[0, 0]
    assert np.all(np.abs(y - x) <= np.abs(status_quo - x) + 1e-9)


@given(issues(), st.floats(0, 1), st.randoms(use_true_random=False))
def test_nbs_does_not_depend_on_actor_order(data, status_quo, random):
    x, s, c = data
    order = list(range(len(x)))
    random.shuffle(order)
    run = lambda x, s, c: NashModel().forecast_batch(Batch(x[None, :, None], s[None, :, None], c[None, :, None], np.ones((len(x), 1), bool), np.array([status_quo])))[0, 0]  # noqa: E731
    assert run(x[order], s[order], c[order]) == pytest.approx(run(x, s, c), abs=1e-9)


def test_batch_of_status_quos_is_solved_at_once():
    x = TOY_POSITIONS[None, :, None].repeat(3, axis=0) / 100
    power = TOY_CAPABILITY[None, :, None].repeat(3, axis=0)
    members = np.ones_like(x, bool)
    values = nash_bargaining_1d(x, power, members, np.array([[0.0], [0.1], [1.0]]), gamma=1) * 100
    assert values[:, 0] == pytest.approx([32.2709, 28.2857, 82.8571], abs=1e-4)
