"""Random cases for checking the exchange model against a reference implementation, run for run.

``random_case(seed)`` draws one case: 3-30 actors, 1-8 issues, positions on 0..100 with some at
the scale ends and some coinciding with another actor's, saliences with some near 0 and near 1,
and power either one value per actor or one per actor and issue. The same seed gives the same case
on every machine (numpy's PCG64), so a fixture of a reference's outputs names its case by seed.

The differential harness that runs decide-exchange-model on these cases lives outside the project
(the reference is GPL); tests/data/exchange-reference/ holds its outputs for a few seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.models.exchange import RoundState


@dataclass(frozen=True)
class ExchangeCase:
    """One random case: arrays (actors, issues) on the model's scales, and how it was drawn."""

    seed: int
    position: np.ndarray  # 0..100
    salience: np.ndarray  # (0, 1]
    power: np.ndarray  # > 0
    power_per_issue: bool

    @property
    def state(self) -> RoundState:
        return RoundState(self.position.copy(), self.salience.copy(), self.power.copy(), np.ones(self.position.shape, dtype=bool))

    def to_json(self) -> dict:
        return {
            "seed": self.seed,
            "power_per_issue": self.power_per_issue,
            "position": self.position.tolist(),
            "salience": self.salience.tolist(),
            "power": self.power.tolist(),
        }


def random_case(seed: int, actors: int | None = None, issues: int | None = None) -> ExchangeCase:
    """Draw case ``seed``; ``actors``/``issues`` fix its size (else drawn from 3-30 and 1-8)."""
    rng = np.random.default_rng([2016, seed])
    n = int(rng.integers(3, 31)) if actors is None else actors
    m = int(rng.integers(1, 9)) if issues is None else issues
    position = rng.uniform(0, 100, (n, m))
    ends = rng.random((n, m)) < 0.15
    position[ends] = rng.choice([0.0, 100.0], ends.sum())
    coincide = rng.random((n, m)) < 0.15
    rows, cols = np.nonzero(coincide)
    position[rows, cols] = position[rng.integers(0, n, len(rows)), cols]
    salience = rng.uniform(0.05, 1.0, (n, m))
    near_zero, near_one = rng.random((n, m)) < 0.1, rng.random((n, m)) < 0.1
    salience[near_zero] = rng.uniform(0.001, 0.01, near_zero.sum())
    salience[near_one] = rng.uniform(0.99, 1.0, near_one.sum())
    power_per_issue = bool(seed % 2)
    power = rng.uniform(0.05, 1.0, (n, m) if power_per_issue else (n, 1))
    power = np.broadcast_to(power, (n, m)).copy()
    return ExchangeCase(seed, position, salience, power, power_per_issue)
