"""detente: forecast and explore multi-party negotiations.

>>> import detente
>>> scenario = detente.load("ukraine-2024-11")
>>> result = detente.forecast(scenario)
>>> result.to_frame()  # one row per model and issue

The names below are loaded on first use, so that ``import detente`` (and the command line's
``--help``) does not pay for numpy, pydantic and the models before anything is asked.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from detente.errors import DetenteError, OptionError, ScenarioError, UsageError
from detente.forecast import Forecast, forecast  # light; imported eagerly so that the function, not the module, is detente.forecast

if TYPE_CHECKING:
    from detente.io import bundled_ids, load, save
    from detente.scenario import Actor, Batch, Issue, Scenario, Stance

__version__ = "0.1.0"

_LAZY = {
    "bundled_ids": "detente.io",
    "load": "detente.io",
    "save": "detente.io",
    "Actor": "detente.scenario",
    "Batch": "detente.scenario",
    "Issue": "detente.scenario",
    "Scenario": "detente.scenario",
    "Stance": "detente.scenario",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'detente' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Actor",
    "Batch",
    "DetenteError",
    "Forecast",
    "Issue",
    "OptionError",
    "Scenario",
    "ScenarioError",
    "Stance",
    "UsageError",
    "bundled_ids",
    "forecast",
    "load",
    "save",
]
