"""Publication-quality static charts (matplotlib, Agg; PNG, SVG or PDF), one function per chart kind.

Each function takes detente's result objects (or the documented DataFrames of
:mod:`detente.report.chartdata`) and returns a :class:`matplotlib.figure.Figure`; :func:`save`
writes it in the format named by the file's extension. Figures are built without pyplot, so
nothing here touches global state or needs a display.

Layouts are computed in inches from the content (number of actors, models, lines of anchor text),
so that 30 actors and long anchor texts stay legible: actors are packed into lanes on the
landscape, line-end labels are spread apart, and point labels are placed where they overlap
nothing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, MultipleLocator

from detente.errors import UsageError
from detente.io.files import replacing
from detente.report import chartdata as cd
from detente.report.words import counted
from detente.scenario import Issue, Scenario

if TYPE_CHECKING:
    from detente.forecast import Forecast
    from detente.models.base import DynamicResult

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.8,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.axisbelow": True,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}
ANCHOR_FONT = 7.5
LABEL_FONT = 7.5
FORMATS = {".png", ".svg", ".pdf"}
OUTCOME_COLOUR = "#f2b701"


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _axes(fig: Figure, left: float, bottom: float, width: float, height: float):
    """Axes placed in inches from the figure's lower left corner."""
    w, h = fig.get_size_inches()
    return fig.add_axes((left / w, bottom / h, width / w, height / h))


def _styled(function):
    """Build the figure under detente's chart style."""

    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    wrapper.__wrapped__ = function
    return wrapper


def _titles(fig: Figure, title: str, subtitle: str | None, top: float, left: float = 0.3) -> None:
    w, h = fig.get_size_inches()
    size = min(12.0, (w - 2 * left) / (len(title) * 0.65 / 72))  # a long title shrinks to fit the width
    fig.text(left / w, 1 - 0.2 / h, title, ha="left", va="top", fontsize=max(size, 8.0), fontweight="bold")
    if subtitle:
        fig.text(left / w, 1 - 0.45 / h, subtitle, ha="left", va="top", fontsize=8.5, color="#555555")


def _caption(fig: Figure, text: str, width_in: float, left: float = 0.3) -> None:
    w, h = fig.get_size_inches()
    chars = int((w - 2 * left) / cd.text_width(1, 7.5))
    fig.text(left / w, 0.08 / h, "\n".join(cd.wrap(text, chars)), ha="left", va="bottom", fontsize=7.5, color="#555555", style="italic")


def _caption_height(text: str, fig_width: float, left: float = 0.3) -> float:
    chars = int((fig_width - 2 * left) / cd.text_width(1, 7.5))
    return len(cd.wrap(text, chars)) * 7.5 * 1.3 / 72 + 0.15


def _scenario_subtitle(scenario: Scenario, extra: str = "") -> str:
    parts = [scenario.label]
    if scenario.as_of:
        parts.append(f"as of {scenario.as_of}")
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def _anchor_axis_x(ax, issue: Issue, axis_width_in: float) -> None:
    """Ticks at the anchors and their wrapped labels under a horizontal scale."""
    labels = cd.anchor_labels(issue, axis_width_in, ANCHOR_FONT)
    span = issue.hi - issue.lo
    if labels:
        ax.set_xticks([a.value for a in labels])
        ax.set_xticklabels([f"{a.value:g}" for a in labels], fontsize=8, fontweight="bold")
    ax.xaxis.set_minor_locator(MultipleLocator(_minor_step(span)))
    first_rows = max((len(a.lines) for a in labels if a.row == 0), default=0)
    for anchor in labels:
        offset = 14 + (first_rows * ANCHOR_FONT * 1.25 + 6 if anchor.row else 0)
        ax.annotate(
            "\n".join(anchor.lines), xy=(anchor.value, 0), xycoords=("data", "axes fraction"), xytext=(0, -offset),
            textcoords="offset points", ha="center", va="top", fontsize=ANCHOR_FONT, color="#333333", linespacing=1.1,
            annotation_clip=False, gid="anchor-label",
        )


def _anchor_axis_y(fig: Figure, ax, issue: Issue, label_width_in: float) -> None:
    """Anchors on a vertical scale: value ticks, and each anchor's wrapped text left of the axis,
    spread so that neighbouring texts do not overlap."""
    anchors = issue.sorted_anchors()
    ax.yaxis.set_minor_locator(MultipleLocator(_minor_step(issue.hi - issue.lo)))
    if not anchors:
        return
    ax.set_yticks([p for p, _ in anchors])
    ax.set_yticklabels([f"{p:g}" for p, _ in anchors], fontsize=8, fontweight="bold")
    chars = max(int(label_width_in / cd.text_width(1, ANCHOR_FONT)), 12)
    texts = ["\n".join(cd.wrap(t, chars, 3)) for _, t in anchors]
    heights = [(t.count("\n") + 1) * ANCHOR_FONT * 1.2 / 72 for t in texts]
    bbox = ax.get_position()
    fig_h = fig.get_size_inches()[1]
    axis_h = bbox.height * fig_h
    lo, hi = ax.get_ylim()
    to_in = lambda v: (v - lo) / (hi - lo) * axis_h  # noqa: E731
    targets = [to_in(p) for p, _ in anchors]
    gap = max(heights) + 0.04
    placed = cd.spread(targets, gap, lo=-0.2, hi=axis_h + 0.2)
    for (point, _), text, y in zip(anchors, texts, placed):
        ax.annotate(
            text, xy=(0, point), xycoords=("axes fraction", "data"), xytext=(-26, (y - to_in(point)) * 72), textcoords="offset points",
            ha="right", va="center", fontsize=ANCHOR_FONT, color="#333333", linespacing=1.05, annotation_clip=False, gid="anchor-label",
        )


def _minor_step(span: float) -> float:
    raw = span / 20
    exponent = 10 ** math.floor(math.log10(raw))
    return min((m * exponent for m in (1, 2, 2.5, 5, 10) if m * exponent >= raw), default=raw)


def _group_legend(fig: Figure, colours: Mapping[str, str], used: Iterable[str], x_in: float, y_in: float, ncol: int) -> Any:
    w, h = fig.get_size_inches()
    used = set(used)
    handles = [Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor=c, markeredgecolor="white", alpha=0.85, label=g) for g, c in colours.items() if g in used]
    rows = math.ceil(len(handles) / ncol)
    handles = [handles[r * ncol + c] for c in range(ncol) for r in range(rows) if r * ncol + c < len(handles)]  # read row by row
    return fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(x_in / w, y_in / h), ncol=ncol, frameon=False, fontsize=8,
        handletextpad=0.3, columnspacing=1.2, title="Groups", title_fontsize=8, alignment="left",
    )


