"""The expected-utility model against docs/models/specification.md §2: utility identities (§2.11), the emission
example's risk exponents, rounds and Belgium's perceptions (§2.10), and the model's invariants."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente import models
from detente.errors import OptionError
from detente.io import load
from detente.models.eum import (
    EUMOptions,
    ExpectedUtilityModel,
    challenge_utilities,
    expected_challenge_utility,
    pair_votes,
    prepare,
    risk_exponents,
    simulate,
    success_probability,
)
from detente.scenario import Batch, Scenario

EMISSION_FILE = Path(__file__).resolve().parents[1] / "data" / "emission-standards-bdm1994.yaml"
ACTORS = ["Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Italy", "UK", "Ireland", "Denmark", "Greece"]

# docs/models/specification.md §2.10: round-1 risk exponents per reading of the model
RISK_VARIANT_G = [1.406, 0.754, 0.509, 1.406, 1.047, 1.047, 1.965, 0.500, 2.000, 1.112]
RISK_PRINTED_LEAST_MOVE = [1.117, 1.004, 0.500, 1.117, 1.018, 1.018, 2.000, 0.648, 1.454, 1.557]
RISK_MASAD = [1.127, 0.781, 0.500, 1.127, 1.078, 1.078, 2.000, 0.525, 1.472, 1.140]
DANGER_VARIANT_G = [-5.249, 1.428, 5.438, -5.249, -2.094, -2.094, -8.641, 5.607, -8.812, -2.750]
ACCEPTANCE_VARIANT_G = [-0.506, 0.420, 0.977, -0.506, -0.068, -0.068, -0.976, 1.000, -1.000, -0.159]
# rounds 1..10, variant G: (median, mean)
ROUNDS_VARIANT_G = [
    (8.416, 7.4613), (9.611, 7.5525), (9.962, 7.5901), (9.962, 7.3581), (9.962, 7.3492),
    (7.472, 7.4149), (8.825, 7.5105), (9.671, 7.5724), (9.671, 7.3250), (7.000, 7.2421),
]  # fmt: skip
# Belgium's round-1 perceptions, variant G: j -> (P_Belgium, P_j, E^B(U_Bj), E^B(U_jB), region)
BELGIUM = {
    "Netherlands": (0.0090, 0.0031, -0.4725, 0.2423, "capitulate"),
    "Germany": (0.0090, 0.0031, -0.4725, 0.2423, "capitulate"),
    "Luxembourg": (0.0090, 0.0031, 0.6060, 0.2423, "conflict_win"),
    "France": (0.0073, 0.0046, -0.1148, 0.2433, "compromise"),
    "Italy": (0.0073, 0.0046, -0.1148, 0.2433, "compromise"),
    "UK": (0.0073, 0.0046, -0.6550, 0.2433, "capitulate"),
    "Denmark": (0.0090, 0.0031, -0.8320, 0.2423, "capitulate"),
    "Ireland": (0, 0, 0, 0, "same_position"),
    "Greece": (0, 0, 0, 0, "same_position"),
}
MASAD_SWITCHES = dict(p_numerator="net_clipped", perception_exponent="target", offer_rule="masad", reference_outcome="median_then_mean")


@pytest.fixture(scope="module")
def emission() -> Scenario:
    return load(str(EMISSION_FILE))


@pytest.fixture(scope="module")
def replication(emission):
    return ExpectedUtilityModel(preset="scholz_replication").run(emission)


@pytest.fixture(scope="module")
def printed(emission):
    return ExpectedUtilityModel(stop_rounds=0, max_rounds=15, detect_cycles=False).run(emission)


# -- formulas ----------------------------------------------------------------------------------------


@given(st.floats(0.5, 2.0), st.floats(0.0, 1.0))
def test_utility_identities(r, d):
    at_zero = challenge_utilities(np.array(0.0), None, r)
    assert at_zero.success == pytest.approx(at_zero.status_quo)
    at_one = challenge_utilities(np.array(1.0), None, r)
    assert at_one.success == pytest.approx(2.0)
    assert at_one.failure == pytest.approx(-2.0)
    linear = challenge_utilities(np.array(d), np.array(0.3), 1.0)
    assert linear.success == pytest.approx(2 * d)
    assert linear.failure == pytest.approx(-2 * d)
    assert linear.status_quo == pytest.approx(0.0)
    assert linear.better == pytest.approx(0.3 + d) and linear.worse == pytest.approx(-(0.3 + d))
    # r > 1 makes U_s concave in distance (risk averse), r < 1 convex
    u = challenge_utilities(np.array([0.0, 0.5, 1.0]), None, r).success
    assert (u[1] - (u[0] + u[2]) / 2) * np.sign(r - 1) >= -1e-12


def test_expected_utility_is_the_printed_sum():
    u = challenge_utilities(np.array(0.4), np.array(0.2), 1.3)
    p, s, q, t = 0.3, 0.6, 0.7, 0.25
    by_hand = s * (p * u.success + (1 - p) * u.failure) + (1 - s) * u.success - q * u.status_quo - (1 - q) * (t * u.better + (1 - t) * u.worse)
    assert expected_challenge_utility(p, s, u, q, t) == pytest.approx(by_hand)


def _brute_force_votes(z, w, r):
    """v[k, a, b] = w_k (|z_k − z_b|^r_k − |z_k − z_a|^r_k), one voter and pair at a time."""
    n = len(z)
    v = np.zeros((n, n, n))
    for k in range(n):
        for a in range(n):
            for b in range(n):
                v[k, a, b] = w[k] * (abs(z[k] - z[b]) ** r[k] - abs(z[k] - z[a]) ** r[k])
    return v


positions = st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]) | st.floats(0, 1), min_size=2, max_size=7)


@settings(max_examples=60, deadline=None)
@given(positions, st.randoms(use_true_random=False), st.booleans())
def test_prefix_sum_votes_equal_the_triple_sum(z, random, risky):
    z = np.sort(np.array(z))
    n = len(z)
    w = np.array([random.uniform(0.0, 1.0) for _ in range(n)])
    r = np.array([random.uniform(0.5, 2.0) for _ in range(n)]) if risky else np.ones(n)
    votes = pair_votes(z[None], w[None], r[None] if risky else None)
    v = _brute_force_votes(z, w, r)
    left, right = np.triu_indices(n, 1)
    assert np.allclose(votes.for_left[0], np.clip(v, 0, None).sum(0)[left, right], atol=1e-12)
    assert np.allclose(votes.for_right[0], np.clip(v, 0, None).sum(0)[right, left], atol=1e-12)
    assert np.allclose(votes.net_for_left[0], v.sum(0)[left, right], atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(positions, st.randoms(use_true_random=False))
def test_printed_probabilities_are_complementary(z, random):
    z = np.array(z)
    n = len(z)
    w = np.array([random.uniform(0.01, 1.0) for _ in range(n)])
    p = success_probability(z[None], w[None])[0]
    assert ((p >= 0) & (p <= 1)).all()
    contested = np.abs(z[:, None] - z[None, :]) > 1e-12  # closer positions count as one
    assert np.allclose((p + p.T)[contested], 1.0)
    assert (p[~contested] == 0).all()
    # the shuffled input gives the same matrix, shuffled
    order = np.array(random.sample(range(n), n))
    assert np.allclose(success_probability(z[order][None], w[order][None])[0], p[np.ix_(order, order)])


@settings(max_examples=40, deadline=None)
@given(positions, st.randoms(use_true_random=False))
def test_global_normalisation_makes_every_probability_small(z, random):
    z = np.array(z)
    n = len(z)
    w = np.array([random.uniform(0.01, 1.0) for _ in range(n)])
    p = success_probability(z[None], w[None], denominator="all_pairs")[0]
    # Σ over ordered pairs of the positive votes is half the global denominator
    assert ((p >= 0) & (p <= 0.5)).all()
    assert p.sum() == pytest.approx(0.5 if np.ptp(z) > 1e-12 else 0.0)


@given(st.lists(st.floats(-10, 10), min_size=2, max_size=12))
def test_risk_acceptance_spans_minus_one_to_one(danger):
    danger = np.array(danger)
    acceptance, r = risk_exponents(danger[None], np.ones((1, len(danger)), bool))
    assert ((r >= 0.5 - 1e-12) & (r <= 2 + 1e-12)).all()
    if np.ptp(danger) > 1e-9:
        assert acceptance.max() == pytest.approx(1.0) and acceptance.min() == pytest.approx(-1.0)
        assert r[0, np.argmax(danger)] == pytest.approx(0.5) and r[0, np.argmin(danger)] == pytest.approx(2.0)
    elif np.ptp(danger) == 0:
        assert np.allclose(r, 1.0)  # the guard: nobody is more exposed than anybody else


# -- the emission example (docs/models/specification.md §2.10) ---------------------------------------------------------


def test_round_one_risk_exponents_variant_g(replication):
    assert replication.scenario.actor_ids == ACTORS
    assert replication.risk[0, :, 0] == pytest.approx(RISK_VARIANT_G, abs=1e-3)
    detail = replication.details[0]
    assert detail.danger[0] == pytest.approx(DANGER_VARIANT_G, abs=1e-3)
    assert detail.acceptance[0] == pytest.approx(ACCEPTANCE_VARIANT_G, abs=1e-3)


def test_round_one_risk_exponents_printed_formula(printed):
    assert printed.risk[0, :, 0] == pytest.approx(RISK_PRINTED_LEAST_MOVE, abs=1e-3)


def test_round_one_risk_exponents_masad_switches(emission):
    result = ExpectedUtilityModel(**MASAD_SWITCHES, max_rounds=1).run(emission)
    assert result.risk[0, :, 0] == pytest.approx(RISK_MASAD, abs=1e-3)


def test_masad_switches_oscillate_narrowly(emission):
    # docs/models/specification.md §2.10: Masad's replication oscillates only between ≈7.39 and ≈7.44 (mean)
    result = ExpectedUtilityModel(**MASAD_SWITCHES, stop_rounds=0, max_rounds=10).run(emission)
    assert ((result.means[1:, 0] > 7.38) & (result.means[1:, 0] < 7.45)).all()
    assert result.stop_reason["delay"] == "cycle" and result.cycles["delay"]["period"] == 2


def test_variant_g_reproduces_the_published_rounds(replication):
    assert replication.rounds_run["delay"] >= 10
    assert replication.medians[0, 0] == pytest.approx(7.0) and replication.means[0, 0] == pytest.approx(7.39, abs=1e-4)
    for t, (median, mean) in enumerate(ROUNDS_VARIANT_G, start=1):
        assert replication.medians[t, 0] == pytest.approx(median, abs=1e-3), f"round {t}"
        assert replication.means[t, 0] == pytest.approx(mean, abs=1e-3), f"round {t}"


def test_variant_g_moves(replication):
    rounds = replication.to_json()["rounds"]
    first = rounds[1]["offers"]
    assert set(first) == {"Belgium", "Luxembourg", "Ireland"}
    assert first["Belgium"]["delay"] == {"type": "compromise", "from": "France", "position": pytest.approx(8.4159, abs=1e-4)}
    assert first["Luxembourg"]["delay"] == {"type": "conflict_lose", "from": "Belgium", "position": 7.0}
    assert first["Ireland"]["delay"] == {"type": "conflict_lose", "from": "Luxembourg", "position": 4.0}
    fourth = rounds[4]["offers"]["Belgium"]["delay"]
    assert fourth["from"] == "Netherlands" and fourth["position"] == pytest.approx(4.8009, abs=1e-4)


def test_belgium_perceptions_round_one(replication):
    table = replication.perception(1, "Belgium", "delay").set_index("actor")
    assert sorted(table.index) == sorted(BELGIUM)
    for j, (p_i, p_j, e_ij, e_ji, region) in BELGIUM.items():
        row = table.loc[j]
        assert (row.P_i, row.P_j, row.E_ij, row.E_ji) == pytest.approx((p_i, p_j, e_ij, e_ji), abs=1e-4), j
        assert row.region == region
    assert replication.risk[0, ACTORS.index("Belgium"), 0] == pytest.approx(0.754, abs=1e-3)


def test_variant_g_oscillates_and_reports_the_cycle(emission):
    # the preset runs every round as Scholz's code does; cycle detection is asked for explicitly
    replication = ExpectedUtilityModel(preset="scholz_replication", detect_cycles=True).run(emission)
    info = replication.cycles["delay"]
    assert replication.stop_reason["delay"] == "cycle" and info["detected"]
    assert info["period"] >= 2
    assert info["min"] <= info["mean"] <= info["max"] and info["max"] - info["min"] > 1.0
    assert replication.values[0] == pytest.approx(replication.medians[-1, 0])
    assert "cycles with period" in replication.notes["delay"] and "cycle mean" in replication.notes["delay"]


def test_printed_formula_least_move_path(printed):
    assert printed.means[1, 0] == pytest.approx(7.264, abs=1e-3)
    assert printed.medians[:, 0] == pytest.approx(np.full(16, 7.0))
    assert printed.means[15, 0] == pytest.approx(6.855, abs=1e-3)
    moved = printed.positions[1, :, 0]
    expected = {"Netherlands": 6.81, "Germany": 6.81, "Belgium": 4.0, "France": 7.0, "Italy": 7.0}
    for actor, value in expected.items():
        assert moved[ACTORS.index(actor)] == pytest.approx(value, abs=5e-3), actor


def test_paper_default_stops_when_the_median_holds(emission):
    result = ExpectedUtilityModel().run(emission)
    assert result.n_rounds == 1 and result.stop_reason["delay"] == "median_shift"
    assert result.forecast["delay"] == pytest.approx(7.0)
    assert ExpectedUtilityModel(forecast="mean").run(emission).forecast["delay"] == pytest.approx(7.264, abs=1e-3)


# -- options -----------------------------------------------------------------------------------------


def test_presets_fill_only_switches_not_set():
    options = EUMOptions(preset="scholz_replication", offer_rule="least_move")
    assert options.p_denominator == "all_pairs" and options.risk_in_votes and options.stop_rounds == 0
    assert options.offer_rule == "least_move"
    assert EUMOptions().p_denominator == "pair" and EUMOptions().offer_rule == "least_move"
    model = ExpectedUtilityModel(ExpectedUtilityModel(q=0.9).options, preset="scholz_replication")
    assert model.options.q == 0.9 and model.options.p_denominator == "all_pairs"


def test_settings_from_the_command_line():
    model = models.create("eum", ["preset=scholz_replication", "risk_in_votes=false", "max-rounds=12"])
    assert model.options.p_denominator == "all_pairs" and model.options.risk_in_votes is False and model.options.max_rounds == 12
    with pytest.raises(OptionError, match="offer_rule"):
        models.create("eum", ["offer_rule=fastest"])
    with pytest.raises(OptionError, match="unknown option"):
        models.create("eum", ["temperature=3"])


def test_scenario_file_options_apply_and_explicit_ones_win(emission):
    carried = emission.with_updates(models={"eum": {"preset": "scholz_replication", "max_rounds": 3}})
    result = ExpectedUtilityModel(max_rounds=2).run(carried)
    assert result.options["p_denominator"] == "all_pairs" and result.n_rounds == 2


def test_printed_typo_changes_only_the_estimate_of_the_others_gain(emission):
    plain = ExpectedUtilityModel(max_rounds=1).run(emission).details[0]
    typo = ExpectedUtilityModel(max_rounds=1, resistance_salience="printed_typo").run(emission).details[0]
    assert not np.allclose(plain.other, typo.other)
    # at r = 1 the typo also enters the exposure, so the exponents move too, but P does not
    assert np.allclose(plain.p_success, typo.p_success, equal_nan=True)


def test_reference_outcome_and_q_below_one(emission):
    at_one = ExpectedUtilityModel(max_rounds=1).run(emission).details[0]
    for rule in ("constant", "geometric"):
        for mu in ("median", "mean", "median_then_mean"):
            detail = ExpectedUtilityModel(max_rounds=1, q=0.5, t=0.5, t_rule=rule, reference_outcome=mu).run(emission).details[0]
            assert np.isfinite(detail.own).all() and not np.allclose(detail.own, at_one.own)
    # with Q = 1, μ and T do not matter
    same = ExpectedUtilityModel(max_rounds=1, t=0.2, reference_outcome="mean").run(emission).details[0]
    assert np.allclose(same.own, at_one.own)


def test_exposure_shortcut_at_r_one_equals_the_full_formula(emission):
    quick = ExpectedUtilityModel(max_rounds=1, preset="scholz_replication").run(emission).details[0]
    full = ExpectedUtilityModel(max_rounds=1, preset="scholz_replication", q=1 - 1e-13).run(emission).details[0]
    assert quick.danger == pytest.approx(full.danger, abs=1e-9)


def test_range_mode(emission):
    wide = emission.model_copy(deep=True)
    wide.issues[0].scale = (0.0, 20.0)
    wide = Scenario.from_dict(wide.model_dump(mode="python", exclude_none=True))
    base = ExpectedUtilityModel(max_rounds=3, stop_rounds=0).run(emission)
    assert ExpectedUtilityModel(max_rounds=3, stop_rounds=0).run(wide).medians == pytest.approx(base.medians)
    on_scale = ExpectedUtilityModel(max_rounds=1, range_mode="scale").run(wide).details[0]
    assert not np.allclose(on_scale.own, base.details[0].own)


# -- structure of the result -----------------------------------------------------------------------


def test_json_trajectory(replication):
    data = json.loads(json.dumps(replication.to_json()))
    assert data["scenario"] == "emission-standards-bdm1994" and data["model"] == "eum"
    assert data["options"]["preset"] == "scholz_replication"
    rounds = data["rounds"]
    assert [r["round"] for r in rounds] == list(range(replication.n_rounds + 1))
    assert rounds[0]["positions"]["Belgium"] == {"delay": 7.0}
    assert rounds[0]["forecast"] == {"delay": 7.0} and "risk" not in rounds[0]
    assert rounds[1]["positions"]["Belgium"]["delay"] == pytest.approx(8.415932, abs=1e-6)
    assert rounds[1]["risk"]["Belgium"]["delay"] == pytest.approx(0.754, abs=1e-3)
    assert rounds[10]["median"] == {"delay": pytest.approx(7.0)} and rounds[10]["mean"]["delay"] == pytest.approx(7.2421, abs=1e-4)
    ending = data["issues"]["delay"]
    assert ending["stop"] == "round_limit" and ending["rounds"] == replication.n_rounds == 50 and not ending["cycle"]["detected"]
    assert ending["note"].startswith("ran 50 rounds as the Scholz code does")
    assert ending["forecast"] == pytest.approx(replication.values[0], abs=1e-6)


def test_round_table_and_perception_frame(replication):
    table = replication.round_table("delay")
    assert list(table.columns) == ["round", "median", "mean", "moves"]
    assert len(table) == replication.n_rounds + 1
    assert "Belgium compromises with France" in table.moves[1]
    frame = replication.perception(2, "UK", "delay")
    assert list(frame.columns) == ["actor", "position", "P_i", "P_j", "E_ij", "E_ji", "region"]
    assert "UK" not in set(frame.actor) and len(frame) == 9


def test_models_registry_and_forecast_interface(emission):
    assert models.get("eum") is ExpectedUtilityModel and ExpectedUtilityModel.dynamic
    batch = emission.batch()
    assert ExpectedUtilityModel(preset="scholz_replication", max_rounds=10).forecast_batch(batch)[0, 0] * 6 + 4 == pytest.approx(7.0)


# -- invariants --------------------------------------------------------------------------------------


def _one_issue(x, s, c, present=None):
    n = len(x)
    present = np.ones((n, 1), bool) if present is None else present[:, None]
    return Batch(np.asarray(x, float)[None, :, None], np.asarray(s, float)[None, :, None], np.asarray(c, float)[None, :, None], present, np.array([np.nan]))


actor_data = st.integers(3, 8).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0, 1), min_size=n, max_size=n),
        st.lists(st.floats(0.05, 1), min_size=n, max_size=n),
        st.lists(st.floats(0.05, 1), min_size=n, max_size=n),
    )
)


@settings(max_examples=30, deadline=None)
@given(actor_data, st.randoms(use_true_random=False), st.sampled_from(["paper", "scholz_replication"]))
def test_results_do_not_depend_on_actor_order(data, random, preset):
    x, s, c = (np.array(v) for v in data)
    order = np.array(random.sample(range(len(x)), len(x)))
    model = ExpectedUtilityModel(preset=preset, max_rounds=4, stop_rounds=0, detect_cycles=False)

    def trajectory(batch):
        p = prepare(batch)
        return simulate(p.z, p.s, p.weight, p.valid, model.options).positions[:, 0]

    original = trajectory(_one_issue(x, s, c))
    shuffled = trajectory(_one_issue(x[order], s[order], c[order]))
    assert np.allclose(shuffled, original[:, order], atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(actor_data)
def test_risk_exponents_stay_in_range(data):
    x, s, c = (np.array(v) for v in data)
    p = prepare(_one_issue(x, s, c))
    risk = simulate(p.z, p.s, p.weight, p.valid, EUMOptions(max_rounds=3, stop_rounds=0)).risk
    assert ((risk >= 0.5 - 1e-12) & (risk <= 2 + 1e-12)).all()


def test_absent_or_indifferent_actors_take_no_part():
    x, s, c = [0.1, 0.4, 0.9, 0.6, 0.3], [0.8, 0.5, 0.9, 0.7, 0.4], [1.0, 0.5, 0.8, 0.3, 0.6]
    model = ExpectedUtilityModel(max_rounds=5, stop_rounds=0)
    reference = model.forecast_batch(_one_issue(x[:4], s[:4], c[:4]))
    absent = _one_issue(x[:4] + [np.nan], s[:4] + [0.0], c[:4] + [0.0], present=np.array([True] * 4 + [False]))
    indifferent = _one_issue(x, s[:4] + [0.0], c)
    assert model.forecast_batch(absent) == pytest.approx(reference)
    assert model.forecast_batch(indifferent) == pytest.approx(reference)


@pytest.mark.parametrize("preset", ["paper", "scholz_replication"])
def test_a_batch_gives_what_single_runs_give(emission, preset):
    rng = np.random.default_rng(7)
    base = emission.batch()
    draws = 12
    position = np.clip(base.position + rng.normal(0, 0.08, (draws,) + base.position.shape[1:]), 0, 1)
    salience = np.clip(base.salience + rng.normal(0, 0.05, (draws,) + base.salience.shape[1:]), 0.05, 1)
    position = np.concatenate([position, position[:, :, :1] * 0.5 + 0.25], axis=2)  # a second issue
    salience = np.concatenate([salience, salience[:, :, :1]], axis=2)
    capability = np.repeat(np.repeat(base.capability, draws, axis=0), 2, axis=2)
    batch = Batch(position, salience, capability, np.ones((10, 2), bool), np.array([np.nan, np.nan]))
    model = ExpectedUtilityModel(preset=preset, max_rounds=8)
    together = model.forecast_batch(batch)
    for d in range(draws):
        for k in range(2):
            alone = model.forecast_batch(batch.take([d]).select_issues([k]))
            assert together[d, k] == pytest.approx(alone[0, 0], abs=1e-12)


def test_two_issues_run_independently():
    data = {
        "detente": 1,
        "id": "two",
        "issues": [{"id": "a", "scale": [0, 10]}, {"id": "b", "scale": [0, 100]}],
        "actors": [
            {"id": "P", "capability": 3, "stances": {"a": {"position": 1, "salience": 80}, "b": {"position": 90, "salience": 30}}},
            {"id": "Q", "capability": 2, "stances": {"a": {"position": 7, "salience": 50}, "b": {"position": 10, "salience": 90}}},
            {"id": "R", "capability": 4, "stances": {"a": {"position": 4, "salience": 60}}},
            {"id": "S", "capability": 1, "stances": {"a": {"position": 9, "salience": 90}, "b": {"position": 40, "salience": 60}}},
        ],
    }
    scenario = Scenario.from_dict(data)
    result = ExpectedUtilityModel(preset="scholz_replication", max_rounds=6).run(scenario)
    assert np.isnan(result.positions[:, 2, 1]).all()  # R has no stance on b
    for k, issue in enumerate(["a", "b"]):
        alone = dict(data, issues=[data["issues"][k]])
        alone["actors"] = [dict(a, stances={issue: a["stances"][issue]}) for a in data["actors"] if issue in a["stances"]]
        single = ExpectedUtilityModel(preset="scholz_replication", max_rounds=6).run(Scenario.from_dict(alone))
        assert result.forecast[issue] == pytest.approx(single.forecast[issue])
        assert result.rounds_run[issue] == single.rounds_run[issue]
