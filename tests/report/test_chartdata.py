"""The data and layout helpers behind the charts: exact values on small cases and properties that
keep labels legible whatever the input."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.report import chartdata as cd

finite = st.floats(-100, 100, allow_nan=False)


# -- spreading labels along an axis ----------------------------------------------------------------


def test_spread_leaves_spaced_targets_alone_and_centres_a_cluster():
    assert list(cd.spread([0, 5, 10], 2)) == [0, 5, 10]
    # three labels wanting the same spot: centred on it, 1 apart
    assert list(cd.spread([5, 5, 5], 1)) == pytest.approx([4, 5, 6])
    # the cluster is pushed inside the bounds
    assert list(cd.spread([0, 0], 1, lo=0)) == pytest.approx([0, 1])


@settings(max_examples=200, deadline=None)
@given(st.lists(finite, min_size=1, max_size=40), st.floats(0.1, 5))
def test_spread_keeps_order_and_gaps(targets, gap):
    placed = cd.spread(targets, gap)
    order = np.argsort(targets, kind="stable")
    assert np.all(np.diff(placed[order]) >= gap - 1e-9)
    # least squares without bounds: the mean position is the mean target (PAV keeps block means)
    assert placed.mean() == pytest.approx(np.mean(targets), abs=1e-6)


def test_spread_within_bounds_is_the_bounded_optimum():
    # two labels at the bottom, one at the top: the low pair is pushed up from the bound, the top one stays
    assert list(cd.spread([0, 0, 10], 2.5, lo=0, hi=10)) == pytest.approx([0, 2.5, 10])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 10), min_size=1, max_size=20))
def test_spread_stays_within_bounds_when_the_labels_fit(targets):
    gap = 10 / (len(targets) + 1)
    placed = cd.spread(targets, gap, lo=0, hi=10)
    assert placed.min() >= -1e-9 and placed.max() <= 10 + 1e-9


# -- lanes and 2-D placement -----------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(finite, st.floats(0.1, 30)), min_size=1, max_size=40))
def test_lanes_never_hold_two_overlapping_items(items):
    left = np.array([a for a, _ in items])
    right = left + np.array([w for _, w in items])
    lanes = cd.assign_lanes(left, right, gap=0.5)
    for lane in set(lanes):
        spans = sorted(zip(left[lanes == lane], right[lanes == lane]))
        assert all(b0 >= a1 + 0.5 for (_, a1), (b0, _) in zip(spans, spans[1:]))


def test_lanes_are_as_few_as_the_deepest_pile():
    # four items over one point need four lanes; a fifth elsewhere fits in lane 0
    lanes = cd.assign_lanes(np.array([0, 0, 0, 0, 50.0]), np.array([10, 10, 10, 10, 60.0]))
    assert sorted(lanes) == [0, 0, 1, 2, 3]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 5.5), st.floats(0.5, 5.5)), min_size=1, max_size=30))
def test_placed_labels_do_not_overlap_each_other(points):
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    widths, heights = np.full(len(x), 0.6), np.full(len(x), 0.13)
    centres = cd.place_labels(x, y, widths, heights, radius=0.05, bounds=(-1, -1, 7, 7))
    boxes = [(cx - 0.3, cy - 0.065, cx + 0.3, cy + 0.065) for cx, cy in centres]
    placed_free = [
        all(not (a[0] < b[2] - 1e-9 and b[0] < a[2] - 1e-9 and a[1] < b[3] - 1e-9 and b[1] < a[3] - 1e-9) for j, b in enumerate(boxes) if j != i)
        for i, a in enumerate(boxes)
    ]
    # every label that found a free spot keeps it free; with up to 30 labels in 8x8 inches all do
    assert all(placed_free)


def test_place_labels_avoids_obstacles():
    centres = cd.place_labels(np.array([1.0]), np.array([1.0]), np.array([0.5]), np.array([0.1]), 0.05, (0, 0, 3, 3), obstacles=[(1.0, 0.8, 2.0, 1.2)])
    cx, cy = centres[0]
    assert cx + 0.25 <= 1.0 + 1e-9 or not (0.8 < cy + 0.05 and cy - 0.05 < 1.2), "the label must not sit on the obstacle to the right"


# -- text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("United States (incoming administration)", "United States"),
        ("Ukrainian public opinion", "Ukrainian public opinion"),
        ("Delegation of member state number 12", "Delegation … number 12"),
        (None, "XYZ"),
    ],
)
def test_short_names(name, expected):
    assert cd.short_name(SimpleNamespace(name=name, id="XYZ")) == expected


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), max_size=120), st.integers(4, 40), st.integers(1, 6))
def test_wrap_respects_width_and_line_limit(text, width, lines):
    wrapped = cd.wrap(text, width, lines)
    assert len(wrapped) <= lines
    assert all(len(line) <= width for line in wrapped)


def test_in_sentence_lowercases_a_leading_article_only():
    assert cd.in_sentence("The Kursk salient") == "the Kursk salient"
    assert cd.in_sentence("Territorial settlement") == "Territorial settlement"


# -- data ------------------------------------------------------------------------------------------


def test_landscape_data_is_capability_times_salience(ukraine):
    land = cd.landscape_data(ukraine, "aid")
    hungary = land.actors.set_index("actor").loc["HUN"]
    assert hungary["capability"] == 35  # the per-issue capability override on aid
    assert hungary["power"] == pytest.approx(35 * 0.80)
    assert land.actors["share"].sum() == pytest.approx(1.0)
    assert list(land.forecasts.columns) == ["model", "title", "value", "low", "high", "note"]


def test_landscape_forecasts_from_a_mapping_and_bands(ukraine):
    land = cd.landscape_data(ukraine, "territory", {"compromise": 41.8}, {"compromise": (35.0, 48.0)})
    row = land.forecasts.iloc[0]
    assert (row.model, row.value, row.low, row.high) == ("compromise", 41.8, 35.0, 48.0)


def test_snapshots_are_bundled_scenarios_of_the_same_stem_in_date_order(ukraine):
    assert [s.id for s in cd.snapshots_of(ukraine)] == [
        "ukraine-2023-06", "ukraine-2024-11", "ukraine-2025-03", "ukraine-2025-06", "ukraine-2025-08", "ukraine-2025-11", "ukraine-2025-12",
    ]
    assert cd.snapshots_of(ukraine)[1] is ukraine  # the scenario itself, not a second copy of it


def test_most_powerful_actor(ukraine):
    assert cd.most_powerful(ukraine, 2) == ["RUS", "UKR"]