# -- 1. issue landscape ----------------------------------------------------------------------------


@_styled
def landscape(
    source: "Forecast | Scenario | cd.Landscape", issue: str | None = None, bands: Any = None, width: float = 12.0
) -> Figure:
    """The issue's scale with its anchor labels; each actor a circle at its position (area ∝
    capability x salience, colour = group); the effective-power landscape; the status quo; every
    model's forecast and, with ``bands`` (``{model: (q05, q95)}`` or a frame with ``model, issue,
    q05, q95`` such as ``SimulationResult.to_frame()``), the Monte Carlo 5-95 % range."""
    land = _landscape_data(source, issue, bands)
    issue_obj, actors, forecasts = land.issue, land.actors, land.forecasts
    colours = land.colours
    left = max(2.2, cd.text_width(max([len("Status quo"), *map(len, forecasts["title"])]), 8) + 0.35)
    right = 1.3
    axis_w = width - left - right
    layout = cd.layout_actors(land, axis_w, LABEL_FONT)
    groups_used = list(dict.fromkeys(actors["group"]))
    ncol = min(max(len(groups_used), 1), 6)
    legend_h = 0.25 + 0.2 * math.ceil(len(groups_used) / ncol)
    strip_rows = len(forecasts) + (issue_obj.status_quo is not None)
    strip_h = 0.22 * max(strip_rows, 1) + 0.2
    lane_h = (max(layout.diameter.max(initial=12), LABEL_FONT * 1.6) + 5) / 72
    actor_h = max(layout.lanes, 1) * lane_h + 0.15
    density_h = 0.75
    anchor_h = cd.anchor_block_height(cd.anchor_labels(issue_obj, axis_w, ANCHOR_FONT), ANCHOR_FONT) + 0.35
    caption = (
        "Each circle is an actor at its position on the issue; its area is proportional to capability x salience (effective power). "
        "The shaded landscape adds up every actor's effective power along the scale, by group. The top strip shows the status quo "
        "and each model's forecast" + (", with the Monte Carlo 5-95 % range as a bar." if forecasts["low"].notna().any() else ".")
    )
    caption_h = _caption_height(caption, width)
    top_h = 0.75 + legend_h
    height = top_h + strip_h + 0.08 + actor_h + density_h + anchor_h + caption_h
    fig = _figure(width, height)
    _titles(fig, f"{issue_obj.label}: who stands where, and the forecasts", _scenario_subtitle(land.scenario, f"{counted(len(actors), 'actor')}"), top_h)
    _group_legend(fig, colours, groups_used, left, height - 0.65, ncol)

    bottom_density = caption_h + anchor_h
    bottom_actors = bottom_density + density_h
    bottom_strip = bottom_actors + actor_h + 0.08
    ax_strip = _axes(fig, left, bottom_strip, axis_w, strip_h)
    ax_actors = _axes(fig, left, bottom_actors, axis_w, actor_h)
    ax_density = _axes(fig, left, bottom_density, axis_w, density_h)
    span = issue_obj.hi - issue_obj.lo
    xlim = (issue_obj.lo - 0.02 * span, issue_obj.hi + 0.02 * span)
    for ax in (ax_strip, ax_actors, ax_density):
        ax.set_xlim(*xlim)

    # top strip: status quo and forecasts
    rows: list[tuple[str, float, float, float, str, str]] = []
    if issue_obj.status_quo is not None:
        rows.append(("Status quo", float(issue_obj.status_quo), np.nan, np.nan, cd.STATUS_QUO_COLOUR, "|"))
    for row in forecasts.itertuples():
        colour, marker = cd.model_style(row.model)
        rows.append((row.title, row.value, row.low, row.high, colour, marker))
    for n, (title, value, low, high, colour, marker) in enumerate(rows):
        y = len(rows) - 1 - n
        if not np.isnan(low):
            ax_strip.plot([low, high], [y, y], color=colour, lw=5, alpha=0.25, solid_capstyle="butt", gid="mc-band")
        if np.isnan(value):
            ax_strip.text(xlim[0], y, " no forecast", va="center", fontsize=7.5, color="#777777")
            continue
        ax_strip.plot([value], [y], marker=marker, color=colour, ms=7 if marker != "|" else 11, mew=2 if marker == "|" else 1, ls="", gid="forecast-mark")
        end = high if not np.isnan(high) else value
        ax_strip.text(end + 0.012 * span, y, cd.format_value(issue_obj, value), va="center", fontsize=7.5, color=colour)
    ax_strip.set_ylim(-0.6, len(rows) - 0.4)
    ax_strip.set_yticks(range(len(rows)))
    ax_strip.set_yticklabels([r[0] for r in reversed(rows)], fontsize=8)
    ax_strip.tick_params(axis="x", labelbottom=False, length=0)
    ax_strip.spines["bottom"].set_visible(False)
    ax_strip.grid(axis="x", color="#eeeeee", lw=0.6)

    # actors in lanes
    x = actors["position"].to_numpy()
    y = layout.lane
    per_inch = span / axis_w
    ax_actors.set_ylim(-0.6, max(layout.lanes, 1) - 0.4)
    for lo_value in (issue_obj.status_quo,):
        if lo_value is not None:
            for ax in (ax_actors, ax_density):
                ax.axvline(lo_value, color=cd.STATUS_QUO_COLOUR, ls="--", lw=1, zorder=0)
    for row in forecasts.itertuples():
        if not np.isnan(row.value):
            colour, _ = cd.model_style(row.model)
            for ax in (ax_actors, ax_density):
                ax.axvline(row.value, color=colour, lw=0.9, alpha=0.45, zorder=0)
    ax_actors.scatter(
        x, y, s=layout.diameter**2, c=[colours[g] for g in actors["group"]], alpha=0.8, edgecolors="white", linewidths=0.8, zorder=3, gid="actors"
    )
    radius = layout.diameter / 2 / 72 * per_inch
    pad = 0.04 * per_inch
    for xi, yi, r, text, on_left in zip(x, y, radius, actors["label"], layout.label_left):
        ax_actors.text(
            xi - r - pad if on_left else xi + r + pad, yi, text, ha="right" if on_left else "left", va="center",
            fontsize=LABEL_FONT, zorder=4, gid="actor-label",
        )
    ax_actors.set_yticks([])
    ax_actors.tick_params(axis="x", labelbottom=False)
    ax_actors.spines["left"].set_visible(False)
    ax_actors.set_ylabel("actors", fontsize=8, color="#555555")

    # effective-power landscape, stacked by group
    grid, density = cd.power_density(land)
    if density:
        ax_density.stackplot(grid, *density.values(), colors=[colours[g] for g in density], alpha=0.55, linewidth=0, gid="power-landscape")
    ax_density.set_yticks([])
    ax_density.set_ylim(bottom=0)
    ax_density.spines["left"].set_visible(False)
    ax_density.set_ylabel("effective\npower", fontsize=8, color="#555555", rotation=0, ha="right", va="center")
    _anchor_axis_x(ax_density, issue_obj, axis_w)
    _caption(fig, caption, width)
    return fig


