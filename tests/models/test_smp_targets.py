"""SMP's choice of targets evaluates only the challenges that can win (issue 15): it must choose
exactly what evaluating every (initiator, target) pair chooses, with the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from detente.models.smp import MIN_GAIN, TIE_TOLERANCE, _ChallengeParts, best_targets, gain_bounds, perceived_risk


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
def test_pruned_targets_are_the_exhaustive_ones(seed, rule):
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
