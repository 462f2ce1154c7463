"""The charts of :mod:`detente.report.plots` as interactive plotly figures (hover for details,
zoom, toggle groups), for the HTML report and the web app.

Each function takes the same inputs as its static twin and returns a
:class:`plotly.graph_objects.Figure`; data, colours and label layout come from
:mod:`detente.report.chartdata`, so both versions show the same thing.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from detente.report import chartdata as cd
from detente.report.words import counted
from detente.scenario import Issue, Scenario


def plotly_text(text: str) -> str:
    """Text safe inside plotly's HTML-like labels: <, > and & escaped; quotes stay quotes (plotly
    shows an escaped quote as a literal '&quot;')."""
    return html.escape(text, quote=False)


if TYPE_CHECKING:
    from detente.forecast import Forecast
    from detente.models.base import DynamicResult

WIDTH = 1000  # nominal pixel width the label layouts are computed for
PX = 96.0  # pixels per inch
FONT = dict(family="DejaVu Sans, Verdana, Arial, sans-serif", size=12, color="#222222")
PLOTLY_MARKERS = {
    "D": "diamond", "s": "square", "^": "triangle-up", "v": "triangle-down", "P": "cross", "X": "x", "o": "circle", "*": "star",
    "h": "hexagon", "p": "pentagon", "<": "triangle-left", ">": "triangle-right", "|": "line-ns",
}


def _layout(fig: go.Figure, title: str, subtitle: str | None, height: float, margin: dict[str, int]) -> go.Figure:
    """Title (wrapped to the nominal width; the top margin grows with it), fonts, size and legend."""
    lines = cd.wrap(title, 90)
    extra = 22 * (len(lines) - 1)
    margin = {**margin, "t": margin.get("t", 100) + extra}
    text = "<br>".join(f"<b>{plotly_text(line)}</b>" for line in lines)
    text += f"<br><span style='font-size:12px;color:#555'>{plotly_text(subtitle)}</span>" if subtitle else ""
    height += extra
    fig.update_layout(
        title=dict(text=text, x=0.01, xanchor="left", yref="container", y=1, yanchor="top", pad=dict(t=14)),
        font=FONT,
        height=int(height),
        margin=margin,
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel=dict(font_size=12),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left", title_text=""),
    )
    return fig


def _add(fig: go.Figure, annotations: Sequence[dict] = (), shapes: Sequence[dict] = ()) -> go.Figure:
    """Add many annotations and shapes in one layout update (one at a time is quadratic in plotly)."""
    return fig.update_layout(annotations=[*fig.layout.annotations, *annotations], shapes=[*fig.layout.shapes, *shapes])


def _anchor_annotations(issue: Issue, axis_width_in: float, xref: str = "x", yshift: int = -22) -> tuple[list[dict], int]:
    """Wrapped anchor texts under the horizontal scale, and the pixels they need."""
    labels = cd.anchor_labels(issue, axis_width_in, 8.5)
    first_rows = max((len(a.lines) for a in labels if a.row == 0), default=0)
    notes = [
        dict(
            x=anchor.value, y=0, xref=xref, yref="paper", yshift=yshift - (first_rows * 13 + 6 if anchor.row else 0),
            text="<br>".join(plotly_text(line) for line in anchor.lines), showarrow=False, yanchor="top", xanchor="center",
            font=dict(size=11, color="#333333"), align="center",
        )
        for anchor in labels
    ]
    rows = first_rows + max((len(a.lines) for a in labels if a.row == 1), default=0)
    return notes, rows * 14 + 40


def _vline(x: float, xref: str, yref: str, colour: str, dash: str = "solid", opacity: float = 1.0) -> dict:
    return dict(type="line", x0=x, x1=x, xref=xref, y0=0, y1=1, yref=f"{yref} domain", line=dict(color=colour, width=1, dash=dash), opacity=opacity, layer="below")


def _hex_rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _scale_range(issue: Issue, pad: float = 0.02) -> list[float]:
    span = issue.hi - issue.lo
    return [issue.lo - pad * span, issue.hi + pad * span]


def _anchor_ticks(issue: Issue) -> dict[str, Any]:
    anchors = issue.sorted_anchors()
    if not anchors:
        return {}
    return dict(tickmode="array", tickvals=[p for p, _ in anchors], ticktext=[f"<b>{p:g}</b>" for p, _ in anchors])


# -- 1. landscape ----------------------------------------------------------------------------------


def landscape(source: "Forecast | Scenario | cd.Landscape", issue: str | None = None, bands: Any = None) -> go.Figure:
    """Interactive issue landscape: forecasts strip, actors in lanes (hover for capability, salience
    and share of effective power), the effective-power landscape by group, the anchors."""
    from detente.report.plots import _landscape_data

    land = _landscape_data(source, issue, bands)
    issue_obj, actors, forecasts = land.issue, land.actors, land.forecasts
    colours = land.colours
    margin = dict(l=max(210, 7 * max([10, *map(len, forecasts["title"])]) + 20), r=110, t=110, b=0)
    axis_w = (WIDTH - margin["l"] - margin["r"]) / PX
    layout = cd.layout_actors(land, axis_w, 8.5, max_diameter=24.0)
    rows = []
    if issue_obj.status_quo is not None:
        rows.append(("status_quo", "Status quo", float(issue_obj.status_quo), math.nan, math.nan, "", cd.STATUS_QUO_COLOUR, "|"))
    for row in forecasts.itertuples():
        rows.append((row.model, row.title, row.value, row.low, row.high, row.note, *cd.model_style(row.model)))
    strip_px = 26 * max(len(rows), 1) + 20
    lane_px = 36
    actor_px = max(layout.lanes, 1) * lane_px + 20
    density_px = 80
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.015, row_heights=[strip_px, actor_px, density_px])
    for n, (model, title, value, low, high, note, colour, marker) in enumerate(rows):
        has_band = not math.isnan(low)
        hover = f"<b>{plotly_text(title)}</b>: {cd.format_value(issue_obj, value)}<br>{plotly_text(issue_obj.describe(value, 60))}"
        if has_band:
            hover += f"<br>Monte Carlo 5-95 %: {cd.format_value(issue_obj, low)} – {cd.format_value(issue_obj, high)}"
        if note:
            hover += f"<br><i>{plotly_text(note)}</i>"
        fig.add_trace(
            go.Scatter(
                x=[value], y=[title], mode="markers", marker=dict(symbol=PLOTLY_MARKERS.get(marker, "circle"), size=11, color=colour, line=dict(width=2, color=colour)),
                error_x=dict(type="data", symmetric=False, array=[high - value], arrayminus=[value - low], color=_hex_rgba(colour, 0.35), thickness=6, width=0) if has_band else None,
                hovertemplate=hover + "<extra></extra>", showlegend=False, name=title,
            ),
            row=1, col=1,
        )
        if not math.isnan(value):
            fig.add_trace(
                go.Scatter(x=[high if has_band else value], y=[title], mode="text", text=["  " + cd.format_value(issue_obj, value)], textposition="middle right",
                           textfont=dict(color=colour, size=11), hoverinfo="skip", showlegend=False),
                row=1, col=1,
            )
    fig.update_yaxes(row=1, col=1, categoryorder="array", categoryarray=[r[1] for r in reversed(rows)], showgrid=False, ticks="")
    for group in dict.fromkeys(actors["group"]):
        mask = (actors["group"] == group).to_numpy()
        part = actors[mask]
        hover = [
            f"<b>{plotly_text(r.name)}</b> ({plotly_text(r.group)})<br>position {cd.format_value(issue_obj, r.position)}: {plotly_text(issue_obj.describe(r.position, 60))}"
            f"<br>capability {r.capability:g}, salience {100 * r.salience:.0f}<br>share of effective power {100 * r.share:.1f} %"
            for r in part.itertuples()
        ]
        fig.add_trace(
            go.Scatter(
                x=part["position"], y=layout.lane[mask], mode="markers+text", name=group, legendgroup=group,
                marker=dict(size=layout.diameter[mask] * 1.2, color=colours[group], opacity=0.85, line=dict(color="white", width=1)),
                text=part["label"], textposition=["middle left" if left else "middle right" for left in layout.label_left[mask]],
                textfont=dict(size=11), hovertext=hover, hoverinfo="text", cliponaxis=False,
            ),
            row=2, col=1,
        )
    fig.update_yaxes(row=2, col=1, visible=False, range=[-0.6, max(layout.lanes, 1) - 0.4])
    grid, density = cd.power_density(land)
    for group, values in density.items():
        fig.add_trace(
            go.Scatter(x=grid, y=values, mode="lines", stackgroup="power", line=dict(width=0, color=colours[group]), fillcolor=_hex_rgba(colours[group], 0.55),
                       name=group, legendgroup=group, showlegend=False, hoverinfo="skip"),
            row=3, col=1,
        )
    fig.update_yaxes(row=3, col=1, visible=False)
    lines = [(float(issue_obj.status_quo), cd.STATUS_QUO_COLOUR, "dash")] if issue_obj.status_quo is not None else []
    lines += [(r.value, cd.model_style(r.model)[0], "solid") for r in forecasts.itertuples() if not math.isnan(r.value)]
    shapes = [_vline(v, f"x{row}", f"y{row}", c, d, 0.6 if d == "solid" else 1.0) for v, c, d in lines for row in (2, 3)]
    fig.update_xaxes(range=_scale_range(issue_obj), showgrid=False, zeroline=False)
    fig.update_xaxes(row=3, col=1, ticks="outside", **_anchor_ticks(issue_obj))
    notes, bottom = _anchor_annotations(issue_obj, axis_w, xref="x3")
    _add(fig, notes, shapes)
    margin["b"] = bottom
    height = margin["t"] + strip_px + actor_px + density_px + bottom + 20
    return _layout(fig, f"{issue_obj.label}: who stands where, and the forecasts", _subtitle(land.scenario, f"{counted(len(actors), 'actor')}; circle area = capability x salience"), height, margin)


def _subtitle(scenario: Scenario, extra: str = "") -> str:
    parts = [scenario.label] + ([f"as of {scenario.as_of}"] if scenario.as_of else []) + ([extra] if extra else [])
    return " · ".join(parts)


# -- 2. paths --------------------------------------------------------------------------------------


def paths(result: "DynamicResult", issue: str | None = None) -> go.Figure:
    """Interactive positions by round: one line per actor (legend toggles a group) and the forecast."""
    scenario = result.scenario
    issue_obj = scenario.issue(issue) if issue else scenario.issues[0]
    frame = cd.paths_frame(result, issue_obj.id)
    path = cd.forecast_path(result, issue_obj.id)
    colours = cd.scenario_colours(scenario)
    fig = go.Figure()
    seen: set[str] = set()
    ends, labels, end_colours = [], [], []
    for actor in dict.fromkeys(frame["actor"]):
        rows = frame[frame["actor"] == actor]
        group = rows["group"].iloc[0]
        fig.add_trace(
            go.Scatter(
                x=rows["round"], y=rows["position"], mode="lines+markers", line=dict(color=colours[group], width=1.5), marker=dict(size=4),
                name=group, legendgroup=group, showlegend=group not in seen, opacity=0.85,
                hovertemplate=f"<b>{plotly_text(rows['label'].iloc[0])}</b><br>round %{{x}}: %{{y:.4g}}<extra></extra>",
            )
        )
        seen.add(group)
        ends.append(float(rows["position"].iloc[-1]))
        labels.append(rows["label"].iloc[0])
        end_colours.append(colours[group])
    fig.add_trace(
        go.Scatter(x=path["round"], y=path["forecast"], mode="lines+markers", line=dict(color="black", width=4), marker=dict(size=6), name="forecast",
                   hovertemplate="forecast after round %{x}: %{y:.4g}<extra></extra>")
    )
    ends.append(float(path["forecast"].iloc[-1]))
    labels.append(f"forecast {cd.format_value(issue_obj, ends[-1])}")
    end_colours.append("black")
    shapes = []
    if issue_obj.status_quo is not None:
        sq = issue_obj.status_quo
        shapes.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=sq, y1=sq, line=dict(color=cd.STATUS_QUO_COLOUR, dash="dash", width=1)))
    plot_h = max(380, 13 * (len(ends) + 1) + 60)
    margin = dict(l=260, r=190, t=110, b=60)
    _add(fig, _end_annotations(ends, labels, end_colours, issue_obj, plot_h) + _anchor_axis_y(fig, issue_obj, plot_h), shapes)
    fig.update_xaxes(title_text="round", dtick=1 if len(path) <= 16 else None, showgrid=False)
    return _layout(fig, f"{issue_obj.label}: positions round by round", _subtitle(scenario, cd.model_title(result.model)), plot_h + margin["t"] + margin["b"], margin)


def _end_annotations(values: Sequence[float], labels: Sequence[str], colours: Sequence[str], issue: Issue, plot_h: float) -> list[dict]:
    """Labels right of the plot at the lines' last values, spread so that they do not overlap."""
    lo, hi = _scale_range(issue, 0.03)
    targets = [(v - lo) / (hi - lo) * plot_h for v in values]
    placed = cd.spread(targets, 13, lo=0, hi=plot_h)
    return [
        dict(x=1, xref="paper", y=value, yref="y", xanchor="left", xshift=8, yshift=y - target, text=plotly_text(label), showarrow=False, font=dict(size=11, color=colour))
        for value, label, colour, target, y in zip(values, labels, colours, targets, placed)
    ]


