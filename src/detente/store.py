"""Every run kept: forecasts, simulations, what-ifs and backtests in one SQLite file.

A run records the scenario as given (its canonical YAML text and that text's SHA-256, stored once
per distinct scenario; a what-if or a backtest records each of its scenarios), the kind of run, the models and their options, the seed, the detente
version, timings and the results (JSON), plus one row per model and issue forecast so that runs
can be listed, compared and reported on without re-running anything.

Where: ``--store PATH``, else the ``DETENTE_STORE`` environment variable, else ``runs.sqlite`` in
the user's data directory (``platformdirs.user_data_dir("detente")``).

Crash safety: everything one run writes goes in one transaction (``BEGIN IMMEDIATE`` ...
``COMMIT``), so a process killed mid-write leaves either the whole run or nothing; SQLite's
rollback journal undoes the partial write the next time the file is opened. The connection runs in
autocommit mode with explicit transactions, because Python's implicit transactions (the legacy
``isolation_level`` mode of Python < 3.12) do not cover DDL statements, and migrations must be
atomic too.

Schema: the ``schema_version`` table lists every migration applied (version, time). Migrations are
ordered functions in :data:`MIGRATIONS`; opening a store applies the missing ones, each in its own
transaction together with its version row. A file written by a newer detente (a higher version
than this one knows) is refused rather than misread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from detente.errors import DetenteError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from detente.forecast import Forecast
    from detente.scenario import Scenario

ENV_VAR = "DETENTE_STORE"
FILE_NAME = "runs.sqlite"
KINDS = ("forecast", "simulate", "whatif", "backtest", "rounds", "sensitivity", "compare")


def default_path() -> Path:
    """``$DETENTE_STORE``, or ``runs.sqlite`` in the user's data directory."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("detente")) / FILE_NAME


# -- migrations ------------------------------------------------------------------------------------


def _v1_runs(conn: sqlite3.Connection) -> None:
    """Scenarios (by content hash) and runs with their results as JSON."""
    conn.execute(
        """CREATE TABLE scenarios (
            hash TEXT PRIMARY KEY,
            scenario_id TEXT NOT NULL,
            title TEXT,
            as_of TEXT,
            text TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            created TEXT NOT NULL,
            scenario_hash TEXT NOT NULL REFERENCES scenarios(hash),
            origin TEXT,
            models TEXT NOT NULL,
            options TEXT NOT NULL,
            seed INTEGER,
            version TEXT NOT NULL,
            timings TEXT NOT NULL,
            results TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX runs_by_scenario ON runs(scenario_hash)")


def _v2_forecast_rows(conn: sqlite3.Connection) -> None:
    """One row per run, model and issue forecast (for listing and diffing runs without parsing
    their JSON), filled from the results of the runs already stored; and the command line."""
    conn.execute(
        """CREATE TABLE forecasts (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            issue TEXT NOT NULL,
            value REAL,
            PRIMARY KEY (run_id, model, issue)
        )"""
    )
    conn.execute("ALTER TABLE runs ADD COLUMN command TEXT")
    for run_id, results in conn.execute("SELECT id, results FROM runs").fetchall():
        rows = forecast_rows(json.loads(results))
        conn.executemany("INSERT OR REPLACE INTO forecasts VALUES (?, ?, ?, ?)", [(run_id, *row) for row in rows])


def _v3_run_scenarios(conn: sqlite3.Connection) -> None:
    """Runs on several scenarios (a what-if's baseline and changed scenario, a backtest's cases):
    every scenario of a run, in order; the first is the run's own ``scenario_hash``."""
    conn.execute(
        """CREATE TABLE run_scenarios (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            scenario_hash TEXT NOT NULL REFERENCES scenarios(hash),
            PRIMARY KEY (run_id, position)
        )"""
    )
    conn.execute("INSERT INTO run_scenarios SELECT id, 0, scenario_hash FROM runs")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_runs, _v2_forecast_rows, _v3_run_scenarios]
