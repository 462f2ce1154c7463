"""Options a scenario file carries under `models:` apply to a plain run (forecast) of every model,
as they do to its Monte Carlo point forecast."""

import pytest

from detente import models
from detente.analysis.montecarlo import simulate
from detente.scenario import Scenario
from tests.conftest import TOY_CAPABILITY, TOY_POSITIONS, TOY_SALIENCE

CARRIED = {"compromise": {"weighting": "c"}, "median": {"quota": 0.74}, "nash": {"gamma": 1}, "ensemble": {"members": ["median", "nash"]}}


def _toy(status_quo=None) -> Scenario:
    issue = {"id": "k"} if status_quo is None else {"id": "k", "status_quo": status_quo}
    return Scenario.from_dict(
        {
            "id": "carried",
            "issues": [issue],
            "actors": [
                {"id": f"a{i}", "capability": float(c), "stances": {"k": {"position": float(x), "salience": float(s)}}}
                for i, (x, s, c) in enumerate(zip(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY))
            ],
            "models": CARRIED,
        }
    )


@pytest.mark.parametrize("name", sorted(CARRIED))
def test_a_run_uses_the_options_the_file_carries(name):
    scenario = _toy(status_quo=10)
    explicit = models.create(name, **CARRIED[name]).run(scenario)
    default = models.create(name).forecast_batch(scenario.batch())[0, 0] * 100
    assert explicit.values[0] != pytest.approx(default)  # the carried option matters here
    result = models.create(name).run(scenario)
    assert result.values[0] == pytest.approx(explicit.values[0])
    assert result.options == explicit.options
    assert simulate(scenario, [name], draws=2).point[0, 0] == pytest.approx(explicit.values[0])


def test_an_option_set_explicitly_beats_the_carried_one():
    scenario = _toy(status_quo=10)
    assert models.create("median", quota=0.5).run(scenario).values[0] == pytest.approx(55.0)


def test_the_nash_note_names_the_limit_of_the_carried_loss():
    assert "weighted median" in models.create("nash").run(_toy()).notes["k"]