def _anchor_axis_y(fig: go.Figure, issue: Issue, plot_h: float, label_px: int = 200) -> list[dict]:
    """Anchor ticks on the vertical scale, and the anchors' wrapped texts left of it (spread apart)."""
    lo, hi = _scale_range(issue, 0.03)
    fig.update_yaxes(range=[lo, hi], showgrid=True, gridcolor="#eeeeee", zeroline=False, **_anchor_ticks(issue))
    anchors = issue.sorted_anchors()
    if not anchors:
        return []
    texts = [cd.wrap(t, label_px // 7, 3) for _, t in anchors]
    targets = [(p - lo) / (hi - lo) * plot_h for p, _ in anchors]
    placed = cd.spread(targets, max(len(t) for t in texts) * 13 + 4, lo=-10, hi=plot_h + 10)
    return [
        dict(
            x=0, xref="paper", y=point, yref="y", xanchor="right", xshift=-34, yshift=y - target, text="<br>".join(plotly_text(t) for t in text),
            showarrow=False, align="right", font=dict(size=10.5, color="#333333"),
        )
        for (point, _), text, target, y in zip(anchors, texts, targets, placed)
    ]


# -- 3. perception ---------------------------------------------------------------------------------

PERCEPTION_HEIGHT = 760
_REGION_FILL = {"conflict_lose": "#fbe3e3", "conflict_win": "#f8eded", "compromise": "#fdf3d6", "capitulate": "#fde2c7", "compel": "#e3f1e3", "status_quo": "#eeeeee"}


def perception(frame: pd.DataFrame, focal: str, round: int | None = None, issue: str | None = None, scenario: Scenario | None = None) -> go.Figure:
    """Interactive perception chart: hover a dot for E(U_ij), E(U_ji), the region and the probabilities."""
    frame = cd.with_actor_labels(frame, scenario)
    colours = cd.scenario_colours(scenario) if scenario is not None else cd.group_colours(frame["group"])
    name = cd.actor_labels(scenario.actors)[scenario.actor(focal).id] if scenario is not None else focal
    e_ij, e_ji = frame["E_ij"].to_numpy(float), frame["E_ji"].to_numpy(float)
    m = float(np.nanmax(np.abs(np.concatenate([e_ij, e_ji, [1e-9]])))) * 1.18
    fig = go.Figure()
    polygons = {
        "conflict_lose": [(0, 0), (0, m), (m, m)], "conflict_win": [(0, 0), (m, m), (m, 0)], "compromise": [(0, 0), (0, m), (-m, m)],
        "capitulate": [(0, 0), (-m, m), (-m, 0)], "status_quo": [(0, 0), (-m, 0), (-m, -m), (0, -m)], "compel": [(0, 0), (m, 0), (m, -m), (0, -m)],
    }
    shapes = [
        dict(type="path", path="M " + " L ".join(f"{x},{y}" for x, y in corners) + " Z", fillcolor=_REGION_FILL[region], line=dict(width=0), layer="below")
        for region, corners in polygons.items()
    ]
    texts = {
        "conflict_lose": (0.47 * m, 0.97 * m, "center", "top", f"CONFLICT: {name} expects to lose"),
        "compromise": (-0.47 * m, 0.97 * m, "center", "top", f"COMPROMISE: {name} gives some ground"),
        "conflict_win": (0.97 * m, 0.03 * m, "right", "bottom", f"CONFLICT: {name} expects to win"),
        "capitulate": (-0.97 * m, 0.03 * m, "left", "bottom", f"CAPITULATE: {name} gives in"),
        "status_quo": (-0.5 * m, -0.5 * m, "center", "middle", "STATUS QUO: neither challenges"),
        "compel": (0.5 * m, -0.5 * m, "center", "middle", f"COMPEL: {name} makes j give in"),
    }
    notes = [
        dict(x=x, y=y, xanchor=xa, yanchor=ya, text="<br>".join(plotly_text(t) for t in cd.wrap(text, 26)), showarrow=False, font=dict(size=11, color="#777777"))
        for x, y, xa, ya, text in texts.values()
    ]
    _add(fig, notes, shapes)
    regions = frame["region"] if "region" in frame else cd.perception_region(e_ij, e_ji)
    extra = [f"<br>P(i beats j) {p:.2f}" if not pd.isna(p) else "" for p in frame.get("P_i", pd.Series([np.nan] * len(frame)))]
    for group in dict.fromkeys(frame["group"]):
        mask = (frame["group"] == group).to_numpy()
        hover = [
            f"<b>{plotly_text(lbl)}</b><br>E(U_ij) {a:.3g}, E(U_ji) {b:.3g}<br>{plotly_text(cd.REGION_TEXT.get(r, r))}{x}"
            for lbl, a, b, r, x in zip(frame["label"][mask], e_ij[mask], e_ji[mask], np.asarray(regions)[mask], np.asarray(extra)[mask])
        ]
        fig.add_trace(go.Scatter(x=e_ij[mask], y=e_ji[mask], mode="markers", name=group, hovertext=hover, hoverinfo="text",
                                 marker=dict(size=10, color=colours.get(group, cd.NO_GROUP_COLOUR), line=dict(color="white", width=1))))
    # labels placed where they overlap no other label, point or region text (same layout as the static chart)
    side_px = PERCEPTION_HEIGHT - 180
    per_px = 2 * m / side_px
    px, py = (e_ij + m) / per_px / PX, (e_ji + m) / per_px / PX
    widths = np.array([cd.text_width(len(t), 8.5) for t in frame["label"]])
    heights = np.full(len(frame), 8.5 * 1.3 / 72)
    side = side_px / PX
    obstacles = []
    for x, y, xa, ya, text in texts.values():
        lines = cd.wrap(text, 26)
        w, h = cd.text_width(max(map(len, lines)), 8.5), len(lines) * 8.5 * 1.3 / 72
        x0 = (x + m) / per_px / PX - {"left": 0, "center": w / 2, "right": w}[xa]
        y0 = (y + m) / per_px / PX - {"bottom": 0, "middle": h / 2, "top": h}[ya]
        obstacles.append((x0, y0, x0 + w, y0 + h))
    centres = cd.place_labels(px, py, widths, heights, radius=0.07, bounds=(0.02, 0.02, side - 0.02, side - 0.02), obstacles=obstacles)
    labels = []
    for (cx, cy), x0, y0, a, b, label in zip(centres, px, py, e_ij, e_ji, frame["label"]):
        far = math.hypot(cx - x0, cy - y0) > 0.3 + 0.5 * cd.text_width(len(label), 8.5)
        labels.append(dict(x=a, y=b, ax=(cx - x0) * PX, ay=-(cy - y0) * PX, text=plotly_text(label), showarrow=True, arrowhead=0, arrowwidth=0.6,
                           arrowcolor="#999999" if far else "rgba(0,0,0,0)", font=dict(size=11)))
    _add(fig, labels)
    axis = dict(range=[-m, m], zeroline=True, zerolinecolor="#888888", showgrid=False, constrain="domain")
    fig.update_xaxes(title_text=f"E(U_ij): {cd.possessive(name)} expected utility of challenging j", **axis)
    fig.update_yaxes(title_text=f"E(U_ji): {cd.possessive(name)} estimate of j's expected utility of challenging it", scaleanchor="x", scaleratio=1, **axis)
    where = " · ".join(p for p in (f"round {round}" if round is not None else "", f"issue: {scenario.issue(issue).label}" if scenario is not None and issue else "") if p)
    return _layout(fig, f"How {name} sees the others (expected-utility model)", where or None, PERCEPTION_HEIGHT, dict(l=80, r=30, t=110, b=70))


# -- 4. exchanges ----------------------------------------------------------------------------------


def exchanges(frame: pd.DataFrame, scenario: Scenario | None = None, top: int = 25) -> go.Figure:
    """Interactive ranked list of exchanges; hover shows the moves."""
    frame = cd.normalise_exchanges(frame)
    ranked = frame.sort_values("gain", ascending=False, kind="stable").head(top).reset_index(drop=True)
    labels = cd.exchange_labels(ranked, scenario)
    hover = []
    for row in ranked.itertuples():
        parts = [f"gain {row.gain:.3g} each"]
        if hasattr(row, "old") and hasattr(row, "new"):
            parts.append(f"{row.actor_i} on {row.issue_i}: {row.old:.4g} → {row.new:.4g}")
        if hasattr(row, "partner_old") and hasattr(row, "partner_new"):
            parts.append(f"{row.actor_j} on {row.issue_j}: {row.partner_old:.4g} → {row.partner_new:.4g}")
        hover.append("<br>".join(plotly_text(p) for p in parts))
    wrapped = ["<br>".join(plotly_text(t) for t in cd.wrap(text, 60, 2)) for text in labels]
    colour = ranked["round"] if "round" in ranked else None
    fig = go.Figure(
        go.Bar(
            x=ranked["gain"], y=list(range(len(ranked)))[::-1], orientation="h", text=[f"{g:.3g}" for g in ranked["gain"]], textposition="outside",
            marker=dict(color=colour, colorscale="Viridis", cmin=colour.min() if colour is not None else None, cmax=colour.max() if colour is not None else None,
                        showscale=colour is not None and colour.nunique() > 1, colorbar=dict(title="round", thickness=12) if colour is not None else None)
            if colour is not None else dict(color="#2166ac"),
            hovertext=hover, hoverinfo="text",
        )
    )
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(ranked)))[::-1], ticktext=wrapped, automargin=True)
    fig.update_xaxes(title_text="utility gain of each side", showgrid=True, gridcolor="#eeeeee")
    return _layout(fig, "Exchanges of voting positions", f"the {len(ranked)} largest of {len(frame)}", 34 * len(ranked) + 180, dict(l=20, r=40, t=100, b=60))


