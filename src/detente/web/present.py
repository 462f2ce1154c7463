"""Analysis results as the page shows them: tables with actor and issue names, values in each
issue's units with the anchor label they fall at, the same reading as the forecast table.

A table is ``{"id", "caption", "columns", "numeric", "rows"}`` with every cell already a string,
so the page renders every kind of result the same way (and a "show all" for long ones).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from detente.report.chartdata import format_value
from detente.report.result_tables import by_issue
from detente.report.summary import shorten_band
from detente.report.table import SHORT_LABEL, shift_text
from detente.scenario import Issue, Scenario


def table(table_id: str, caption: str, columns: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]]) -> dict[str, Any]:
    """``columns`` are ``(label, numeric)``."""
    return {"id": table_id, "caption": caption, "columns": [c for c, _ in columns], "numeric": [n for _, n in columns], "rows": [list(r) for r in rows]}


def scale_text(issue: Issue) -> str:
    return f"{issue.label} (scale {issue.lo:g}–{issue.hi:g})"


def value_text(issue: Issue, value: float | None) -> str:
    return format_value(issue, value) if value is not None else "–"


def signed_text(issue: Issue, value: float | None) -> str:
    return shift_text(issue, value, minus="−")


class Names:
    """Actor, issue and model ids of one scenario as the page shows them."""

    def __init__(self, scenario: Scenario, model_titles: dict[str, str]):
        self.actors = {a.id: a.label for a in scenario.actors}
        self.issues = {i.id: i for i in scenario.issues}
        self.models = model_titles

    def actor(self, actor_id: str) -> str:
        return self.actors.get(actor_id, actor_id)

    def model(self, name: str) -> str:
        return self.models.get(name, name)


def model_titles() -> dict[str, str]:
    from detente import models as registry

    return {name: cls.title for name, cls in registry.registry().items()}


def simulation_table(records: list[dict[str, Any]], scenario: Scenario, draws: int) -> dict[str, Any]:
    names = Names(scenario, model_titles())
    rows = []
    for _, r in by_issue(records, scenario.issue_ids):  # issue by issue, models in their order
        issue = names.issues[r["issue"]]
        likeliest = max(r["bands"], key=lambda b: b["probability"] or 0) if r.get("bands") else None
        rows.append([
            scale_text(issue), names.model(r["model"]), value_text(issue, r["point"]), value_text(issue, r["median"]),
            f"{value_text(issue, r['q05'])} – {value_text(issue, r['q95'])}", issue.describe(r["median"], SHORT_LABEL) if r["median"] is not None else "",
            f"{shorten_band(likeliest['label'])}: {100 * likeliest['probability']:.0f} %" if likeliest and likeliest["probability"] is not None else "–",
            f"{100 * r['valid_share']:.0f} %",
        ])
    columns = [("Issue", False), ("Model", False), ("Point forecast", True), ("Median of draws", True), ("5–95 % of draws", True),
               ("Where the median falls", False), ("Likeliest band", False), ("Draws with a forecast", True)]
    return table("simulate", f"Monte Carlo over {draws} draws: forecasts in each issue's scale units", columns, rows)


def sensitivity_tables(results: list[Any]) -> list[dict[str, Any]]:
    """The ranked one-step effects and the leave-one-actor-out shifts of every analysed model."""
    effects, without = [], []
    for result in results:
        names = Names(result.scenario, model_titles())
        model = names.model(result.model)
        steps = result.steps
        step_text = {"position": f"position moved {steps.position:g} % of its scale", "salience": f"salience moved {steps.salience:g} points", "capability": f"capability moved {steps.capability:g} %"}
        for row in result.table.to_dict("records"):
            issue = names.issues[row["issue"]]
            moved = names.issues.get(row["input_issue"]) if isinstance(row["input_issue"], str) else None
            what = f"{names.actor(row['actor'])}'s {row['input']}" + (f" on {moved.label}" if moved is not None else "")
            effects.append([model, what, step_text.get(row["input"], row["input"]), scale_text(issue), signed_text(issue, _num(row["effect"])),
                            f"{value_text(issue, _num(row['low']))} – {value_text(issue, _num(row['high']))}"])
        for row in result.leave_one_out.to_dict("records"):
            issue = names.issues[row["issue"]]
            without.append([model, names.actor(row["actor"]), scale_text(issue), value_text(issue, _num(row["without"])), signed_text(issue, _num(row["shift"])),
                            issue.describe(_num(row["without"])) if _num(row["without"]) is not None else ""])
    effect_columns = [("Model", False), ("Input", False), ("One step", False), ("Issue", False), ("Effect on the forecast", True), ("Forecast, step down – up", True)]
    without_columns = [("Model", False), ("Without", False), ("Issue", False), ("Forecast without them", True), ("Shift", True), ("Where it falls", False)]
    return [
        table("sensitivity", "Inputs ranked by their effect on each forecast (issue scale units)", effect_columns, effects),
        table("leave-one-out", "Leave one actor out: each forecast without that actor", without_columns, without),
    ]


def whatif_table(records: list[dict[str, Any]], scenario: Scenario, levers: list[str], draws: int | None) -> dict[str, Any]:
    names = Names(scenario, model_titles())
    rows = []
    for _, r in by_issue(records, scenario.issue_ids):
        issue = names.issues[r["issue"]]
        row = [scale_text(issue), names.model(r["model"]), value_text(issue, r["baseline"]), value_text(issue, r["changed"]), signed_text(issue, r["shift"]),
               issue.describe(r["changed"], SHORT_LABEL) if r["changed"] is not None else ""]
        if draws:
            row += [f"{value_text(issue, r['baseline_q05'])} – {value_text(issue, r['baseline_q95'])}", f"{value_text(issue, r['changed_q05'])} – {value_text(issue, r['changed_q95'])}"]
        rows.append(row)
    columns = [("Issue", False), ("Model", False), ("Baseline", True), ("With the levers", True), ("Shift", True), ("Where it falls with the levers", False)]
    if draws:
        columns += [("Baseline 5–95 %", True), ("With levers 5–95 %", True)]
    return table("whatif", "What if " + "; ".join(levers) + (f" ({draws} Monte Carlo draws)" if draws else ""), columns, rows)


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def advice_tables(advice: Any) -> list[dict[str, Any]]:
    """A table per plan (every model's forecast now and with the plan, whether it reaches the target,
    the share of draws that do) and one of the pivotal actors."""
    issue = advice.issue
    names = Names(advice.scenario, model_titles())
    tables = []
    shown = advice.plans or ([advice.closest] if advice.closest else [])
    for rank, plan in enumerate(shown, 1):
        steps = "; ".join(step.words for step in plan.steps) or "no change"
        head = f"Plan {rank}" if advice.plans else "Closest plan (does not reach the target)"
        rows = [
            [names.model(m), value_text(issue, advice.baseline[m]), value_text(issue, plan.forecasts[m]), "reached" if plan.reached[m] else "missed",
             f"{plan.probability[m] * 100:.0f} %" if m in plan.probability else "–"]
            for m in advice.models
        ]
        columns = [("Model", False), ("Now", True), ("With the plan", True), (f"Target {advice.target.describe()}", False), ("Share of draws", True)]
        tables.append(table(f"advice-plan-{rank}", f"{head}, cost {plan.cost:.1f}: {steps}", columns, rows))
    if advice.pivots:
        rows = [[names.actor(p.actor), f"{p.shift:+.2f}", f"{p.cost:.1f}", f"{p.per_cost:.3f}", p.lever] for p in advice.pivots]
        columns = [("Actor", False), ("Forecast shift", True), ("Cost", True), ("Shift per unit of cost", True), ("Lever", False)]
        tables.append(table("advice-pivots", f"Pivotal actors on {issue.label}: each one's most effective single lever", columns, rows))
    return tables
