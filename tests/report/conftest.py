"""Fixtures for the chart and report tests: the flagship scenario and a crowded synthetic one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import detente
from detente.scenario import Scenario

ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"

LONG_ANCHORS = {
    0: "Full implementation of the maximal demand of the first coalition, including every side condition it has ever named in public",
    10: "Near-maximal demand with a short transition period",
    20: "Large concessions by the second coalition, verified by an international monitoring mission",
    30: "Phased concessions tied to a timetable",
    40: "A framework agreement with the details left to working groups",
    50: "Split the difference: a symmetric package that nobody likes but everybody can sign",
    60: "Framework agreement tilted toward the second coalition",
    70: "Token concessions by the first coalition",
    85: "The second coalition's opening position as published in its white paper",
    100: "Full implementation of the maximal demand of the second coalition",
}


def crowded(n_actors: int = 30, n_groups: int = 8, seed: int = 3) -> Scenario:
    """A synthetic negotiation that stresses the layouts: many actors bunched at a few positions,
    long actor names, long and many anchor texts."""
    rng = np.random.default_rng(seed)
    clusters = np.array([5, 25, 50, 52, 80, 100])
    actors = []
    for i in range(n_actors):
        position = float(np.clip(rng.choice(clusters) + rng.normal(0, 3), 0, 100).round(1))
        actors.append(
            {
                "id": f"A{i:02d}",
                "name": f"Delegation of member state number {i}" if i % 3 == 0 else f"Actor {i}",
                "group": f"Bloc {i % n_groups}",
                "capability": round(float(rng.uniform(5, 100)), 1),
                "stances": {
                    "deal": {"position": position, "salience": round(float(rng.uniform(20, 100)))},
                    "money": {"position": round(float(rng.uniform(0, 10)), 2), "salience": round(float(rng.uniform(10, 90)))},
                },
            }
        )
    return Scenario.from_dict(
        {
            "id": "crowded-synthetic",
            "title": "A crowded synthetic negotiation",
            "issues": [
                {"id": "deal", "title": "The overall deal", "scale": [0, 100], "status_quo": 45, "anchors": LONG_ANCHORS},
                {"id": "money", "title": "Money on the table (bn)", "scale": [0, 10], "status_quo": 2,
                 "anchors": {0: "Nothing", 5: "Half of the request", 10: "The full request"}},
            ],
            "actors": actors,
        }
    )


@pytest.fixture(scope="session")
def ukraine() -> Scenario:
    return detente.load("ukraine-2024-11")


@pytest.fixture(scope="session")
def ukraine_forecast(ukraine):
    return detente.forecast(ukraine)


@pytest.fixture(scope="session")
def crowded_scenario() -> Scenario:
    return crowded()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _isolated_run_store(tmp_path, monkeypatch):
    """Runs made by these tests go to a temporary store, never the user's."""
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "runs.sqlite"))


@pytest.fixture(scope="session")
def eum_result(ukraine):
    from detente.models.eum import ExpectedUtilityModel

    return ExpectedUtilityModel().run(ukraine)


@pytest.fixture(scope="session")
def exchange_result(ukraine):
    from detente.models.exchange import ExchangeModel

    return ExchangeModel().run(ukraine)


@pytest.fixture(scope="session")
def simulation(ukraine):
    from detente.analysis.montecarlo import simulate

    return simulate(ukraine, ["compromise", "median", "nash"], draws=300, seed=1)


@pytest.fixture(scope="session")
def sensitivity_result(ukraine):
    from detente.analysis.sensitivity import sensitivity

    return sensitivity(ukraine, "compromise")


@pytest.fixture(scope="session")
def report_file(ukraine, tmp_path_factory):
    """The report of the default scenario with every default model (few draws, to stay quick)."""
    from detente.report import html

    data = html.build(ukraine, draws=60, seed=3)
    return html.write(data, tmp_path_factory.mktemp("report") / "report.html"), data
