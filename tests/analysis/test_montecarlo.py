"""Monte Carlo: the input draws, their reproducibility, and the summaries of the forecasts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import truncnorm

from detente.analysis.montecarlo import (
    BLOCK,
    band_probabilities,
    chunk_size_for,
    draws_random_numbers,
    input_spread,
    issue_bands,
    perturb,
    resolve_uncertainty,
    simulate,
    truncated_normal,
)
from detente.errors import UsageError
from detente.io import load
from detente.scenario import Issue, Scenario


def small_scenario(uncertainty=None, saliences=(80, 60, 40), sds=None, anchors=None) -> Scenario:
    """Three actors on one issue (0..100, SQ 50)."""
    positions, capabilities = (20, 50, 90), (1.0, 2.0, 1.5)
    actors = []
    for index, (x, s, c) in enumerate(zip(positions, saliences, capabilities)):
        stance = {"position": x, "salience": s}
        if sds and sds[index]:
            stance.update(sds[index])
        actors.append({"id": f"A{index}", "capability": c, "stances": {"deal": stance}})
    data = {"id": "small", "issues": [{"id": "deal", "status_quo": 50, "anchors": anchors or {}}], "actors": actors}
    if uncertainty is not None:
        data["uncertainty"] = uncertainty
    return Scenario.from_dict(data)


@pytest.fixture(scope="module")
def ukraine() -> Scenario:
    return load("ukraine-2024-11")


# -- truncated normal --------------------------------------------------------------------------------


def test_truncated_normal_matches_scipy_mean_and_sd():
    rng = np.random.default_rng(3)
    mean, sd = 0.1, 0.2
    draws = truncated_normal(np.full(200_000, mean), np.full(200_000, sd), 0.0, 1.0, rng.random(200_000))
    expected = truncnorm((0 - mean) / sd, (1 - mean) / sd, loc=mean, scale=sd)
    assert draws.min() >= 0 and draws.max() <= 1
    assert draws.mean() == pytest.approx(expected.mean(), abs=2e-3)
    assert draws.std() == pytest.approx(expected.std(), abs=2e-3)
    # truncation, not clipping: no mass piles up at the lower end
    assert np.mean(draws == 0.0) == 0.0


def test_truncated_normal_zero_sd_and_absent_stances_stay_put():
    mean = np.array([0.3, np.nan, 1.0])
    out = truncated_normal(mean, np.array([0.0, 0.1, 0.0]), 0.0, 1.0, np.array([0.9, 0.5, 0.1]))
    assert out[0] == 0.3 and np.isnan(out[1]) and out[2] == 1.0


@settings(max_examples=200, deadline=None)
@given(
    mean=st.floats(0, 1),
    sd=st.floats(0, 5),
    u=st.floats(0, 1),
)
def test_truncated_normal_stays_in_the_scale(mean, sd, u):
    value = truncated_normal(np.array([mean]), np.array([sd]), 0.0, 1.0, np.array([u]))[0]
    assert 0.0 <= value <= 1.0


@settings(max_examples=50, deadline=None)
@given(mean=st.floats(0, 1), sd=st.floats(1e-3, 1), u1=st.floats(0, 1), u2=st.floats(0, 1))
def test_truncated_normal_is_monotone_in_the_uniform(mean, sd, u1, u2):
    lo, hi = sorted((u1, u2))
    a, b = truncated_normal(np.array([mean, mean]), np.array([sd, sd]), 0.0, 1.0, np.array([lo, hi]))
    assert a <= b + 1e-12


# -- spreads ------------------------------------------------------------------------------------------


def test_stance_sds_override_the_scenario_defaults():
    scenario = small_scenario({"position_sd": "10%", "salience_sd": 5, "capability_cv": 0.3}, sds=[{"position_sd": 2, "salience_sd": 20}, None, None])
    spread = input_spread(scenario)
    assert spread.position[:, 0].tolist() == pytest.approx([0.02, 0.10, 0.10])
    assert spread.salience[:, 0].tolist() == pytest.approx([0.20, 0.05, 0.05])
    assert spread.capability == pytest.approx(math.sqrt(math.log(1 + 0.3**2)))


def test_no_uncertainty_block_means_zero_spread_unless_defaults_are_passed():
    scenario = small_scenario()
    assert input_spread(scenario).is_zero
    given = resolve_uncertainty(scenario, position_sd="5", salience_sd=10, capability_cv=0.2)
    spread = input_spread(scenario, given)
    assert spread.position[0, 0] == pytest.approx(0.05)
    assert spread.salience[0, 0] == pytest.approx(0.10)


def test_command_line_defaults_override_only_what_they_name():
    scenario = small_scenario({"position_sd": 4, "salience_sd": 8, "capability_cv": 0.1})
    resolved = resolve_uncertainty(scenario, salience_sd=2)
    assert (resolved.position_sd, resolved.salience_sd, resolved.capability_cv) == (4, 2, 0.1)


def test_salience_spread_on_a_unit_salience_file():
    scenario = small_scenario({"salience_sd": 0.05}, saliences=(0.8, 0.6, 0.4))
    assert input_spread(scenario).salience[0, 0] == pytest.approx(0.05)
    # a spread above 1 cannot be in 0..1 units: read as points of 0..100
    points = small_scenario({"salience_sd": 10}, saliences=(0.8, 0.6, 0.4))
    assert input_spread(points).salience[0, 0] == pytest.approx(0.10)


@pytest.mark.parametrize("bad", [{"position_sd": "lots"}, {"salience_sd": -1}, {"capability_cv": float("nan")}])
def test_bad_uncertainty_settings_are_usage_errors(bad):
    with pytest.raises(UsageError):
        resolve_uncertainty(small_scenario(), **bad)


# -- draws ------------------------------------------------------------------------------------------


def test_same_seed_same_draws_and_longer_runs_extend_shorter_ones(ukraine):
    a = perturb(ukraine, 700, seed=11)
    b = perturb(ukraine, 700, seed=11)
    short = perturb(ukraine, 300, seed=11)
    other = perturb(ukraine, 700, seed=12)
    assert np.array_equal(a.position, b.position, equal_nan=True)
    assert np.array_equal(a.position[:300], short.position, equal_nan=True)
    assert np.array_equal(a.capability[:300], short.capability)
    assert not np.allclose(np.nan_to_num(a.position), np.nan_to_num(other.position))


def test_draws_respect_scales_and_absent_stances(ukraine):
    batch = perturb(ukraine, 2000, seed=1)
    present = batch.present
    assert np.all((batch.position[:, present] >= 0) & (batch.position[:, present] <= 1))
    assert np.all((batch.salience >= 0) & (batch.salience <= 1))
    assert np.all(np.isnan(batch.position[:, ~present]))
    assert np.all(batch.salience[:, ~present] == 0)


def test_capability_factor_is_one_per_actor_with_the_given_cv(ukraine):
    batch = perturb(ukraine, 20_000, seed=5)
    base = ukraine.batch().capability[0]
    hungary = ukraine.actor_ids.index("HUN")
    factor = batch.capability / np.where(base > 0, base, 1.0)
    # HUN has a per-issue capability override on aid; its factor is still the same on every issue
    assert np.allclose(factor[:, hungary, :], factor[:, hungary, :1])
    usa = factor[:, ukraine.actor_ids.index("USA"), 0]
    assert np.median(usa) == pytest.approx(1.0, abs=0.01)
    assert usa.std() / usa.mean() == pytest.approx(0.2, rel=0.05)


def test_position_draws_have_the_stance_spread(ukraine):
    batch = perturb(ukraine, 20_000, seed=2)
    usa = ukraine.actor_ids.index("USA")
    x = batch.position[:, usa, 0] * 100  # USA at 55 on territory, sd 7.5: truncation negligible
    assert x.mean() == pytest.approx(55, abs=0.2)
    assert x.std() == pytest.approx(7.5, rel=0.03)


# -- simulate ----------------------------------------------------------------------------------------


def test_compromise_spread_matches_the_linear_theory():
    """Only positions vary, far from the scale ends: O = Σ w x / W is then normal with
    sd = sqrt(Σ (w_i/W)² σ²)."""
    scenario = small_scenario({"position_sd": 3, "salience_sd": 0, "capability_cv": 0})
    data = scenario.model_dump(exclude_none=True)
    for actor, x in zip(data["actors"], (30, 50, 70)):
        actor["stances"]["deal"]["position"] = x
    scenario = Scenario.from_dict(data)
    result = simulate(scenario, ["compromise"], draws=40_000, seed=9)
    w = np.array([1.0 * 80, 2.0 * 60, 1.5 * 40])
    expected_sd = 3 * math.sqrt(np.sum((w / w.sum()) ** 2))
    values = result.model_values("compromise")[:, 0]
    assert values.std() == pytest.approx(expected_sd, rel=0.03)
    assert values.mean() == pytest.approx(float(result.point[0, 0]), abs=0.05)


def test_zero_uncertainty_collapses_to_the_point_forecast_and_says_so():
    result = simulate(small_scenario(), ["compromise", "median"], draws=300, seed=1)
    for record in result.records():
        assert record["q05"] == record["median"] == record["q95"] == pytest.approx(record["point"])
        assert record["sd"] == 0
    assert result.notes and "zero" in result.notes[0]


def test_intervals_shrink_with_the_uncertainty(ukraine):
    widths = []
    for scale in (1.0, 0.5, 0.1, 0.0):
        uncertainty = resolve_uncertainty(ukraine, position_sd=7.5 * scale, salience_sd=10 * scale, capability_cv=0.2 * scale)
        result = simulate(ukraine, ["compromise", "median"], draws=4000, seed=3, uncertainty=uncertainty)
        frame = result.to_frame()
        widths.append((frame["q95"] - frame["q05"]).to_numpy())
    widths = np.array(widths)
    compromise = widths[:, :4]
    assert np.all(np.diff(compromise, axis=0) < 0)
    # for small spreads the compromise model is nearly linear: the width scales with the spread
    assert compromise[2] / compromise[0] == pytest.approx(np.full(4, 0.1), rel=0.15)
    assert np.all(widths[-1] == 0)
    assert np.all(widths[:-1, 4:] >= widths[-1, 4:])


def test_chunk_size_does_not_change_the_numbers(ukraine):
    runs = [simulate(ukraine, ["compromise", "nash"], draws=1100, seed=4, chunk_size=size).values for size in (None, 1, 512, 10_000)]
    for values in runs[1:]:
        assert np.array_equal(values, runs[0])


def test_chunks_are_whole_blocks():
    assert chunk_size_for(100_000) == 4096
    assert chunk_size_for(1000) == BLOCK
    assert chunk_size_for(20_000) == 5 * BLOCK
    assert chunk_size_for(1000, 300) == 2 * BLOCK


def test_progress_reports_every_chunk_up_to_the_total(ukraine):
    seen = []
    simulate(ukraine, ["compromise"], draws=1000, seed=1, chunk_size=256, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(256, 1000), (512, 1000), (768, 1000), (1000, 1000)]


def test_summaries_agree_with_the_raw_draws(ukraine):
    result = simulate(ukraine, ["compromise", "median"], draws=3000, seed=8)
    frame = result.to_frame().set_index(["model", "issue"])
    draws = result.draws_frame()
    assert len(draws) == 2 * 3000
    for model in result.models:
        values = draws[draws["model"] == model]
        for issue in ukraine.issue_ids:
            column = values[issue].to_numpy()
            row = frame.loc[(model, issue)]
            assert row["median"] == pytest.approx(np.median(column))
            assert row["q05"] == pytest.approx(np.quantile(column, 0.05))
            assert row["mean"] == pytest.approx(column.mean())


def test_band_probabilities_sum_to_one_and_use_half_open_bands(ukraine):
    result = simulate(ukraine, ["compromise", "median"], draws=2000, seed=8)
    for record in result.records():
        assert sum(b["probability"] for b in record["bands"]) == pytest.approx(1.0)
    territory = ukraine.issue("territory")
    bands = issue_bands(territory)
    assert [b[:2] for b in bands] == [(0, 25), (25, 50), (50, 75), (75, 100)]
    shares = band_probabilities(np.array([25.0, 49.9, 50.0, 100.0, np.nan]), bands)
    assert shares.tolist() == [0.0, 0.5, 0.25, 0.25]


def test_an_issue_without_anchors_uses_the_quarters_of_its_scale():
    bands = issue_bands(Issue(id="x", scale=(10, 50)))
    assert [b[:2] for b in bands] == [(10, 20), (20, 30), (30, 40), (40, 50)]


def test_parquet_holds_every_draw_and_the_seed(ukraine, tmp_path):
    result = simulate(ukraine, ["compromise", "median"], draws=500, seed=21)
    path = tmp_path / "draws.parquet"
    result.to_parquet(path)
    table = pq.read_table(path)
    frame = table.to_pandas()
    assert list(frame.columns) == ["draw", "model", *ukraine.issue_ids]
    pd.testing.assert_frame_equal(frame, result.draws_frame(), check_categorical=False)
    assert b'"seed": 21' in table.schema.metadata[b"detente"]


def test_json_is_plain_data(ukraine):
    import json

    data = json.loads(json.dumps(simulate(ukraine, ["compromise"], draws=256, seed=1).to_json()))
    assert data["draws"] == 256 and data["seed"] == 1
    assert {r["issue"] for r in data["summaries"]} == set(ukraine.issue_ids)


@pytest.mark.parametrize(
    "kwargs",
    [{"draws": 0}, {"draws": 2.5}, {"seed": -1}, {"workers": 0}, {"chunk_size": 0}, {"workers": 2, "scheduler": "tcp://127.0.0.1:1"}],
)
def test_bad_arguments_are_usage_errors(ukraine, kwargs):
    with pytest.raises(UsageError):
        simulate(ukraine, ["compromise"], **{"draws": 10, **kwargs})


def test_unknown_model_is_a_usage_error(ukraine):
    with pytest.raises(UsageError, match="unknown model"):
        simulate(ukraine, ["nope"], draws=10)


# -- every registered model on the batch axis ---------------------------------------------------------


def _registered():
    from detente import models

    return list(models.registry())


@pytest.mark.parametrize("name", _registered())
def test_every_model_gives_each_draw_the_forecast_it_gives_that_draw_alone(ukraine, name):
    """The batch axis must not mix draws: Monte Carlo relies on it."""
    from detente import models

    model = models.create(name)
    batch = perturb(ukraine, 3, seed=3)
    together = np.asarray(model.forecast_batch(batch))
    alone = np.concatenate([np.asarray(model.forecast_batch(batch.take([d]))) for d in range(batch.size)])
    assert np.allclose(together, alone, equal_nan=True, atol=1e-9)


@pytest.mark.parametrize("name", _registered())
def test_every_model_collapses_to_its_point_forecast_without_uncertainty(ukraine, name):
    """Models that take no generator only: the exchange model gets one per block of draws and
    breaks exact ties at random (the ensemble runs its members on their own seeds, so it is in)."""
    from detente import models

    if draws_random_numbers(models.create(name)):
        pytest.skip(f"{name} draws random numbers itself: its draws vary even with fixed inputs")
    zero = resolve_uncertainty(ukraine, position_sd=0, salience_sd=0, capability_cv=0)
    result = simulate(ukraine, [name], draws=3, seed=1, uncertainty=zero)
    assert np.allclose(result.values[0], result.point[0][None, :], equal_nan=True)


class CoinFlip:
    """A stand-in random model: the forecast is a uniform number from the generator it is given."""

    name = "coin"
    options = type("Options", (), {"seed": 0})()

    def forecast_batch(self, batch, rng=None):
        rng = rng if rng is not None else np.random.default_rng(0)
        return rng.random((batch.size, batch.n_issues))


def test_a_random_model_gets_the_same_numbers_whatever_the_chunking(ukraine):
    from detente.analysis.montecarlo import ChunkJob, input_spread, run_chunk

    job = ChunkJob(ukraine.batch(), input_spread(ukraine), 5, 1000, (CoinFlip(),))
    whole = np.concatenate([run_chunk(job, first, draws) for first, draws in job.chunks(4096)], axis=1)
    pieces = np.concatenate([run_chunk(job, first, draws) for first, draws in job.chunks(256)], axis=1)
    assert whole.shape == (1, 1000, 4)
    assert np.array_equal(whole, pieces)
    # each block has its own stream: no two blocks repeat each other's numbers
    assert not np.allclose(whole[0, :256], whole[0, 256:512])


def test_without_dask_the_scheduler_option_says_what_to_install(ukraine, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(UsageError, match=r"pip install 'detente\[dist\]'"):
        simulate(ukraine, ["compromise"], draws=10, scheduler="tcp://127.0.0.1:8786")
