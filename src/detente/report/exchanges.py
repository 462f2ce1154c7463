"""The exchange model's trades as a table to read: who gives ground on what, and who pays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from detente.report.table import format_value, narrow

if TYPE_CHECKING:
    from detente.models.exchange import ExchangeResult


def exchange_frame(result: "ExchangeResult", round: int | None = None) -> pd.DataFrame:
    """One row per realised exchange with actor names: the trade (each side's move on the issue it
    gives ground on, "from → to" in the issue's units), the gain, and the third party it hurts most."""
    scenario = result.scenario
    names = {a.id: a.label for a in scenario.actors}
    issues = {i.id: i for i in scenario.issues}

    def side(actor: str, issue: str, old: float, new: float) -> str:
        return f"{names[actor]} on {issue}: {format_value(issues[issue], old)} → {format_value(issues[issue], new)}"

    rows = [
        {
            "round": row.round,
            "step": row.step,
            "trade": side(row.actor, row.supplies, row.old, row.new) + "\n" + side(row.partner, row.partner_supplies, row.partner_old, row.partner_new),
            "gain": row.gain,
            "hurts most": f"{names[row.most_hurt]} ({row.most_hurt_loss:.3f})" if isinstance(row.most_hurt, str) else "nobody",
            "net for others": row.third_party,
        }
        for row in result.exchanges(round).itertuples()
    ]
    return pd.DataFrame(rows, columns=["round", "step", "trade", "gain", "hurts most", "net for others"])


def exchange_table(result: "ExchangeResult", round: int | None = None, width: int | None = None) -> Group:
    """The trades of one round (or all) as a rich table, with the issue titles as a legend.
    Narrower than :data:`~detente.report.table.LABELS_IN_ROWS` (``width``): a block of about three
    lines a trade (its number, gain and who pays, then each side's move on a line of its own)."""
    frame = exchange_frame(result, round)
    scope = f"round {round}" if round is not None else "every round"
    title = f"Exchanges, {scope}: each side moves toward its partner on the issue it gives ground on"
    legend = Text("\n".join(f"{issue.id} ({issue.lo:g}–{issue.hi:g})" + (f": {issue.title}" if issue.title else "") for issue in result.scenario.issues))
    note = Text("Gain and losses are salience-weighted points of the 0–100 scale; 'net for others' sums the effect on every actor outside the trade.", style="dim")
    if narrow(width):
        blocks = Table.grid(padding=(0, 2, 0, 0), pad_edge=False)
        blocks.add_column(justify="right", no_wrap=True)
        blocks.add_column()
        for row in frame.itertuples(index=False):
            summary = Text(f"gain {row.gain:.3f}; hurts most {row[4]}; net for others {row[5]:+.3f}", style="dim")
            blocks.add_row(f"{row.round}.{row.step}", Text.assemble(summary, "\n", row.trade))
        return Group(legend, Text(""), Text(title + " (round.step)", style="bold"), blocks, note)
    table = Table(title=title, show_lines=True)
    for column in frame.columns:
        table.add_column(column, justify="right" if column in {"round", "step", "gain", "net for others"} else "left")
    for row in frame.itertuples(index=False):
        table.add_row(str(row.round), str(row.step), row.trade, f"{row.gain:.3f}", row[4], f"{row[5]:+.3f}")
    return Group(legend, table, note)
