"""Scoring the attributions of a draft against a gold list of (first words, speaker)."""

from __future__ import annotations


def who(statement) -> str | None:
    """A named speaker's surname, an unnamed speaker's phrase as written, or None."""
    speaker = statement.speaker
    if speaker is None:
        return None
    return speaker.key.split()[-1] if speaker.kind == "named" else speaker.text


def score(pairs: list[tuple[str | None, str | None]]) -> tuple[float, float, int, int, int]:
    """Precision and recall of (gold, found) speaker pairs; a wrong speaker counts against both."""
    correct = sum(1 for gold, found in pairs if found is not None and found.lower() == (gold or "").lower())
    made = sum(1 for _, found in pairs if found is not None)
    wanted = sum(1 for gold, _ in pairs if gold is not None)
    return correct / max(made, 1), correct / max(wanted, 1), correct, made, wanted


def quote_pairs(draft, gold: list[tuple[str, str | None]]) -> list[tuple[str | None, str | None]]:
    """(gold speaker, found speaker) for every gold quote; short terms count as not attributed."""
    found = {s.text: who(s) for s in draft.quotes}
    found.update({t.text: None for t in draft.terms})
    pairs = []
    for start, speaker in gold:
        match = [name for text, name in found.items() if text.startswith(start)]
        assert len(match) <= 1, start
        pairs.append((speaker, match[0] if match else None))
    return pairs


def reported_pairs(draft, gold: list[tuple[str, str | None]]) -> list[tuple[str | None, str | None]]:
    """(gold speaker, found speaker) for every gold sentence of reported speech."""
    found = {s.sentence.text: who(s) for s in draft.statements if s.kind in {"reported", "position"} and s.speaker is not None}
    pairs = []
    for start, speaker in gold:
        match = [name for text, name in found.items() if text.startswith(start)]
        pairs.append((speaker, match[0] if match else None))
    return pairs
