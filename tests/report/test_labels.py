"""Chart labels name every actor apart, even when names differ only inside parentheses."""

from __future__ import annotations

import detente
from detente.analysis.sensitivity import sensitivity
from detente.report import chartdata as cd
from detente.scenario import Scenario


def iran() -> Scenario:
    stance = lambda x: {"i": {"position": x, "salience": 80}}  # noqa: E731
    return Scenario.from_dict(
        {
            "detente": 1,
            "id": "iran",
            "issues": [{"id": "i"}],
            "actors": [
                {"id": "IRN-RG", "name": "Iran (Rouhani government)", "capability": 30, "stances": stance(60)},
                {"id": "IRN-SL", "name": "Iran (Supreme Leader)", "capability": 50, "stances": stance(90)},
                {"id": "USA", "name": "United States (Obama administration)", "capability": 80, "stances": stance(10)},
                {"id": "E3", "name": "E3: France, Germany and the United Kingdom, with a very long name (here)", "capability": 40, "stances": stance(20)},
                {"id": "E3B", "name": "E3: France, Germany and the United Kingdom, with a very long name (there)", "capability": 40, "stances": stance(25)},
            ],
        }
    )


def test_labels_are_unique_and_fall_back_to_the_full_name_or_the_id():
    labels = cd.actor_labels(iran().actors)
    assert len(set(labels.values())) == len(labels)
    assert labels["IRN-RG"] == "Iran (Rouhani government)" and labels["IRN-SL"] == "Iran (Supreme Leader)"
    assert labels["USA"] == "United States"  # no clash: the short name stays
    assert labels["E3"].endswith("[E3]") and labels["E3B"].endswith("[E3B]")


def test_every_chart_frame_uses_the_unique_labels():
    scenario = iran()
    land = cd.landscape_data(scenario, "i", detente.forecast(scenario, ["compromise"]).results)
    assert land.actors["label"].is_unique
    tornado = cd.tornado_frame(sensitivity(scenario, "compromise"), "i")
    assert {"Iran (Rouhani government)", "Iran (Supreme Leader)"} <= {text.split(":")[0] for text in tornado["input"]}
    from detente.analysis.trajectory import run_dynamic

    result = run_dynamic(scenario, "eum")
    assert cd.paths_frame(result, "i").groupby("actor")["label"].first().is_unique
    perception = cd.perception_frame(result, 1, "IRN-SL", "i")
    assert perception["label"].is_unique
