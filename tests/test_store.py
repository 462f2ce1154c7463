"""The run store: round trips, diffs, crash safety (a process killed mid-write), schema migrations,
and the commands that read it back."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import detente
from detente import store as run_store
from detente.cli import app
from detente.errors import UsageError
from detente.io.yaml_io import content_hash

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def path(tmp_path, monkeypatch):
    target = tmp_path / "runs.sqlite"
    monkeypatch.setenv(run_store.ENV_VAR, str(target))
    return target


@pytest.fixture(scope="module")
def ukraine():
    return detente.load("ukraine-2024-11")


@pytest.fixture(scope="module")
def ukraine_forecast(ukraine):
    return detente.forecast(ukraine, ["compromise", "median", "nash", "eum"])


# -- round trip ------------------------------------------------------------------------------------


def test_a_forecast_run_comes_back_as_it_was_stored(path, ukraine, ukraine_forecast):
    with run_store.Store() as store:
        assert store.path == path
        run_id = store.record_forecast(ukraine_forecast, {"total": 0.25}, ["forecast", "-m", "eum"])
        run = store.get(run_id)
    assert run.kind == "forecast"
    assert run.scenario() == ukraine
    assert run.scenario_hash == content_hash(ukraine)
    assert run.models == ["compromise", "median", "nash", "eum"]
    assert run.options["median"] == ukraine_forecast["median"].options
    assert run.version == detente.__version__
    assert run.timings == {"total": 0.25}
    assert run.command == ["forecast", "-m", "eum"]
    assert run.results["forecasts"] == json.loads(json.dumps(ukraine_forecast.records()))
    again = run.forecast()
    for original, stored in zip(ukraine_forecast.results, again.results):
        assert stored.model == original.model
        assert np.allclose(stored.values, original.values, atol=1e-6)
        assert stored.notes == original.notes
        assert np.allclose(stored.intervals(), original.intervals(), atol=0.06, equal_nan=True)  # stored to 1 decimal
    assert not np.isnan(again["compromise"].intervals()).any()
    eum, stored_eum = ukraine_forecast["eum"], again["eum"]
    assert np.allclose(stored_eum.positions, eum.positions, atol=1e-6, equal_nan=True)
    assert np.allclose(stored_eum.round_forecasts, eum.round_forecasts, atol=1e-6)


def test_a_scenario_is_stored_once_however_many_runs_use_it(path, ukraine, ukraine_forecast):
    with run_store.Store(path) as store:
        for _ in range(3):
            store.record_forecast(ukraine_forecast)
        assert store.conn.execute("SELECT COUNT(*) FROM scenarios").fetchone()[0] == 1
        assert [r.id for r in store.list()] == [3, 2, 1]
        assert store.get("latest").id == 3
        assert store.list(kind="simulate") == []
        assert [r.id for r in store.list(limit=2, scenario="ukraine-2024-11")] == [3, 2]


def test_any_kind_of_run_with_json_results_and_missing_values(path, ukraine):
    from detente.analysis.montecarlo import simulate

    sim = simulate(ukraine, ["compromise", "nash"], draws=64, seed=7)
    results = sim.to_json()
    results["extra"] = {"nan": float("nan"), "array": np.arange(3), "numpy_float": np.float64(1.5)}
    with run_store.Store(path) as store:
        run_id = store.record("simulate", ukraine, results, sim.models, {}, seed=7, timings={"total": 1.0})
        run = store.get(run_id)
    assert run.seed == 7
    assert run.results["extra"] == {"nan": None, "array": [0, 1, 2], "numpy_float": 1.5}
    # a simulation's point forecasts fill the forecast rows
    point = run.forecasts.set_index(["model", "issue"])["value"]
    assert point[("compromise", "territory")] == pytest.approx(sim.point[0, 0])
    assert len(run.forecasts) == 2 * len(ukraine.issues)


def test_a_what_if_run_keeps_both_scenarios_and_the_changed_forecasts(path, ukraine):
    from detente.analysis.whatif import whatif

    result = whatif(ukraine, ["USA.capability*0.5"], ["compromise"])
    with run_store.Store(path) as store:
        run_id = store.record("whatif", [result.baseline.scenario, result.changed.scenario], result.to_json(), ["compromise"], {"levers": result.lever_texts})
        run = store.get(run_id)
    baseline, changed = run.scenarios()
    assert baseline == ukraine and changed.actor("USA").capability == 50
    stored = run.forecasts.set_index(["model", "issue"])["value"]
    assert stored[("compromise", "territory")] == pytest.approx(result.changed["compromise"].forecast["territory"], abs=1e-6)


def test_a_backtest_run_keeps_every_case(path):
    from detente.analysis.backtest import bundled_cases, run_backtest

    cases = bundled_cases()[0][:2]
    result = run_backtest(cases, ["compromise", "median"])
    with run_store.Store(path) as store:
        run_id = store.record("backtest", [c.scenario for c in cases], result.to_json(detail=True), result.models)
        run = store.get(run_id)
    assert [s.id for s in run.scenarios()] == [c.scenario.id for c in cases]
    assert len(run.forecasts) == len(result.records)
    first = result.records.iloc[0]
    key = (first["model"], f"{first['case']}/{first['issue']}")
    assert run.forecasts.set_index(["model", "issue"])["value"][key] == pytest.approx(first["forecast"], abs=1e-6)


def test_unknown_runs_and_bad_ids_are_clear_errors(path):
    with run_store.Store(path) as store:
        with pytest.raises(UsageError, match="holds no runs yet"):
            store.get("latest")
        with pytest.raises(UsageError, match="no run 5"):
            store.get(5)
        with pytest.raises(UsageError, match="a run id is a number"):
            store.get("five")


def test_results_that_are_not_json_are_refused_before_anything_is_written(path, ukraine):
    with run_store.Store(path) as store:
        with pytest.raises(UsageError, match="cannot store a object"):
            store.record("forecast", ukraine, {"bad": object()})
        assert store.list() == []


def test_default_location(monkeypatch):
    monkeypatch.delenv(run_store.ENV_VAR, raising=False)
    import platformdirs

    assert run_store.default_path() == Path(platformdirs.user_data_dir("detente")) / "runs.sqlite"
    monkeypatch.setenv(run_store.ENV_VAR, "~/elsewhere/runs.db")
    assert run_store.default_path() == Path.home() / "elsewhere" / "runs.db"


def test_a_store_that_cannot_be_created_is_a_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UsageError, match="cannot create the run store"):
        run_store.Store(blocker / "runs.sqlite")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UsageError, match="cannot use the run store"):
        run_store.Store(garbage)


# -- diff ------------------------------------------------------------------------------------------


def test_diff_names_the_changed_inputs_and_every_forecast_change(path, ukraine):
    from detente.analysis.whatif import apply_levers

    changed = apply_levers(ukraine, ["RUS.territory.salience=50"])
    first = detente.forecast(ukraine, ["compromise", "median"])
    second = detente.forecast(changed, ["compromise"], ["compromise.weighting=c"])
    with run_store.Store(path) as store:
        a, b = store.record_forecast(first), store.record_forecast(second)
        same = store.diff(a, a)
        diff = store.diff(a, b)
    assert same.same_inputs and same.scenario_changes == [] and (same.forecasts["change"] == 0).all()
    assert ("actors.RUS.stances.territory.salience", 90.0, 50.0) in diff.scenario_changes
    assert ("options.compromise.weighting", "cs", "c") in diff.option_changes
    assert not diff.same_inputs
    rows = diff.forecasts.set_index(["model", "issue"])
    territory = rows.loc[("compromise", "territory")]
    assert territory["first"] == pytest.approx(first["compromise"].forecast["territory"], abs=1e-6)
    assert territory["change"] == pytest.approx(second["compromise"].forecast["territory"] - first["compromise"].forecast["territory"], abs=1e-6)
    assert np.isnan(rows.loc[("median", "territory")]["second"])  # run b has no median
    data = diff.to_json()
    assert data["same_scenario"] is False and data["forecasts"][0]["model"] == "compromise"
    json.dumps(data)


# -- crash safety ----------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, time
    import detente
    from detente.store import Store

    path, mode = sys.argv[1], sys.argv[2]
    scenario = detente.load("ukraine-2024-11")
    rows = [{"model": f"m{m}", "issue": f"i{i}", "value": float(m * i)} for m in range(40) for i in range(100)]
    store = Store(path)
    store.record("forecast", scenario, {"forecasts": rows, "expected": len(rows)}, ["m"])
    if mode == "pause":
        # hold the process inside the next run's transaction, once rows are being written, and say so
        def hold():
            if store.conn.in_transaction:
                print("mid-write", flush=True)
                time.sleep(600)
            return 0
        store.conn.set_progress_handler(hold, 2000)
        store.record("forecast", scenario, {"forecasts": rows, "expected": len(rows)}, ["m"])
    else:
        print("writing", flush=True)
        while True:
            store.record("forecast", scenario, {"forecasts": rows, "expected": len(rows)}, ["m"])
    """
)