# -- 5. distribution -------------------------------------------------------------------------------


def distribution(draws: pd.DataFrame, scenario: Scenario, issue: str | None = None) -> go.Figure:
    """Interactive Monte Carlo distributions, one row per model, with each anchor band's probability."""
    issue_obj = scenario.issue(issue) if issue else scenario.issues[0]
    data = draws[draws["issue"] == issue_obj.id] if "issue" in draws else draws
    models = list(dict.fromkeys(data["model"]))
    fig = make_subplots(rows=max(len(models), 1), cols=1, shared_xaxes=True, vertical_spacing=0.25 / max(len(models), 1), subplot_titles=[cd.model_title(m) for m in models])
    bins = dict(start=issue_obj.lo, end=issue_obj.hi, size=(issue_obj.hi - issue_obj.lo) / 60)
    notes: list[dict] = []
    shapes: list[dict] = []
    for n, model in enumerate(models, start=1):
        axis = "" if n == 1 else str(n)
        values = data.loc[data["model"] == model, "value"].dropna().to_numpy(float)
        colour, _ = cd.model_style(model)
        fig.add_trace(go.Histogram(x=values, xbins=bins, marker_color=_hex_rgba(colour, 0.6), name=cd.model_title(model), showlegend=False,
                                   hovertemplate="%{x}: %{y} draws<extra></extra>"), row=n, col=1)
        for k, (lo, hi, _label) in enumerate(issue_obj.bands()):
            shapes.append(dict(type="rect", x0=lo, x1=hi, xref=f"x{axis}", y0=0, y1=1, yref=f"y{axis} domain", fillcolor="#f2f2f2" if k % 2 else "#fafafa", line=dict(width=0), layer="below"))
        for band in cd.band_probabilities(issue_obj, values).itertuples():
            if band.probability >= 0.005:
                notes.append(dict(x=(band.low + band.high) / 2, xref=f"x{axis}", y=1, yref=f"y{axis} domain", text=f"{100 * band.probability:.0f}%",
                                  showarrow=False, yanchor="top", font=dict(size=11), hovertext=plotly_text(band.label)))
        fig.update_yaxes(visible=False, row=n, col=1)
    fig.update_xaxes(range=_scale_range(issue_obj), showgrid=False)
    fig.update_xaxes(row=len(models), col=1, ticks="outside", **_anchor_ticks(issue_obj))
    axis_w = (WIDTH - 220) / PX
    anchors, bottom = _anchor_annotations(issue_obj, axis_w, xref=f"x{len(models) if len(models) > 1 else ''}")
    _add(fig, notes + anchors, shapes)
    n_draws = data.groupby("model").size().max() if len(data) else 0
    return _layout(fig, f"{issue_obj.label}: distribution of the forecast", _subtitle(scenario, f"{n_draws} Monte Carlo draws"), 125 * max(len(models), 1) + 110 + bottom, dict(l=110, r=110, t=110, b=bottom))


