"""SMP's shortcuts for many actors (issue 15) must give what the plain computation gives.

* The choice of targets evaluates only the challenges that can win: it must choose exactly what
  evaluating every (initiator, target) pair chooses, with the same numbers.
* From 128 actors the actors³ sums run in compiled loops (detente.models.smp_kernels): elections,
  the bargains' scores, the grouping of equal positions. Each must give what the numpy code gives
  (to rounding, also for identical options, unanimous contests and actors a hair apart), and a
  whole run must go through the same states.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.io import load
from detente.models import smp
from detente.models.smp import MIN_GAIN, TIE_TOLERANCE, _ChallengeParts, best_targets, coalition_strengths, gain_bounds, perceived_risk

A080 = Path(__file__).resolve().parents[1] / "data" / "ktab" / "dummyData-a080.csv"


def exhaustive(distance, perceived, weights, sigma, rule, commit):
    """Every pair evaluated, then KTAB's rule: the first target within the tie tolerance of the best gain."""
    batch, n, _ = distance.shape
    b, i, j = (a.reshape(-1) for a in np.meshgrid(np.arange(batch), np.arange(n), np.arange(n), indexing="ij"))
    p, g = _ChallengeParts(distance, perceived, weights, sigma, rule, commit).evaluate(b, i, j)
    p, g = p.reshape(batch, n, n), g.reshape(batch, n, n)
    g[:, np.arange(n), np.arange(n)] = -np.inf
    worthwhile = np.where(g > MIN_GAIN, g, -np.inf)
    top = worthwhile.max(axis=-1, keepdims=True)
    choice = (worthwhile >= top - TIE_TOLERANCE * np.maximum(1.0, np.abs(top))).argmax(axis=-1)
    has = top[..., 0] > MIN_GAIN
    pick = lambda a: np.where(has, np.take_along_axis(a, choice[..., None], axis=-1)[..., 0], np.nan)  # noqa: E731
    return np.where(has, choice, -1), pick(p), pick(g), g


def random_state(seed: int, batch: int, n: int, spread_sigma: bool):
    rng = np.random.default_rng(seed)
    distance = rng.uniform(0, 1, (batch, n, n))
    distance[:, np.arange(n), np.arange(n)] *= rng.uniform(0, 1, (batch, n)) < 0.5  # some ideals away from positions
    distance[:, 3] = distance[:, 2]  # two actors with the same data: a tie
    distance[:, :, 3] = distance[:, :, 2]
    risk = rng.uniform(-0.5, 1, (batch, n))
    weights = rng.uniform(0.05, 1, (batch, n))
    sigma = rng.uniform(0.05, 1, (batch, n)) if spread_sigma else np.ones((batch, n))
    return distance, perceived_risk(risk, "OneThird"), weights, sigma


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("rule", ["Proportional", "Binary", "ASymProsp"])
@pytest.mark.parametrize("screen_from", [0, 10**9])  # with and without the single-precision screen (Proportional only)
def test_pruned_targets_are_the_exhaustive_ones(seed, rule, screen_from, monkeypatch):
    monkeypatch.setattr(smp, "SCREEN_FROM", screen_from)
    monkeypatch.setattr(smp, "SCREEN_BLOCK", 37)  # blocks that split one initiator's targets
    state = random_state(seed, batch=2, n=40, spread_sigma=seed % 2 == 1)
    target, p, gain = best_targets(*state, rule, "SemiCommit")
    want_target, want_p, want_gain, _ = exhaustive(*state, rule, "SemiCommit")
    np.testing.assert_array_equal(target, want_target)
    np.testing.assert_array_equal(p, want_p)
    np.testing.assert_array_equal(gain, want_gain)


