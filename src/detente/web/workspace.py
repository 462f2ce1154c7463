"""Scenarios a team saves from the web app, each with a version number that guards against lost edits.

A save names the version it started from; when someone else saved in between, the save is
refused with :class:`VersionConflict` (optimistic locking: nobody holds a lock, the second writer
is told). Saved scenarios live in their own table of the run store's SQLite file, so a team
that shares a server shares both. A work in progress may be saved with problems still in it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from detente.errors import DetenteError, UsageError

SAVED_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class VersionConflict(DetenteError):
    """A save that started from an older version than the one stored."""

    def __init__(self, scenario_id: str, current: int, saved: str):
        self.current = current
        super().__init__(
            f"{scenario_id!r} was saved by someone else (version {current}, {saved}) after you opened it; "
            "reopen it to see their changes, or save yours under another id"
        )


@dataclass(frozen=True)
class Saved:
    id: str
    version: int
    saved: str
    title: str | None
    scenario: dict[str, Any]


class Workspace:
    """The saved scenarios in the SQLite file at ``path``."""

    def __init__(self, path: str | Path):
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS workspace_scenarios (id TEXT PRIMARY KEY, version INTEGER NOT NULL, saved TEXT NOT NULL, title TEXT, body TEXT NOT NULL)"
            )
        except (sqlite3.DatabaseError, OSError) as error:
            raise UsageError(f"cannot use the workspace in {path}: {error}") from None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.conn.close()

    def list(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT id, version, saved, title FROM workspace_scenarios ORDER BY saved DESC").fetchall()
        return [{"id": i, "version": v, "saved": s, "title": t} for i, v, s, t in rows]

    def get(self, scenario_id: str) -> Saved | None:
        row = self.conn.execute("SELECT id, version, saved, title, body FROM workspace_scenarios WHERE id = ?", (scenario_id,)).fetchone()
        return None if row is None else Saved(row[0], row[1], row[2], row[3], json.loads(row[4]))

    def save(self, scenario_id: str, scenario: dict[str, Any], version: int | None) -> int:
        """Store ``scenario`` as the next version and return its number. ``version`` is the one the
        edit started from (None: a new saved scenario); anything else than the stored one is refused."""
        if not SAVED_ID.match(scenario_id):
            raise UsageError(f"a saved scenario's id is 1 to 80 letters, digits, '.', '_' or '-', got {scenario_id[:80]!r}")
        title = scenario.get("title") if isinstance(scenario.get("title"), str) else None
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        body = json.dumps(scenario)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            row = self.conn.execute("SELECT version, saved FROM workspace_scenarios WHERE id = ?", (scenario_id,)).fetchone()
            current = 0 if row is None else row[0]
            if (version or 0) != current:
                raise VersionConflict(scenario_id, current, row[1] if row else "deleted")
            self.conn.execute("INSERT OR REPLACE INTO workspace_scenarios VALUES (?, ?, ?, ?, ?)", (scenario_id, current + 1, now, title, body))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return current + 1