SCHEMA_VERSION = len(MIGRATIONS)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; ``ROLLBACK`` on any error (the connection must be in
    autocommit mode, ``isolation_level=None``)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not exists:
        return 0
    return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply the missing migrations up to ``target`` (default: the newest); returns the version."""
    target = SCHEMA_VERSION if target is None else target
    with transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise UsageError(f"the run store was written by a newer detente (schema version {current}; this one knows up to {SCHEMA_VERSION})")
    for version in range(current + 1, target + 1):
        with transaction(conn):
            if schema_version(conn) >= version:  # another process migrated meanwhile
                continue
            MIGRATIONS[version - 1](conn)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, _now()))
    return schema_version(conn)


def connect(path: str | Path, migrate_to: int | None = None) -> sqlite3.Connection:
    """Open (creating if needed) a store file in autocommit mode, migrated to ``migrate_to``
    (default: the newest schema)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, migrate_to)
    except UsageError as error:  # written by a newer detente: say which file
        conn.close()
        raise UsageError(f"{path}: {error}") from None
    except sqlite3.DatabaseError as error:
        raise UsageError(f"cannot use the run store {path}: {error}") from None
    except OSError as error:
        raise UsageError(f"cannot create the run store {path}: {error.strerror or error}") from None
    return conn


# -- what a run holds ------------------------------------------------------------------------------


def forecast_rows(results: Mapping[str, Any]) -> list[tuple[str, str, float | None]]:
    """``(model, issue, value)`` of a run's results: its ``forecasts`` records (``value`` as
    :meth:`Forecast.records <detente.forecast.Forecast.records>` gives it, or a what-if's
    ``changed``); failing that, a simulation's ``summaries`` (``point``); failing that, a
    backtest's ``detail`` (``forecast``, keyed ``case/issue``)."""
    rows = [(r.get("model"), r.get("issue"), r.get("value", r.get("changed"))) for r in _records(results, "forecasts")]
    if not rows:
        rows = [(r.get("model"), r.get("issue"), r.get("point")) for r in _records(results, "summaries")]
    if not rows:
        rows = [(r.get("model"), f"{r.get('case')}/{r.get('issue')}", r.get("forecast")) for r in _records(results, "detail")]
    return [(str(m), str(i), None if v is None else float(v)) for m, i, v in rows if m is not None and i is not None]


