"""Terminal rendering of advice: the plans in words, every model's forecast, the pivotal actors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text

from detente.report.result_tables import model_titles
from detente.report.table import format_value, hanging_list, plain_table

if TYPE_CHECKING:
    from detente.analysis.advise import Advice


def advice_renderable(advice: "Advice") -> Group:
    """Summary sentence; per plan its levers, cost and each model's forecast; pivotal actors; the
    median's minimal winning coalition. Numbers never wrap or get cut: only text columns fold."""
    issue = advice.issue
    titles = model_titles()
    parts: list = [
        Text(f"{advice.scenario.label}: {issue.label}, target {advice.target.describe()}", style="bold underline"),
        Text(""),
        Text(advice.summary()),
    ]
    shown = advice.plans or ([advice.closest] if advice.closest else [])
    for rank, plan in enumerate(shown, 1):
        head = f"\nPlan {rank}" if advice.plans else "\nClosest plan (does not reach the target)"
        parts.append(Text(f"{head}: cost {plan.cost:.1f}", style="bold"))
        if not plan.steps:
            parts.append(Text("  no change needed"))
        if plan.steps:
            parts.append(hanging_list([("-", f"{step.words} (cost {step.cost:.1f}; lever {', '.join(step.levers)})") for step in plan.steps], style="", gap=1))
        table = plain_table()
        table.add_column("Model")
        table.add_column("Now", justify="right", no_wrap=True)
        table.add_column("With plan", justify="right", no_wrap=True)
        table.add_column("Target", no_wrap=True)
        if plan.probability:
            table.add_column("P(target)", justify="right", no_wrap=True)
        for model in advice.models:
            row = [
                titles.get(model, model),
                format_value(issue, advice.baseline[model]),
                format_value(issue, plan.forecasts[model]),
                "reached" if plan.reached[model] else "missed",
            ]
            if plan.probability:
                value = plan.probability.get(model)
                row.append("–" if value is None else f"{100 * value:.0f}%")
            table.add_row(*row)
        parts.append(table)
    if advice.pivots:
        parts.append(Text(f"\nPivotal actors on {issue.id} (most forecast shift per unit of cost, {titles.get(advice.required[0], advice.required[0])})", style="bold"))
        table = plain_table()
        table.add_column("Actor", no_wrap=True)
        table.add_column("Shift", justify="right", no_wrap=True)
        table.add_column("Cost", justify="right", no_wrap=True)
        table.add_column("Per cost", justify="right", no_wrap=True)
        table.add_column("Lever")
        for pivot in advice.pivots[:8]:
            table.add_row(pivot.actor, f"{pivot.shift:+.2f}", f"{pivot.cost:.1f}", f"{pivot.per_cost:.3f}", pivot.lever)
        parts.append(table)
        if len(advice.pivots) > 8:
            parts.append(Text(f"  ({len(advice.pivots) - 8} more actors in -f json)", style="dim"))
    if advice.coalition:
        c = advice.coalition
        parts.append(Text(
            f"\nMinimal winning coalition for the median (quota {c['quota']:g}): {', '.join(c['members'])}"
            + (f"; to be won: {', '.join(c['to_win'])}" if c["to_win"] else "; already standing there"),
        ))
    for note in advice.notes:
        parts.append(Text(f"\nNote: {note}", style="dim"))
    return Group(*parts)
