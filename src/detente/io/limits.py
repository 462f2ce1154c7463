"""What the readers accept: limits that refuse a hostile or careless file before it costs
minutes or gigabytes, each named in its message with the environment variable that raises it.

Every limit is read from the environment when a file is read, so that a user with a genuinely
large scenario sets, e.g., ``DETENTE_MAX_ROWS=500000`` and reads it. docs/formats.md lists them.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass

from detente.errors import Problem, ScenarioError


@dataclass(frozen=True)
class Limit:
    key: str
    default: int
    what: str  # "MB", "rows", ...: the unit of the limit in messages

    @property
    def variable(self) -> str:
        return f"DETENTE_MAX_{self.key}"

    @property
    def value(self) -> int:
        """The limit in force: the environment variable if it holds a whole number >= 1, else the default."""
        text = os.environ.get(self.variable, "").strip().replace("_", "")
        return int(text) if text.isdigit() and int(text) >= 1 else self.default

    def exceeded(self, found: str, source: str | None, line: int | None = None) -> ScenarioError:
        """The error for an input beyond the limit: ``found`` says what was found ("more than ...")."""
        message = f"{found}; the limit is {self.value:,} {self.what} (set the environment variable {self.variable} to raise it)"
        return ScenarioError([Problem(message, line=line, file=source)], source)


FILE_MB = Limit("FILE_MB", 50, "MB")
ROWS = Limit("ROWS", 200_000, "rows")
COLUMNS = Limit("COLUMNS", 1_100, "columns")
CELLS = Limit("CELLS", 2_000_000, "cells")
ACTORS = Limit("ACTORS", 10_000, "actors")
ISSUES = Limit("ISSUES", 500, "issues")
XLSX_PART_MB = Limit("XLSX_PART_MB", 5, "MB uncompressed")
XLSX_STRINGS = Limit("XLSX_STRINGS", 100_000, "distinct texts")
XML_DEPTH = Limit("XML_DEPTH", 32, "levels of nested elements")
ALL = (FILE_MB, ROWS, COLUMNS, CELLS, ACTORS, ISSUES, XLSX_PART_MB, XLSX_STRINGS, XML_DEPTH)


def check_counts(n_actors: int, n_issues: int, source: str | None) -> None:
    """Refuse a scenario with more actors or issues than the limits, before it is validated."""
    if n_actors > ACTORS.value:
        raise ACTORS.exceeded(f"the scenario has {n_actors:,} actors", source)
    if n_issues > ISSUES.value:
        raise ISSUES.exceeded(f"the scenario has {n_issues:,} issues", source)


def file_bytes() -> int:
    return FILE_MB.value * 2**20


def allow_long_csv_fields() -> None:
    """Let a CSV cell be as long as a file may be (the csv module's default stops at 131,072
    characters, so a long description that detente wrote could not be read back)."""
    if csv.field_size_limit() < file_bytes():
        csv.field_size_limit(file_bytes())