# -- 6. tornado ------------------------------------------------------------------------------------


def tornado(frame: pd.DataFrame, issue: Issue | None = None, title: str | None = None, top: int = 15) -> go.Figure:
    """Interactive tornado chart of a sensitivity ranking."""
    ranked = cd.tornado_order(frame, top)
    y = [str(t) for t in ranked["input"]]
    base = float(ranked["base"].iloc[0]) if len(ranked) else 0.0
    fig = go.Figure()
    fig.add_trace(go.Bar(y=y, x=ranked["low"] - ranked["base"], base=ranked["base"], orientation="h", name="input low", marker_color="#4a7fb5",
                         hovertemplate="%{y}: input low → %{customdata:.4g}<extra></extra>", customdata=ranked["low"]))
    fig.add_trace(go.Bar(y=y, x=ranked["high"] - ranked["base"], base=ranked["base"], orientation="h", name="input high", marker_color="#e08214",
                         hovertemplate="%{y}: input high → %{customdata:.4g}<extra></extra>", customdata=ranked["high"]))
    fig.update_layout(barmode="overlay", shapes=[dict(type="line", x0=base, x1=base, xref="x", y0=0, y1=1, yref="y domain", line=dict(color="black", width=1))])
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text="forecast" + (f" ({issue.label}, scale {issue.lo:g}-{issue.hi:g})" if issue is not None else ""), showgrid=True, gridcolor="#eeeeee")
    return _layout(fig, title or "Sensitivity of the forecast", issue.label if issue is not None else None, 26 * len(ranked) + 200, dict(l=20, r=30, t=110, b=60))


