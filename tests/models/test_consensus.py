"""The consensus model: the compromise forecast averaged over capability codings, then 50/50
with the exchange model; codings come from Actor.capabilities (DEU supplies them)."""

import datetime as dt
import math

import numpy as np
import pytest

from detente.errors import ScenarioError
from detente.io.deu import council_votes, shapley_shubik
from detente.models.consensus import ConsensusModel, coding_mean
from detente.models.exchange import ExchangeModel
from detente.scenario import Scenario


def three_actors(codings=({"votes": 1, "population": 9}, {"votes": 3, "population": 16}, {"votes": 1, "population": 64})) -> Scenario:
    """One issue; positions 0, 50, 100, saliences 1, 1, 0.5, capabilities 1, 2, 4."""
    positions, saliences, capabilities = (0, 50, 100), (1.0, 1.0, 0.5), (1, 2, 4)
    return Scenario.from_dict(
        {
            "id": "toy",
            "issues": [{"id": "a"}],
            "actors": [
                {"id": f"x{i}", "capability": capabilities[i], "capabilities": dict(codings[i]), "stances": {"a": {"position": positions[i], "salience": saliences[i]}}}
                for i in range(3)
            ],
        }
    )


def by_hand(weights) -> float:
    positions, saliences = np.array([0, 50, 100.0]), np.array([1, 1, 0.5])
    w = np.asarray(weights, dtype=float) * saliences
    return float((w * positions).sum() / w.sum())


def test_mean_over_codings_by_hand():
    expected = np.mean(
        [
            by_hand([1, 2, 4]),  # capability
            by_hand([1, 3, 1]),  # votes
            by_hand([9, 16, 64]),  # population
            by_hand([3, 4, 8]),  # sqrt(population)
            by_hand([1, 1, 1]),  # equal
        ]
    )
    result = ConsensusModel(exchange_share=0).run(three_actors())
    assert result.values[0] == pytest.approx(expected)
    assert result.codings == ["capability", "population", "votes", "sqrt_population", "equal"]
    assert result.codings_left_out == []


def test_half_consensus_half_exchange():
    scenario = three_actors()
    mean, _ = coding_mean(scenario.batch())
    exchange = ExchangeModel().run(scenario).values[0]
    assert ConsensusModel().run(scenario).values[0] == pytest.approx(0.5 * mean[0, 0] * 100 + 0.5 * exchange)


def test_a_coding_not_every_actor_gives_is_left_out_and_named():
    scenario = three_actors(({"votes": 1}, {"votes": 3, "population": 16}, {"votes": 1}))
    result = ConsensusModel(exchange_share=0).run(scenario)
    assert result.codings == ["capability", "votes", "equal"]
    assert result.codings_left_out == ["population"]
    assert "left out (not given for every actor): population" in result.notes["a"]
    assert result.values[0] == pytest.approx(np.mean([by_hand([1, 2, 4]), by_hand([1, 3, 1]), by_hand([1, 1, 1])]))


def test_a_coding_proportional_to_another_counts_once():
    # votes = 2 x capability and equal capabilities: only 'capability' remains
    scenario = three_actors(({"votes": 2}, {"votes": 4}, {"votes": 8}))
    result = ConsensusModel(exchange_share=0).run(scenario)
    assert result.codings == ["capability", "equal"]


def test_codings_follow_a_perturbed_capability():
    batch = three_actors().batch()
    doubled = type(batch)(batch.position, batch.salience, batch.capability * np.array([2.0, 1, 1])[None, :, None], batch.present, batch.status_quo, batch.codings)
    assert doubled.coding("votes")[0, :, 0] == pytest.approx([2.0, 3, 1])


def test_a_coding_must_be_positive():
    with pytest.raises(ScenarioError, match="capability coding 'votes' must be > 0"):
        three_actors(({"votes": 0}, {"votes": 3}, {"votes": 1}))


def test_shapley_shubik_by_hand_and_eu15():
    index = shapley_shubik({"a": 2, "b": 1, "c": 1}, 3)
    assert index == pytest.approx({"a": 2 / 3, "b": 1 / 6, "c": 1 / 6})
    eu15 = shapley_shubik(council_votes(dt.date(1999, 1, 1)), 62)
    # Felsenthal & Machover (1998): EU15 under QMV, large members 0.1167, Luxembourg 0.0207
    assert eu15["de"] == pytest.approx(0.1167, abs=1e-4)
    assert eu15["lu"] == pytest.approx(0.0207, abs=1e-4)
    assert math.isclose(sum(eu15.values()), 1.0)