def _records(results: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return [r for r in results.get(key) or [] if isinstance(r, Mapping)]


@dataclass
class RunSummary:
    id: int
    kind: str
    created: str
    scenario_id: str
    scenario_hash: str
    models: list[str]
    seed: int | None
    version: str
    seconds: float | None


@dataclass
class Run:
    """One stored run, as it was recorded."""

    id: int
    kind: str
    created: str
    scenario_hash: str
    scenario_id: str
    scenario_text: str
    origin: str | None
    models: list[str]
    options: dict[str, Any]
    seed: int | None
    version: str
    timings: dict[str, Any]
    results: dict[str, Any]
    command: list[str] | None
    forecasts: pd.DataFrame = field(default_factory=lambda: _empty_forecasts())
    scenario_texts: list[str] = field(default_factory=list)  # every scenario of the run, the first being scenario_text

    def scenario(self) -> "Scenario":
        """The (first) scenario exactly as it was run."""
        from detente.io.yaml_io import loads

        return loads(self.scenario_text, f"run {self.id}")

    def scenarios(self) -> list["Scenario"]:
        """Every scenario of the run, in order (a what-if's baseline and changed one, a backtest's cases)."""
        from detente.io.yaml_io import loads

        return [loads(text, f"run {self.id}, scenario {n + 1}") for n, text in enumerate(self.scenario_texts or [self.scenario_text])]

    def forecast(self) -> "Forecast":
        """The run's forecasts as a :class:`~detente.forecast.Forecast` (stored values, not re-run);
        a dynamic model's stored rounds come back as a :class:`~detente.models.base.DynamicResult`."""
        from detente.forecast import Forecast
        from detente.models.base import DynamicResult, ModelResult

        scenario = self.scenario()
        quantiles = {(r.get("model"), r.get("issue")): [_nan(r.get(q)) for q in ("q05", "q25", "q75", "q95")]
                     for r in _records(self.results, "forecasts")}
        results = []
        for model in self.models:
            rows = self.forecasts[self.forecasts["model"] == model].set_index("issue")["value"]
            values = np.array([_nan(rows.get(i)) for i in scenario.issue_ids], dtype=float)
            stored = np.array([quantiles.get((model, i), [np.nan] * 4) for i in scenario.issue_ids], dtype=float)
            intervals = None if np.isnan(stored).all() else stored
            stored_notes = self.results.get("notes")  # per model and issue in a forecast run; a list of sentences in the other kinds
            notes = dict(stored_notes.get(model) or {}) if isinstance(stored_notes, dict) else {}
            options = dict(self.options.get(model, {}))
            rounds = self.results.get("rounds", {}).get(model)
            if rounds:
                positions, forecasts = _rounds_arrays(rounds, scenario)
                results.append(DynamicResult(model, options, scenario, values, notes, stored_intervals=intervals, positions=positions, round_forecasts=forecasts))
            else:
                results.append(ModelResult(model, options, scenario, values, notes, stored_intervals=intervals))
        return Forecast(scenario, results)

    def __repr__(self) -> str:
        return f"<Run {self.id} ({self.kind}) {self.scenario_id!r}: {', '.join(self.models)}; {self.created[:19]}>"

    def _repr_html_(self) -> str:
        from detente.report.notebook import run_html

        return run_html(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "created": self.created,
            "scenario": {"id": self.scenario_id, "hash": self.scenario_hash, "origin": self.origin},
            "models": self.models,
            "options": self.options,
            "seed": self.seed,
            "version": self.version,
            "command": self.command,
            "timings": self.timings,
            "results": self.results,
        }


def _rounds_arrays(rounds: list[dict[str, Any]], scenario: "Scenario") -> tuple[np.ndarray, np.ndarray]:
    actors, issues = scenario.actor_ids, scenario.issue_ids
    positions = np.full((len(rounds), len(actors), len(issues)), np.nan)
    forecasts = np.full((len(rounds), len(issues)), np.nan)
    for t, entry in enumerate(rounds):
        for i, actor in enumerate(actors):
            for k, issue in enumerate(issues):
                positions[t, i, k] = _nan(entry.get("positions", {}).get(actor, {}).get(issue))
        for k, issue in enumerate(issues):
            forecasts[t, k] = _nan(entry.get("forecast", {}).get(issue))
    return positions, forecasts


def _nan(value: Any) -> float:
    return math.nan if value is None else float(value)


@dataclass
class RunDiff:
    """What differs between two runs: inputs (scenario, models, options, seed, version) and the
    forecasts (``forecasts``: model, issue, first, second, change)."""

    first: Run
    second: Run
    scenario_changes: list[tuple[str, Any, Any]]
    option_changes: list[tuple[str, Any, Any]]
    forecasts: pd.DataFrame

    def __repr__(self) -> str:
        return f"<RunDiff run {self.first.id} → run {self.second.id}: {len(self.scenario_changes)} scenario changes, {len(self.forecasts)} forecasts>"

    def _repr_html_(self) -> str:
        from detente.report.notebook import frame_html

        return frame_html(self.forecasts, repr(self)[1:-1], limit=50)

    @property
    def same_inputs(self) -> bool:
        return not self.scenario_changes and not self.option_changes and self.first.models == self.second.models and self.first.seed == self.second.seed

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first.id,
            "second": self.second.id,
            "same_scenario": self.first.scenario_hash == self.second.scenario_hash,
            "scenario_changes": [{"field": f, "first": a, "second": b} for f, a, b in self.scenario_changes],
            "option_changes": [{"option": f, "first": a, "second": b} for f, a, b in self.option_changes],
            "seed": [self.first.seed, self.second.seed],
            "version": [self.first.version, self.second.version],
            "forecasts": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()} for row in self.forecasts.to_dict("records")
            ],
        }


# -- the store -------------------------------------------------------------------------------------


