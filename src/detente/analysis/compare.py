"""Compare two scenarios (e.g. two snapshots of the same talks): each model's forecasts and the shift."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

from detente.forecast import Forecast, forecast
from detente.models.base import Model
from detente.scenario import Scenario


@dataclass
class Comparison:
    """Forecasts of the same models on two scenarios, matched by issue id."""

    first: Scenario
    second: Scenario
    forecasts: tuple[Forecast, Forecast]
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """One row per model and issue (issues of the first scenario, then those only in the second):
        the forecast in each (None where the issue is absent) and the shift, in issue units.
        The shift is None where the issue's scale differs between the two files."""
        first_issues = {i.id: (k, i) for k, i in enumerate(self.first.issues)}
        second_issues = {i.id: (k, i) for k, i in enumerate(self.second.issues)}
        order = list(first_issues) + [i for i in second_issues if i not in first_issues]
        rows = []
        for a, b in zip(*self.forecasts):
            for issue_id in order:
                before = _value(a.values, first_issues.get(issue_id))
                after = _value(b.values, second_issues.get(issue_id))
                same_scale = issue_id in first_issues and issue_id in second_issues and first_issues[issue_id][1].scale == second_issues[issue_id][1].scale
                shift = after - before if same_scale and before is not None and after is not None else None
                rows.append({"model": a.model, "issue": issue_id, "first": before, "second": after, "shift": None if shift is None else round(shift, 6)})
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per model and issue: ``first, second`` (the forecasts, issue units) and ``shift``."""
        return pd.DataFrame.from_records(self.records())

    def __repr__(self) -> str:
        return f"<Comparison {self.first.id!r} → {self.second.id!r}: {', '.join(r.model for r in self.forecasts[0].results)}>"

    def _repr_html_(self) -> str:
        from detente.report.notebook import comparison_html

        return comparison_html(self)

    def to_json(self) -> dict[str, Any]:
        return {"first": self.first.id, "second": self.second.id, "forecasts": self.records(), "notes": self.notes}

    def __rich_console__(self, console, options):
        """Laid out for the width it is printed at (narrow layouts below 120 columns)."""
        from detente.report.result_tables import comparison_table

        yield comparison_table(self, options.max_width)


def _value(values, entry) -> float | None:
    if entry is None:
        return None
    value = float(values[entry[0]])
    return None if math.isnan(value) else round(value, 6)


def compare(first: Scenario, second: Scenario, models: Iterable[str | Model] | None = None, settings: Iterable[str] = ()) -> Comparison:
    """Run the same models on both scenarios and line the forecasts up by issue."""
    models = list(models) if models else None
    settings = list(settings)
    result = Comparison(first, second, (forecast(first, models, settings), forecast(second, models, settings)))
    only_first = sorted(set(first.issue_ids) - set(second.issue_ids))
    only_second = sorted(set(second.issue_ids) - set(first.issue_ids))
    if only_first:
        result.notes.append(f"issues only in {first.id}: {', '.join(only_first)}")
    if only_second:
        result.notes.append(f"issues only in {second.id}: {', '.join(only_second)}")
    for issue in first.issues:
        if issue.id in second.issue_ids and second.issue(issue.id).scale != issue.scale:
            result.notes.append(f"issue {issue.id!r} has different scales ({issue.lo:g}–{issue.hi:g} vs {second.issue(issue.id).lo:g}–{second.issue(issue.id).hi:g}); no shift is given")
    return result