def _child(path: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(path), mode], stdout=subprocess.PIPE, text=True, env=env)


def _check_consistent(path: Path) -> list[int]:
    """Every stored run is whole: its scenario exists and it has all its forecast rows."""
    with run_store.Store(path) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [row[0] for row in store.conn.execute("SELECT id FROM runs ORDER BY id")]
        for run_id in ids:
            run = store.get(run_id)
            assert len(run.forecasts) == run.results["expected"]
        orphans = store.conn.execute("SELECT COUNT(*) FROM forecasts WHERE run_id NOT IN (SELECT id FROM runs)").fetchone()[0]
        assert orphans == 0
    return ids


def test_a_run_killed_mid_write_leaves_no_partial_rows(tmp_path):
    path = tmp_path / "runs.sqlite"
    child = _child(path, "pause")
    try:
        assert child.stdout.readline().strip() == "mid-write"
        assert Path(f"{path}-journal").exists(), "the kill lands inside an open write transaction"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert _check_consistent(path) == [1], "only the committed first run is there"
    with run_store.Store(path) as store:
        assert store.record("forecast", detente.load("ukraine-2024-11"), {"forecasts": [], "expected": 0}) == 2, "the interrupted run left no id behind"
    assert _check_consistent(path) == [1, 2]


def test_runs_killed_at_random_moments_leave_whole_runs_only(tmp_path):
    path = tmp_path / "runs.sqlite"
    rng = np.random.default_rng(11)
    for attempt in range(3):
        child = _child(path, "loop")
        try:
            assert child.stdout.readline().strip() == "writing"
            time.sleep(float(rng.uniform(0.05, 0.6)))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
        ids = _check_consistent(path)
        assert len(ids) >= attempt + 1


