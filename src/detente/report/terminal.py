"""Terminal output that never cuts a number or an id.

Rich fits a table to the console width by shrinking columns, and a word that no longer fits its
column is cut to "5…". That is wrong for numbers (a reader takes "24.…" for a value), and it happens
whenever the output is narrow or piped (rich then assumes 80 columns). :class:`WholeConsole`
prints every table with each column at least as wide as its longest word, and the whole output at
least as wide as its narrowest such layout: text still wraps between words, and a table too wide
for the screen runs past its right edge instead of losing digits.
"""

from __future__ import annotations

from typing import Any, Iterator

from rich.console import Console, Group
from rich.measure import Measurement
from rich.protocol import rich_cast
from rich.table import Table

UNLIMITED = 100_000


def tables_in(renderable: Any) -> Iterator[Table]:
    """Every rich table in a renderable, through groups and objects with ``__rich__``."""
    item = rich_cast(renderable)
    if isinstance(item, Table):
        yield item
    elif isinstance(item, Group):
        for child in item.renderables:
            yield from tables_in(child)


def fit_columns(console: Console, table: Table, width: int) -> int:
    """Fix the column widths of ``table`` so that it fits ``width`` if it can, every column at
    least as wide as its longest word (header included; its longest line if it does not wrap).
    Each column gets that much, and what space is left goes to the columns in proportion to how
    much wider their content would like to be. A table that fits as it is keeps rich's own
    layout. Returns the table's width. (Rich's own shrinking cuts the widest columns first,
    whatever their words, hence this.)"""
    options = console.options.update_width(UNLIMITED)
    pads = [table._get_padding_width(n) for n in range(len(table.columns))]
    lows, highs = [], []
    for column, pad in zip(table.columns, pads):
        cells = [column.header, *column.cells]
        sizes = [Measurement.get(console, options, cell) for cell in cells if cell is not None]
        high = max((m.maximum for m in sizes), default=1)
        low = high if column.no_wrap else max((m.minimum for m in sizes), default=1)
        if column.max_width is not None:
            high = min(high, column.max_width)
        lows.append(low + pad)
        highs.append(max(high, low) + pad)
    extra = table._extra_width
    if table.width is not None or sum(highs) + extra <= width:
        return min(width, sum(highs) + extra)
    room = width - extra - sum(lows)
    wishes = [h - l for l, h in zip(lows, highs)]
    widths = list(lows)
    if room > 0 and sum(wishes):
        widths = [l + room * w // sum(wishes) for l, w in zip(lows, wishes)]
    for column, size, pad in zip(table.columns, widths, pads):
        column.width = size - pad
        column.max_width = None
    return sum(widths) + extra


def whole_width(console: Console, renderable: Any) -> int:
    """Lay out every table of ``renderable`` for the console's width (:func:`fit_columns`) and
    return the width needed to print it with no word cut: the console's, or wider."""
    needed = [fit_columns(console, table, console.width) for table in tables_in(renderable)]
    text = Measurement.get(console, console.options.update_width(UNLIMITED), renderable).minimum
    return max([console.width, text, *needed])


class WholeConsole(Console):
    """A :class:`rich.console.Console` whose ``print`` never cuts a word in a table (see the module)."""

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if len(objects) != 1 or isinstance(objects[0], str) or "width" in kwargs:
            super().print(*objects, **kwargs)
            return
        item = rich_cast(objects[0])
        wanted = whole_width(self, item)
        if wanted <= self.width:
            super().print(item, **kwargs)
            return
        previous = self._width  # print() caps its width= at the console's, so widen the console itself
        self.width = wanted
        try:
            super().print(item, **kwargs)
        finally:
            self._width = previous
