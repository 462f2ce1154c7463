"""The backtest harness: metrics by hand, the seeded bootstrap, cases, scoring, weights, and the CLI."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.analysis.backtest import (
    Backtest,
    Combination,
    accuracy,
    bundled_cases,
    case_from_scenario,
    cross_validate_ensembles,
    grouped_folds,
    load_case_definition,
    outcome_value,
    paired_bootstrap,
    run_backtest,
    scaled_errors,
    simplex_weights,
)
from detente.cli import app
from detente.errors import UsageError
from detente.io import load
from detente.models.base import Model
from detente.scenario import Issue, Scenario

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEU_OPEN = SHARED / "data" / "deu" / "deu3_open.tsv"
COP21 = SHARED / "data" / "reference" / "decide-exchange-model" / "cop21_with_scale_meanings_data.csv"


def toy_scenario(outcomes=(60.0, None), source="a test", **issue_extra) -> Scenario:
    """Two issues, three actors; issue a: positions 0, 50, 100 with weights 1, 1, 2 (mean 62.5)."""
    return Scenario.from_dict(
        {
            "id": "toy",
            "outcome_source": source,
            "issues": [{"id": "a", "outcome": outcomes[0], **issue_extra}, {"id": "b", "outcome": outcomes[1]}],
            "actors": [
                {"id": "x", "capability": 1, "stances": {"a": {"position": 0, "salience": 1}, "b": {"position": 10, "salience": 1}}},
                {"id": "y", "capability": 1, "stances": {"a": {"position": 50, "salience": 1}, "b": {"position": 20, "salience": 1}}},
                {"id": "z", "capability": 2, "stances": {"a": {"position": 100, "salience": 1}, "b": {"position": 30, "salience": 1}}},
            ],
        }
    )


# -- metrics ---------------------------------------------------------------------------------------


def test_errors_are_points_on_the_0_100_scale():
    # the emission case: forecast 7.39 years, outcome 8.833, scale 4..10 -> -1.443/6*100
    assert scaled_errors(7.39, 8.833, 4, 10) == pytest.approx(-24.05)
    assert list(scaled_errors([10, 90], [20, 50], [0, 0], [100, 200])) == pytest.approx([-10, 20])


def test_accuracy_by_hand():
    result = accuracy([3, -4, 12, 0, 25])
    assert result["n"] == 5
    assert result["mae"] == pytest.approx(44 / 5)
    assert result["rmse"] == pytest.approx(math.sqrt((9 + 16 + 144 + 0 + 625) / 5))
    assert result["median"] == 4
    assert (result["within_5"], result["within_10"], result["within_20"]) == (0.6, 0.6, 0.8)


def test_accuracy_thresholds_are_inclusive_and_nan_is_ignored():
    result = accuracy([5.0, 10.0, 20.0, float("nan")])
    assert result["n"] == 3
    assert (result["within_5"], result["within_10"], result["within_20"]) == pytest.approx((1 / 3, 2 / 3, 1.0))
    assert math.isnan(accuracy([])["mae"])


errors_strategy = st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=40)


@settings(max_examples=80, deadline=None)
@given(errors_strategy)
def test_accuracy_invariants(errors):
    result = accuracy(errors)
    magnitudes = np.abs(errors)
    assert result["mae"] <= result["rmse"] + 1e-9
    assert magnitudes.min() - 1e-9 <= result["median"] <= magnitudes.max() + 1e-9
    assert result["within_5"] <= result["within_10"] <= result["within_20"]


@settings(max_examples=40, deadline=None)
@given(errors_strategy, st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_bootstrap_interval_stays_within_the_data(differences, n_clusters, seed):
    clusters = [k % n_clusters for k in range(len(differences))]
    interval = paired_bootstrap(differences, clusters, draws=200, seed=seed)
    assert interval.estimate == pytest.approx(np.mean(differences))
    if not math.isnan(interval.low):
        assert min(differences) - 1e-9 <= interval.low <= interval.high <= max(differences) + 1e-9


def test_bootstrap_is_reproducible_with_its_seed():
    rng = np.random.default_rng(7)
    differences = rng.normal(1.0, 3.0, size=60)
    first = paired_bootstrap(differences, draws=500, seed=11)
    assert paired_bootstrap(differences, draws=500, seed=11) == first
    assert paired_bootstrap(differences, draws=500, seed=np.random.default_rng(11)) == first
    assert paired_bootstrap(differences, draws=500, seed=12) != first
    assert first.estimate == pytest.approx(differences.mean())
    assert first.low < first.estimate < first.high


def test_bootstrap_of_two_singletons_spans_both():
    # draws of two values from {0, 1}: means 0, 0.5, 1 with probability 1/4, 1/2, 1/4
    interval = paired_bootstrap([0.0, 1.0], draws=4000, seed=0)
    assert (interval.estimate, interval.low, interval.high) == (0.5, 0.0, 1.0)


def test_bootstrap_resamples_clusters_whole():
    # cluster A holds three zeros, B one 3: draws AA -> 0, AB -> 3/4, BB -> 3 (issue-weighted means)
    interval = paired_bootstrap([0, 0, 0, 3], clusters=["A", "A", "A", "B"], draws=4000, seed=0)
    assert interval.estimate == 0.75
    assert (interval.low, interval.high) == (0.0, 3.0)
    constant = paired_bootstrap([2.0, 2.0, 2.0], draws=100, seed=0)
    assert (constant.low, constant.high) == (2.0, 2.0)
    assert math.isnan(paired_bootstrap([1.0], draws=100).low)


# -- cases -----------------------------------------------------------------------------------------


def test_outcome_value_numbers_and_categorical_labels():
    issue = Issue(id="vote", scale=(0, 10), anchors={0: "Ahmadi", 8: "Rouhani", 10: "Jalili"}, outcome="rouhani")
    assert outcome_value(issue) == 8.0
    assert outcome_value(Issue(id="n", outcome=42)) == 42.0
    assert math.isnan(outcome_value(Issue(id="n")))
    with pytest.raises(UsageError, match="neither a number nor the label"):
        outcome_value(Issue(id="vote", anchors={0: "A"}, outcome="B"))


def test_a_scenario_without_outcomes_is_not_a_case():
    with pytest.raises(UsageError, match="no issue has a known outcome"):
        case_from_scenario(load("ukraine-2024-11"))


def test_case_flags_third_party_codings():
    case = case_from_scenario(toy_scenario(source="Third-party coding by someone"))
    assert case.third_party(0)
    assert not case_from_scenario(toy_scenario()).third_party(0)
    assert case.n_known == 1


# -- scoring ---------------------------------------------------------------------------------------


class Broken(Model):
    name = "broken"
    title = "Always fails"

    def forecast_batch(self, batch):
        raise RuntimeError("no forecast today")


def test_emission_case_compromise_forecast_and_error():
    backtest = run_backtest([case_from_scenario(load("ec-emission-1994"))], ["compromise", "status-quo"])
    row = backtest.records[backtest.records.model == "compromise"].iloc[0]
    assert row.forecast == pytest.approx(7.39, abs=5e-5)  # docs/models/specification.md §1.4: 7.3900
    assert row.error == pytest.approx(7.39 - 8.833, abs=5e-5)
    assert row.abs_error == pytest.approx(1.443 / 6 * 100, abs=1e-3)
    summary = backtest.summary().set_index("model")
    assert summary.loc["status-quo", "n"] == 0 and summary.loc["status-quo", "no_forecast"] == 1


def test_a_failing_model_is_reported_not_fatal():
    backtest = run_backtest([case_from_scenario(toy_scenario())], [Broken(), "compromise"])
    assert [(f.model, f.case) for f in backtest.failures] == [("broken", "toy")]
    assert "no forecast today" in backtest.failures[0].message
    summary = backtest.summary().set_index("model")
    assert summary.loc["broken", "failed"] == 1 and summary.loc["broken", "n"] == 0
    assert summary.loc["compromise", "n"] == 1


def test_summary_by_hand_with_groups_and_paired_difference():
    # issue a: compromise 62.5, median 100 (z holds half the weight... the first to reach 0.5 is y=50)
    first = case_from_scenario(toy_scenario(outcomes=(60.0, 20.0)), {"procedure": "COD"})
    second = case_from_scenario(toy_scenario(outcomes=(40.0, None)).with_updates(id="toy2"), {"procedure": "CNS"})
    backtest = run_backtest([first, second], ["compromise", "median"])
    summary = backtest.summary(by="procedure", draws=200, seed=1)
    everything = summary[summary.procedure == "all"].set_index("model")
    # compromise: a 62.5 vs 60 -> 2.5; b 22.5 vs 20 -> 2.5; a 62.5 vs 40 -> 22.5
    assert everything.loc["compromise", "mae"] == pytest.approx((2.5 + 2.5 + 22.5) / 3)
    # median (c·s, lower at a gap): a 50 (cumulative 0.25, 0.5) -> errors 10, 10; b 20 -> 0
    assert everything.loc["median", "mae"] == pytest.approx((10 + 0 + 10) / 3)
    assert everything.loc["median", "vs_reference"] == pytest.approx((7.5 - 2.5 - 12.5) / 3)
    cod = summary[summary.procedure == "COD"].set_index("model")
    assert cod.loc["compromise", "n"] == 2 and cod.loc["median", "mae"] == pytest.approx(5.0)
    assert list(summary.procedure.unique()) == ["all", "CNS", "COD"]


def test_case_definition_reads_external_data_and_applies_codings(tmp_path):
    data = tmp_path / "external.yaml"
    data.write_text(toy_scenario(outcomes=(None, None)).model_dump_json(exclude_none=True), encoding="utf-8")
    definition = tmp_path / "case.yaml"
    definition.write_text(
        f"id: coded\ndata: {data}\noutcome_source: my coding\noutcomes:\n  a: 55\n  b: {{value: 20, source: 'Art. 2'}}\n",
        encoding="utf-8",
    )
    case = load_case_definition(definition)
    assert case.id == "coded" and list(case.outcomes) == [55, 20]
    assert case.outcome_source(0) == "my coding" and case.outcome_source(1) == "Art. 2"
    definition.write_text(f"data: {tmp_path / 'absent.yaml'}\noutcomes: {{a: 1}}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not available"):
        load_case_definition(definition)
    definition.write_text("outcomes: {a: 1}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="needs `data:`"):
        load_case_definition(definition)


def test_bundled_cases_include_emission_and_flagged_china_cases():
    cases, skipped = bundled_cases()
    by_id = {c.id: c for c in cases}
    assert by_id["ec-emission-1994"].outcomes[0] == 8.833
    for name in ("china-soe-policy-2014", "china-soe-competitive-2014"):
        assert by_id[name].outcomes[0] == 25 and by_id[name].third_party(0)
    if COP21.exists():
        assert "cop21-paris-2015" in by_id and not skipped
    else:
        assert any("cop21" in reason for reason in skipped)


def test_cop21_case_codes_every_issue_and_compromise_matches_the_file():
    if not COP21.exists():
        pytest.skip(f"the CoP21 data (GPL) is not at {COP21}; it stays outside detente")
    case = next(c for c in bundled_cases()[0] if c.id == "cop21-paris-2015")
    assert case.n_known == 13
    assert all(case.outcome_source(k) for k in range(13))
    rows = [line.split("\t") for line in COP21.read_text(encoding="latin-1").splitlines() if line.startswith("#D\tAfrican_grp") or line.startswith("#D\t")]
    legal = np.array([[float(r[3]), float(r[4]), float(r[5])] for r in rows if r[2] == "legal"])
    expected = (legal[:, 0] * legal[:, 1] * legal[:, 2]).sum() / (legal[:, 1] * legal[:, 2]).sum()
    backtest = run_backtest([case], ["compromise"])
    row = backtest.records.set_index("issue").loc["legal"]
    assert row.forecast == pytest.approx(expected) and row.outcome == 70


# -- ensemble weights ------------------------------------------------------------------------------


def test_simplex_weights_minimise_absolute_error():
    y = np.array([5.0, 5.0, 5.0])
    assert simplex_weights(np.column_stack([np.zeros(3), np.full(3, 10.0)]), y) == pytest.approx([0.5, 0.5])
    truth = np.array([10.0, 40.0, 70.0, 90.0])
    assert simplex_weights(np.column_stack([truth, truth + 15, truth + 30]), truth) == pytest.approx([1, 0, 0])


def test_grouped_folds_keep_clusters_together_and_are_seeded():
    clusters = [f"p{k // 3}" for k in range(30)]
    folds = grouped_folds(clusters, 5, seed=3)
    assert set(folds) == set(range(5))
    for k in range(0, 30, 3):
        assert len(set(folds[k : k + 3])) == 1
    assert list(grouped_folds(clusters, 5, seed=3)) == list(folds)


def _synthetic_backtest() -> Backtest:
    rng = np.random.default_rng(0)
    rows = []
    for k in range(40):
        outcome = rng.uniform(0, 100)
        forecasts = {"good": outcome + rng.normal(0, 2), "bad": rng.uniform(0, 100)}
        for model, value in forecasts.items():
            error = value - outcome
            rows.append({"model": model, "case": f"c{k // 2}", "issue": f"i{k}", "forecast": value, "outcome": outcome, "error": error, "error_100": error, "abs_error": abs(error), "lo": 0.0, "hi": 100.0, "cluster": f"c{k // 2}", "third_party": False, "source": ""})
    return Backtest(pd.DataFrame(rows), ["good", "bad"])


def test_cross_validation_scores_fitted_weights_out_of_fold():
    candidates = [Combination(("good",)), Combination(("bad",)), Combination(("good", "bad"), "mean"), Combination(("good", "bad"), "weights")]
    table = cross_validate_ensembles(_synthetic_backtest(), candidates, folds=4, seed=0).set_index("variant")
    assert table.loc["weights of good+bad", "cv_mae"] < table.loc["mean of good+bad", "cv_mae"]
    assert table.loc["weights of good+bad", "in_sample_mae"] <= table.loc["weights of good+bad", "cv_mae"] + 1e-9
    assert table.loc["weights of good+bad", "weights"].startswith("good=1.000")
    # a single model has nothing to fit: in-sample and out-of-fold agree
    assert table.loc["good", "cv_mae"] == pytest.approx(table.loc["good", "in_sample_mae"])
    assert table.attrs["n"] == 40 and len(table.attrs["chosen"]) == 4
    assert set(table.attrs["chosen"]) <= {"good", "weights of good+bad"}
    assert table.attrs["nested"] < table.loc["mean of good+bad", "cv_mae"]


# -- command line ----------------------------------------------------------------------------------

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["backtest", *args], env={"COLUMNS": "200"})


def test_cli_bundled_cases_print_the_table_with_the_emission_forecast():
    result = invoke("-m", "compromise", "-m", "median", "-m", "median-actor")
    assert result.exit_code == 0, result.output
    assert "MAE" in result.output and "RMSE" in result.output and "ΔMAE vs compromise" in result.output
    line = next(line for line in result.output.splitlines() if "ec-emission-1994 · delay" in line)
    assert "7.39 (1.44)" in line and "8.83" in line
    assert "†" in result.output  # the China cases' third-party codings are flagged


def test_cli_json_and_csv():
    data = json.loads(invoke("ec-emission-1994", "-m", "compromise", "-f", "json").output)
    assert data["summary"][0]["model"] == "compromise" and data["summary"][0]["n"] == 1
    assert data["detail"][0]["forecast"] == pytest.approx(7.39, abs=1e-4)
    lines = invoke("ec-emission-1994", "-m", "compromise", "-m", "median", "-f", "csv", "--no-detail").output.strip().splitlines()
    assert lines[0].startswith("model,n,mae,rmse,median") and len(lines) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["ktab-dummy-3dim"], "no issue has a known outcome"),
        (["ec-emission-1994", "--deu", "x.tsv"], "either case files or --deu"),
        (["--capability", "votes"], "--capability applies to --deu"),
        (["--deu", str(Path(__file__)), "--capability", "seats"], "unknown capability 'seats'"),
        (["ec-emission-1994", "-m", "oracle"], "unknown model 'oracle'"),
    ],
)
def test_cli_user_errors_are_messages(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_cli_deu_reference_figures_split_by_procedure():
    if not DEU_OPEN.exists():
        pytest.skip(f"the DEU III open file is not at {DEU_OPEN} (shared data absent)")
    result = invoke("--deu", str(DEU_OPEN), "-m", "compromise", "-m", "median-actor")
    assert result.exit_code == 0, result.output
    assert "245 scoreable issues" in result.output
    lines = result.output.splitlines()
    assert any("compromise" in line and "24.14" in line for line in lines)
    assert any("median-actor" in line and "29.70" in line for line in lines)
    assert any(line.strip("│ ").startswith("COD") for line in lines) and any(line.strip("│ ").startswith("CNS") for line in lines)


def test_cli_at_80_columns_every_table_fits_and_keeps_every_number_whole(tmp_path):
    import re

    result = runner.invoke(app, ["backtest", "--detail", "--store", str(tmp_path / "runs.sqlite")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    data = json.loads(runner.invoke(app, ["backtest", "-f", "json", "--no-store"]).stdout)
    for row in data["summary"]:
        if row["model"] == "compromise" or row["vs_low"] is None:
            continue
        line = next(line for line in lines if re.match(rf"\s*{re.escape(row['model'])}\s", line) and f"{row['mae']:.2f}" in line)
        assert f"{row['vs_low']:+.2f}" in line and f"{row['vs_high']:+.2f}" in line, line  # the interval on the model's line
    shown = runner.invoke(app, ["runs", "show", "latest", "--store", str(tmp_path / "runs.sqlite")], env={"COLUMNS": "80"})
    assert max(len(line) for line in shown.output.splitlines()) <= 80
