"""One rule for which models a Monte Carlo run includes, stated by every command that runs one."""

from __future__ import annotations

from typer.testing import CliRunner

import detente
from detente import models as registry
from detente.analysis.montecarlo import left_out_note, simulation_models
from detente.cli import app


def test_the_rule_named_models_all_default_without_the_draw_by_draw_ones():
    chosen, left_out = simulation_models(None)
    slow = [name for name, cls in registry.registry().items() if cls.in_default_set and not cls.in_default_simulation]
    assert left_out == slow and slow  # the exchange model today
    assert set(chosen) | set(left_out) == set(registry.default_names())
    assert simulation_models(["compromise", *slow]) == (["compromise", *slow], [])
    assert all(name in left_out_note(left_out) for name in slow)
    assert left_out_note([]) is None


def test_the_report_follows_the_rule_and_says_so():
    from detente.report import html

    data = html.build(detente.load("ukraine-2024-11"), None, (), draws=8, sensitivity_model=None, timeline=False)
    _, left_out = simulation_models(None)
    assert not set(left_out) & set(data.simulation.models)
    assert set(left_out) <= {r.model for r in data.forecast.results}  # still forecast, only not drawn
    assert left_out_note(left_out) in data.notes


def test_plot_draws_follows_the_rule_and_says_so(tmp_path):
    result = CliRunner().invoke(app, ["plot", "landscape", "-n", "8", "-o", str(tmp_path / "l.png")])
    assert result.exit_code == 0, result.output
    assert left_out_note(simulation_models(None)[1]) in result.output.replace("\n", " ")
    named = CliRunner().invoke(app, ["plot", "distribution", "-m", "compromise", "-n", "8", "-o", str(tmp_path / "d.png")])
    assert named.exit_code == 0 and "leaves out" not in named.output


def test_plot_landscape_bands_leave_out_the_draw_by_draw_models(monkeypatch, tmp_path):
    from detente.analysis import montecarlo
    from detente.report import charts

    seen = []
    real = montecarlo.simulate
    monkeypatch.setattr(montecarlo, "simulate", lambda scenario, models, *a, **k: seen.append(models) or real(scenario, ["compromise"], *a, **k))
    charts.make("landscape", [detente.load("ukraine-2024-11")], draws=8)
    assert seen == [None]  # the library's rule decides, not the list of forecast models