def test_the_gain_bound_holds_for_every_challenge():
    state = random_state(7, batch=3, n=30, spread_sigma=True)
    parts = _ChallengeParts(*state, "Proportional", "SemiCommit")
    *_, gain = exhaustive(*state, "Proportional", "SemiCommit")
    bound = gain_bounds(parts.u_ii, parts.u_ij, state[3])
    off_diagonal = ~np.eye(30, dtype=bool)
    assert (np.abs(gain) <= bound)[:, off_diagonal].all()
    assert (bound < 2 * np.abs(gain) + 1e-9)[:, off_diagonal].mean() > 0.2  # and is not vacuous


@pytest.mark.parametrize("seed", range(4))
def test_the_single_precision_screen_bounds_every_gain(seed, monkeypatch):
    """The screen's upper bound must hold for every challenge, also in near ties where the
    principals' coalitions are tiny (actors a hair apart), and be close enough to prune."""
    distance, perceived, weights, sigma = random_state(seed, batch=2, n=60, spread_sigma=seed % 2 == 1)
    near = slice(10, 30)  # twenty actors whose positions are almost the same for everyone
    distance[:, :, near] = distance[:, :, 10:11] + np.random.default_rng(seed).uniform(0, 1e-7, (2, 60, 20))
    distance = np.clip(distance, 0.0, 1.0)
    perceived[:, 0, 0] = 1.0 + 2.220446049250313e-16  # a risk attitude of 1 computed with a rounding error, as runs give
    monkeypatch.setattr(smp, "SCREEN_FROM", 0)
    parts = _ChallengeParts(distance, perceived, weights, sigma, "Proportional", "SemiCommit")
    assert parts.screenable
    *_, gain = exhaustive(distance, perceived, weights, sigma, "Proportional", "SemiCommit")
    b, i, j = np.nonzero(~np.eye(60, dtype=bool)[None].repeat(2, axis=0))
    estimate, upper = parts.screen(b, i, j)
    assert (upper >= gain[b, i, j]).all()
    assert np.abs(estimate - gain[b, i, j]).max() < 1e-4
    assert np.median(upper - gain[b, i, j]) < 0.05  # not vacuous


def test_pruned_targets_are_the_exhaustive_ones_in_a_run_that_has_converged(monkeypatch):
    """Late in a run contests are close and most targets stay within the simple bound: the screen
    must still pick what evaluating every pair picks."""
    monkeypatch.setattr(smp, "SCREEN_FROM", 64)
    options = smp.SMPOptions(max_turns=12)
    inputs = smp.prepare_inputs(load(A080).batch(), options)
    states = smp.simulate(inputs, options, record=True).states[0]
    sigma = inputs.saliences.sum(axis=-1)
    weights = inputs.capabilities * sigma
    for state in (states[4], states[-1]):
        assessment = smp.assess(state.positions[None], state.ideals[None], inputs.saliences, inputs.capabilities, options)
        args = (assessment.distance, assessment.perceived, weights, sigma, "Proportional", "SemiCommit")
        assert _ChallengeParts(*args).screenable
        target, p, gain = best_targets(*args)
        want_target, want_p, want_gain, _ = exhaustive(*args)
        np.testing.assert_array_equal(target, want_target)
        np.testing.assert_array_equal(p, want_p)
        np.testing.assert_array_equal(gain, want_gain)


@pytest.mark.parametrize("voters", [5, 200])
def test_large_elections_sum_votes_as_the_direct_sums(voters, monkeypatch):
    rng = np.random.default_rng(voters)
    utilities = rng.uniform(0, 1, (2, voters, 150))
    utilities[:, :, 5] = utilities[:, :, 4]  # identical options: no votes either way
    utilities[:, :, 7] = utilities[:, :, 6] - 0.3  # every voter prefers option 6 to option 7
    weights = rng.uniform(0, 1, (2, voters))
    weights[:, 0] = 0.0
    fast = coalition_strengths(utilities, weights, "Proportional")
    monkeypatch.setattr(smp, "LARGE_ELECTION", 10**9)
    direct = coalition_strengths(utilities, weights, "Proportional")
    np.testing.assert_allclose(fast, direct, rtol=1e-12, atol=0)
    assert fast[0, 4, 5] == fast[0, 5, 4] == smp.MIN_COALITION
    assert fast[0, 7, 6] == smp.MIN_COALITION  # the unanimous loser's coalition is exactly empty


