"""Large scenarios: the models answer, or refuse up front with an estimate (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.errors import UsageError
from detente.models import create
from detente.scenario import Scenario


def crowd(actors: int, issues: int = 1, seed: int = 0) -> Scenario:
    """A scenario of many actors with random positions, saliences and capabilities."""
    rng = np.random.default_rng(seed)
    position = rng.uniform(0, 100, (actors, issues))
    salience = rng.uniform(0.1, 1, (actors, issues))
    capability = rng.uniform(0.1, 1, actors)
    return Scenario.from_dict(
        {
            "detente": 1,
            "id": f"crowd-{actors}x{issues}",
            "issues": [{"id": f"i{k}"} for k in range(issues)],
            "actors": [
                {
                    "id": f"a{i}",
                    "capability": float(capability[i]),
                    "stances": {f"i{k}": {"position": float(position[i, k]), "salience": float(salience[i, k])} for k in range(issues)},
                }
                for i in range(actors)
            ],
        }
    )


def test_eum_runs_above_a_thousand_actors():
    """Above 1,000 actors one issue has more pairs than a chunk holds; the chunking made an empty
    chunk and the vote tally crashed ('cannot reshape array of size 0')."""
    scenario = crowd(1001)
    result = create("eum", ["max_rounds=2", "stop_rounds=0", "detect_cycles=false"]).run(scenario)
    assert result.rounds_run["i0"] == 2
    assert 0 <= result.forecast["i0"] <= 100
    assert np.isfinite(result.positions).all()


def test_smp_refuses_a_run_of_many_actors_up_front_with_an_estimate():
    scenario = crowd(3500, 2)
    with pytest.raises(UsageError, match=r"SMP on 3,500 actors needs about \d+ s a turn .* use --set max_turns=N"):
        create("smp").run(scenario)


def test_smp_cost_check_gives_way_to_an_explicit_max_turns():
    from detente.models.smp import check_cost

    with pytest.raises(UsageError, match="needs about"):
        check_cost(1, 3500, create("smp").options)
    check_cost(1, 3500, create("smp", ["max_turns=2"]).options)  # the user bounded the run: no refusal
    check_cost(1, 1000, create("smp").options)  # 1,000 actors: about a minute, not refused
    check_cost(1, 2500, create("smp").options)  # nor 2,500 actors (about 16 s a turn)
    check_cost(64, 30, create("smp").options)  # a Monte Carlo batch of a small scenario is cheap


def test_eum_refuses_an_issue_beyond_its_memory_limit(monkeypatch):
    monkeypatch.setenv("DETENTE_EUM_MEMORY_GB", "0.001")
    with pytest.raises(UsageError, match=r"EUM on 200 actors needs about 0\.0 GB .* the limit is 0\.001 GB \(set DETENTE_EUM_MEMORY_GB"):
        create("eum").run(crowd(200))


def test_eum_keeps_no_pairwise_detail_for_a_large_run():
    """A single run keeps each round's actors x actors perceptions for charts; at 1,000 actors x 10
    issues x 50 rounds that was 16 GB. Above a budget they are not kept, and asking says why."""
    result = create("eum").run(crowd(600, 1))  # 36 B x 600² x 50 rounds > 500 MB
    assert result.details == []
    with pytest.raises(UsageError, match="perceptions are kept only for runs"):
        result.perception(1, "a0", "i0")
    assert create("eum", ["max_rounds=2"]).run(crowd(50, 1)).details  # small runs keep them
