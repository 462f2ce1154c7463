"""The data behind every chart, shared by the static (matplotlib) and interactive (plotly) renderers.

Each chart kind reads plain pandas DataFrames with documented columns, so that a chart can be
drawn from any producer (a model result, a Monte Carlo run, a stored run, a test's synthetic
data). The adapters here turn detente's result objects into those frames. Layout helpers that
keep labels legible (lanes for the landscape, spreading labels along an axis, placing labels
around points) are pure functions of sizes given in inches, so both renderers share them.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from detente.scenario import Issue, Scenario

if TYPE_CHECKING:
    from detente.forecast import Forecast
    from detente.models.base import DynamicResult, ModelResult

NO_GROUP = "(no group)"
GROUP_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
    "#aec7e8", "#ff9896", "#98df8a", "#ffbb78", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d",
)
NO_GROUP_COLOUR = "#7f7f7f"
MODEL_COLOURS = ("#111111", "#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214", "#35978f", "#8c510a", "#c51b7d", "#7f7f7f", "#01665e", "#d6604d")
MODEL_MARKERS = ("D", "s", "^", "v", "P", "X", "o", "*", "h", "p", "<", ">")
STATUS_QUO_COLOUR = "#6d6d6d"
# Average glyph width of the sans-serif fonts used, as a share of the font size (a conservative
# estimate: labels are laid out before any renderer measures them).
CHAR_WIDTH = 0.6


# -- names, colours, text ------------------------------------------------------------------------


def model_title(name: str) -> str:
    """The display title of a model (``Compromise (weighted mean)``), or its name if unknown."""
    from detente import models as registry

    cls = registry.registry().get(name)
    return cls.title if cls is not None else name


def model_style(name: str) -> tuple[str, str]:
    """A fixed colour and marker per model, the same in every chart and report."""
    from detente import models as registry

    names = list(registry.registry())
    index = names.index(name) if name in names else len(names) + sum(map(ord, name))
    return MODEL_COLOURS[index % len(MODEL_COLOURS)], MODEL_MARKERS[index % len(MODEL_MARKERS)]


def group_of(actor: Any) -> str:
    return actor.group or NO_GROUP


def group_colours(groups: Iterable[str]) -> dict[str, str]:
    """A colour per group in order of first appearance; actors without a group are grey."""
    colours: dict[str, str] = {}
    for group in groups:
        if group in colours:
            continue
        if group == NO_GROUP:
            colours[group] = NO_GROUP_COLOUR
        else:
            colours[group] = GROUP_COLOURS[sum(g != NO_GROUP for g in colours) % len(GROUP_COLOURS)]
    return colours


def scenario_colours(scenario: Scenario) -> dict[str, str]:
    return group_colours(group_of(a) for a in scenario.actors)


def actor_labels(actors: Iterable[Any], limit: int = 26) -> dict[str, str]:
    """A chart label per actor id, every one different: :func:`short_name`, or where two actors
    would share it (names that differ only inside parentheses, 'Iran (Supreme Leader)' and 'Iran
    (Rouhani government)'), the full name when it fits ``limit`` + 8 characters, else the short
    name with the id; the id alone as the last resort."""
    actors = list(actors)
    labels = {a.id: short_name(a, limit) for a in actors}
    for fallback in (
        lambda a: a.name if a.name and len(a.name) <= limit + 8 else f"{short_name(a, limit)} [{a.id}]",
        lambda a: str(a.id),
    ):
        taken = Counter(labels.values())
        labels = {a.id: fallback(a) if taken[labels[a.id]] > 1 else labels[a.id] for a in actors}
    return labels


def short_name(actor: Any, limit: int = 26) -> str:
    """A chart label for an actor: its name without a trailing parenthesis; a longer name keeps
    its first and last words around an ellipsis ('Delegation of … number 12')."""
    name = re.sub(r"\s*\([^)]*\)\s*$", "", actor.name or "") or actor.id
    if len(name) <= limit:
        return name
    words = name.split()
    joined = lambda h, t: " ".join(words[:h]) + " … " + " ".join(words[len(words) - t :])  # noqa: E731
    head, tail = 1, 1
    while head + tail < len(words):
        longer_tail = len(" ".join(words[:head])) <= len(" ".join(words[len(words) - tail :]))
        grown = (head + 1, tail) if longer_tail else (head, tail + 1)
        if len(joined(*grown)) > limit:
            break
        head, tail = grown
    text = joined(head, tail)
    return text if len(text) <= limit else name[: limit - 1].rstrip() + "…"


def wrap(text: str, width: int, max_lines: int | None = None) -> list[str]:
    """Word-wrap ``text`` to ``width`` characters; with ``max_lines`` the last kept line ends in '…'."""
    lines = textwrap.wrap(text, max(width, 4), break_long_words=True) or [""]
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = kept[-1][: max(width - 1, 1)].rstrip() + "…"
        return kept
    return lines


def text_width(chars: int, fontsize: float) -> float:
    """Estimated width in inches of ``chars`` characters at ``fontsize`` points."""
    return chars * fontsize * CHAR_WIDTH / 72.0


def format_value(issue: Issue, value: float | None) -> str:
    from detente.report.table import format_value as table_format

    return table_format(issue, value)


@dataclass(frozen=True)
class AnchorLabel:
    value: float
    lines: list[str]
    row: int  # 0, or 1 when crowded anchors alternate between two rows


def anchor_labels(issue: Issue, axis_width_in: float, fontsize: float = 7.5, max_lines: int = 6) -> list[AnchorLabel]:
    """The issue's anchors as wrapped labels for a horizontal scale ``axis_width_in`` inches wide.

    Each label gets the room between its neighbours (the outer ones the room to their one
    neighbour); when that is under 14 characters, labels alternate between two rows and each
    gets twice the room.
    """
    anchors = issue.sorted_anchors()
    if not anchors:
        return []
    span = issue.hi - issue.lo
    chars_per_unit = axis_width_in / text_width(1, fontsize) / span
    points = [p for p, _ in anchors]
    steps = np.diff(points)
    gaps = [min(steps[max(k - 1, 0) : k + 1], default=span) for k in range(len(points))]
    room = [int(g * chars_per_unit * 0.92) for g in gaps]
    staggered = min(room) < 14
    labels = []
    for k, ((point, text), chars) in enumerate(zip(anchors, room)):
        width = max(2 * chars if staggered else chars, 14)
        labels.append(AnchorLabel(point, wrap(text, width, max_lines), k % 2 if staggered else 0))
    return labels


def anchor_block_height(labels: Sequence[AnchorLabel], fontsize: float = 7.5) -> float:
    """Inches needed under an axis for :func:`anchor_labels` (both rows when staggered)."""
    if not labels:
        return 0.0
    line = fontsize * 1.25 / 72.0
    first = max((len(a.lines) for a in labels if a.row == 0), default=0)
    second = max((len(a.lines) for a in labels if a.row == 1), default=0)
    return (first + second) * line + (0.08 if second else 0.0)


# -- layout: lanes, 1-D spreading, 2-D label placement --------------------------------------------


def assign_lanes(left: np.ndarray, right: np.ndarray, order: Iterable[int] | None = None, gap: float = 0.0) -> np.ndarray:
    """Greedy interval packing: each item goes to the lowest lane where ``[left, right]`` meets no
    item already there (with ``gap`` between neighbours). Items are taken in ``order``
    (default: as given). Returns the lane of every item; no two items of a lane overlap."""
    left, right = np.asarray(left, float), np.asarray(right, float)
    lanes = np.zeros(len(left), dtype=int)
    occupied: list[list[tuple[float, float]]] = []
    for i in order if order is not None else range(len(left)):
        for lane, spans in enumerate(occupied):
            if all(right[i] + gap <= a or left[i] >= b + gap for a, b in spans):
                spans.append((left[i], right[i]))
                lanes[i] = lane
                break
        else:
            occupied.append([(left[i], right[i])])
            lanes[i] = len(occupied) - 1
    return lanes


def spread(targets: Sequence[float], min_gap: float, lo: float = -math.inf, hi: float = math.inf) -> np.ndarray:
    """Positions as close as possible to ``targets`` (least squares), in the same order and at least
    ``min_gap`` apart, kept inside [lo, hi] when they fit: for label columns beside line ends.

    Clusters of labels that would overlap are merged and centred on their targets' mean
    (pool-adjacent-violators on ``target_k − k·gap``), then clipped to the bounds (which keeps the
    least-squares optimum); a column longer than the bounds starts at ``lo``.
    """
    targets = np.asarray(targets, float)
    if len(targets) == 0:
        return targets
    order = np.argsort(targets, kind="stable")
    shifted = targets[order] - min_gap * np.arange(len(targets))
    blocks: list[list[float]] = []  # [sum, count]
    for value in shifted:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    fitted = np.concatenate([[total / count] * count for total, count in blocks])
    # bounds: clipping the isotonic fit is the bounded least-squares solution (when the column fits)
    top = hi - min_gap * (len(targets) - 1)
    fitted = np.clip(fitted, lo, max(top, lo))
    placed = fitted + min_gap * np.arange(len(targets))
    out = np.empty_like(placed)
    out[order] = placed
    return out


# Candidate label offsets around a point, as multiples of (label width, label height): right,
# left, above, below, then the diagonals.
_OFFSETS = ((0.5, 0), (-0.5, 0), (0, 1), (0, -1), (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1))


def place_labels(
    x: np.ndarray,
    y: np.ndarray,
    widths: np.ndarray,
    heights: np.ndarray,
    radius: float,
    bounds: tuple[float, float, float, float],
    obstacles: Iterable[tuple[float, float, float, float]] = (),
) -> np.ndarray:
    """Centres for labels of points (all in inches): each label takes the first spot around its point
    (right, left, above, below, diagonals, then farther out) where it overlaps no placed label,
    no point and no obstacle box (x0, y0, x1, y1), and stays inside ``bounds`` = (x0, y0, x1, y1).
    Returns (n, 2) label centres."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    placed: list[tuple[float, float, float, float]] = list(obstacles)
    centres = np.zeros((n, 2))
    x0, y0, x1, y1 = bounds

    def free(box: tuple[float, float, float, float], own: int) -> bool:
        a0, b0, a1, b1 = box
        if a0 < x0 or a1 > x1 or b0 < y0 or b1 > y1:
            return False
        if any(a0 < c1 and c0 < a1 and b0 < d1 and d0 < b1 for c0, d0, c1, d1 in placed):
            return False
        near_x = np.clip(x, a0, a1)
        near_y = np.clip(y, b0, b1)
        hits = (near_x - x) ** 2 + (near_y - y) ** 2 < (radius * 0.9) ** 2
        hits[own] = False
        return not hits.any()

    for i in np.argsort(-y, kind="stable"):
        w, h = widths[i], heights[i]
        chosen = None
        for ring in range(1, 7):
            pad = radius + 0.03 + (ring - 1) * h
            for fx, fy in _OFFSETS:
                cx = x[i] + fx * w + np.sign(fx) * pad
                cy = y[i] + fy * (h / 2 + pad)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if free(box, i):
                    chosen = (cx, cy, box)
                    break
            if chosen:
                break
        if chosen is None:
            cx, cy = x[i] + w / 2 + radius + 0.03, y[i]
            chosen = (cx, cy, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        centres[i] = chosen[:2]
        placed.append(chosen[2])
    return centres


def in_sentence(title: str) -> str:
    """A title inside a sentence: a leading article is lower-cased ('the Kursk salient')."""
    first, _, rest = title.partition(" ")
    return f"{first.lower()} {rest}" if rest and first in ("The", "A", "An") else title


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


# -- 1. the issue landscape ------------------------------------------------------------------------


@dataclass
class Landscape:
    """Everything the landscape chart of one issue shows.

    ``actors``: one row per actor with a stance: ``actor, label, name, group, position`` (issue
    units), ``capability``, ``salience`` (0..1), ``power`` (capability x salience) and ``share``
    (of the issue's total power). ``forecasts``: one row per model: ``model, title, value`` and,
    when a Monte Carlo band is known, ``low, high`` (its 5 and 95 % quantiles), plus ``note``.
    """

    scenario: Scenario
    issue: Issue
    actors: pd.DataFrame
    forecasts: pd.DataFrame

    @property
    def colours(self) -> dict[str, str]:
        return scenario_colours(self.scenario)


def landscape_data(
    scenario: Scenario,
    issue: str | None = None,
    forecast: "Forecast | Iterable[ModelResult] | Mapping[str, float] | None" = None,
    bands: Mapping[str, tuple[float, float]] | pd.DataFrame | None = None,
) -> Landscape:
    """The landscape of one issue (default: the first) with the forecasts of ``forecast`` (a
    :class:`~detente.forecast.Forecast`, model results, or ``{model: value}``) and optional
    Monte Carlo bands (``{model: (q05, q95)}`` or a frame with ``model, issue, q05, q95`` such as
    :meth:`SimulationResult.to_frame() <detente.analysis.montecarlo.SimulationResult.to_frame>`)."""
    chosen = scenario.issue(issue) if issue else scenario.issues[0]
    k = scenario.issue_ids.index(chosen.id)
    batch = scenario.batch()
    present = batch.present[:, k]
    power = batch.capability[0, :, k] * batch.salience[0, :, k]
    total = power[present].sum()
    rows = []
    labels = actor_labels(scenario.actors)
    for i, actor in enumerate(scenario.actors):
        if not present[i]:
            continue
        rows.append(
            {
                "actor": actor.id,
                "label": labels[actor.id],
                "name": actor.label,
                "group": group_of(actor),
                "position": float(chosen.from_unit(batch.position[0, i, k])),
                "capability": float(batch.capability[0, i, k]),
                "salience": float(batch.salience[0, i, k]),
                "power": float(power[i]),
                "share": float(power[i] / total) if total > 0 else 0.0,
            }
        )
    actors = pd.DataFrame(rows, columns=["actor", "label", "name", "group", "position", "capability", "salience", "power", "share"])
    return Landscape(scenario, chosen, actors, forecast_rows(chosen, forecast, bands))


def forecast_rows(
    issue: Issue,
    forecast: "Forecast | Iterable[ModelResult] | Mapping[str, float] | None",
    bands: Mapping[str, tuple[float, float]] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per model for one issue: ``model, title, value, low, high, note``."""
    rows = []
    if isinstance(forecast, Mapping):
        items = [(name, float(value), "") for name, value in forecast.items()]
    else:
        items = []
        for result in forecast or []:
            k = result.scenario.issue_ids.index(issue.id) if issue.id in result.scenario.issue_ids else None
            if k is not None:
                items.append((result.model, float(result.values[k]), result.notes.get(issue.id, "")))
    band_map = _bands_for(issue.id, bands)
    for name, value, note in items:
        low, high = band_map.get(name, (np.nan, np.nan))
        rows.append({"model": name, "title": model_title(name), "value": value, "low": low, "high": high, "note": note})
    return pd.DataFrame(rows, columns=["model", "title", "value", "low", "high", "note"])


def _bands_for(issue_id: str, bands: Mapping[str, tuple[float, float]] | pd.DataFrame | None) -> dict[str, tuple[float, float]]:
    if bands is None:
        return {}
    if isinstance(bands, pd.DataFrame):
        frame = bands[bands["issue"] == issue_id] if "issue" in bands else bands
        return {row.model: (float(row.q05), float(row.q95)) for row in frame.itertuples()}
    return {name: (float(lo), float(hi)) for name, (lo, hi) in bands.items()}


def power_density(land: Landscape, points: int = 400, bandwidth: float = 0.035) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The effective-power landscape along the issue: for each group, the sum of Gaussian kernels
    ``Σ_i c_i s_i φ((y − x_i)/h)/h`` with ``h = bandwidth · (scale width)``, on a grid of the scale."""
    issue = land.issue
    grid = np.linspace(issue.lo, issue.hi, points)
    h = bandwidth * (issue.hi - issue.lo)
    out: dict[str, np.ndarray] = {}
    for group in land.colours:
        rows = land.actors[land.actors["group"] == group]
        if rows.empty:
            continue
        z = (grid[:, None] - rows["position"].to_numpy()[None, :]) / h
        out[group] = (np.exp(-0.5 * z**2) / (h * math.sqrt(2 * math.pi)) * rows["power"].to_numpy()[None, :]).sum(axis=1)
    return grid, out


@dataclass(frozen=True)
class ActorLayout:
    lane: np.ndarray  # lane per actor row
    diameter: np.ndarray  # marker diameter in points
    label_left: np.ndarray  # True where the label sits left of the mark (near the scale's top end)
    lanes: int


def layout_actors(land: Landscape, axis_width_in: float, fontsize: float = 7.5, max_diameter: float = 26.0, min_diameter: float = 7.0) -> ActorLayout:
    """Lanes for the actors' marks and labels so that no two overlap: marks are sized by
    ``sqrt(power)`` (area proportional to capability x salience) and packed biggest first."""
    actors = land.actors
    if actors.empty:
        return ActorLayout(np.zeros(0, int), np.zeros(0), np.zeros(0, bool), 0)
    span = land.issue.hi - land.issue.lo
    per_inch = span / axis_width_in
    power = actors["power"].to_numpy()
    peak = power.max() if power.max() > 0 else 1.0
    diameter = min_diameter + (max_diameter - min_diameter) * np.sqrt(power / peak)
    radius = diameter / 2 / 72.0 * per_inch
    label = np.array([text_width(len(t), fontsize) for t in actors["label"]]) * per_inch
    pad = 0.04 * per_inch
    x = actors["position"].to_numpy()
    label_left = x + radius + pad + label > land.issue.hi + 0.02 * span
    left = np.where(label_left, x - radius - pad - label, x - radius)
    right = np.where(label_left, x + radius, x + radius + pad + label)
    lanes = assign_lanes(left, right, order=np.argsort(-power, kind="stable"), gap=3 * pad)
    return ActorLayout(lanes, diameter, label_left, int(lanes.max()) + 1)


# -- 2. paths by round -----------------------------------------------------------------------------


def paths_frame(result: "DynamicResult", issue: str | None = None) -> pd.DataFrame:
    """Long frame of a dynamic result on one issue: ``round, actor, label, group, position``;
    the forecast's own path is in :func:`forecast_path`. Rounds after the issue stopped are dropped
    when the result says how many rounds each issue ran (``rounds_run``)."""
    scenario = result.scenario
    chosen = scenario.issue(issue) if issue else scenario.issues[0]
    k = scenario.issue_ids.index(chosen.id)
    last = _last_round(result, chosen.id)
    rows = []
    labels = actor_labels(scenario.actors)
    for i, actor in enumerate(scenario.actors):
        for t in range(last + 1):
            value = result.positions[t, i, k]
            if not np.isnan(value):
                rows.append({"round": t, "actor": actor.id, "label": labels[actor.id], "group": group_of(actor), "position": float(value)})
    return pd.DataFrame(rows, columns=["round", "actor", "label", "group", "position"])


def forecast_path(result: "DynamicResult", issue: str | None = None) -> pd.DataFrame:
    """``round, forecast`` of a dynamic result on one issue."""
    scenario = result.scenario
    chosen = scenario.issue(issue) if issue else scenario.issues[0]
    k = scenario.issue_ids.index(chosen.id)
    last = _last_round(result, chosen.id)
    return pd.DataFrame({"round": np.arange(last + 1), "forecast": result.round_forecasts[: last + 1, k]})


def _last_round(result: "DynamicResult", issue_id: str) -> int:
    rounds_run = getattr(result, "rounds_run", None)
    if isinstance(rounds_run, Mapping) and issue_id in rounds_run:
        return max(int(rounds_run[issue_id]), 0)
    return result.n_rounds


# -- 3. perception (EUM) ---------------------------------------------------------------------------

PERCEPTION_COLUMNS = ("actor", "E_ij", "E_ji")
REGION_TEXT = {
    "conflict_win": "conflict: i expects to win",
    "conflict_lose": "conflict: i expects to lose",
    "compromise": "compromise: i gives some ground",
    "capitulate": "capitulate: i gives in",
    "compel": "compel: j gives in to i",
    "status_quo": "status quo: neither challenges",
    "same_position": "same position",
}


def perception_region(e_ij: np.ndarray, e_ji: np.ndarray) -> np.ndarray:
    """The perception region of each point (docs/models/specification.md §2.7), for frames that do not carry one."""
    e_ij, e_ji = np.asarray(e_ij, float), np.asarray(e_ji, float)
    return np.select(
        [
            (e_ij > 0) & (e_ji > 0) & (e_ji > e_ij),
            (e_ij > 0) & (e_ji > 0),
            (e_ij < 0) & (e_ji > 0) & (-e_ij < e_ji),
            (e_ij < 0) & (e_ji > 0),
            (e_ij > 0) & (e_ji < 0),
        ],
        ["conflict_lose", "conflict_win", "compromise", "capitulate", "compel"],
        "status_quo",
    )


def perception_frame(result: Any, round: int, actor: str, issue: str | None = None) -> pd.DataFrame:
    """The perception chart's data from an EUM result: ``result.perception(round, actor, issue)``
    (columns ``actor, E_ij, E_ji`` and ``region``) plus each actor's ``label`` and ``group``."""
    scenario = result.scenario
    chosen = scenario.issue(issue) if issue else scenario.issues[0]
    frame = result.perception(round, actor, chosen.id).copy()
    return with_actor_labels(frame, scenario)


def most_powerful(scenario: Scenario, count: int = 1) -> list[str]:
    """Ids of the ``count`` actors with the most effective power (capability x salience summed over issues)."""
    power = scenario.batch().effective_power()[0].sum(axis=1)
    return [scenario.actors[i].id for i in np.argsort(-power, kind="stable")[:count]]


def with_actor_labels(frame: pd.DataFrame, scenario: Scenario | None, column: str = "actor") -> pd.DataFrame:
    """Add ``label`` and ``group`` columns for the actor ids in ``column`` (ids kept as labels
    when there is no scenario or the id is unknown)."""
    frame = frame.copy()
    known = {a.id: a for a in scenario.actors} if scenario is not None else {}
    if "label" not in frame:
        labels = actor_labels(known.values())
        frame["label"] = [labels[a] if a in known else str(a) for a in frame[column]]
    if "group" not in frame:
        frame["group"] = [group_of(known[a]) if a in known else NO_GROUP for a in frame[column]]
    return frame


# -- 4. exchanges ----------------------------------------------------------------------------------

EXCHANGE_COLUMNS = ("actor_i", "actor_j", "issue_i", "issue_j", "gain")
# The exchange model's own column names (ExchangeResult.exchanges) for the documented ones.
_EXCHANGE_MODEL_COLUMNS = {"actor": "actor_i", "partner": "actor_j", "supplies": "issue_i", "partner_supplies": "issue_j"}


def exchange_labels(frame: pd.DataFrame, scenario: Scenario | None = None) -> list[str]:
    """``'A ⇄ B: A gives on p, B on q'`` per exchange row (``actor_i`` moves on ``issue_i``, ``actor_j`` on ``issue_j``)."""
    actors = actor_labels(scenario.actors) if scenario is not None else {}
    issues = {i.id: in_sentence(i.label) for i in scenario.issues} if scenario is not None else {}
    out = []
    for row in frame.itertuples():
        a, b = actors.get(row.actor_i, row.actor_i), actors.get(row.actor_j, row.actor_j)
        p, q = issues.get(row.issue_i, row.issue_i), issues.get(row.issue_j, row.issue_j)
        prefix = f"r{int(row.round)} " if "round" in frame and not pd.isna(row.round) else ""
        out.append(f"{prefix}{a} ⇄ {b}: {a} gives on {p}, {b} on {q}")
    return out


def exchanges_frame(result: Any, round: int | None = None) -> pd.DataFrame:
    """The exchange chart's data from an exchange-model result (``result.exchanges(round)``):
    ``round, actor_i, actor_j, issue_i, issue_j, gain`` plus the model's other columns."""
    return normalise_exchanges(result.exchanges(round))


def normalise_exchanges(frame: pd.DataFrame) -> pd.DataFrame:
    """An exchange list with the documented columns; the exchange model's names are mapped."""
    if not set(EXCHANGE_COLUMNS) <= set(frame.columns):
        frame = frame.rename(columns={k: v for k, v in _EXCHANGE_MODEL_COLUMNS.items() if v not in frame})
    missing = [c for c in EXCHANGE_COLUMNS if c not in frame]
    if missing:
        raise ValueError(f"an exchange list needs columns {', '.join(EXCHANGE_COLUMNS)}; missing {', '.join(missing)}")
    return frame


# -- 5. outcome distributions ----------------------------------------------------------------------


def band_probabilities(issue: Issue, values: np.ndarray) -> pd.DataFrame:
    """Share of ``values`` (issue units) in each band of the issue (between consecutive anchors,
    or the scale's quarters without anchors): ``low, high, label, probability``."""
    from detente.analysis.montecarlo import band_probabilities as shares, issue_bands

    bands = issue_bands(issue)
    probability = shares(np.asarray(values, float), bands)
    return pd.DataFrame(
        [{"low": lo, "high": hi, "label": label, "probability": float(p)} for (lo, hi, label), p in zip(bands, probability)],
        columns=["low", "high", "label", "probability"],
    )


def simulation_draws(simulation: Any) -> pd.DataFrame:
    """Long frame ``model, issue, value`` (issue units) of a Monte Carlo
    :class:`~detente.analysis.montecarlo.SimulationResult`."""
    parts = []
    for m, model in enumerate(simulation.models):
        for k, issue in enumerate(simulation.scenario.issues):
            parts.append(pd.DataFrame({"model": model, "issue": issue.id, "value": simulation.values[m, :, k]}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["model", "issue", "value"])


# -- 6. tornado ------------------------------------------------------------------------------------

TORNADO_COLUMNS = ("input", "low", "high", "base")


def tornado_frame(sensitivity: Any, issue: str | None = None) -> pd.DataFrame:
    """The tornado chart's data for one issue from a
    :class:`~detente.analysis.sensitivity.SensitivityResult`: ``input`` (e.g. 'Russia: salience'),
    ``low``/``high`` (the forecast with the input one step down/up) and ``base``, in issue units."""
    scenario = sensitivity.scenario
    chosen = scenario.issue(issue) if issue else scenario.issues[0]
    k = scenario.issue_ids.index(chosen.id)
    rows = sensitivity.table[sensitivity.table["issue"] == chosen.id]
    names = actor_labels(scenario.actors)
    issues = {i.id: i.label for i in scenario.issues}

    def describe(row: Any) -> str:
        where = f" on {issues.get(row.input_issue, row.input_issue)}" if isinstance(row.input_issue, str) and row.input_issue != chosen.id else ""
        return f"{names.get(row.actor, row.actor)}: {row.input}{where}"

    return pd.DataFrame(
        {"input": [describe(r) for r in rows.itertuples()], "low": rows["low"].to_numpy(), "high": rows["high"].to_numpy(), "base": float(sensitivity.baseline[k])}
    )


def tornado_order(frame: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """The ``top`` inputs with the widest swing ``|high − low|``, widest first."""
    missing = [c for c in TORNADO_COLUMNS if c not in frame]
    if missing:
        raise ValueError(f"a sensitivity ranking needs columns {', '.join(TORNADO_COLUMNS)}; missing {', '.join(missing)}")
    frame = frame.assign(swing=(frame["high"] - frame["low"]).abs())
    return frame.sort_values("swing", ascending=False, kind="stable").head(top).reset_index(drop=True)


# -- 7. backtests ----------------------------------------------------------------------------------

BACKTEST_COLUMNS = ("case", "issue", "model", "forecast", "outcome")


def backtest_errors(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``forecast_100`` and ``outcome_100`` (on 0..100 of each issue's scale ``lo..hi`` when
    those columns are given, as given otherwise) and ``abs_error`` = |forecast − outcome| on that
    footing. Takes the ``records`` of a :class:`~detente.analysis.backtest.Backtest` as they are."""
    missing = [c for c in BACKTEST_COLUMNS if c not in frame]
    if missing:
        raise ValueError(f"a backtest needs columns {', '.join(BACKTEST_COLUMNS)}; missing {', '.join(missing)}")
    frame = frame.copy()
    lo = frame["lo"].astype(float) if "lo" in frame else 0.0
    hi = frame["hi"].astype(float) if "hi" in frame else 100.0
    frame["forecast_100"] = 100 * (frame["forecast"].astype(float) - lo) / (hi - lo)
    frame["outcome_100"] = 100 * (frame["outcome"].astype(float) - lo) / (hi - lo)
    frame["abs_error"] = (frame["forecast_100"] - frame["outcome_100"]).abs()
    return frame


# -- 8. timeline -----------------------------------------------------------------------------------


def timeline_frame(forecasts: Sequence["Forecast"]) -> pd.DataFrame:
    """One row per snapshot, model and issue: ``as_of, scenario, model, title, issue, value, status_quo``,
    in date order (snapshots without a date keep their given order, after the dated ones)."""
    rows = []
    for n, fc in enumerate(forecasts):
        when = pd.Timestamp(fc.scenario.as_of) if fc.scenario.as_of else pd.NaT
        for result in fc.results:
            for issue, value in zip(fc.scenario.issues, result.values):
                rows.append(
                    {
                        "as_of": when,
                        "order": n,
                        "scenario": fc.scenario.id,
                        "model": result.model,
                        "title": model_title(result.model),
                        "issue": issue.id,
                        "value": float(value),
                        "status_quo": issue.status_quo if issue.status_quo is not None else np.nan,
                    }
                )
    frame = pd.DataFrame(rows, columns=["as_of", "order", "scenario", "model", "title", "issue", "value", "status_quo"])
    return frame.sort_values(["as_of", "order"], kind="stable", na_position="last").drop(columns="order").reset_index(drop=True)


def snapshots_of(scenario: Scenario) -> list[Scenario]:
    """Bundled snapshots of the same negotiation: scenarios whose id is this one's with another
    trailing date (``ukraine-2023-06`` for ``ukraine-2024-11``), with the scenario itself in
    place of its bundled copy, by date."""
    from detente.io.history import series_of, series_snapshots

    series = series_of(scenario.id)
    if series is None:
        return [scenario]
    found = [s for s in series_snapshots(series) if s.id != scenario.id] + [scenario]
    return sorted(found, key=lambda s: (s.as_of is None, s.as_of or 0))
