"""Reading articles: formats, paragraphs, sentences, quotation marks, and the refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from detente.draft.text import DocumentError, parse_document, quote_spans, read_document


def test_plain_text_lines_are_paragraphs_and_a_broken_line_runs_on(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "BRUSSELS — The first paragraph has one sentence about the talks in Brussels.\n"
        "Section heading here\n"
        "A survey, conducted by the Kyiv International Institute of\n"
        "Sociology, showed that 58 percent reject any loss of land. It was released on Tuesday.\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert [document.text[p.start:p.end].split()[0] for p in document.paragraphs] == ["BRUSSELS", "Section", "A"]
    assert [p.heading for p in document.paragraphs] == [False, True, False]
    third = document.paragraph_sentences(2)
    assert [s.text for s in third] == [
        "A survey, conducted by the Kyiv International Institute of Sociology, showed that 58 percent reject any loss of land.",
        "It was released on Tuesday.",
    ]
    assert document.text[third[1].start:third[1].end] == "It was released on Tuesday."


def test_blank_line_paragraphs_with_soft_wraps():
    document = parse_document("First line of a paragraph\nthat wraps here.\n\nSecond paragraph.\n")
    assert [document.span(p.start, p.end) for p in document.paragraphs] == [
        "First line of a paragraph that wraps here.",
        "Second paragraph.",
    ]


def test_sentences_do_not_split_after_abbreviations_initials_or_inside_quotes():
    document = parse_document(
        "After the U.S. election, Gen. Smith spoke. David L. Stern reported from Kyiv. "
        "“We tried. We failed,” he said. Then it rained.\n"
    )
    assert [s.text for s in document.sentences] == [
        "After the U.S. election, Gen. Smith spoke.",
        "David L. Stern reported from Kyiv.",
        "“We tried. We failed,” he said.",
        "Then it rained.",
    ]


def test_quote_spans_nested_open_and_apostrophes():
    text = "He said “it’s ‘fine’ now” and then “this runs on"
    spans = quote_spans(text)
    assert [(text[s.start:s.end], s.open) for s in spans] == [("“it’s ‘fine’ now”", False), ("“this runs on", True)]
    assert [text[a:b] for a, b in spans[0].nested] == ["‘fine’"]
    assert quote_spans("Ukraine’s allies’ view") == []
    assert [text for text in ("‘50 shades of gray’",) for s in quote_spans(text)] == ["‘50 shades of gray’"]


def test_a_curly_quote_closed_by_a_straight_one():
    text = 'The offer was “conditional on reforms" and staff must “accept change”.'
    assert [text[s.start:s.end] for s in quote_spans(text)] == ['“conditional on reforms"', "“accept change”"]


def test_html_article(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<!doctype html><html><head><title>Allies shift | Paper</title>"
        '<meta property="og:title" content="Allies shift on talks">'
        '<meta property="article:published_time" content="2024-11-14T10:00:00Z">'
        '<meta property="og:site_name" content="The Paper"><style>p {color: red}</style></head>'
        "<body><nav>Home | World</nav><article><h1>Allies shift on talks</h1>"
        "<p>“It&rsquo;s certainly not fringe anymore,” a Western official said.</p>"
        "<p>Second <b>paragraph</b> here.</p><script>var x = 1;</script></article></body></html>",
        encoding="utf-8",
    )
    document = read_document(path)
    assert (document.title, document.date, document.publisher) == ("Allies shift on talks", "2024-11-14", "The Paper")
    assert document.text == "Allies shift on talks\n\n“It’s certainly not fringe anymore,” a Western official said.\n\nSecond paragraph here."
    assert [p.heading for p in document.paragraphs] == [True, False, False]


def test_markdown_article(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: Notes on the talks\ndate: 2024-11-20\n---\n# Heading\n\n"
        "> “We will *never* accept it,” said [Russian President Ivan Petrov](https://example.org).\n\n"
        "```\ncode is dropped\n```\n\n- a list item with `code`\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert (document.title, document.date) == ("Notes on the talks", "2024-11-20")
    assert document.text == "Heading\n\n“We will never accept it,” said Russian President Ivan Petrov.\n\na list item with code"


def test_utf16_with_bom_and_named_encoding(tmp_path):
    text = "“Nous refusons,” said French Foreign Minister Élise Moreau.\n"
    utf16 = tmp_path / "a.txt"
    utf16.write_bytes(text.encode("utf-16"))
    assert read_document(utf16).text == text
    latin = tmp_path / "b.txt"
    latin.write_bytes(text.replace("“", '"').replace("”", '"').encode("cp1252"))
    assert "Élise" in read_document(latin, encoding="cp1252").text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n\t ", "the file is empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "this is a PDF file, not text"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        (b"\x00\x01\x02\x03binary\x00data" * 10, "binary file (it contains NUL bytes)"),
        (b"caf\xe9 au lait, \xabbien s\xfbr\xbb" * 3, "not UTF-8 (undecodable byte at 3) and its encoding is unknown"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08 some text " * 20, "many control characters"),
    ],
)
def test_bad_input_gets_a_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert str(caught.value).startswith(str(path) + ": ")
    assert message in str(caught.value)


def test_missing_file_folder_and_unknown_encoding_name(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        read_document(tmp_path / "missing.txt")
    with pytest.raises(DocumentError, match="is a folder"):
        read_document(tmp_path)
    path = tmp_path / "a.txt"
    path.write_text("Text.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="unknown encoding 'klingon-8'"):
        read_document(path, encoding="klingon-8")


def test_a_file_over_50_mb_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # sparse: no 50 MB written to disk
    assert os.path.getsize(path) > 50 * 2**20
    with pytest.raises(DocumentError, match=r"huge.txt: the file is 50.0 MB; articles larger than 50 MB are refused"):
        read_document(path)


def test_a_text_of_headings_only_has_no_paragraph(tmp_path):
    path = Path(tmp_path) / "h.md"
    path.write_text("# Title\n\n## Another\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="no paragraph of text"):
        read_document(path)
