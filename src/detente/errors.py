"""Errors a user can cause, each naming where the problem is and what it is.

Every reader and validator collects *all* problems of an input before raising, so that a user
fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line, field) and what."""

    message: str
    field: str | None = None
    line: int | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(self.field)
        return f"{': '.join(where)}: {self.message}" if where else self.message


class DetenteError(Exception):
    """Base class of the errors detente raises for bad input or bad use (never a bug)."""


@dataclass
class ScenarioError(DetenteError):
    """A scenario file or object with one or more problems."""

    problems: list[Problem] = field(default_factory=list)
    source: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        count = len(self.problems)
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} found"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class OptionError(DetenteError):
    """An unknown model option or a value of the wrong type."""


class UsageError(DetenteError):
    """A request that cannot be carried out as asked (unknown model, issue, lever, ...)."""


class ArgumentTypeError(UsageError, TypeError):
    """A Python API call given an argument of the wrong type (also a :class:`TypeError`)."""


class ArgumentValueError(UsageError, ValueError):
    """A Python API call given an argument of the right type but an impossible value (also a :class:`ValueError`)."""
