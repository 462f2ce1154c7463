"""detente: forecast and explore multi-party negotiations.

>>> import detente
>>> scenario = detente.load("ukraine-2024-11")
>>> result = detente.forecast(scenario)
>>> result.to_frame()  # one row per model and issue
"""

from detente.errors import DetenteError, OptionError, ScenarioError, UsageError
from detente.forecast import Forecast, forecast
from detente.io import bundled_ids, load, save
from detente.scenario import Actor, Batch, Issue, Scenario, Stance

__version__ = "0.1.0"

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
