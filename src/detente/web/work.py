"""The heavy part of each web job, as plain functions a child process runs (see :func:`detente.web.jobs.in_child`)."""

from __future__ import annotations

from typing import Any, Callable

from detente.scenario import Scenario

Progress = Callable[[int, int], None]


def sensitivities(scenario: Scenario, models: list[str], settings: list[str], progress: Progress) -> list[Any]:
    """The sensitivity analysis of each model in turn."""
    from detente.analysis.sensitivity import sensitivity

    results = []
    for done, name in enumerate(models):
        progress(done, len(models))
        results.append(sensitivity(scenario, name, settings))
    progress(len(models), len(models))
    return results