def _landscape_data(source: Any, issue: str | None, bands: Any) -> cd.Landscape:
    if isinstance(source, cd.Landscape):
        return source
    if isinstance(source, Scenario):
        return cd.landscape_data(source, issue, None, bands)
    return cd.landscape_data(source.scenario, issue, source.results, bands)


# -- 2. paths by round -----------------------------------------------------------------------------


@_styled
def paths(result: "DynamicResult", issue: str | None = None, width: float = 11.0) -> Figure:
    """Each actor's position after every round of a dynamic model (colour = group) and the
    forecast's own path (thick black), on the issue's scale with its anchors."""
    scenario = result.scenario
    issue_obj = scenario.issue(issue) if issue else scenario.issues[0]
    frame = cd.paths_frame(result, issue_obj.id)
    path = cd.forecast_path(result, issue_obj.id)
    colours = cd.scenario_colours(scenario)
    actors = list(dict.fromkeys(frame["actor"]))
    left, right = 2.9, 1.9
    axis_w = width - left - right
    right = max(right, _end_label_room([*frame["label"], f"forecast {cd.format_value(issue_obj, issue_obj.hi)}"]))
    width = left + axis_w + right
    axis_h = max(3.6, 0.17 * (len(actors) + 1) + 0.4)
    groups = list(dict.fromkeys(frame["group"]))
    ncol = min(max(len(groups), 1), 6)
    legend_h = 0.25 + 0.2 * math.ceil(len(groups) / ncol)
    caption = (
        "Each thin line is one actor's position after each round (round 0 is the input); the thick black line is the "
        f"model's forecast after each round. Dashed: the status quo. Model: {cd.model_title(result.model)}."
    )
    caption_h = _caption_height(caption, width)
    top_h = 0.75 + legend_h
    height = top_h + axis_h + 0.45 + caption_h
    fig = _figure(width, height)
    _titles(fig, f"{issue_obj.label}: positions round by round", _scenario_subtitle(scenario, cd.model_title(result.model)), top_h)
    _group_legend(fig, colours, groups, left, height - 0.65, ncol)
    ax = _axes(fig, left, caption_h + 0.45, axis_w, axis_h)
    span = issue_obj.hi - issue_obj.lo
    ax.set_ylim(issue_obj.lo - 0.03 * span, issue_obj.hi + 0.03 * span)
    last = int(path["round"].max()) if len(path) else 0
    ax.set_xlim(-0.2, max(last, 1) + 0.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round")
    if issue_obj.status_quo is not None:
        ax.axhline(issue_obj.status_quo, color=cd.STATUS_QUO_COLOUR, ls="--", lw=1, zorder=0)
    ends, labels, end_colours = [], [], []
    for actor in actors:
        rows = frame[frame["actor"] == actor]
        colour = colours[rows["group"].iloc[0]]
        ax.plot(rows["round"], rows["position"], color=colour, lw=1.2, alpha=0.8, marker="o" if last <= 12 else None, ms=2.5, gid="actor-path")
        ends.append(float(rows["position"].iloc[-1]))
        labels.append(rows["label"].iloc[0])
        end_colours.append(colour)
    ax.plot(path["round"], path["forecast"], color="black", lw=2.6, marker="o" if last <= 12 else None, ms=4, zorder=5, gid="forecast-path")
    ends.append(float(path["forecast"].iloc[-1]))
    labels.append(f"forecast {cd.format_value(issue_obj, ends[-1])}")
    end_colours.append("black")
    _end_labels(fig, ax, ends, labels, end_colours)
    _anchor_axis_y(fig, ax, issue_obj, left - 0.75)
    ax.grid(axis="y", color="#eeeeee", lw=0.6)
    _caption(fig, caption, width)
    return fig


END_LABEL_OFFSET = 14  # points from the axes' right edge to an end label


def _end_label_room(labels: Iterable[str], fontsize: float = LABEL_FONT) -> float:
    """Inches right of the axes that :func:`_end_labels` needs to show ``labels`` whole."""
    longest = max((len(str(label)) for label in labels), default=0)
    return END_LABEL_OFFSET / 72 + cd.text_width(longest, fontsize) + 0.2


def _end_labels(fig: Figure, ax, values: Sequence[float], labels: Sequence[str], colours: Sequence[str], fontsize: float = LABEL_FONT) -> None:
    """Labels right of the axes at the lines' last values, spread apart with leader lines."""
    fig_h = fig.get_size_inches()[1]
    axis_h = ax.get_position().height * fig_h
    lo, hi = ax.get_ylim()
    targets = [(v - lo) / (hi - lo) * axis_h for v in values]
    placed = cd.spread(targets, fontsize * 1.25 / 72, lo=0, hi=axis_h)
    for value, label, colour, target, y in zip(values, labels, colours, targets, placed):
        ax.annotate(
            label, xy=(1, value), xycoords=("axes fraction", "data"), xytext=(END_LABEL_OFFSET, (y - target) * 72), textcoords="offset points",
            ha="left", va="center", fontsize=fontsize, color=colour, annotation_clip=False, gid="end-label",
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.5, "alpha": 0.6, "shrinkA": 1, "shrinkB": 0, "relpos": (0, 0.5)},
        )


# -- 3. perception chart (EUM) ---------------------------------------------------------------------

