"""The history of a snapshot series: dated events, outcomes and states of the talks, validated."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

import detente
from detente.errors import ScenarioError
from detente.io.history import History, bundled_series, load_history, read_history, series_of

SCALES = {"territory": (0.0, 100.0), "kursk": (0.0, 100.0)}
HEAD = """\
detente: 1
series: demo
sources:
  - {id: s1, publisher: P, title: T, date: 2025-04-26, url: "https://example.org/a"}
events:
"""


def read(events: str, head: str = HEAD) -> History:
    return read_history(head + textwrap.indent(textwrap.dedent(events), "  "), "demo.yaml", SCALES)


def problems(events: str, head: str = HEAD) -> list[str]:
    with pytest.raises(ScenarioError) as error:
        read(events, head)
    return [str(p) for p in error.value.problems]


def test_the_ukraine_history_has_an_outcome_or_a_state_for_every_issue_of_november_2024():
    history = load_history("ukraine")
    base = detente.load("ukraine-2024-11")
    for issue in base.issue_ids:
        assert history.outcome(issue, base.as_of) or history.latest_state(issue, base.as_of), issue
    kursk = history.outcome("kursk")
    assert (kursk.date, kursk.value) == (dt.date(2025, 4, 26), 100)
    assert history.outcome("territory") is None and history.latest_state("territory").value == 62  # not settled: a state, not an outcome
    assert history.outcome("aid").value == 60


def test_every_ukraine_history_entry_cites_a_dated_addressed_source():
    history = load_history("ukraine")
    for event in history.events:
        assert event.evidence, event.title
        for entry in event.evidence:
            source = history.source(entry.source)
            assert source is not None and source.date and source.url and source.publisher and source.title
            assert entry.quote and entry.note


def test_series_names():
    assert series_of("ukraine-2024-11") == "ukraine" and series_of("ec-emission-1994") is None
    assert bundled_series() == ["ukraine"]


def test_a_valid_history_reads():
    history = read("""\
        - {date: 2025-04-26, issue: kursk, kind: outcome, value: 100, range: [95, 100], title: retaken, evidence: [{source: s1, quote: q, note: n}]}
        - {date: 2025-05-01, issue: territory, kind: state, value: 62, title: on the table, evidence: [{source: s1, quote: q, note: n}]}
        - {date: 2025-05-02, issue: territory, kind: event, title: a summit, evidence: [{source: s1, quote: q, note: n}]}
    """)
    assert history.outcome("kursk").range == (95, 100)
    assert history.latest_state("territory", after=dt.date(2025, 5, 1)) is None  # only states dated after the snapshot count
    assert history.for_issue("territory")[0].label == "state of the talks (not an outcome)"


def test_every_problem_is_reported_with_its_line():
    found = problems("""\
        - {date: 2025-04-26, issue: crimea, kind: event, title: t, evidence: [{source: s1, quote: q}]}
        - {date: 2025-04-26, issue: kursk, kind: outcome, title: t, evidence: [{source: s1, quote: q}]}
        - {date: 2025-04-27, issue: kursk, kind: outcome, value: 140, title: t, evidence: [{source: s9, quote: q}]}
        - {date: 2025-04-28, issue: territory, kind: event, value: 50, title: t, evidence: []}
        - {date: 2025-04-29, issue: territory, kind: state, value: 50, range: [60, 70], title: t, evidence: [{source: s1, quote: q}]}
        - {date: 2025-13-01, issue: territory, kind: rumour, title: t, evidence: [{source: s1, quote: q}]}
    """)
    expected = [
        "demo.yaml:6: events[0].issue: unknown issue 'crimea'",
        "demo.yaml:7: events[1].value: an outcome needs a value",
        "demo.yaml:8: events[2].kind: a second outcome for issue 'kursk'",
        "demo.yaml:8: events[2].value: value 140 lies outside the scale [0, 100]",
        "demo.yaml:8: events[2].evidence[0].source: unknown source id 's9'",
        "demo.yaml:9: events[3].value: an event has no value",
        "demo.yaml:9: events[3].evidence: every entry needs evidence",
        "demo.yaml:10: events[4].range: the value 50 lies outside its range [60, 70]",
        "demo.yaml:11: events[5].date: expected an ISO date",
        "demo.yaml:11: events[5].kind:",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)


def test_a_source_without_an_address_or_date_is_refused():
    head = HEAD.replace('date: 2025-04-26, url: "https://example.org/a"', "date: 2025-04-26")
    found = problems("- {date: 2025-04-26, issue: kursk, kind: event, title: t, evidence: [{source: s1, quote: q}]}\n", head)
    assert any("source 's1' needs a url" in p for p in found)
