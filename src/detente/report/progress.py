"""A terminal progress bar (rich) for long analyses, fed by their ``progress(done, total)`` callbacks."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from detente.analysis.montecarlo import Progress as ProgressCallback


@contextmanager
def progress_bar(description: str, console: Console, enabled: bool | None = None) -> Iterator[ProgressCallback | None]:
    """Yield a ``progress(done, total)`` callback that drives a bar with an ETA on ``console``,
    or None when the console is not a terminal (``enabled`` forces either way)."""
    if enabled is None:
        enabled = console.is_terminal
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("draws"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    # Redrawn on each report rather than by rich's refresh thread: with no extra thread running,
    # local worker processes can be forked (see montecarlo._process_context).
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            bar.refresh()

        yield update
