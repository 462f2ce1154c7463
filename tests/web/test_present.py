"""The analysis tables the web page shows: issue by issue, with the labels cut to their first clause."""

from __future__ import annotations

import detente
from detente.analysis.montecarlo import simulate
from detente.analysis.whatif import whatif
from detente.report.table import SHORT_LABEL
from detente.web import present


def _issue_order(rows, scenario):
    labels = [present.scale_text(issue) for issue in scenario.issues]
    seen = [labels.index(row[0]) for row in rows]
    return seen == sorted(seen)


def test_monte_carlo_and_what_if_rows_go_issue_by_issue_with_short_labels():
    scenario = detente.load("ukraine-2024-11")
    spread = simulate(scenario, ["compromise", "median"], draws=30, seed=1)
    mc = present.simulation_table(spread.records(), scenario, 30)
    changed = whatif(scenario, ["drop:HUN"], ["compromise", "median"])
    what = present.whatif_table(changed.records(), scenario, ["drop:HUN"], None)
    for table, where in ((mc, 5), (what, 5)):
        assert _issue_order(table["rows"], scenario), [row[:2] for row in table["rows"]]
        for row in table["rows"]:
            for label in row[where].split("'")[1::2]:
                assert len(label) <= SHORT_LABEL, label
