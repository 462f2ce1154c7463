"""Static charts keep every label inside the figure and no legend over the data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd

import detente
from detente.report import charts, plots


def _inside(fig, artist) -> bool:
    renderer = fig.canvas.get_renderer()
    box = artist.get_window_extent(renderer)
    figure = fig.bbox
    return box.x0 >= figure.x0 - 0.5 and box.x1 <= figure.x1 + 0.5 and box.y0 >= figure.y0 - 0.5 and box.y1 <= figure.y1 + 0.5


def _end_labels(fig):
    fig.canvas.draw()
    return [t for ax in fig.axes for t in ax.texts if t.get_gid() == "end-label"]


def test_timeline_end_labels_are_not_clipped():
    fig = charts.make("timeline", [detente.load("ukraine-2024-11")])
    labels = _end_labels(fig)
    assert any("Exchange model (Stokman & Van Oosten)" in t.get_text() for t in labels)
    assert all(_inside(fig, t) for t in labels), [t.get_text() for t in labels if not _inside(fig, t)]


def test_paths_end_labels_are_not_clipped_with_long_names():  # unique labels fall back to full names of up to 34 characters
    scenario = detente.load("ukraine-2024-11")
    renamed = scenario.with_updates(actors=[{**a.model_dump(exclude_none=True), "name": f"Delegation ({a.id} side, long)"} for a in scenario.actors])
    fig = charts.make("paths", [renamed])
    labels = _end_labels(fig)
    assert labels and all(_inside(fig, t) for t in labels), [t.get_text() for t in labels if not _inside(fig, t)]


def test_tornado_legend_hides_no_bar():
    frame = pd.DataFrame({"input": [f"input {n}" for n in range(6)], "low": [0, 10, 20, 30, 40, 45], "high": [100, 100, 100, 100, 100, 100], "base": 50.0})
    fig = plots.tornado(frame)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["input low", "input high"]
    for bar in ax.patches:
        assert not legend.overlaps(bar.get_window_extent(renderer)), "the legend covers a bar"
