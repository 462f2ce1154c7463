"""Small pieces of English shared by the terminal, the charts and the report."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 issue``, ``2 issues``, ``1,000 draws``; ``plural`` for irregular nouns."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