class Store:
    """A run store file. ``Store()`` opens the default one (see :func:`default_path`)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.conn = connect(self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def record(
        self,
        kind: str,
        scenario: "Scenario | Sequence[Scenario]",
        results: Mapping[str, Any],
        models: Iterable[str] = (),
        options: Mapping[str, Any] | None = None,
        seed: int | None = None,
        timings: Mapping[str, float] | None = None,
        command: Iterable[str] | None = None,
    ) -> int:
        """Store one run in one transaction and return its id. ``scenario`` is the scenario run, or
        the list of them (a what-if's baseline and changed scenario, a backtest's cases).
        ``results`` must be JSON-ready; its forecasts also fill the forecast rows (see :func:`forecast_rows`)."""
        from detente import __version__
        from detente.io.yaml_io import dumps, text_hash
        from detente.scenario import Scenario

        scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
        if not scenarios:
            raise UsageError("a run needs at least one scenario")
        texts = [dumps(item) for item in scenarios]
        digests = [text_hash(text) for text in texts]
        payload = _json(results)
        rows = forecast_rows(json.loads(payload))
        first = scenarios[0]
        with transaction(self.conn) as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO scenarios (hash, scenario_id, title, as_of, text) VALUES (?, ?, ?, ?, ?)",
                [(d, s.id, s.title, str(s.as_of) if s.as_of else None, t) for d, s, t in zip(digests, scenarios, texts)],
            )
            cursor = conn.execute(
                "INSERT INTO runs (kind, created, scenario_hash, origin, models, options, seed, version, timings, results, command) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind, _now(), digests[0], first.origin, _json(list(models)), _json(dict(options or {})), seed, __version__,
                    _json(dict(timings or {})), payload, _json(list(command)) if command is not None else None,
                ),
            )
            run_id = int(cursor.lastrowid)
            conn.executemany("INSERT INTO run_scenarios VALUES (?, ?, ?)", [(run_id, n, d) for n, d in enumerate(digests)])
            conn.executemany("INSERT OR REPLACE INTO forecasts VALUES (?, ?, ?, ?)", [(run_id, *row) for row in rows])
        return run_id

    def record_forecast(self, forecast: "Forecast", timings: Mapping[str, float] | None = None, command: Iterable[str] | None = None) -> int:
        """Store a forecast run: its records, every note, and each dynamic model's rounds."""
        from detente.models.base import DynamicResult

        results = {
            "forecasts": forecast.records(),
            "notes": {r.model: dict(r.notes) for r in forecast.results if r.notes},
            "rounds": {r.model: r.rounds() for r in forecast.results if isinstance(r, DynamicResult)},
        }
        models = [r.model for r in forecast.results]
        options = {r.model: r.options for r in forecast.results}
        return self.record("forecast", forecast.scenario, results, models, options, timings=timings, command=command)

    def list(self, limit: int | None = 50, kind: str | None = None, scenario: str | None = None) -> list[RunSummary]:
        """The newest runs first."""
        query = (
            "SELECT r.id, r.kind, r.created, s.scenario_id, r.scenario_hash, r.models, r.seed, r.version, r.timings "
            "FROM runs r JOIN scenarios s ON s.hash = r.scenario_hash"
        )
        where, params = [], []
        if kind:
            where.append("r.kind = ?")
            params.append(kind)
        if scenario:
            where.append("s.scenario_id = ?")
            params.append(scenario)
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY r.id DESC"
        if limit:
            query += f" LIMIT {int(limit)}"
        out = []
        for row in self.conn.execute(query, params):
            timings = json.loads(row[8])
            out.append(RunSummary(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7], timings.get("total")))
        return out

    def get(self, run_id: int | str) -> Run:
        """One run; ``"latest"`` (or ``-1``) is the newest."""
        import pandas as pd

        run_id = self._resolve(run_id)
        row = self.conn.execute(
            "SELECT r.id, r.kind, r.created, r.scenario_hash, s.scenario_id, s.text, r.origin, r.models, r.options, r.seed, r.version, "
            "r.timings, r.results, r.command FROM runs r JOIN scenarios s ON s.hash = r.scenario_hash WHERE r.id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise UsageError(f"no run {run_id} in {self.path} (see `detente runs list`)")
        forecasts = pd.read_sql_query("SELECT model, issue, value FROM forecasts WHERE run_id = ? ORDER BY rowid", self.conn, params=(run_id,))
        texts = [
            text
            for (text,) in self.conn.execute(
                "SELECT s.text FROM run_scenarios rs JOIN scenarios s ON s.hash = rs.scenario_hash WHERE rs.run_id = ? ORDER BY rs.position", (run_id,)
            )
        ]
        return Run(
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]), json.loads(row[8]), row[9], row[10],
            json.loads(row[11]), json.loads(row[12]), json.loads(row[13]) if row[13] else None, forecasts, texts,
        )

    def _resolve(self, run_id: int | str) -> int:
        if isinstance(run_id, str):
            if run_id.strip().lower() in ("latest", "last", "-1"):
                row = self.conn.execute("SELECT MAX(id) FROM runs").fetchone()
                if row[0] is None:
                    raise UsageError(f"the run store {self.path} holds no runs yet")
                return int(row[0])
            try:
                run_id = int(run_id)
            except ValueError:
                raise UsageError(f"a run id is a number or 'latest', got {run_id!r}") from None
        if not 0 < int(run_id) < 2**63:
            raise UsageError(f"no run {run_id} in {self.path}: run ids are positive numbers (see `detente runs list`)")
        return int(run_id)

    def diff(self, first: int | str, second: int | str) -> RunDiff:
        a, b = self.get(first), self.get(second)
        changes = [] if a.scenario_hash == b.scenario_hash else scenario_changes(a.scenario(), b.scenario())
        option_changes = _flat_changes(_flatten({"models": a.models, "options": a.options}), _flatten({"models": b.models, "options": b.options}))
        left = a.forecasts.rename(columns={"value": "first"})
        right = b.forecasts.rename(columns={"value": "second"})
        joined = left.merge(right, on=["model", "issue"], how="outer")
        order = list(dict.fromkeys([*zip(left["model"], left["issue"]), *zip(right["model"], right["issue"])]))
        joined = joined.set_index(["model", "issue"]).loc[order].reset_index() if order else joined
        joined["change"] = joined["second"] - joined["first"]
        return RunDiff(a, b, changes, option_changes, joined[["model", "issue", "first", "second", "change"]])


