"""Candidate issues from the negotiation vocabulary, and the issues each statement speaks to.

A statement speaks to the issues whose terms (``issues.yaml``, extendable) occur in its sentence
(for a quote running past its sentence, in the quote too). When the sentence names none, the
paragraph is read, then the paragraph before it, since a short quote often comments on what the
reporter has just summarised; the statement records which context gave its issues.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from detente.draft.lexicon import Lexicon
from detente.draft.quotes import Statement
from detente.draft.text import Document


@dataclass
class Candidate:
    """An issue the text speaks to: how many sentences use its vocabulary, and which words."""

    id: str
    title: str
    sentences: int = 0
    terms: Counter = field(default_factory=Counter)

    def summary(self, top: int = 6) -> str:
        words = ", ".join(f"{term} ({count})" for term, count in self.terms.most_common(top))
        return f"{self.sentences} sentence{'s' if self.sentences != 1 else ''} use its vocabulary: {words}"


def issues_in(text: str, lexicon: Lexicon) -> dict[str, list[str]]:
    """The issues whose terms occur in a text, with the words that matched."""
    found: dict[str, list[str]] = {}
    for issue in lexicon.issues:
        words = [m.group(0) for m in issue.pattern.finditer(text)]
        if words:
            found[issue.id] = words
    return found


def attach_issues(statements: list[Statement], document: Document, lexicon: Lexicon) -> None:
    """Set ``issues`` and ``issue_context`` of every statement (see the module docstring)."""
    paragraphs = {p.index: document.text[p.start:p.end] for p in document.paragraphs if not p.heading}
    for statement in statements:
        sentence = statement.sentence
        text = sentence.text if statement.end <= sentence.end else f"{sentence.text} {statement.text}"
        contexts = [("sentence", text), ("paragraph", paragraphs.get(sentence.paragraph, "")),
                    ("previous paragraph", paragraphs.get(sentence.paragraph - 1, ""))]
        for context, words in contexts:
            found = issues_in(words, lexicon)
            if found:
                statement.issues = tuple(found)
                statement.issue_context = context
                break


def candidate_issues(document: Document, lexicon: Lexicon) -> list[Candidate]:
    """Every issue of the vocabulary the text speaks to, most-used first."""
    candidates = {issue.id: Candidate(issue.id, issue.title) for issue in lexicon.issues}
    headings = {p.index for p in document.paragraphs if p.heading}
    for sentence in document.sentences:
        if sentence.paragraph in headings:
            continue
        for issue_id, words in issues_in(sentence.text, lexicon).items():
            candidates[issue_id].sentences += 1
            candidates[issue_id].terms.update(word.lower() for word in words)
    found = [c for c in candidates.values() if c.sentences]
    return sorted(found, key=lambda c: -c.sentences)
