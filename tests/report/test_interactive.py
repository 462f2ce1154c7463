"""The interactive (plotly) charts show the same elements as the static ones."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from detente.report import chartdata as cd
from detente.report import interactive


def legend_entries(fig):
    return [t.name for t in fig.data if t.showlegend is not False and t.name]


def test_landscape_has_a_marker_per_actor_a_legend_entry_per_group_and_each_forecast(ukraine, ukraine_forecast, simulation):
    fig = interactive.landscape(ukraine_forecast, "security", simulation.to_frame())
    actor_traces = [t for t in fig.data if t.legendgroup and t.mode == "markers+text"]
    assert sum(len(t.x) for t in actor_traces) == len(ukraine.actors)
    assert legend_entries(fig) == list(dict.fromkeys(cd.group_of(a) for a in ukraine.actors))
    strip = [t for t in fig.data if t.mode == "markers" and t.yaxis == "y"]
    assert [t.y[0] for t in strip] == ["Status quo"] + [cd.model_title(r.model) for r in ukraine_forecast.results]
    banded = [t for t in strip if t.error_x is not None and t.error_x.array is not None]
    assert len(banded) == 3
    compromise = next(t for t in banded if t.y[0] == cd.model_title("compromise"))
    q = simulation.to_frame().set_index(["model", "issue"]).loc[("compromise", "security")]
    assert compromise.x[0] + compromise.error_x.array[0] == pytest.approx(q["q95"])
    anchors = [a for a in fig.layout.annotations if a.yref == "paper" and a.yanchor == "top"]
    assert len(anchors) == len(ukraine.issue("security").anchors)
    json.loads(fig.to_json())  # serialisable for the report


def test_paths_have_a_line_per_actor_and_the_forecast(ukraine, eum_result):
    fig = interactive.paths(eum_result, "kursk")
    assert len(fig.data) == len(ukraine.actors) + 1
    assert fig.data[-1].name == "forecast"
    assert legend_entries(fig)[:-1] == list(dict.fromkeys(cd.group_of(a) for a in ukraine.actors))


def test_perception_has_every_other_actor_with_labels(ukraine, eum_result):
    frame = cd.perception_frame(eum_result, 1, "RUS", "territory")
    fig = interactive.perception(frame, "RUS", 1, "territory", ukraine)
    assert sum(len(t.x) for t in fig.data) == len(ukraine.actors) - 1
    labels = {a.text for a in fig.layout.annotations if a.showarrow}
    assert labels == {cd.short_name(ukraine.actor(a)) for a in frame["actor"]}


def test_exchanges_distribution_tornado_backtest_timeline_build(ukraine, exchange_result, simulation, sensitivity_result):
    import detente

    exchanges = interactive.exchanges(cd.exchanges_frame(exchange_result), ukraine, top=10)
    assert len(exchanges.data[0].x) == 10
    distribution = interactive.distribution(cd.simulation_draws(simulation), ukraine, "aid")
    assert [t.name for t in distribution.data] == [cd.model_title(m) for m in simulation.models]
    tornado = interactive.tornado(cd.tornado_frame(sensitivity_result, "aid"), ukraine.issue("aid"), top=8)
    assert [t.name for t in tornado.data] == ["input low", "input high"] and len(tornado.data[0].y) == 8
    frame = pd.DataFrame({"case": ["a", "b"], "issue": ["i", "i"], "model": ["compromise", "compromise"], "forecast": [10.0, 60.0], "outcome": [20.0, 50.0]})
    backtest = interactive.backtest(frame)
    assert np.allclose(backtest.data[1].y, [10, 60])
    forecasts = [detente.forecast(s, ["compromise"]) for s in cd.snapshots_of(ukraine)[:2]]
    timeline = interactive.timeline(forecasts, "aid")
    assert [t.name for t in timeline.data] == ["status quo", cd.model_title("compromise")]
    assert list(timeline.data[0].y) == [10, 20]  # the status quo of aid moved between the snapshots
