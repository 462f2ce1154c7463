"""Round-by-round views of the dynamic models (EUM, exchange, SMP)."""

from __future__ import annotations

from typing import Iterable

import numpy as np
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
    head = pd.DataFrame({"round": range(len(result.positions)), "forecast": result.round_forecasts[:, k]})
    positions = pd.DataFrame(result.positions[:, :, k], columns=[actor.id for actor in result.scenario.actors])
    return pd.concat([head, positions], axis=1)  # at once: a column a time fragments the frame (pandas warns from 100 actors)


def round_frames(result: DynamicResult, issue: str | None = None) -> list[tuple[str, pd.DataFrame]]:
    issues = [result.scenario.issue(issue)] if issue else result.scenario.issues
    return [(f"{result.model}: {item.label} ({item.lo:g}–{item.hi:g})", round_frame(result, item.id)) for item in issues]


def tidy_rounds(result: DynamicResult, issue: str | None = None) -> pd.DataFrame:
    """Every round of every issue (or of ``issue``) as one long table: one row per model, issue,
    round and actor with the actor's ``position``, the round's ``forecast`` and the model's other
    per-round columns (EUM's median, mean and moves, SMP's ``p_top``) repeated on each of its rows."""
    issues = [result.scenario.issue(issue)] if issue else result.scenario.issues
    actors = result.scenario.actor_ids
    rounds = len(result.positions)
    parts = []
    for item in issues:
        k = result.scenario.issue_ids.index(item.id)
        long = pd.DataFrame(
            {
                "model": result.model,
                "issue": item.id,
                "round": np.repeat(np.arange(rounds), len(actors)),
                "forecast": np.repeat(result.round_forecasts[:, k], len(actors)),
                "actor": np.tile(actors, rounds),
                "position": result.positions[:, :, k].reshape(-1),
            }
        )
        extra = round_frame(result, item.id)
        extra = extra[[c for c in extra.columns if c not in {"forecast", *actors}]]
        if len(extra.columns) > 1:
            long = long.merge(extra, on="round", how="left")
        parts.append(long)
    return pd.concat(parts, ignore_index=True)
