"""Terminal tables (rich) for forecasts and round-by-round trajectories."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from detente.scenario import Issue

if TYPE_CHECKING:
    import pandas as pd

    from detente.forecast import Forecast


SHORT_LABEL = 48
# Below this console width the anchor labels leave the rows (each row would wrap over many lines)
# and are spelled out once under each issue's table instead.
LABELS_IN_ROWS = 120


def decimals_for(issue: Issue) -> int:
    """Enough decimals to read the scale: 1 on a 0..100 scale, 3 on a 4..10 scale."""
    return issue.decimals


def format_value(issue: Issue, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1e15:  # beyond float precision, fixed-point prints hundreds of meaningless digits
        return f"{value:.6g}"
    return f"{value:.{decimals_for(issue)}f}"


def shift_text(issue: Issue, value: float | None, minus: str = "-") -> str:
    """A shift or an effect with its sign, at the issue's precision ("+2.0", "-0.1"); one that rounds
    to nothing is "0.0", without a sign; "–" when there is none. ``minus``: "−" for typeset pages."""
    if value is None or value != value:
        return "–"
    magnitude = format_value(issue, abs(value))
    if not magnitude.strip("0."):
        return magnitude
    return ("+" if value > 0 else minus) + magnitude


def narrow(width: int | None) -> bool:
    """Whether a console ``width`` columns wide (None: no limit) gets the narrow layouts: below
    :data:`LABELS_IN_ROWS`, which is also what a pipe or a file gets (taken as 80 columns)."""
    return width is not None and width < LABELS_IN_ROWS


def plain_table(title: str | None = None, gap: int = 2, **options: Any) -> Table:
    """A table without a box, its columns ``gap`` spaces apart, a bold header and a bold title on
    the left: what the narrow layouts (and the forecast and advice tables) are made of."""
    return Table(
        title=title, title_justify="left", title_style="bold", box=None, pad_edge=False, padding=(0, gap, 0, 0), header_style="bold", **options
    )


def anchor_list(issue: Issue, points: Iterable[float] | None = None) -> list[Any]:
    """The anchor points of an issue (or only ``points``) with the first clause of each label, one
    under another after an "Anchors:" line; nothing when there are none."""
    chosen = sorted(issue.anchors if points is None else points)
    if not chosen:
        return []
    return [Text("  Anchors:", style="dim"), hanging_list([(f"{p:>6g}", issue.anchors[p].split(";")[0].strip()) for p in chosen])]


def compact_place(placed: tuple[str, tuple[float, ...]] | None) -> str:
    """An :meth:`Issue.placement <detente.scenario.Issue.placement>` by anchor points only:
    ``60–75``, ``at 50``, ``near 50``, ``below 0``."""
    if placed is None:
        return ""
    relation, points = placed
    return "–".join(f"{p:g}" for p in points) if relation == "between" else f"{relation} {points[0]:g}"


def forecast_table(forecast: "Forecast", intervals: bool = True, width: int | None = None) -> Group:
    """Per issue: the status quo and each model's forecast with its calibrated 90 % interval (unless
    ``intervals`` is False), placed among the anchor labels, with the models' notes (gridlock,
    stopping rule, ...) as numbered footnotes under the issue. For a console narrower than
    :data:`LABELS_IN_ROWS` (``width``), rows place the forecast by anchor points and the labels of
    those points follow the table."""
    from detente import models as registry
    from detente.models.predictive import EXPLANATION

    quantiles = {result.model: result.intervals() for result in forecast.results}
    intervals = intervals and any(not np.isnan(q).all() for q in quantiles.values())

    titles = {name: registry.get(name).title for name in {result.model for result in forecast.results} if registry.known(name)}
    scenario = forecast.scenario
    parts: list[Any] = [Text(f"{scenario.label}" + (f" (as of {scenario.as_of})" if scenario.as_of else ""), style="bold underline")]
    compact = narrow(width)
    for k, issue in enumerate(scenario.issues):
        named: set[float] = set()
        heading = Text(f"\n{issue.label}", style="bold")
        heading.append(f"  scale {issue.lo:g}–{issue.hi:g}", style="dim")
        if issue.status_quo is not None:
            if compact:
                placed_status_quo = issue.placement(issue.status_quo)
                named.update(placed_status_quo[1] if placed_status_quo else ())
                where_status_quo = f" ({compact_place(placed_status_quo)})" if placed_status_quo else ""
            else:
                where_status_quo = issue.describe(issue.status_quo, SHORT_LABEL)
                where_status_quo = f", {where_status_quo}" if where_status_quo else ""
            heading.append(f"; status quo {format_value(issue, issue.status_quo)}{where_status_quo}", style="dim")
        table = plain_table()
        table.add_column("Model", no_wrap=True)
        table.add_column("Forecast", justify="right", no_wrap=True)
        if intervals:
            table.add_column("90% interval", justify="center", no_wrap=True)
        table.add_column("Where it falls" if compact else "Where it falls on the scale", no_wrap=compact)
        notes: list[str] = []
        for result in forecast.results:
            value = float(result.values[k])
            if compact:
                placed = issue.placement(value)
                where = Text(compact_place(placed))
                named.update(placed[1] if placed else ())
            else:
                where = Text(issue.describe(value, SHORT_LABEL))
            note = result.notes.get(issue.id)
            if note:
                notes.append(note)
                where.append(f" [{len(notes)}]", style="yellow")
            cells = [titles.get(result.model, result.model), format_value(issue, value)]
            if intervals:
                q = quantiles[result.model][k]
                cells.append("–" if np.isnan(q[0]) else f"{format_value(issue, q[0])}–{format_value(issue, q[3])}")
            table.add_row(*cells, where)
        parts += [heading, table]
        if notes:
            parts.append(hanging_list([(f"[{n}]", note) for n, note in enumerate(notes, start=1)]))
        parts += anchor_list(issue, named)
    parts.append(
        Text(
            "\nHow to read this: each row is one model's forecast of where the issue settles, on the issue's own "
            "scale; 'where it falls' places that number between the labelled points of the scale. The status quo "
            "is what holds without an agreement. Models disagree because they assume different bargaining: "
            "the compromise model averages positions weighted by clout x salience, the weighted median is the "
            "position a majority of that weight can impose, Nash bargaining only accepts deals every party "
            "prefers to the status quo, and the dynamic models (expected utility, KTAB, exchange) let actors "
            "challenge, bargain or trade round by round (see `detente rounds`).",
            style="italic",
        )
    )
    if intervals:
        parts.append(Text(EXPLANATION + " `detente simulate` adds the uncertainty of the inputs.", style="italic"))
    return Group(*parts)


def hanging_list(rows: list[tuple[str, str]], style: str = "dim", gap: int = 2) -> Table:
    """Marked lines (footnotes, anchors, steps) indented two spaces, wrapped text aligned after the marker."""
    grid = Table.grid(padding=(0, gap, 0, 0), pad_edge=False)
    grid.add_column(no_wrap=True, style=style)
    grid.add_column(style=style)
    for mark, text in rows:
        grid.add_row(f"  {mark}", text)
    return grid


def models_view(model_classes: Mapping[str, Any], width: int | None = None) -> Any:
    """Every model with its options and their defaults: a boxed table, or in a narrow console a
    block a model (name and title, the summary, then one line an option with its description
    hanging after it), so that no column is squeezed to a few words a line."""
    title = "Models (choose with --model NAME, set options with --set KEY=VALUE)"

    def options(cls: Any) -> list[tuple[str, str]]:
        return [
            (f"{key} = {field.get_default(call_default_factory=True)!r}", field.description or "")
            for key, field in cls.Options.model_fields.items()
        ]

    if narrow(width):
        parts: list[Any] = [Text(title, style="bold")]
        for name, cls in model_classes.items():
            parts += [Text(""), Text.assemble((name, "bold"), "  ", cls.title), Padding(Text(cls.summary), (0, 0, 0, 2))]
            listed = options(cls)
            parts.append(hanging_list(listed) if listed else Text("  no options", style="dim"))
        return Group(*parts)
    table = Table(title=title, show_lines=True)
    table.add_column("Name", style="bold")
    table.add_column("Model")
    table.add_column("Options (default)")
    for name, cls in model_classes.items():
        listed = "\n".join(f"{setting}: {text}" if text else setting for setting, text in options(cls))
        table.add_row(name, f"{cls.title}\n{cls.summary}", listed or "none")
    return table


def scenarios_table(scenarios: Iterable[Any], width: int | None = None) -> Table:
    """The bundled scenarios: id, title, date, actors and issues; without a box in a narrow console
    (a box costs a sixth of 80 columns, and the titles got three words a line)."""
    title = "Bundled scenarios (use the id in place of a file)"
    table = plain_table(title) if narrow(width) else Table(title=title)
    for column in ("Id", "Title", "As of", "Actors", "Issues"):
        table.add_column(column, justify="right" if column in ("Actors", "Issues") else "left", no_wrap=column in ("Id", "As of"))
    for item in scenarios:
        table.add_row(item.id, item.label, str(item.as_of or ""), str(len(item.actors)), str(len(item.issues)))
    return table


def frame_table(frame: pd.DataFrame, title: str | None = None, digits: int = 3, caption: str | None = None, width: int | None = None) -> Table:
    """Render any DataFrame as a rich table, with an optional caption under it (e.g. how a run ended).
    Narrower than :data:`LABELS_IN_ROWS` (``width``) it has no box: a table of rounds by actors
    then fits 80 columns instead of running to 110."""
    import pandas as pd

    if narrow(width):
        table = plain_table(title, gap=1, caption=caption, caption_justify="left")
    else:
        table = Table(title=title, caption=caption)
    for column in frame.columns:
        table.add_column(str(column), justify="right" if pd.api.types.is_numeric_dtype(frame[column]) else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v, digits) for v in row])
    return table


def rounds_table(frame: pd.DataFrame, issue: Issue, title: str, caption: str | None = None, width: int | None = None, actors: Iterable[str] = ()) -> Table:
    """A model's rounds on one issue (forecast and every actor's position per round): three decimals
    on a wide console; on a narrower one than :data:`LABELS_IN_ROWS`, one more than the issue's own
    precision and the actors with no stance on the issue named under it rather than given a column
    of dashes, so that a table of a dozen actors fits 80 columns. Of the ``actors``' columns, a
    table ``width`` wide shows those whose positions moved most, as many as fit whole."""
    digits = issue.decimals + 1 if narrow(width) else 3
    if narrow(width):
        absent = [str(column) for column in frame.columns[1:] if frame[column].isna().all()]
        if absent:
            frame = frame.drop(columns=absent)
            caption = "\n".join(part for part in (caption, f"No stance on this issue: {', '.join(absent)}.") if part)
    if width is not None:
        frame, shown, left_out = _actors_that_fit(frame, [a for a in actors if a in frame.columns], width, digits, boxed=not narrow(width))
        if left_out:
            note = f"The {shown} of {shown + left_out} actors whose positions moved most; `-f csv` gives every actor's."
            caption = "\n".join(part for part in (caption, note) if part)
    return frame_table(frame, title=title, digits=digits, caption=caption, width=width)


def _actors_that_fit(frame: pd.DataFrame, actors: list[str], width: int, digits: int, boxed: bool) -> tuple[pd.DataFrame, int, int]:
    """The rounds table with as many of the ``actors``' columns as ``width`` holds without cutting a
    number: those whose positions moved most (in their order); how many are shown and how many left
    out. A text column (EUM's moves) folds, so it counts with its heading's width."""
    import pandas as pd

    fixed = [c for c in frame.columns if c not in actors]
    gap = 3 if boxed else 1

    def column_width(column: Any) -> int:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            return len(str(column)) + gap
        largest = frame[column].abs().max()
        number = len(f"{largest:.{digits}f}") + 1 if largest == largest else 1  # a sign; NaN: a dash
        return max(len(str(column)), number) + gap

    room = width - sum(column_width(c) for c in fixed) - (1 if boxed else 0)
    moved = frame[actors].diff().abs().sum().sort_values(ascending=False, kind="stable")
    kept: set = set()
    for actor in moved.index:
        room -= column_width(actor)
        if room < 0:
            break
        kept.add(actor)
    return frame[fixed + [a for a in actors if a in kept]], len(kept), len(actors) - len(kept)


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.{digits}f}"
    return "" if value is None else str(value)


def render_text(renderable: Any, width: int = 120) -> str:
    """A rich renderable (or an object with ``__rich__``) as plain text."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(renderable)
    return buffer.getvalue()