# -- schema and migrations -------------------------------------------------------------------------


def _v1_store_with_a_run(path: Path, scenario) -> None:
    """A store as detente with schema version 1 left it: runs with JSON results, no forecast rows."""
    from detente.io.yaml_io import dumps

    conn = run_store.connect(path, migrate_to=1)
    assert run_store.schema_version(conn) == 1
    results = {"forecasts": [{"model": "compromise", "issue": "territory", "value": 41.8}, {"model": "compromise", "issue": "aid", "value": None}]}
    with run_store.transaction(conn):
        conn.execute("INSERT INTO scenarios VALUES (?, ?, ?, ?, ?)", (content_hash(scenario), scenario.id, scenario.title, str(scenario.as_of), dumps(scenario)))
        conn.execute(
            "INSERT INTO runs (kind, created, scenario_hash, origin, models, options, seed, version, timings, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ("forecast", "2024-11-20T10:00:00+00:00", content_hash(scenario), None, '["compromise"]', "{}", None, "0.0.9", "{}", json.dumps(results)),
        )
    conn.close()


def test_an_older_store_is_migrated_and_its_runs_read_back(tmp_path, ukraine):
    path = tmp_path / "old.sqlite"
    _v1_store_with_a_run(path, ukraine)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'forecasts'").fetchone() is None
    raw.close()
    with run_store.Store(path) as store:
        assert run_store.schema_version(store.conn) == run_store.SCHEMA_VERSION == 3
        versions = [row[0] for row in store.conn.execute("SELECT version FROM schema_version ORDER BY version")]
        assert versions == [1, 2, 3]
        run = store.get(1)
        assert run.scenarios() == [ukraine]  # the run's scenario, filled in by migration 3
        assert run.version == "0.0.9" and run.command is None
        assert run.forecasts.to_dict("records")[0] == {"model": "compromise", "issue": "territory", "value": 41.8}
        assert np.isnan(run.forecasts.iloc[1]["value"])
        assert store.record_forecast(detente.forecast(ukraine, ["median"])) == 2
        assert [r.id for r in store.list()] == [2, 1]