_REGION_FILL = {
    "conflict_lose": "#fbe3e3",
    "conflict_win": "#f8eded",
    "compromise": "#fdf3d6",
    "capitulate": "#fde2c7",
    "compel": "#e3f1e3",
    "status_quo": "#eeeeee",
}


@_styled
def perception(frame: pd.DataFrame, focal: str, round: int | None = None, issue: str | None = None, scenario: Scenario | None = None) -> Figure:
    """Bueno de Mesquita's perception chart: how ``focal`` (i) sees every other actor j, with
    x = E^i(U_ij) (i's expected utility of challenging j) and y = E^i(U_ji) (i's estimate of j's
    expected utility of challenging i). ``frame`` has columns ``actor, E_ij, E_ji`` (e.g.
    :func:`~detente.report.chartdata.perception_frame`); the regions are labelled."""
    frame = cd.with_actor_labels(frame, scenario)
    colours = cd.scenario_colours(scenario) if scenario is not None else cd.group_colours(frame["group"])
    focal_name = cd.actor_labels(scenario.actors)[scenario.actor(focal).id] if scenario is not None else focal
    size = 6.6
    left, bottom = 0.9, 0.75
    caption = (
        f"Each dot is another actor j as {focal_name} (i) sees it. Right of the vertical axis {focal_name} expects to gain by "
        f"challenging j; above the horizontal axis it expects j to gain by challenging {focal_name}. Diagonals split conflicts "
        "won from lost and compromises from capitulation (Bueno de Mesquita 1985; Scholz, Calbert & Smith 2011)."
    )
    width = left + size + 0.4
    caption_h = _caption_height(caption, width)
    height = 0.8 + size + bottom + caption_h
    fig = _figure(width, height)
    where = " · ".join(p for p in (f"round {round}" if round is not None else "", f"issue: {scenario.issue(issue).label}" if scenario is not None and issue else (f"issue: {issue}" if issue else "")) if p)
    _titles(fig, f"How {focal_name} sees the others (expected-utility model)", where or None, 0.8)
    ax = _axes(fig, left, bottom + caption_h, size, size)
    e_ij, e_ji = frame["E_ij"].to_numpy(float), frame["E_ji"].to_numpy(float)
    reach = np.nanmax(np.abs(np.concatenate([e_ij, e_ji, [1e-9]])))
    m = reach * 1.18
    ax.set_xlim(-m, m)
    ax.set_ylim(-m, m)
    ax.set_aspect("equal")
    fill = {
        "conflict_lose": [(0, 0), (0, m), (m, m)],
        "conflict_win": [(0, 0), (m, m), (m, 0)],
        "compromise": [(0, 0), (0, m), (-m, m)],
        "capitulate": [(0, 0), (-m, m), (-m, 0)],
        "status_quo": [(0, 0), (-m, 0), (-m, -m), (0, -m)],
        "compel": [(0, 0), (m, 0), (m, -m), (0, -m)],
    }
    for region, corners in fill.items():
        ax.fill(*zip(*corners), color=_REGION_FILL[region], zorder=0, lw=0)
    ax.axhline(0, color="#888888", lw=0.9, zorder=1)
    ax.axvline(0, color="#888888", lw=0.9, zorder=1)
    ax.plot([0, m], [0, m], color="#bbbbbb", lw=0.8, ls=":", zorder=1)
    ax.plot([0, -m], [0, m], color="#bbbbbb", lw=0.8, ls=":", zorder=1)
    # region labels, wrapped, in the open part of each region; point labels avoid them
    region_text = {
        "conflict_lose": ((0.47 * m, 0.97 * m), "center", "top", f"CONFLICT: {focal_name} expects to lose"),
        "compromise": ((-0.47 * m, 0.97 * m), "center", "top", f"COMPROMISE: {focal_name} gives some ground"),
        "conflict_win": ((0.97 * m, 0.03 * m), "right", "bottom", f"CONFLICT: {focal_name} expects to win"),
        "capitulate": ((-0.97 * m, 0.03 * m), "left", "bottom", f"CAPITULATE: {focal_name} gives in"),
        "status_quo": ((-0.5 * m, -0.5 * m), "center", "center", "STATUS QUO: neither challenges"),
        "compel": ((0.5 * m, -0.5 * m), "center", "center", f"COMPEL: {focal_name} makes j give in"),
    }
    per_inch = 2 * m / size
    obstacles = []
    for region, ((tx, ty), ha, va, text) in region_text.items():
        lines = cd.wrap(text, 24)
        ax.text(tx, ty, "\n".join(lines), ha=ha, va=va, fontsize=7.5, color="#777777", fontweight="bold", zorder=1, gid="region-label")
        w = cd.text_width(max(len(line) for line in lines), 7.5)
        h = len(lines) * 7.5 * 1.25 / 72
        x0 = (tx + m) / per_inch - {"left": 0, "center": w / 2, "right": w}[ha]
        y0 = (ty + m) / per_inch - {"bottom": 0, "center": h / 2, "top": h}[va]
        obstacles.append((x0, y0, x0 + w, y0 + h))
    ax.scatter(e_ij, e_ji, s=42, c=[colours.get(g, cd.NO_GROUP_COLOUR) for g in frame["group"]], edgecolors="white", linewidths=0.7, zorder=3, gid="actors")
    widths = np.array([cd.text_width(len(t), LABEL_FONT) for t in frame["label"]])
    heights = np.full(len(frame), LABEL_FONT * 1.25 / 72)
    px, py = (e_ij + m) / per_inch, (e_ji + m) / per_inch
    centres = cd.place_labels(px, py, widths, heights, radius=0.07, bounds=(0.02, 0.02, size - 0.02, size - 0.02), obstacles=obstacles)
    for (cx, cy), x0, y0, label in zip(centres, px, py, frame["label"]):
        far = math.hypot(cx - x0, cy - y0) > 0.35 + 0.5 * cd.text_width(len(label), LABEL_FONT)
        ax.annotate(
            label, xy=(x0 * per_inch - m, y0 * per_inch - m), xytext=(cx * per_inch - m, cy * per_inch - m), ha="center", va="center",
            fontsize=LABEL_FONT, zorder=4, gid="actor-label",
            arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.5} if far else None,
        )
    ax.set_xlabel(f"E(U_ij): {cd.possessive(focal_name)} expected utility of challenging j", fontsize=8.5)
    ax.set_ylabel(f"E(U_ji): {cd.possessive(focal_name)} estimate of j's expected utility of challenging it", fontsize=8.5)
    groups = list(dict.fromkeys(frame["group"]))
    if len(groups) > 1 or groups[:1] != [cd.NO_GROUP]:
        handles = [Line2D([], [], marker="o", ls="", markersize=7, markerfacecolor=colours.get(g, cd.NO_GROUP_COLOUR), markeredgecolor="white", label=g) for g in groups]
        ax.legend(handles=handles, loc="best", fontsize=7.5, frameon=True, framealpha=0.9, title="Groups", title_fontsize=7.5)
    _caption(fig, caption, width)
    return fig


