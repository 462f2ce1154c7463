"""Random scenarios for differential tests against the reference implementations (issue 16).

``random_scenario(seed)`` draws one scenario, the same for the same seed on every machine: 3-30
actors on 1-8 issues (scale 0..100), with the corners where implementations part: capabilities
and saliences near 0 and near 1, positions at the scale ends, actors sharing a position, and
(half the cases) a capability per actor and issue. The reference programs were run on these
scenarios outside the project; the numbers they produced for a few seeds are kept in
``tests/data/reference_runs/`` and checked by the model tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _unit_values(rng: np.random.Generator, size: int, low: float) -> np.ndarray:
    """Values in (0, 1] with about a fifth near ``low`` and a fifth at or near 1."""
    values = rng.uniform(0.05, 1.0, size)
    corner = rng.random(size)
    values = np.where(corner < 0.2, rng.uniform(low, 2 * low, size), values)
    values = np.where(corner > 0.9, 1.0, np.where(corner > 0.8, rng.uniform(0.97, 1.0, size), values))
    return np.round(values, 4)


def _positions(rng: np.random.Generator, n: int) -> np.ndarray:
    """Positions on 0..100 with some at the ends and some shared by two or more actors."""
    x = np.round(rng.uniform(0, 100, n), 1)
    kind = rng.random(n)
    x = np.where(kind < 0.12, 0.0, np.where(kind < 0.24, 100.0, x))
    shared = rng.random(n) < 0.2
    x[shared] = x[rng.integers(0, n, int(shared.sum()))]
    if np.ptp(x) == 0:  # at least two distinct positions, or there is nothing to negotiate
        x[0], x[-1] = 0.0, 100.0
    return x


def random_scenario(seed: int, max_actors: int = 30, max_issues: int = 8) -> dict[str, Any]:
    """One random scenario as a scenario-file dict (``Scenario.from_dict`` reads it)."""
    rng = np.random.default_rng([16, seed])
    n = int(rng.integers(3, max_actors + 1))
    m = int(rng.integers(1, max_issues + 1))
    per_issue_power = bool(rng.random() < 0.5)
    capability = _unit_values(rng, n, 0.001)
    positions = np.stack([_positions(rng, n) for _ in range(m)], axis=1)
    salience = np.stack([_unit_values(rng, n, 0.01) for _ in range(m)], axis=1)
    power = np.stack([_unit_values(rng, n, 0.001) for _ in range(m)], axis=1) if per_issue_power else None
    issues = [{"id": f"i{k}", "scale": [0, 100]} for k in range(m)]
    actors = []
    for i in range(n):
        stances = {}
        for k in range(m):
            stance = {"position": float(positions[i, k]), "salience": float(salience[i, k])}
            if power is not None:
                stance["capability"] = float(power[i, k])
            stances[f"i{k}"] = stance
        actors.append({"id": f"a{i}", "capability": float(capability[i]), "stances": stances})
    return {"detente": 1, "id": f"random-{seed}", "issues": issues, "actors": actors}
