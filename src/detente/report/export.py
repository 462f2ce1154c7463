"""What the command line writes for other programs: JSON and tidy CSV with clean numbers.

Floats are rounded to :data:`SIGNIFICANT` significant digits, far below what any model resolves
(their stopping tolerances are 1e-6 of a scale or coarser) and enough to drop binary noise such as
``0.30000000000000004``; NaN and infinities become empty (CSV) or ``null`` (JSON). A CSV is one
tidy table: one row per observation, one column per variable, one header line, the same key
columns (scenario, model, issue, round, actor, ...) wherever they apply. Text cells that a
spreadsheet would run as a formula are neutralised (:func:`detente.io.common.neutralise`).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from detente.io.common import csv_text as io_csv_text

SIGNIFICANT = 10


def tidy_number(value: float) -> float | None:
    """``value`` to :data:`SIGNIFICANT` significant digits; ``None`` for NaN and infinities."""
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{SIGNIFICANT}g}")


def tidy(data: Any) -> Any:
    """``data`` with every float (numpy's too) passed through :func:`tidy_number`, recursively."""
    if isinstance(data, Mapping):
        return {key: tidy(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [tidy(value) for value in data]
    if isinstance(data, bool) or data is None or isinstance(data, (str, int)):
        return data
    if hasattr(data, "dtype") and getattr(data, "shape", None) == ():  # a numpy scalar
        data = data.item()
        return tidy(data)
    if isinstance(data, float):
        return tidy_number(data)
    return data


def csv_text(records: Iterable[Mapping[str, Any]]) -> str:
    """Records as one CSV table (header from the union of their keys, in order of appearance)."""
    rows = [tidy(dict(record)) for record in records]
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return io_csv_text([columns, *([row.get(column) for column in columns] for row in rows)], line_end="\n")