# -- 7. backtest -----------------------------------------------------------------------------------


def backtest(frame: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Interactive backtest: forecasts against outcomes, and absolute errors per model."""
    data = cd.backtest_errors(frame).dropna(subset=["forecast_100", "outcome_100"])
    fig = make_subplots(rows=1, cols=2, column_widths=[0.42, 0.58], horizontal_spacing=0.3, subplot_titles=["forecast against outcome (% of scale)", "absolute error (points of the scale)"])
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, 100], mode="lines", line=dict(color="#999999", dash="dash"), showlegend=False, hoverinfo="skip"), row=1, col=1)
    for model in dict.fromkeys(data["model"]):
        rows = data[data["model"] == model]
        colour, marker = cd.model_style(model)
        title_m = cd.model_title(model)
        hover = [f"{plotly_text(str(c))} / {plotly_text(str(i))}: forecast {f:.1f}, outcome {o:.1f}" for c, i, f, o in zip(rows["case"], rows["issue"], rows["forecast_100"], rows["outcome_100"])]
        fig.add_trace(go.Scatter(x=rows["outcome_100"], y=rows["forecast_100"], mode="markers", name=title_m, legendgroup=model,
                                 marker=dict(symbol=PLOTLY_MARKERS.get(marker, "circle"), color=colour, size=8, opacity=0.75), hovertext=hover, hoverinfo="text"), row=1, col=1)
        fig.add_trace(go.Box(x=rows["abs_error"], name=title_m, legendgroup=model, showlegend=False, marker_color=colour, boxmean=True, boxpoints="all", jitter=0.4,
                             hovertext=hover, hoverinfo="x+text"), row=1, col=2)
    fig.update_xaxes(range=[-3, 103], row=1, col=1, title_text="outcome")
    fig.update_yaxes(range=[-3, 103], row=1, col=1, title_text="forecast")
    fig.update_xaxes(rangemode="tozero", row=1, col=2)
    _layout(fig, title or "Backtest: forecasts against outcomes", f"{counted(data['case'].nunique(), 'case')}, {counted(len(data), 'forecast')}", 640, dict(l=70, r=30, t=110, b=130))
    return fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.12, yanchor="top"))


# -- 8. timeline -----------------------------------------------------------------------------------


def timeline(
    forecasts: "Sequence[Forecast] | pd.DataFrame", issue: str, scenario: Scenario | None = None, events: "Sequence[Mapping[str, Any]]" = ()
) -> go.Figure:
    """Interactive forecasts across snapshots of a negotiation; with every snapshot dated, a time
    axis with the history's outcomes (gold stars), states of the talks (hollow hexagons, not
    outcomes) and events (dotted lines; hover for the text)."""
    if isinstance(forecasts, pd.DataFrame):
        frame = forecasts
    else:
        frame = cd.timeline_frame(forecasts)
        scenario = scenario or forecasts[-1].scenario
    issue_obj = scenario.issue(issue)
    data = frame[frame["issue"] == issue_obj.id]
    keys = list(dict.fromkeys(zip(data["as_of"], data["scenario"])))
    dated = bool(keys) and all(not pd.isna(d) for d, _ in keys)
    if dated:
        x_of = lambda rows: [pd.Timestamp(d).date().isoformat() for d in rows["as_of"]]  # noqa: E731
    else:
        x_of = lambda rows: [keys.index(k) for k in zip(rows["as_of"], rows["scenario"])]  # noqa: E731
    fig = go.Figure()
    sq = data.drop_duplicates(subset=["scenario"])
    fig.add_trace(go.Scatter(x=x_of(sq), y=sq["status_quo"], mode="lines+markers", name="status quo", line=dict(color=cd.STATUS_QUO_COLOUR, dash="dot"),
                             marker=dict(symbol="square-open", size=12, color=cd.STATUS_QUO_COLOUR), text=list(sq["scenario"]),
                             hovertemplate="status quo in %{text}: %{y:.4g}<extra></extra>"))
    for model in dict.fromkeys(data["model"]):
        rows = data[data["model"] == model]
        colour, marker = cd.model_style(model)
        fig.add_trace(go.Scatter(x=x_of(rows), y=rows["value"], mode="lines+markers", name=rows["title"].iloc[0], line=dict(color=colour, width=2),
                                 marker=dict(symbol=PLOTLY_MARKERS.get(marker, "circle"), size=9, color=colour), text=list(rows["scenario"]),
                                 hovertemplate=f"<b>{plotly_text(rows['title'].iloc[0])}</b> in %{{text}}: %{{y:.4g}}<extra></extra>"))
    marks = [e for e in events if e["issue"] == issue_obj.id] if dated else []
    for kind, name, symbol, colour in (("outcome", "outcome", "star", "#f2b701"), ("state", "state of the talks (not an outcome)", "hexagon-open", "black")):
        chosen = [e for e in marks if e["kind"] == kind]
        if not chosen:
            continue
        fig.add_trace(go.Scatter(
            x=[e["date"] for e in chosen], y=[e["value"] for e in chosen], mode="markers", name=name,
            marker=dict(symbol=symbol, size=16, color=colour, line=dict(color="black", width=1.5)),
            error_y=dict(type="data", symmetric=False, array=[(e["high"] - e["value"]) if e["high"] is not None else 0 for e in chosen],
                         arrayminus=[(e["value"] - e["low"]) if e["low"] is not None else 0 for e in chosen], color="#777777", thickness=1.5, width=0),
            text=[plotly_text(e["title"]) for e in chosen], hovertemplate=f"{name}, %{{x}}: %{{y:.4g}}<br>%{{text}}<extra></extra>",
        ))
    happenings = [e for e in marks if e["kind"] == "event"]
    for event in happenings:
        fig.add_shape(type="line", x0=event["date"], x1=event["date"], y0=0, y1=1, yref="paper", line=dict(color="#999999", width=1, dash="dot"))
    if happenings:
        fig.add_trace(go.Scatter(
            x=[e["date"] for e in happenings], y=[issue_obj.hi] * len(happenings), mode="markers", name="events (dotted lines)",
            marker=dict(symbol="triangle-down", size=9, color="#999999"), text=[plotly_text(e["title"]) for e in happenings],
            hovertemplate="%{x}: %{text}<extra></extra>",
        ))
    plot_h = 380
    _add(fig, _anchor_axis_y(fig, issue_obj, plot_h))
    if dated:
        fig.update_xaxes(type="date", showgrid=False)
    else:
        ticks = [f"{pd.Timestamp(d).date() if not pd.isna(d) else ''}<br>{html.escape(s)}" for d, s in keys]
        fig.update_xaxes(tickmode="array", tickvals=list(range(len(keys))), ticktext=ticks, range=[-0.3, max(len(keys) - 1, 1) + 0.3], showgrid=False)
    _layout(fig, f"{issue_obj.label}: forecasts over time", f"{len(keys)} snapshots of {scenario.label}", plot_h + 190, dict(l=260, r=40, t=110, b=80))
    return fig.update_layout(legend=dict(orientation="v", x=1.02, y=1, yanchor="top", xanchor="left"))
