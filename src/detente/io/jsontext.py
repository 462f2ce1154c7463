"""JSON that strict parsers accept: no ``NaN`` or ``Infinity`` tokens (RFC 8259 has none)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def strict_dumps(data: Any, **options: Any) -> tuple[str, int]:
    """JSON text of ``data`` with every NaN and infinity written as ``null``, and how many were.

    Python's :func:`json.dumps` writes them as the bare tokens ``NaN`` and ``Infinity`` by
    default, which JavaScript's ``JSON.parse`` and most other parsers reject. The count lets a
    caller say that values were replaced. Objects JSON has no type for are written with ``str``.
    """
    replaced = [0]

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, np.ndarray)):
            return [plain(v) for v in value]
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, (float, np.floating)):
            if math.isfinite(value):
                return float(value)
            replaced[0] += 1
            return None
        return value

    text = json.dumps(plain(data), allow_nan=False, default=str, **options)
    return text, replaced[0]
