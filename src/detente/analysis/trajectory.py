"""Round-by-round views of the dynamic models (EUM, exchange, SMP)."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from detente.errors import UsageError
from detente.forecast import resolve_models
from detente.models.base import DynamicResult
from detente.scenario import Scenario


def run_dynamic(scenario: Scenario, model: str, settings: Iterable[str] = ()) -> DynamicResult:
    """Run one round-based model and return its whole trajectory."""
    (built,) = resolve_models([model], settings)
    if not built.dynamic:
        from detente import models as registry

        dynamic = [name for name, cls in registry.registry().items() if cls.dynamic]
        raise UsageError(f"model {model!r} has no rounds; round-based models: {', '.join(dynamic) or 'none installed'}")
    return built.run(scenario)


def round_frame(result: DynamicResult, issue_id: str) -> pd.DataFrame:
    """One row per round for one issue: the forecast and every actor's position (issue units).

    Models may offer a richer table through a ``round_table(issue_id)`` method of their result.
    """
    if hasattr(result, "round_table"):
        return result.round_table(issue_id)
    k = result.scenario.issue_ids.index(issue_id)
    frame = pd.DataFrame({"round": range(len(result.positions)), "forecast": result.round_forecasts[:, k]})
    for i, actor in enumerate(result.scenario.actors):
        frame[actor.id] = result.positions[:, i, k]
    return frame


def round_frames(result: DynamicResult, issue: str | None = None) -> list[tuple[str, pd.DataFrame]]:
    issues = [result.scenario.issue(issue)] if issue else result.scenario.issues
    return [(f"{result.model}: {item.label} ({item.lo:g}–{item.hi:g})", round_frame(result, item.id)) for item in issues]