# -- 4. exchanges ----------------------------------------------------------------------------------


@_styled
def exchanges(frame: pd.DataFrame, scenario: Scenario | None = None, top: int = 25, width: float = 11.0) -> Figure:
    """The exchanges of the exchange model as a ranked list: who traded with whom on which
    issues, bar length = utility gain. ``frame`` has columns ``actor_i, actor_j, issue_i,
    issue_j, gain`` (``actor_i`` gives ground on ``issue_i``, ``actor_j`` on ``issue_j``), and
    optionally ``round``."""
    frame = cd.normalise_exchanges(frame)
    ranked = frame.sort_values("gain", ascending=False, kind="stable").head(top).reset_index(drop=True)
    labels = cd.exchange_labels(ranked, scenario)
    left = min(max(cd.text_width(max((len(t) for t in labels), default=10), 8) + 0.4, 3.0), 6.5)
    chars = int((left - 0.4) / cd.text_width(1, 8))
    wrapped = ["\n".join(cd.wrap(t, chars, 2)) for t in labels]
    rows_h = sum(0.2 + 0.12 * t.count("\n") for t in wrapped) + 0.3
    caption = (
        f"The {len(ranked)} largest of {len(frame)} exchanges, by each side's utility gain. In an exchange each actor moves its "
        "position on the issue it cares less about toward the other's, in return for the other's move on the issue it cares more about."
    )
    caption_h = _caption_height(caption, width)
    height = 0.8 + rows_h + 0.5 + caption_h
    fig = _figure(width, height)
    _titles(fig, "Exchanges of voting positions", scenario.label if scenario is not None else None, 0.8)
    ax = _axes(fig, left, caption_h + 0.5, width - left - 0.6, rows_h)
    n = len(ranked)
    y = np.arange(n)[::-1]
    colour_by_round = "round" in ranked and ranked["round"].nunique() > 1
    if colour_by_round:
        rounds = ranked["round"].astype(float)
        cmap = matplotlib.colormaps["viridis"]
        span = max(rounds.max() - rounds.min(), 1)
        colours = [cmap(0.15 + 0.7 * (r - rounds.min()) / span) for r in rounds]
    else:
        colours = ["#2166ac"] * n
    ax.barh(y, ranked["gain"], color=colours, height=0.62, gid="exchange-bar")
    for yi, gain in zip(y, ranked["gain"]):
        ax.text(gain, yi, f" {gain:.3g}", va="center", fontsize=7.5)
    ax.set_yticks(y)
    ax.set_yticklabels(wrapped, fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("utility gain of each side")
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    if colour_by_round:
        values = sorted(ranked["round"].unique())
        handles = [Patch(color=cmap(0.15 + 0.7 * (r - rounds.min()) / span), label=f"round {int(r)}") for r in values]
        ax.legend(handles=handles, loc="lower right", fontsize=7.5, frameon=False)
    _caption(fig, caption, width)
    return fig


# -- 5. outcome distribution -----------------------------------------------------------------------


@_styled
def distribution(draws: pd.DataFrame, scenario: Scenario, issue: str | None = None, width: float = 11.0) -> Figure:
    """Monte Carlo outcome distribution of one issue, one row per model: a histogram of the draws
    over the issue's scale, the anchor bands shaded, and the probability of each band.
    ``draws`` has columns ``model, issue, value`` (issue units; see
    :func:`~detente.report.chartdata.simulation_draws`)."""
    issue_obj = scenario.issue(issue) if issue else scenario.issues[0]
    data = draws[draws["issue"] == issue_obj.id] if "issue" in draws else draws
    models = list(dict.fromkeys(data["model"]))
    left = max(2.2, cd.text_width(max(map(len, map(cd.model_title, models)), default=10), 8) + 0.35)
    right = 1.3
    axis_w = width - left - right
    row_h = 0.75
    anchor_h = cd.anchor_block_height(cd.anchor_labels(issue_obj, axis_w, ANCHOR_FONT), ANCHOR_FONT) + 0.35
    n_draws = data.groupby("model").size().max() if len(data) else 0
    caption = (
        f"Each row shows where one model's forecast lands across {n_draws} Monte Carlo draws of the inputs. Shaded bands run between "
        "the scale's labelled points; the percentage in each band is the share of draws that land in it. Black tick: median; bar: 5-95 % range."
    )
    caption_h = _caption_height(caption, width)
    axis_h = row_h * max(len(models), 1)
    height = 0.8 + axis_h + anchor_h + caption_h
    fig = _figure(width, height)
    _titles(fig, f"{issue_obj.label}: distribution of the forecast", _scenario_subtitle(scenario, "Monte Carlo"), 0.8)
    ax = _axes(fig, left, anchor_h + caption_h, axis_w, axis_h)
    span = issue_obj.hi - issue_obj.lo
    ax.set_xlim(issue_obj.lo - 0.02 * span, issue_obj.hi + 0.02 * span)
    ax.set_ylim(0, len(models))
    bands = issue_obj.bands()
    for n, (lo, hi, _) in enumerate(bands):
        ax.axvspan(lo, hi, color="#f2f2f2" if n % 2 else "#fafafa", zorder=0, lw=0)
    for point, _ in issue_obj.sorted_anchors():
        ax.axvline(point, color="#cccccc", lw=0.7, zorder=0)
    bins = np.linspace(issue_obj.lo, issue_obj.hi, 61)
    labels = []
    for n, model in enumerate(models):
        base = len(models) - 1 - n
        values = data.loc[data["model"] == model, "value"].to_numpy(float)
        values = values[~np.isnan(values)]
        colour, _ = cd.model_style(model)
        labels.append(cd.model_title(model))
        if len(values) == 0:
            continue
        counts, edges = np.histogram(values, bins=bins)
        heights = 0.62 * counts / max(counts.max(), 1)
        ax.bar(edges[:-1], heights, width=np.diff(edges), bottom=base + 0.08, align="edge", color=colour, alpha=0.55, lw=0, gid="histogram")
        p05, p50, p95 = np.quantile(values, [0.05, 0.5, 0.95])
        ax.plot([p05, p95], [base + 0.05] * 2, color=colour, lw=2.5, solid_capstyle="butt")
        ax.plot([p50], [base + 0.05], marker="|", color="black", ms=9, mew=1.6)
        probabilities = cd.band_probabilities(issue_obj, values)
        for band in probabilities.itertuples():
            room = (band.high - band.low) / span * axis_w
            if band.probability >= 0.005 and room >= cd.text_width(4, 7.5):  # narrower bands: too little room for a legible share
                ax.text((band.low + band.high) / 2, base + 0.93, f"{100 * band.probability:.0f}%", ha="center", va="top", fontsize=7.5, color="#333333", gid="band-probability")
        ax.axhline(base, color="#dddddd", lw=0.6)
    ax.set_yticks(np.arange(len(models))[::-1] + 0.45)
    ax.set_yticklabels(labels, fontsize=8)
    ax.tick_params(axis="y", length=0)
    _anchor_axis_x(ax, issue_obj, axis_w)
    _caption(fig, caption, width)
    return fig


# -- 6. tornado ------------------------------------------------------------------------------------


@_styled
def tornado(frame: pd.DataFrame, issue: Issue | None = None, title: str | None = None, top: int = 15, width: float = 10.0) -> Figure:
    """Tornado chart of a sensitivity ranking: per input, the forecast when the input is set low and
    high around the base forecast, widest swing on top. ``frame`` has columns ``input, low, high,
    base`` (forecasts in issue units; see :func:`~detente.report.chartdata.tornado_order`)."""
    ranked = cd.tornado_order(frame, top)
    left = min(max(cd.text_width(max((len(str(t)) for t in ranked["input"]), default=10), 8) + 0.4, 3.6), 4.2)
    chars = int((left - 0.3) / cd.text_width(1, 8))
    n = len(ranked)
    caption = (
        "Each bar shows how far the forecast moves when one input is set to its low (blue) or high (orange) value with everything else "
        "held; the line marks the base forecast. Inputs with the widest swing are on top."
    )
    caption_h = _caption_height(caption, width)
    axis_h = 0.28 * max(n, 1) + 0.2
    legend_h = 0.3  # above the bars, where it can hide none of them
    height = 0.8 + legend_h + axis_h + 0.55 + caption_h
    fig = _figure(width, height)
    _titles(fig, title or "Sensitivity of the forecast", issue.label if issue is not None else None, 0.8)
    ax = _axes(fig, left, caption_h + 0.55, width - left - 0.5, axis_h)
    base = float(ranked["base"].iloc[0]) if n else 0.0
    y = np.arange(n)[::-1]
    ax.barh(y, ranked["low"] - ranked["base"], left=ranked["base"], color="#4a7fb5", height=0.6, label="input low", gid="tornado-low")
    ax.barh(y, ranked["high"] - ranked["base"], left=ranked["base"], color="#e08214", height=0.6, label="input high", gid="tornado-high")
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels(["\n".join(cd.wrap(str(t), chars, 2)) for t in ranked["input"]], fontsize=8)
    ax.set_ylim(-0.6, max(n, 1) - 0.4)
    unit = f" ({issue.label}, scale {issue.lo:g}-{issue.hi:g})" if issue is not None else ""
    ax.set_xlabel(f"forecast{unit}")
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=7.5, frameon=False, borderaxespad=0.2)
    _caption(fig, caption, width)
    return fig