COMPILED_FROM = ("LARGE_ELECTION", "SCREEN_FROM", "COMPILED_SCORES_FROM")


def compiled(monkeypatch, on: bool) -> None:
    for name in COMPILED_FROM:
        monkeypatch.setattr(smp, name, 16 if on else 10**9)


def test_a_run_of_80_actors_goes_through_the_same_states_with_the_compiled_loops(monkeypatch):
    scenario = load(A080)
    compiled(monkeypatch, True)
    fast = smp.SpatialModelOfPolitics(max_turns=8).run(scenario)
    compiled(monkeypatch, False)
    direct = smp.SpatialModelOfPolitics(max_turns=8).run(scenario)
    assert fast.positions.shape == direct.positions.shape
    np.testing.assert_allclose(fast.positions, direct.positions, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fast.risk, direct.risk, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fast.actor_probability, direct.actor_probability, rtol=0, atol=1e-9)
    assert [[members for members, _ in state] for state in fast.distinct] == [[members for members, _ in state] for state in direct.distinct]
    chances = [[p for state in result.distinct for _, p in state] for result in (fast, direct)]
    np.testing.assert_allclose(*chances, rtol=0, atol=1e-9)


def clustered_positions(seed: int, batch: int = 3, n: int = 40, issues: int = 4) -> np.ndarray:
    """Positions in a few tight clusters, some pairs just inside and just outside 1e-3 apart."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1, (batch, 5, issues))
    positions = centres[:, rng.integers(0, 5, n)] + rng.normal(0, 3e-4, (batch, n, issues))
    positions[:, 7] = positions[:, 6] + np.array([0.999e-3] + [0.0] * (issues - 1))
    positions[:, 9] = positions[:, 8] + np.array([1.001e-3] + [0.0] * (issues - 1))
    return positions


@pytest.mark.parametrize("seed", range(3))
def test_distinct_positions_and_each_actors_share_are_the_numpy_ones(seed, monkeypatch):
    positions = clustered_positions(seed)
    probability = np.random.default_rng(seed).dirichlet(np.ones(40), 3)
    compiled(monkeypatch, True)
    slot, representative = smp.distinct_positions(positions)
    shares = smp.actor_probabilities(positions, representative, probability)
    compiled(monkeypatch, False)
    want_slot, want_representative = smp.distinct_positions(positions)
    np.testing.assert_array_equal(slot, want_slot)
    np.testing.assert_array_equal(representative, want_representative)
    np.testing.assert_array_equal(shares, smp.actor_probabilities(positions, representative, probability))
    assert 5 <= (representative >= 0).sum(axis=-1).min() < 40  # clusters merged, not everything


def test_bargain_scores_are_the_numpy_ones(monkeypatch):
    scenario = load(A080)
    options = smp.SMPOptions()
    inputs = smp.prepare_inputs(scenario.batch(), options)
    positions, saliences, capabilities = inputs.positions, inputs.saliences, inputs.capabilities
    sigma = saliences.sum(axis=-1)
    assessment = smp.assess(positions, positions, saliences, capabilities, options)
    bargains = smp.propose_bargains(positions, saliences, capabilities, assessment, capabilities * sigma, sigma, options)
    compiled(monkeypatch, True)
    scores, status_quo = smp.bargain_scores(bargains, positions, saliences, assessment)
    compiled(monkeypatch, False)
    want_scores, want_status_quo = smp.bargain_scores(bargains, positions, saliences, assessment)
    assert len(bargains) > 50
    np.testing.assert_allclose(scores, want_scores, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(status_quo, want_status_quo)


def test_queue_sized_elections_with_many_voters_sum_votes_as_the_direct_sums(monkeypatch):
    rng = np.random.default_rng(3)
    utilities = rng.uniform(0, 1, (6, 300, 4))  # six queues of four options, 300 voters
    utilities[1, :, 2] = utilities[1, :, 1]
    weights = rng.uniform(0, 1, (6, 300))
    compiled(monkeypatch, True)
    fast = coalition_strengths(utilities, weights, "Proportional")
    compiled(monkeypatch, False)
    np.testing.assert_allclose(fast, coalition_strengths(utilities, weights, "Proportional"), rtol=1e-12, atol=0)
    assert fast[1, 1, 2] == fast[1, 2, 1] == smp.MIN_COALITION


def test_a_batch_of_draws_runs_the_same_with_the_compiled_loops(monkeypatch):
    """Draws go through the compiled loops together (each indexes its draw): a batch of perturbed
    draws of the 80-actor case, some stopping earlier than others, gives the numpy code's forecasts."""
    batch = load(A080).batch().repeat(3)
    rng = np.random.default_rng(5)
    batch.position[...] = np.clip(batch.position + rng.normal(0, 0.05, batch.position.shape), 0, 1)
    options = smp.SMPOptions(max_turns=6)
    inputs = smp.prepare_inputs(batch, options)
    compiled(monkeypatch, True)
    fast = smp.simulate(inputs, options)
    compiled(monkeypatch, False)
    direct = smp.simulate(inputs, options)
    np.testing.assert_array_equal(fast.turns, direct.turns)
    np.testing.assert_allclose(fast.forecast, direct.forecast, rtol=0, atol=1e-9)
    assert not np.allclose(direct.forecast[0], direct.forecast[1])  # the draws differ


