"""Sensitivity: closed-form derivatives of the weighted mean against finite differences, the
one-batch finite differences for any model, the ranking, and leave-one-actor-out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.analysis.sensitivity import (
    Steps,
    closed_form_effects,
    finite_difference_effects,
    leave_one_out,
    moved_inputs,
    sensitivity,
)
from detente.errors import UsageError
from detente.io import load
from detente.models.compromise import CompromiseModel, mean_sensitivities, weighted_mean
from detente.models.median import MedianModel
from detente.scenario import Batch

from ..conftest import TOY_CAPABILITY, TOY_POSITIONS, TOY_SALIENCE, one_issue_batch


@pytest.fixture(scope="module")
def ukraine():
    return load("ukraine-2024-11")


def effects_by_stance(moves, effect, base: Batch) -> dict[str, np.ndarray]:
    """Finite-difference effects rearranged as (actors, issues) arrays per input, like the closed form."""
    out = {name: np.zeros((base.n_actors, base.n_issues)) for name in ("position", "salience", "capability")}
    for r in range(len(moves.actor)):
        i, kind, k = moves.actor[r], moves.input[r], moves.input_issue[r]
        if kind == "capability":
            out[kind][i] = np.where(base.present[i], effect[r], 0.0)
        else:
            out[kind][i, k] = effect[r, k]
    return out


@pytest.mark.parametrize("share", [0.0, 0.3])
def test_closed_form_matches_finite_differences_on_ukraine(ukraine, share):
    model = CompromiseModel(status_quo_share=share)
    base = ukraine.batch()
    tiny = Steps(position=0.01, salience=0.01, capability=0.01)
    closed = closed_form_effects(base, model, tiny)
    moves, _, _, effect = finite_difference_effects(model, base, tiny)
    finite = effects_by_stance(moves, effect, base)
    for name in closed:
        assert np.allclose(closed[name], finite[name], rtol=2e-3, atol=1e-10), name


def test_position_effects_are_exact_at_full_steps_because_the_mean_is_linear_in_positions(ukraine):
    closed = sensitivity(ukraine, "compromise", method="closed").table
    finite = sensitivity(ukraine, "compromise", method="finite").table
    key = ["actor", "input", "input_issue", "issue"]
    merged = closed.merge(finite, on=key, suffixes=("_closed", "_finite"))
    assert len(merged) == len(closed) == len(finite)
    positions = merged[merged["input"] == "position"]
    assert np.allclose(positions["effect_closed"], positions["effect_finite"], atol=1e-9)
    # salience and capability enter nonlinearly: the linearisation is close at a 10 % step
    others = merged[merged["input"] != "position"]
    assert np.allclose(others["effect_closed"], others["effect_finite"], rtol=0.1, atol=0.02)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.floats(0, 100), st.floats(0.05, 1), st.floats(0.1, 10)), min_size=2, max_size=7
    ),
    actor=st.integers(0, 6),
)
def test_mean_derivatives_match_central_differences(data, actor):
    x, s, c = (np.array(v) for v in zip(*data))
    j = actor % len(x)
    derivatives = mean_sensitivities(x[:, None], s[:, None], c[:, None], np.ones((len(x), 1), bool))

    def outcome(x=x, s=s, c=c):
        return weighted_mean(x[:, None], (c * s)[:, None])[0]

    h = 1e-5
    for name, key, values in (("position", "x", x), ("salience", "s", s), ("capability", "c", c)):
        up, down = values.copy(), values.copy()
        up[j] += h
        down[j] -= h
        numeric = (outcome(**{key: up}) - outcome(**{key: down})) / (2 * h)
        assert derivatives[name][j, 0] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_toy_issue_derivative_by_hand():
    """docs/models/specification.md §1.4 toy issue: ∂O/∂x_1 = w_1/W = 0.45/2.29 (W = .45 + .6 + .4 + .72 + .12)."""
    batch = one_issue_batch(TOY_POSITIONS, TOY_SALIENCE, TOY_CAPABILITY)
    effects = closed_form_effects(batch, CompromiseModel(), Steps(position=1))
    w = TOY_CAPABILITY * TOY_SALIENCE
    assert effects["position"][0, 0] == pytest.approx(w[0] / w.sum() * 0.01)
    assert effects["position"][0, 0] * 100 == pytest.approx(0.45 / 2.29)


class CountingMedian(MedianModel):
    calls: list = []

    def forecast_batch(self, batch):
        CountingMedian.calls.append(batch.size)
        return super().forecast_batch(batch)


def test_finite_differences_run_every_move_as_one_batch(ukraine):
    CountingMedian.calls = []
    base = ukraine.batch()
    moves, down, up, effect = finite_difference_effects(CountingMedian(), base, Steps())
    stances = int(base.present.sum())
    assert CountingMedian.calls == [2 * (2 * stances + base.n_actors)]
    assert down.shape == up.shape == effect.shape == (2 * stances + base.n_actors, base.n_issues)


def test_moves_stay_in_the_scales_and_record_how_far_they_went(ukraine):
    moves = moved_inputs(ukraine.batch(), Steps(position=10, salience=10, capability=10))
    batch = moves.batch
    present = batch.present
    assert np.all((batch.position[:, present] >= 0) & (batch.position[:, present] <= 1))
    assert np.all((batch.salience >= 0) & (batch.salience <= 1))
    ukraine_territory = np.flatnonzero((moves.actor == 0) & (moves.input == "position") & (moves.input_issue == 0))[0]
    # UKR sits at 5 on territory: the move down stops at 0
    assert moves.delta_down[ukraine_territory] == pytest.approx(-0.05)
    assert moves.delta_up[ukraine_territory] == pytest.approx(0.10)


def test_table_is_ranked_and_separable_models_have_no_cross_issue_rows(ukraine):
    for model in ("compromise", "median", "nash"):
        table = sensitivity(ukraine, model).table
        assert list(table["effect"].abs()) == sorted(table["effect"].abs(), reverse=True)
        stance_rows = table[table["input"] != "capability"]
        assert (stance_rows["input_issue"] == stance_rows["issue"]).all()
        assert set(table["actor"]) == set(ukraine.actor_ids)


def test_largest_effect_on_ukraine_is_russia_on_kursk(ukraine):
    top = sensitivity(ukraine, "compromise").table.iloc[0]
    assert (top["actor"], top["issue"]) == ("RUS", "kursk")
    assert top["high"] > top["low"]


def test_leave_one_out_of_the_mean_by_hand(ukraine):
    shifts = leave_one_out(ukraine, CompromiseModel()).set_index(["actor", "issue"])
    base = ukraine.batch()
    w = base.effective_power()[0][:, 0]
    x = base.position[0][:, 0] * 100
    full = (w * x).sum() / w.sum()
    russia = ukraine.actor_ids.index("RUS")
    without = (w * x - np.eye(len(w))[russia] * w * x).sum() / (w.sum() - w[russia])
    assert shifts.loc[("RUS", "territory"), "without"] == pytest.approx(without)
    assert shifts.loc[("RUS", "territory"), "shift"] == pytest.approx(without - full)
    assert shifts.loc[("RUS", "territory"), "shift"] < 0


def test_model_options_carry_through(ukraine):
    plain = sensitivity(ukraine, "median")
    qualified = sensitivity(ukraine, "median", settings=["quota=0.74"])
    assert not np.allclose(plain.baseline, qualified.baseline)


def test_closed_form_is_refused_where_it_does_not_apply(ukraine):
    with pytest.raises(UsageError, match="closed-form"):
        sensitivity(ukraine, "compromise", settings=["weighting=c"], method="closed")
    assert sensitivity(ukraine, "compromise", settings=["weighting=c"]).method == "finite differences"


@pytest.mark.parametrize("steps", [dict(position=0), dict(salience=-1), dict(capability=100), dict(position=float("nan"))])
def test_bad_steps_are_usage_errors(steps):
    with pytest.raises(UsageError):
        Steps(**steps)


def test_json_is_plain_data(ukraine):
    import json

    data = json.loads(json.dumps(sensitivity(ukraine, "compromise").to_json()))
    assert data["method"] == "closed form"
    assert data["effects"][0]["input_issue"] in (None, "kursk")
    assert len(data["leave_one_out"]) == len(ukraine.actors) * len(ukraine.issues)


class NoisyCompromise(CompromiseModel):
    """The weighted mean plus noise from the generator it is given (a stand-in random model)."""

    name = "noisy-compromise"

    def forecast_batch(self, batch, rng=None):
        rng = rng if rng is not None else np.random.default_rng(0)
        return super().forecast_batch(batch) + 0.01 * rng.random((batch.size, batch.n_issues))


def test_a_random_model_is_moved_with_common_random_numbers(ukraine):
    noisy = finite_difference_effects(NoisyCompromise(), ukraine.batch(), Steps())[3]
    plain = finite_difference_effects(CompromiseModel(), ukraine.batch(), Steps())[3]
    assert np.allclose(noisy, plain, atol=1e-12)


def _three_actors_three_issues():
    from detente.scenario import Scenario

    stances = {
        "X": {"a": (0, 90), "b": (10, 50), "c": (12.5, 40)},
        "Y": {"a": (90, 30), "b": (90, 100), "c": (75, 80)},
        "Z": {"a": (50, 60), "c": (50, 20)},
    }
    capability = {"X": 10, "Y": 5, "Z": 3}
    return Scenario.from_dict(
        {
            "id": "three",
            "issues": [{"id": "a"}, {"id": "b", "status_quo": 30}, {"id": "c", "status_quo": 25}],
            "actors": [
                {"id": a, "capability": capability[a], "stances": {k: {"position": x, "salience": s} for k, (x, s) in own.items()}}
                for a, own in stances.items()
            ],
        }
    )


def test_moves_of_the_exchange_model_use_the_random_numbers_of_its_baseline_run():
    # X sits at 0 on issue a: its position cannot move down, so that "down" forecast is the
    # baseline itself; it used to come from another random stream than the baseline shown.
    scenario = _three_actors_three_issues()
    result = sensitivity(scenario, "exchange")
    from detente import models

    run = models.create("exchange").run(scenario).values
    assert result.baseline == pytest.approx(run)
    table = result.table
    at_edge = table[(table.actor == "X") & (table.input == "position") & (table.input_issue == "a")].set_index("issue")
    assert at_edge.loc["a", "low"] == pytest.approx(run[0])