# -- 7. backtest -----------------------------------------------------------------------------------


@_styled
def _square_panel_figure(width: float, caption: str, n_models: int, title: str, subtitle: str):
    """The layout the backtest and calibration charts share: titles, a square left panel, room below
    for the legend (three models a row) and the caption. Returns the figure, the left axes and the
    sizes the caller places the rest with: ``panel, bottom, caption_h, legend_h, ncol``."""
    caption_h = _caption_height(caption, width)
    panel, ncol = 4.2, 3
    legend_h = 0.22 * math.ceil(n_models / ncol) + 0.15
    bottom = caption_h + legend_h + 0.6
    fig = _figure(width, 0.8 + panel + bottom)
    _titles(fig, title, subtitle, 0.8)
    return fig, _axes(fig, 0.8, bottom, panel, panel), panel, bottom, caption_h, legend_h, ncol


def backtest(frame: pd.DataFrame, title: str | None = None, width: float = 11.0) -> Figure:
    """Backtest: each model's forecast against the actual outcome (share of the scale), and the
    distribution of absolute errors per model with its mean. ``frame`` has columns ``case, issue,
    model, forecast, outcome`` and optionally ``lo, hi`` (the issue's scale), e.g. the ``records``
    of a :class:`~detente.analysis.backtest.Backtest`."""
    data = cd.backtest_errors(frame).dropna(subset=["forecast_100", "outcome_100"])
    models = list(dict.fromkeys(data["model"]))
    caption = (
        "Left: every forecast against the outcome that came about, as a share of the issue's scale; points on the diagonal are exact. "
        "Right: absolute errors per model (dots) with their mean (bar), in percentage points of the scale."
    )
    fig, ax, panel, bottom, caption_h, legend_h, ncol = _square_panel_figure(
        width, caption, len(models), title or "Backtest: forecasts against outcomes", f"{counted(data['case'].nunique(), 'case')}, {counted(len(data), 'forecast')}"
    )
    height = fig.get_figheight()
    ax.plot([0, 100], [0, 100], color="#999999", lw=1, ls="--")
    for model in models:
        rows = data[data["model"] == model]
        colour, marker = cd.model_style(model)
        ax.scatter(rows["outcome_100"], rows["forecast_100"], marker=marker, color=colour, s=28, alpha=0.75, label=cd.model_title(model), gid="backtest-point")
    ax.set_xlim(-3, 103)
    ax.set_ylim(-3, 103)
    ax.set_aspect("equal")
    ax.set_xlabel("actual outcome (% of scale)")
    ax.set_ylabel("forecast (% of scale)")
    handles, labels = ax.get_legend_handles_labels()
    rows = math.ceil(len(handles) / ncol)
    order = [r * ncol + c for c in range(ncol) for r in range(rows) if r * ncol + c < len(handles)]  # read row by row
    fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left", bbox_to_anchor=(0.8 / width, (caption_h + legend_h) / height),
               ncol=ncol, fontsize=8, frameon=False, columnspacing=1.5)
    ax2_left = 0.8 + panel + 2.3
    ax2 = _axes(fig, ax2_left, bottom, width - ax2_left - 0.4, panel)
    rng = np.random.default_rng(0)
    for n, model in enumerate(models):
        errors = data.loc[data["model"] == model, "abs_error"].to_numpy(float)
        colour, _ = cd.model_style(model)
        y = len(models) - 1 - n
        ax2.scatter(errors, y + rng.uniform(-0.18, 0.18, len(errors)), color=colour, s=14, alpha=0.6, gid="error-point")
        mae = errors.mean() if len(errors) else np.nan
        ax2.plot([mae, mae], [y - 0.3, y + 0.3], color="black", lw=2)
        ax2.text(mae, y + 0.33, f"mean {mae:.1f}", ha="center", va="bottom", fontsize=7.5)
    ax2.set_yticks(range(len(models)))
    ax2.set_yticklabels([cd.model_title(m) for m in reversed(models)], fontsize=8)
    ax2.set_ylim(-0.6, len(models) - 0.2)
    ax2.set_xlim(left=0)
    ax2.set_xlabel("absolute error (percentage points of the scale)")
    ax2.grid(axis="x", color="#eeeeee", lw=0.6)
    _caption(fig, caption, width)
    return fig


