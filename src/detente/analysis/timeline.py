"""Each model's forecasts across the dated snapshots of one negotiation, beside what happened.

``timeline("ukraine")`` runs the same models on every bundled snapshot of the series (or on the
scenarios given) and lines the forecasts up by issue, in date order, with the series' history:
dated events, outcomes and "state of the talks" points (the latter never presented as outcomes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import pandas as pd

from detente.errors import UsageError
from detente.forecast import Forecast, forecast
from detente.io.history import History, records as history_records
from detente.models.base import Model
from detente.scenario import Scenario


@dataclass
class Timeline:
    """Forecasts of the same models on dated snapshots, and the series' history (or None)."""

    series: str
    forecasts: list[Forecast]
    history: History | None = None
    notes: list[str] = field(default_factory=list)
    focus: str | None = None

    @property
    def snapshots(self) -> list[Scenario]:
        return [f.scenario for f in self.forecasts]

    @property
    def models(self) -> list[str]:
        return [r.model for r in self.forecasts[-1].results]

    def issue_ids(self) -> list[str]:
        """Issues in order of first appearance across the snapshots (only ``focus``, when set)."""
        return [self.focus] if self.focus else list(dict.fromkeys(i.id for s in self.snapshots for i in s.issues))

    def issue(self, key: str):
        """The issue as the latest snapshot that has it defines it (title, scale, anchors)."""
        for scenario in reversed(self.snapshots):
            if key in scenario.issue_ids or any((i.title or "").lower() == key.lower() for i in scenario.issues):
                return scenario.issue(key)
        raise UsageError(f"unknown issue {key!r}; the snapshots have: {', '.join(self.issue_ids())}")

    def records(self) -> list[dict[str, Any]]:
        """One row per snapshot, model and issue the snapshot has: the forecast in issue units."""
        rows = []
        for fc in self.forecasts:
            for result in fc.results:
                for issue, value in zip(fc.scenario.issues, result.values):
                    rows.append(
                        {
                            "snapshot": fc.scenario.id,
                            "as_of": fc.scenario.as_of.isoformat() if fc.scenario.as_of else None,
                            "model": result.model,
                            "issue": issue.id,
                            "value": None if math.isnan(float(value)) else round(float(value), 6),
                            "status_quo": issue.status_quo,
                        }
                    )
        return rows

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.records())

    def wide(self, issue: str) -> pd.DataFrame:
        """One row per model, one column per snapshot (its date), for one issue."""
        frame = self.to_frame()
        frame = frame[frame["issue"] == issue]
        labels = {fc.scenario.id: str(fc.scenario.as_of or fc.scenario.id) for fc in self.forecasts}
        table = frame.pivot(index="model", columns="snapshot", values="value")
        order = [fc.scenario.id for fc in self.forecasts if fc.scenario.id in table.columns]
        table = table.reindex(index=[m for m in self.models if m in table.index], columns=order)
        return table.rename(columns=labels)

    def events(self, issue: str | None = None) -> list[dict[str, Any]]:
        """The history's entries (all, or one issue's), dated, with their kind spelled out."""
        if self.history is None:
            return []
        rows = history_records(self.history)
        return [r for r in rows if issue is None or r["issue"] == issue]

    def only(self, issue: str) -> "Timeline":
        """The same timeline with the tables and events of one issue only."""
        return Timeline(self.series, self.forecasts, self.history, list(self.notes), self.issue(issue).id)

    def to_json(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "snapshots": [{"id": s.id, "as_of": s.as_of.isoformat() if s.as_of else None, "title": s.title} for s in self.snapshots],
            "forecasts": self.records(),
            "events": self.events(),
            "notes": self.notes,
        }

    def __rich_console__(self, console, options):
        """Laid out for the width it is printed at (narrow layouts below 120 columns)."""
        from detente.report.result_tables import timeline_tables

        yield timeline_tables(self, options.max_width)


def timeline(
    snapshots: Sequence[Scenario],
    models: Iterable[str | Model] | None = None,
    settings: Iterable[str] = (),
    history: History | None = None,
    series: str | None = None,
) -> Timeline:
    """Run the same models on each snapshot (sorted by date) and attach the history."""
    if len(snapshots) < 2:
        raise UsageError("a timeline needs at least two snapshots of the negotiation")
    ordered = sorted(snapshots, key=lambda s: (s.as_of is None, str(s.as_of or "")))
    models = list(models) if models else None
    settings = list(settings)
    result = Timeline(series or ordered[-1].id, [forecast(s, models, settings) for s in ordered], history)
    undated = [s.id for s in ordered if s.as_of is None]
    if undated:
        result.notes.append(f"snapshots without a date (as_of), placed last: {', '.join(undated)}")
    return result


def series_timeline(series: str, models: Iterable[str | Model] | None = None, settings: Iterable[str] = ()) -> Timeline:
    """The timeline of a bundled series (``ukraine``) with its bundled history, if any."""
    from detente.io.history import bundled_series, has_history, load_history, series_snapshots

    snapshots = series_snapshots(series)
    if len(snapshots) < 2:
        raise UsageError(f"no bundled series {series!r}; series: {', '.join(bundled_series()) or 'none'}")
    history = load_history(series, snapshots) if has_history(series) else None
    return timeline(snapshots, models, settings, history, series)


def resolve_timeline(
    names: Sequence[str], models: Iterable[str | Model] | None = None, settings: Iterable[str] = (), since: str | None = None
) -> Timeline:
    """The timeline the command line asks for: one bundled series name (``ukraine``), or several
    scenarios (files or bundled ids), whose series' history is attached when one is bundled.
    ``since`` (YYYY-MM-DD) keeps the snapshots and history entries dated on or after it."""
    import datetime as dt

    from detente.io import load
    from detente.io.history import bundled_series, has_history, load_history, series_of, series_snapshots

    names = list(names)
    if len(names) == 1 and names[0] in bundled_series():
        series = names[0]
        snapshots = series_snapshots(series)
    elif len(names) >= 2:
        snapshots = [load(name) for name in names]
        found = {series_of(s.id) for s in snapshots}
        series = found.pop() if len(found) == 1 and None not in found else None
    else:
        raise UsageError(f"give a bundled series ({', '.join(bundled_series()) or 'none'}) or at least two snapshots")
    if since is not None:
        try:
            start = dt.date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since must be a date YYYY-MM-DD, got {since!r}") from None
        snapshots = [s for s in snapshots if s.as_of is not None and s.as_of >= start]
    history = load_history(series, series_snapshots(series)) if series is not None and has_history(series) else None
    if history is not None and since is not None:
        history = history.model_copy(update={"events": [e for e in history.events if e.date >= start]})
    return timeline(snapshots, models, settings, history, series)
