"""Invariants on arbitrary text: no crash, spans inside the text, a draft that lists only numbers to fill."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.draft import draft_text
from detente.draft.text import DocumentError, parse_document, quote_spans
from detente.errors import ScenarioError
from detente.io.yaml_io import loads

WORDS = st.sampled_from(
    ["said", "Russia", "Ukraine's", "NATO", "a Western official", "he", "“", "”", '"', "‘", "’", "'", ",", ".", "?",
     "\n", "\n\n", "French President Anne Dupont", "territory", "aid", "ceasefire", "58 percent", "according to",
     "the official", "told reporters", "Moscow", "in Kyiv", "sanctions", "—", "He", "who", "European Union"]
)
TEXTS = st.one_of(st.lists(WORDS, min_size=1, max_size=60).map(" ".join), st.text(min_size=1, max_size=300))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_drafts_or_is_refused_cleanly(text):
    try:
        draft = draft_text(text)
    except DocumentError:
        return
    document = draft.document
    for span in quote_spans(document.text):
        assert 0 <= span.start < span.end <= len(document.text)
    for sentence in document.sentences:
        assert document.text[sentence.start:sentence.end].strip()
    for statement in draft.statements:
        assert statement.sentence.start <= statement.start <= statement.end <= len(document.text)
    data = draft.to_dict()
    if not data["actors"]:
        return
    try:
        loads(draft.to_yaml(), "draft.yaml")
    except ScenarioError as error:
        for problem in error.problems:
            assert "is empty: fill in" in problem.message, problem


@given(st.text(min_size=1, max_size=200))
def test_sentences_lie_inside_paragraphs_in_order(text):
    try:
        document = parse_document(text)
    except DocumentError:
        return
    starts = [s.start for s in document.sentences]
    assert starts == sorted(starts)
    for sentence in document.sentences:
        paragraph = document.paragraphs[sentence.paragraph]
        assert paragraph.start <= sentence.start < sentence.end <= paragraph.end
