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


def test_a_negated_acceptance_or_wish_is_a_refusal():
    found = _found(draft_text(
        "Norway cannot accept a cut above 20 percent. Iceland does not want a new quota key.\n"
        "Denmark can't support the review clause. Sweden will never back a moratorium.\n"
    ))
    assert ("rejects", "a cut above 20 percent", ("NOR",), ("above 20 percent",)) in found
    assert ("rejects", "a new quota key", ("ISL",), ()) in found
    assert ("rejects", "the review clause", ("DNK",), ()) in found
    assert ("rejects", "a moratorium", ("SWE",), ()) in found
    assert not any(stance != "rejects" for stance, *_ in found)
    assert ("wants", "binding limits", ("NOR",), ()) in _found(draft_text("Norway not only wants binding limits.\n"))


def test_an_offer_that_stands_or_remains_has_no_object():
    found = _found(draft_text("The EU said its offer stands. Norway's offer remains on the table. The proposal still holds.\n"))
    assert not any(obj.split()[0].lower() in {"stands", "remains", "still"} for _, obj, _, _ in found), found