def test_a_failing_migration_changes_nothing(tmp_path, ukraine, monkeypatch):
    path = tmp_path / "old.sqlite"
    _v1_store_with_a_run(path, ukraine)

    def broken(conn):
        conn.execute("CREATE TABLE forecasts (x)")
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    monkeypatch.setattr(run_store, "MIGRATIONS", [run_store.MIGRATIONS[0], broken, *run_store.MIGRATIONS[2:]])
    with pytest.raises(UsageError, match="simulated"):
        run_store.Store(path)
    raw = sqlite3.connect(path)
    assert run_store.schema_version(raw) == 1
    assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'forecasts'").fetchone() is None
    raw.close()


def test_a_store_from_a_newer_detente_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    run_store.Store(path).close()
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO schema_version VALUES (99, 'future')")
    raw.commit()
    raw.close()
    with pytest.raises(UsageError, match="newer detente") as caught:
        run_store.Store(path)
    assert str(caught.value).startswith(f"{path}: "), "the message names the file"


def test_scenario_changes_key_lists_by_id(ukraine):
    changed = ukraine.with_updates(title="Other")
    assert run_store.scenario_changes(ukraine, changed) == [("title", ukraine.title, "Other")]


# -- the commands ----------------------------------------------------------------------------------

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "160"})


def test_forecast_is_stored_unless_no_store(tmp_path):
    target = tmp_path / "cli.sqlite"
    result = invoke("forecast", "-m", "compromise", "--store", str(target))
    assert result.exit_code == 0, result.output
    assert f"Stored as run 1 in {target}" in result.output
    quiet = invoke("forecast", "-m", "compromise", "--store", str(target), "-f", "json")
    json.loads(quiet.stdout)  # json output stays clean
    skipped = invoke("forecast", "-m", "compromise", "--store", str(target), "--no-store")
    assert "Stored" not in skipped.output
    with run_store.Store(target) as store:
        assert [r.id for r in store.list()] == [2, 1]


def test_an_unwritable_store_warns_but_the_forecast_stands(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("forecast", "-m", "compromise", "--store", str(blocker / "runs.sqlite"))
    assert result.exit_code == 0
    assert "Territorial settlement" in result.output
    assert "warning: the run was not stored" in result.output


def test_runs_list_show_diff(tmp_path):
    target = str(tmp_path / "cli.sqlite")
    invoke("forecast", "ukraine-2024-11", "-m", "compromise", "-m", "median", "--store", target)
    invoke("forecast", "ukraine-2024-11", "-m", "compromise", "--set", "weighting=c", "--store", target)
    listing = invoke("runs", "list", "--store", target)
    assert listing.exit_code == 0, listing.output
    assert "ukraine-2024-11" in listing.output and "compromise, median" in listing.output
    listed = json.loads(invoke("runs", "list", "--store", target, "-f", "json").stdout)
    assert [r["id"] for r in listed] == [2, 1]
    shown = invoke("runs", "show", "1", "--store", target)
    assert "Weighted median" in shown.output and "between 'Russian withdrawal" in shown.output
    data = json.loads(invoke("runs", "show", "latest", "--store", target, "-f", "json").stdout)
    assert data["id"] == 2 and data["options"]["compromise"]["weighting"] == "c"
    assert data["scenario_text"].startswith("detente: 1")
    diff = invoke("runs", "diff", "1", "2", "--store", target)
    assert diff.exit_code == 0, diff.output
    assert "options.compromise.weighting" in diff.output and "Same scenario" in diff.output
    missing = invoke("runs", "show", "9", "--store", target)
    assert missing.exit_code == 2 and "no run 9" in missing.output and "Traceback" not in missing.output


def test_an_impossible_run_id_is_a_clear_error(tmp_path):
    from detente.errors import UsageError
    from detente.store import Store

    with Store(tmp_path / "runs.sqlite") as store:
        for run_id in (2**63, "99999999999999999999", 0, "-5"):
            with pytest.raises(UsageError, match="run"):
                store.get(run_id)