def keep(path: str | Path | None, record: Callable[["Store"], int]) -> tuple[int | None, Path, str | None]:
    """Write a run with ``record(store)`` and return ``(run_id, store_path, None)``. A store that
    cannot be written gives ``(None, store_path, reason)`` instead of an exception: failing to keep
    a run must not lose the answer the user asked for."""
    target = Path(path) if path is not None else default_path()
    try:
        with Store(target) as store:
            return record(store), store.path, None
    except (DetenteError, OSError, sqlite3.Error) as error:
        return None, target, str(error)


# -- comparing inputs ------------------------------------------------------------------------------


def scenario_changes(first: "Scenario", second: "Scenario") -> list[tuple[str, Any, Any]]:
    """Every field that differs between two scenarios, as ``(path, first, second)``, with actors,
    issues and sources keyed by id (``actors.RUS.stances.territory.position``)."""
    return _flat_changes(_flatten(_keyed(first.model_dump(mode="json"))), _flatten(_keyed(second.model_dump(mode="json"))))


def _keyed(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _keyed(v) for k, v in data.items()}
    if isinstance(data, list) and data and all(isinstance(x, dict) and "id" in x for x in data):
        return {str(x["id"]): _keyed({k: v for k, v in x.items() if k != "id"}) for x in data}
    return data


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


def _flat_changes(first: dict[str, Any], second: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    keys = list(first) + [k for k in second if k not in first]
    return [(k, first.get(k), second.get(k)) for k in keys if first.get(k) != second.get(k)]


def _json(data: Any) -> str:
    """JSON text of results; NaN and infinities become null, numpy values plain numbers."""
    return json.dumps(_plain(data), ensure_ascii=False, allow_nan=False)


def _plain(value: Any) -> Any:
    kind = type(value)  # the common kinds first: the ABC checks below are slow on the many numbers of a dynamic run
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is str or value is None:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (dt.date, dt.datetime, Path)):
        return str(value)
    if value is None or isinstance(value, str):
        return value
    raise UsageError(f"cannot store a {type(value).__name__} in a run's results")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _empty_forecasts() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame(columns=["model", "issue", "value"])
