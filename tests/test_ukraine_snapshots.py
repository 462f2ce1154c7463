"""The Ukraine snapshots after November 2024: valid, on the scales of ukraine-2024-11, and every
number carries evidence that names a dated, addressed source."""

from __future__ import annotations

import datetime as dt

import pytest

import detente
from detente.io import DEFAULT_SCENARIO, bundled_ids
from detente.io.history import series_snapshots
from detente.scenario import Scenario

BASE = "ukraine-2024-11"
LATER = [i for i in bundled_ids() if i.startswith("ukraine-") and i > BASE]


def evidence_gaps(scenario: Scenario) -> list[str]:
    """Every number without evidence, and every evidence entry without a cited, dated, addressed
    source or without its sentence and reasoning."""
    sources = {s.id: s for s in scenario.sources}
    gaps = []

    def check(where: str, entries) -> None:
        for n, entry in enumerate(entries):
            source = sources.get(entry.source)
            if source is None:
                gaps.append(f"{where}.evidence[{n}]: no listed source ({entry.source!r})")
                continue
            for key in ("publisher", "title", "date", "url"):
                if not getattr(source, key):
                    gaps.append(f"{where}.evidence[{n}]: source {source.id!r} has no {key}")
            if not entry.quote.strip() or not (entry.note or "").strip():
                gaps.append(f"{where}.evidence[{n}]: a quote and a reasoning note are both needed")

    for actor in scenario.actors:
        if not any(e.about in (None, "capability") for e in actor.evidence):
            gaps.append(f"actors[{actor.id}].capability: no evidence")
        check(f"actors[{actor.id}]", actor.evidence)
        for issue_id, stance in actor.stances.items():
            where = f"actors[{actor.id}].stances.{issue_id}"
            whole = [e for e in stance.evidence if e.about is None]
            for number in ("position", "salience"):
                if not whole and not any(e.about == number for e in stance.evidence):
                    gaps.append(f"{where}.{number}: no evidence")
            if stance.capability is not None and not any(e.about == "capability" for e in stance.evidence):
                gaps.append(f"{where}.capability: no evidence")
            check(where, stance.evidence)
            if any(e.kind == "disputed" for e in stance.evidence) and stance.position_sd is None:
                gaps.append(f"{where}: a disputed reading without a position_sd for simulate to use")
    return gaps


def test_at_least_four_dated_snapshots_after_november_2024():
    base = detente.load(BASE)
    dates = [detente.load(i).as_of for i in LATER]
    assert len(LATER) >= 4
    assert all(d is not None and d > base.as_of for d in dates)
    assert len(set(dates)) == len(dates)


@pytest.mark.parametrize("scenario_id", LATER)
def test_every_number_has_evidence_with_a_dated_addressed_source(scenario_id):
    assert evidence_gaps(detente.load(scenario_id)) == []


def test_the_evidence_check_finds_what_is_missing():
    scenario = detente.load(LATER[0])
    data = scenario.model_dump(mode="python", exclude_none=True)
    data["actors"][0]["evidence"] = []
    first_issue = next(iter(data["actors"][1]["stances"]))
    data["actors"][1]["stances"][first_issue]["evidence"] = [{"quote": "x", "source": data["sources"][0]["id"], "about": "position", "note": "n"}]
    del data["sources"][0]["url"]
    gaps = evidence_gaps(Scenario.from_dict(data))
    actor0, actor1 = data["actors"][0]["id"], data["actors"][1]["id"]
    assert f"actors[{actor0}].capability: no evidence" in gaps
    assert f"actors[{actor1}].stances.{first_issue}.salience: no evidence" in gaps
    assert any("has no url" in g for g in gaps)


@pytest.mark.parametrize("scenario_id", LATER)
def test_issues_keep_the_scales_and_labels_of_november_2024(scenario_id):
    base = detente.load(BASE)
    later = detente.load(scenario_id)
    for issue in later.issues:
        if issue.id not in base.issue_ids:
            assert len(issue.anchors) >= 3, f"new issue {issue.id} needs anchors"
            continue
        old = base.issue(issue.id)
        assert issue.scale == old.scale
        assert {p: t for p, t in issue.anchors.items() if p in old.anchors} == old.anchors  # labels only added, never changed


def test_the_latest_snapshot_is_the_default_scenario():
    latest = series_snapshots("ukraine")[-1]
    assert DEFAULT_SCENARIO == latest.id and latest.as_of >= dt.date(2025, 12, 1)
    assert BASE in bundled_ids()


def test_a_disputed_reading_widens_what_simulate_draws():
    from detente.analysis.montecarlo import input_spread

    scenario = detente.load("ukraine-2025-03")
    spread = input_spread(scenario)
    russia, ceasefire = scenario.actor_ids.index("RUS"), scenario.issue_ids.index("ceasefire")
    ukraine = scenario.actor_ids.index("UKR")
    assert spread.position[russia, ceasefire] == pytest.approx(0.20)  # position_sd 20 of the disputed reading
    assert spread.position[ukraine, ceasefire] == pytest.approx(0.075)  # the file's default 7.5