@pytest.mark.parametrize("workers", [2, 3])
def test_the_compiled_loops_give_the_same_numbers_on_one_thread_or_several(workers, monkeypatch):
    from detente.models import smp_kernels

    rng = np.random.default_rng(11)
    by_option = np.ascontiguousarray(rng.uniform(0, 1, (3, 70, 90)))  # three elections of 70 options: three tiles each
    weights = rng.uniform(0, 1, (3, 90))
    distance, perceived, weights_60, sigma = random_state(4, batch=2, n=60, spread_sigma=True)
    monkeypatch.setattr(smp, "SCREEN_FROM", 0)
    b, i, j = np.nonzero(~np.eye(60, dtype=bool)[None].repeat(2, axis=0))
    parts = _ChallengeParts(distance, perceived, weights_60, sigma, "Proportional", "SemiCommit")
    monkeypatch.setattr(smp_kernels, "WORKERS", 1)
    alone = smp_kernels.proportional_coalitions(by_option, weights), parts.screen(b, i, j)
    monkeypatch.setattr(smp_kernels, "WORKERS", workers)
    monkeypatch.setattr(smp_kernels, "_SPLIT_FROM", 16)
    together = smp_kernels.proportional_coalitions(by_option, weights), parts.screen(b, i, j)
    np.testing.assert_array_equal(alone[0], together[0])
    np.testing.assert_array_equal(alone[1][0], together[1][0])
    np.testing.assert_array_equal(alone[1][1], together[1][1])
    assert (alone[0][:, np.arange(70), np.arange(70)] == 0).all() and (alone[0] > 0).mean() > 0.9  # every pair filled


def test_compiled_salience_distances_are_the_numpy_ones():
    from detente.models import smp_kernels

    rng = np.random.default_rng(8)
    ideals, points, saliences = rng.uniform(0, 1, (2, 30, 4)), rng.uniform(0, 1, (2, 30, 4)), rng.uniform(0, 1, (2, 30, 4))
    saliences[0, 3] = 0.0  # an actor with no salience anywhere is indifferent: distance 0
    compiled_distances = smp_kernels.salience_distances(ideals, points, saliences)
    np.testing.assert_allclose(compiled_distances, smp.salience_distance(ideals, points, saliences), rtol=1e-14, atol=0)
    assert (compiled_distances[0, 3] == 0).all() and (compiled_distances[1, 3] > 0).all()
