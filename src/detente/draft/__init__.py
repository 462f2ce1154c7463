"""From the news to a scenario: draft a stakeholder table from an article, with its evidence.

``draft_file("article.txt")`` reads an article (.txt, .html, .md), finds the actors, the quotes
and reported statements with their speakers, the candidate issues (from the issue vocabulary and
from what each side demands, offers or rules out) and the figures, and returns a
:class:`Draft` whose :meth:`Draft.to_yaml` is a scenario in the detente format with every number
left empty for the analyst and every stance carrying its evidence. Rules and lexicons only: no
network, no model. See docs/draft.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from detente.draft.actors import find_mentions
from detente.draft.demands import find_demands
from detente.draft.issues import attach_issues, candidate_issues
from detente.draft.lexicon import Lexicon, default_lexicon, load_lexicon
from detente.draft.numbers import find_numbers
from detente.draft.quotes import Statement, extract_statements
from detente.draft.text import Document, DocumentError, parse_document, read_document
from detente.draft.writer import Draft, slug
from detente.errors import UsageError


def draft_document(
    document: Document,
    *,
    title: str | None = None,
    date: str | dt.date | None = None,
    source_id: str | None = None,
    lexicon: Lexicon | None = None,
) -> Draft:
    """Draft a scenario from a parsed document (see :func:`draft_file`)."""
    lexicon = lexicon or default_lexicon()
    cast = find_mentions(document, lexicon)
    statements, terms = extract_statements(document, cast, lexicon)
    attach_issues(statements, document, lexicon)
    figures = find_numbers(document)
    stem = Path(document.path).stem if document.path else "text"
    title = title or document.title or f"Draft from {stem}"
    return Draft(
        document=document,
        lexicon=lexicon,
        cast=cast,
        statements=statements,
        terms=terms,
        candidates=candidate_issues(document, lexicon),
        figures=figures,
        demands=find_demands(document, cast, statements, figures),
        source_id=slug(source_id) if source_id else slug(stem),
        title=title,
        date=_date(date if date is not None else document.date),
    )


def draft_file(
    path: str | Path,
    *,
    title: str | None = None,
    date: str | dt.date | None = None,
    source_id: str | None = None,
    lexicons: list[str | Path] | tuple = (),
    encoding: str | None = None,
) -> Draft:
    """Read an article file and draft a scenario from it.

    ``lexicons`` are user lexicon files merged on top of the shipped ones; ``encoding`` names the
    text encoding when the file is not UTF-8.
    """
    lexicon = load_lexicon(lexicons) if lexicons else default_lexicon()
    return draft_document(read_document(path, encoding), title=title, date=date, source_id=source_id, lexicon=lexicon)


def draft_text(text: str, kind: str = "txt", **options) -> Draft:
    """Draft from text in memory (``kind`` is ``txt``, ``html`` or ``md``)."""
    return draft_document(parse_document(text, kind), **options)


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"--date expects an ISO date (YYYY-MM-DD), got {value!r}") from None


__all__ = ["Document", "DocumentError", "Draft", "Statement", "draft_document", "draft_file", "draft_text", "load_lexicon"]