# -- 7b. calibration -------------------------------------------------------------------------------


@_styled
def calibration(reliability: pd.DataFrame, scores: pd.DataFrame, method: str, title: str | None = None, width: float = 11.0) -> Figure:
    """Reliability diagram of band probabilities and the coverage of the calibrated intervals.

    ``reliability`` has columns ``model, predicted, observed, n`` (one row per probability bin,
    :meth:`~detente.analysis.calibration.Calibration.reliability`); ``scores`` the summary of
    :meth:`~detente.analysis.calibration.Calibration.summary`."""
    models = list(dict.fromkeys(scores["model"]))
    caption = (
        f"Left: band probabilities binned by size against how often the outcome fell in the band; on the diagonal a "
        f"probability of 30% comes true 30% of the time (marker area: number of forecasts). Right: share of outcomes "
        f"inside the 50% (lower mark) and 90% (upper mark) intervals with bootstrap 95% intervals; dashed: the nominal levels. Error models: {method}."
    )
    fig, ax, panel, bottom, caption_h, legend_h, ncol = _square_panel_figure(
        width, caption, len(models), title or "Calibration: band probabilities and interval coverage", f"{int(scores['n'].max())} issues per model"
    )
    height = fig.get_figheight()
    ax.plot([0, 1], [0, 1], color="#999999", lw=1, ls="--")
    for model in models:
        rows = reliability[reliability["model"] == model]
        colour, marker = cd.model_style(model)
        ax.plot(rows["predicted"], rows["observed"], color=colour, lw=1, alpha=0.7)
        ax.scatter(rows["predicted"], rows["observed"], s=8 + 1.2 * rows["n"].to_numpy(float), marker=marker, color=colour, alpha=0.75, label=cd.model_title(model), gid="reliability-point")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("forecast probability of the band")
    ax.set_ylabel("observed frequency")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.8 / width, (caption_h + legend_h) / height), ncol=ncol, fontsize=8, frameon=False, columnspacing=1.5, markerscale=0.6)
    ax2_left = 0.8 + panel + 2.3
    ax2 = _axes(fig, ax2_left, bottom, width - ax2_left - 0.4, panel)
    for n, model in enumerate(models):
        row = scores[scores["model"] == model].iloc[0]
        colour, marker = cd.model_style(model)
        y = len(models) - 1 - n
        for level, offset in ((50, -0.12), (90, 0.12)):
            value, low, high = (row[f"coverage_{level}{suffix}"] for suffix in ("", "_low", "_high"))
            ax2.errorbar([value], [y + offset], xerr=[[value - low], [high - value]], fmt=marker, color=colour, capsize=2, ms=5)
            ax2.text(high + 0.01, y + offset, f"{100 * value:.0f}%", va="center", fontsize=7.5)
    for level in (0.5, 0.9):
        ax2.axvline(level, color="#999999", lw=1, ls="--")
    ax2.set_yticks(range(len(models)))
    ax2.set_yticklabels([cd.model_title(m) for m in reversed(models)], fontsize=8)
    ax2.set_ylim(-0.6, len(models) - 0.4)
    ax2.set_xlim(0.3, 1.02)
    ax2.set_xlabel("share of outcomes inside the interval")
    ax2.grid(axis="x", color="#eeeeee", lw=0.6)
    _caption(fig, caption, width)
    return fig


# -- 8. timeline -----------------------------------------------------------------------------------


