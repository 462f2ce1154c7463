"""Candidate issues from the text: objects of demands, offers and refusals, their holders and anchors."""

from __future__ import annotations

from detente.draft import draft_text

TEXT = """\
OSLO — Norway wants binding catch limits and a review clause, its chief negotiator, Kari Dahl, told reporters.
The union is demanding a pay rise of at least 16 percent, a spokesman said.
Anything above 12 percent is not on the table, the employers said.
Egypt rejected the filling schedule. Ethiopia offered a 60-day pause on filling.
The previous offer stood at 10 percent.
"""


def _found(draft):
    return [(d.stance, d.object, tuple(b.id for b in d.holders), tuple(f.text for f in d.anchors)) for d in draft.demands]


def test_objects_of_demands_offers_and_refusals_with_holders_and_anchors():
    found = _found(draft_text(TEXT))
    assert ("wants", "binding catch limits", ("NOR",), ()) in found
    assert ("wants", "a review clause", ("NOR",), ()) in found
    assert ("wants", "a pay rise of at least 16 percent", (), ("at least 16 percent",)) in found
    assert ("rejects", "Anything above 12 percent", (), ("above 12 percent",)) in found
    assert ("rejects", "the filling schedule", ("EGY",), ()) in found
    assert ("offers", "a 60-day pause on filling", ("ETH",), ("60-day pause",)) in found
    assert not any(obj.startswith("stood") for _, obj, _, _ in found)  # "offer" as a noun has no object


def test_text_issues_group_the_same_object_and_reach_the_description():
    draft = draft_text("Egypt wants a binding agreement. Sudan also wants binding agreements.\n")
    assert [(i.key, [b.id for b in i.holders]) for i in draft.text_issues()] == [("binding agreement", ["EGY", "SDN"])]
    assert "- a binding agreement (wants: Egypt, Sudan; offset 0, 33)" in draft.to_dict()["description"]