@_styled
def timeline(
    forecasts: "Sequence[Forecast] | pd.DataFrame",
    issue: str,
    scenario: Scenario | None = None,
    width: float = 11.0,
    events: Sequence[Mapping[str, Any]] = (),
) -> Figure:
    """Each model's forecast of one issue across snapshots of a negotiation (their ``as_of``
    dates), with the status quo of each snapshot and, from the negotiation's history, what
    happened: outcomes (black stars), states of the talks (hollow diamonds; never outcomes) with
    their ranges, and dated events (numbered dotted lines, listed under the chart). ``forecasts``
    is a list of :class:`~detente.forecast.Forecast` or a frame of
    :func:`~detente.report.chartdata.timeline_frame`; ``events`` are rows of
    :func:`detente.io.history.records` (other issues' rows are ignored). With every snapshot
    dated the x axis is a time axis; otherwise the snapshots are spaced evenly and events left out."""
    if isinstance(forecasts, pd.DataFrame):
        frame = forecasts
    else:
        frame = cd.timeline_frame(forecasts)
        scenario = scenario or forecasts[-1].scenario
    if scenario is None:
        raise UsageError("a timeline needs the scenario whose issue it shows")
    issue_obj = scenario.issue(issue)
    data = frame[frame["issue"] == issue_obj.id]
    snapshots = list(dict.fromkeys(zip(data["as_of"], data["scenario"])))
    dated = bool(snapshots) and all(not pd.isna(d) for d, _ in snapshots)
    marks = [e for e in events if e["issue"] == issue_obj.id] if dated else []
    points = [e for e in marks if e["value"] is not None]
    happenings = [e for e in marks if e["value"] is None]
    last = points[-1] if points else None
    end_texts = [f"{t}: {cd.format_value(issue_obj, float(v))}" for t, v in data.groupby("title", sort=False)["value"].last().items()]
    if last is not None:
        end_texts.append(f"{'outcome' if last['kind'] == 'outcome' else 'state of the talks, not an outcome'} ({last['date']}): "
                         f"{cd.format_value(issue_obj, last['value'])}")
    left = 2.9
    right = max(2.3, max((cd.text_width(len(t), LABEL_FONT) for t in end_texts), default=0) + 0.45)
    width = max(width, left + right + 5.5)
    axis_w = width - left - right
    right = max(right, _end_label_room([f"{title}: {cd.format_value(issue_obj, issue_obj.hi)}" for title in data["title"]]))
    width = left + axis_w + right
    axis_h = 3.8
    caption = (
        "Each line follows one model's forecast of this issue across snapshots of the same negotiation, each coded from what was "
        "known on its date. Open grey squares: the status quo at each date."
    )
    if any(e["kind"] == "outcome" for e in points):
        caption += " Gold star: the outcome, where the issue settled."
    if any(e["kind"] == "state" for e in points):
        caption += " Hollow black hexagon: the state of the talks on that date, where the proposal on the table stood; it is not an outcome."
    if any(e["low"] is not None for e in points):
        caption += " Grey bars: the range of readings."
    if happenings:
        caption += " Dotted lines: events. " + " ".join(f"({n}) {e['date']}: {e['title']}." for n, e in enumerate(happenings, 1))
    caption_h = _caption_height(caption, width)
    height = 0.8 + axis_h + 0.7 + caption_h
    fig = _figure(width, height)
    span = f"{pd.Timestamp(snapshots[0][0]).date()} to {pd.Timestamp(snapshots[-1][0]).date()}" if dated else scenario.label
    subtitle = f"{len(snapshots)} snapshots, {span}" + (f"; {len(marks)} dated entr{'y' if len(marks) == 1 else 'ies'} of what happened" if marks else "")
    _titles(fig, f"{issue_obj.label}: forecasts over time", subtitle, 0.8)
    ax = _axes(fig, left, caption_h + 0.7, axis_w, axis_h)
    span = issue_obj.hi - issue_obj.lo
    ax.set_ylim(issue_obj.lo - 0.03 * span, issue_obj.hi + 0.03 * span)
    if dated:
        from matplotlib import dates as mdates

        when = lambda values: mdates.date2num([pd.Timestamp(v).to_pydatetime() for v in values])  # noqa: E731
        x_of = lambda rows: when(rows["as_of"])  # noqa: E731
        xs = list(when([d for d, _ in snapshots])) + list(when([e["date"] for e in marks]))
        pad = max((max(xs) - min(xs)) * 0.03, 10)
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.tick_params(axis="x", labelsize=8)
    else:
        positions = {key: n for n, key in enumerate(snapshots)}
        x_of = lambda rows: [positions[k] for k in zip(rows["as_of"], rows["scenario"])]  # noqa: E731
        ax.set_xlim(-0.3, max(len(snapshots) - 1, 1) + 0.3)
        ax.set_xticks(range(len(snapshots)))
        ax.set_xticklabels([f"{pd.Timestamp(d).date() if not pd.isna(d) else ''}\n{s}" for d, s in snapshots], fontsize=8)
    for n, event in enumerate(happenings, 1):
        x = float(when([event["date"]])[0])
        ax.axvline(x, color="#999999", ls=":", lw=0.9, zorder=1, gid="event")
        ax.annotate(str(n), xy=(x, 1), xycoords=("data", "axes fraction"), xytext=(0, 3 + 9 * ((n - 1) % 2)), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7, color="#555555", annotation_clip=False, gid="event-number")
    sq = data.drop_duplicates(subset=["scenario"])
    ax.plot(x_of(sq), sq["status_quo"], color=cd.STATUS_QUO_COLOUR, marker="s", mfc="none", mew=1.4, ls=":", lw=1, ms=11, zorder=6, gid="status-quo")
    ends, labels, colours = [], [], []
    for model in dict.fromkeys(data["model"]):
        rows = data[data["model"] == model]
        colour, marker = cd.model_style(model)
        ax.plot(x_of(rows), rows["value"], color=colour, marker=marker, lw=1.6, ms=6, gid="model-line")
        ends.append(float(rows["value"].iloc[-1]))
        labels.append(f"{rows['title'].iloc[0]}: {cd.format_value(issue_obj, ends[-1])}")
        colours.append(colour)
    for event in points:
        x = float(when([event["date"]])[0])
        outcome = event["kind"] == "outcome"
        if event["low"] is not None:
            ax.plot([x, x], [event["low"], event["high"]], color="black", lw=1.2, alpha=0.55, zorder=7, gid="range")
        ax.plot([x], [event["value"]], marker="*" if outcome else "H", ms=17 if outcome else 11, mec="black",
                mfc=OUTCOME_COLOUR if outcome else "white", mew=1.2 if outcome else 1.8, ls="none", zorder=8, gid="outcome" if outcome else "state")
    if len(sq):
        ends.append(float(sq["status_quo"].iloc[-1]))
        labels.append("status quo")
        colours.append(cd.STATUS_QUO_COLOUR)
    if last is not None:
        ends.append(float(last["value"]))
        labels.append(end_texts[-1])
        colours.append("black")
    _end_labels(fig, ax, ends, labels, colours)
    _anchor_axis_y(fig, ax, issue_obj, left - 0.75)
    ax.grid(axis="y", color="#eeeeee", lw=0.6)
    _caption(fig, caption, width)
    return fig


# -- writing ---------------------------------------------------------------------------------------


def check_path(path: str | Path) -> Path:
    """The path, if its extension names a format charts are written in (PNG, SVG, PDF)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"cannot write a chart as {path.suffix or 'a file without extension'!r}; use .png, .svg or .pdf")
    return path


def save(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Write a figure; the format (PNG, SVG or PDF) follows the file's extension."""
    path = check_path(path)
    with replacing(path) as temp:
        fig.savefig(temp, dpi=dpi, facecolor="white", format=path.suffix.lower().lstrip("."))
    return path
