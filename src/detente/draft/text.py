"""Reading an article (.txt, .html, .md) into paragraphs and sentences with character offsets.

Every offset the draft reports is a character offset into :attr:`Document.text`: for plain text
that is the file's text as decoded (line endings read as ``\\n``); for HTML and Markdown it is the
text extracted from the markup, paragraphs separated by a blank line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from detente.errors import DetenteError

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
SUFFIXES = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}

# Magic numbers of formats people save articles in that are not text.
_BINARY_SIGNATURES = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (a .docx, .odt or .epub file?)",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"{\\rtf": "an RTF file",
}


class DocumentError(DetenteError):
    """An article that cannot be read as text: missing, empty, binary, undecodable or too large."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    paragraph: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int
    heading: bool


@dataclass
class Document:
    """An article's text with its paragraphs and sentences (spans into :attr:`text`)."""

    text: str
    kind: str = "txt"
    path: str | None = None
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)

    def paragraph_sentences(self, paragraph: int) -> list[Sentence]:
        return [s for s in self.sentences if s.paragraph == paragraph]

    def span(self, start: int, end: int) -> str:
        """The text between two offsets with whitespace runs (soft line breaks) made single spaces."""
        return squash(self.text[start:end])


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- reading files -----------------------------------------------------------------------------


def read_document(path: str | Path, encoding: str | None = None) -> Document:
    """Read an article file into a :class:`Document`; the suffix chooses HTML, Markdown or text.

    Refuses, with a :class:`DocumentError` naming the file, a missing file, a folder, a file over
    50 MB, an empty file, a binary file and text that is not UTF-8 (or UTF-16/32 with a byte-order
    mark, or the ``encoding`` given).
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise DocumentError(name, "no such file")
    if path.is_dir():
        raise DocumentError(name, "is a folder, not an article file")
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            name, f"the file is {size / 2**20:.1f} MB; articles larger than {MAX_DOCUMENT_BYTES // 2**20} MB are refused"
        )
    data = path.read_bytes()
    text = decode(data, name, encoding)
    kind = SUFFIXES.get(path.suffix.lower()) or sniff_kind(text)
    return parse_document(text, kind, name)


def sniff_kind(text: str) -> str:
    head = text[:2000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(p|div|article|body)[\s>]", head):
        return "html"
    return "txt"


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16/32 with BOM, or the encoding asked for."""
    if not data.strip():
        raise DocumentError(name, "the file is empty")
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise DocumentError(name, f"this is {what}, not text; save the article as .txt, .html or .md")
    boms = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
    bom = next((enc for mark, enc in boms if data.startswith(mark)), None)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DocumentError(name, f"unknown encoding {encoding!r}") from None
    chosen = encoding or bom
    if chosen is None and b"\x00" in data[:8192]:
        raise DocumentError(name, "this is a binary file (it contains NUL bytes), not text")
    try:
        text = data.decode(chosen or "utf-8")
    except UnicodeDecodeError as error:
        if encoding:
            raise DocumentError(name, f"cannot decode the file as {encoding} (byte {error.start})") from None
        raise DocumentError(
            name,
            f"the text is not UTF-8 (undecodable byte at {error.start}) and its encoding is unknown; "
            "save it as UTF-8 or name the encoding with --encoding (e.g. cp1252, latin-1)",
        ) from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\t\f\v")
    if controls > 0.05 * min(len(text), 8192):
        raise DocumentError(name, "this looks like a binary file (many control characters), not text")
    if not text.strip():
        raise DocumentError(name, "the file contains no text")
    return text


def parse_document(text: str, kind: str = "txt", name: str | None = None) -> Document:
    """Structure decoded text of the given kind (``txt``, ``html``, ``md``) into a :class:`Document`."""
    meta: dict[str, str | None] = {}
    if kind == "html":
        blocks, meta = html_blocks(text)
    elif kind == "md":
        blocks, meta = markdown_blocks(text)
    else:
        blocks = None
    if blocks is not None:
        text = "\n\n".join(block for block, _ in blocks)
        spans, start = [], 0
        for block, heading in blocks:
            spans.append((start, start + len(block), heading))
            start += len(block) + 2
    else:
        spans = text_paragraphs(text)
    document = Document(text=text, kind=kind, path=name, **meta)
    for index, (start, end, heading) in enumerate(spans):
        document.paragraphs.append(Paragraph(index, start, end, heading))
    document.sentences = split_sentences(text, document.paragraphs)
    if not any(not p.heading for p in document.paragraphs):
        raise DocumentError(name or "<text>", "the file contains no paragraph of text")
    return document


def ends_sentence(block: str) -> bool:
    """Whether a block ends like a sentence (closing quotes and brackets aside)."""
    return block.rstrip().rstrip("”\"’')]»").endswith((".", "!", "?", ":", ";", "…"))


def is_heading(block: str) -> bool:
    """A short block without closing punctuation: a headline or a section title."""
    return 0 < len(block.split()) <= 12 and not ends_sentence(block)


_DANGLING = re.compile(r"(?:[,\-]|\b(?:of|the|a|an|and|or|to|in|on|for|with|by|at|from|that|as))$")


def text_paragraphs(text: str) -> list[tuple[int, int, bool]]:
    """Paragraph spans of plain text.

    With blank lines the blocks between them are paragraphs (their lines soft-wrapped). Without,
    each line is one, except that a long line ending mid-sentence runs on into the next line.
    """
    spans: list[tuple[int, int, bool]] = []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    blank_separated = re.search(r"\n[ \t]*\n", text.strip()) is not None
    current: list[int] | None = None
    previous_end = None
    for start, end in lines:
        line = text[start:end]
        if not line.strip():
            continue
        gap = text[previous_end:start] if previous_end is not None else ""
        new_block = current is None or (blank_separated and gap.count("\n") > 1)
        if not blank_separated and current is not None:
            last = text[current[0]:current[1]].rstrip()
            runs_on = not ends_sentence(last) and (len(last.split()) > 12 or _DANGLING.search(last) is not None)
            new_block = not runs_on
        if new_block:
            if current is not None:
                spans.append((current[0], current[1], is_heading(text[current[0]:current[1]])))
            current = [start, end]
        else:
            current[1] = end
        previous_end = end
    if current is not None:
        spans.append((current[0], current[1], is_heading(text[current[0]:current[1]])))
    return [(s + _lead(text[s:e]), e - _trail(text[s:e]), h) for s, e, h in spans]


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def _trail(text: str) -> int:
    return len(text) - len(text.rstrip())


# -- HTML ----------------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section",
               "article", "header", "footer", "figure", "dd", "dt", "pre", "ul", "ol", "table", "main"}
_SKIP_TAGS = {"script", "style", "noscript", "nav", "aside", "form", "svg", "template", "iframe", "figcaption", "button", "select"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _ArticleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []
        self.buffer: list[str] = []
        self.skip = 0
        self.heading = 0
        self.in_title = False
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.first_h1: str | None = None
        self.time: str | None = None

    def flush(self) -> None:
        block = squash("".join(self.buffer))
        if block:
            self.blocks.append((block, self.heading > 0))
            if self.heading and self.first_h1 is None:
                self.first_h1 = block
        self.buffer = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = {k: (v or "") for k, v in attrs}
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"])
        elif tag == "time" and values.get("datetime") and self.time is None:
            self.time = values["datetime"]
        if tag in _BLOCK_TAGS:
            self.flush()
        if tag in _HEADING_TAGS:
            self.heading += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "title":
            self.in_title = False
        if tag in _BLOCK_TAGS:
            self.flush()
        if tag in _HEADING_TAGS:
            self.heading = max(0, self.heading - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif not self.skip:
            self.buffer.append(data)


def html_blocks(html: str) -> tuple[list[tuple[str, bool]], dict[str, str | None]]:
    """Text blocks of an HTML page (headings flagged) and its title, date, publisher and URL."""
    parser = _ArticleParser()
    parser.feed(html)
    parser.close()
    parser.flush()
    meta = parser.meta
    title = meta.get("og:title") or squash("".join(parser.title_parts)) or parser.first_h1
    date = meta.get("article:published_time") or meta.get("date") or meta.get("pubdate") or parser.time
    return parser.blocks, {
        "title": title or None,
        "date": _iso_date(date),
        "publisher": meta.get("og:site_name"),
        "url": meta.get("og:url"),
    }


def _iso_date(value: str | None) -> str | None:
    match = re.match(r"\d{4}-\d{2}-\d{2}", value or "")
    return match.group(0) if match else None


# -- Markdown --------------------------------------------------------------------------------------


def markdown_blocks(text: str) -> tuple[list[tuple[str, bool]], dict[str, str | None]]:
    """Text blocks of a Markdown file with the markup stripped, and title/date from front matter."""
    meta: dict[str, str | None] = {}
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if front:
        for key, value in re.findall(r"^(title|date|publisher|url):\s*(.+)$", front.group(1), re.M):
            meta[key] = value.strip().strip("'\"")
        meta["date"] = _iso_date(meta.get("date"))
        text = text[front.end():]
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.M | re.S)
    text = re.sub(r"^\s*\[[^\]]+\]:\s*\S+.*$", "", text, flags=re.M)
    blocks: list[tuple[str, bool]] = []
    for raw in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in raw.split("\n") if line.strip()]
        if not lines:
            continue
        heading = bool(re.match(r"\s{0,3}#{1,6}\s", lines[0])) or (
            len(lines) == 2 and re.fullmatch(r"\s*(=+|-+)\s*", lines[1]) is not None
        )
        if len(lines) == 2 and re.fullmatch(r"\s*(=+|-+)\s*", lines[1]):
            lines = lines[:1]
        cleaned = squash(" ".join(_strip_markdown_line(line) for line in lines))
        if cleaned and not re.fullmatch(r"[-*_\s]{3,}", cleaned):
            blocks.append((cleaned, heading))
            if heading and "title" not in meta:
                meta["title"] = cleaned
    return blocks, meta


def _strip_markdown_line(line: str) -> str:
    line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)
    line = re.sub(r"^\s*(>\s*)+", "", line)
    line = re.sub(r"^\s*([-*+]|\d+[.)])\s+", "", line)
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", line)
    line = re.sub(r"`([^`]*)`", r"\1", line)
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    line = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", line)
    line = re.sub(r"<[^>]+>", "", line)
    return line


# -- quotation marks and sentences --------------------------------------------------------------


@dataclass(frozen=True)
class QuoteSpan:
    """A quotation inside a paragraph: ``start``/``end`` include the marks; ``open`` when it runs to
    the paragraph's end without a closing mark (a quote continued in the next paragraph)."""

    start: int
    end: int
    open: bool = False
    nested: tuple[tuple[int, int], ...] = ()

    @property
    def inner(self) -> tuple[int, int]:
        return self.start + 1, self.end - (0 if self.open else 1)


_DOUBLE_OPEN, _DOUBLE_CLOSE = "“«", "”»"
_SINGLE_OPEN, _SINGLE_CLOSE = "‘", "’"


def quote_spans(text: str, start: int = 0, end: int | None = None) -> list[QuoteSpan]:
    """Top-level quotations in ``text[start:end]`` (offsets into ``text``).

    Curly double quotes and guillemets nest by depth; straight double quotes pair up in order
    (the first opens, the next closes); a straight single quote at the start of a word opens a quote
    only if one closes it later in the paragraph before any double quote; a curly single quote opens only at the start of a word and
    closes only before a non-letter, so apostrophes ("Ukraine’s") are not taken for quotes. Single
    quotes inside a double quotation are nested quotes and stay part of it.
    """
    end = len(text) if end is None else end
    spans: list[QuoteSpan] = []
    depth, opened, kind = 0, -1, ""
    nested: list[tuple[int, int]] = []
    inner_open = -1
    i = start
    while i < end:
        ch = text[i]
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if depth == 0:
            if ch == "'" and not before.isalnum() and after.isalpha():
                close = _straight_single_close(text, i + 1, end)
                if close is not None:  # 'unacceptable': straight single quotes pair only within the paragraph
                    spans.append(QuoteSpan(i, close + 1))
                    i = close + 1
                    continue
            if ch in _DOUBLE_OPEN or ch == '"' or (ch == _SINGLE_OPEN and not before.isalnum() and not after.isspace()):
                depth, opened, kind, nested, inner_open = 1, i, ch, [], -1
        elif kind == '"':
            if ch == '"' or (ch in _DOUBLE_CLOSE and not before.isspace() and not after.isalnum()):  # "...,” mixed marks, as below
                spans.append(QuoteSpan(opened, i + 1, nested=tuple(nested)))
                depth = 0
            elif ch in "'‘’":
                inner_open, nested = _track_nested(ch, before, after, i, inner_open, nested)
        elif kind == _SINGLE_OPEN:
            if ch == _SINGLE_CLOSE and not after.isalpha() and not before.isspace():
                spans.append(QuoteSpan(opened, i + 1))
                depth = 0
        else:
            if ch in _DOUBLE_OPEN:
                depth += 1
            elif ch in _DOUBLE_CLOSE or (ch == '"' and depth == 1 and not before.isspace() and not after.isalnum()):
                # a curly quote closed by a straight one (“reforms" and ...): mixed marks in pasted text
                depth -= 1
                if depth == 0:
                    spans.append(QuoteSpan(opened, i + 1, nested=tuple(nested)))
            elif ch in "‘’'":
                inner_open, nested = _track_nested(ch, before, after, i, inner_open, nested)
        i += 1
    if depth > 0:
        spans.append(QuoteSpan(opened, _rstrip_end(text, opened, end), open=True, nested=tuple(nested)))
    return spans


def _straight_single_close(text: str, start: int, end: int) -> int | None:
    """Where a straight single quote opened before ``start`` closes: a ' after a letter or a
    punctuation mark and before a non-letter, ahead of any double quote; None if there is none."""
    for j in range(start, end):
        ch = text[j]
        if ch in '"“”':
            return None
        if ch == "'" and not text[j - 1].isspace() and (j + 1 >= end or not text[j + 1].isalnum()):
            return j
    return None


def _track_nested(ch: str, before: str, after: str, i: int, inner_open: int, nested: list) -> tuple[int, list]:
    """Follow single quotes inside a double quotation; an apostrophe ("isn’t") neither opens nor closes."""
    opening = ch == "‘" or (ch == "'" and not before.isalnum() and not after.isspace())
    closing = (ch == "’" or ch == "'") and not after.isalnum() and not before.isspace()
    if opening and inner_open < 0:
        return i, nested
    if closing and inner_open >= 0:
        return -1, nested + [(inner_open, i + 1)]
    return inner_open, nested


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "sen", "rep", "gov",
    "pres", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "no", "u.s", "u.k", "e.u", "u.n", "inc", "ltd", "co", "corp", "mt",
    "ft", "approx", "dept", "est", "fig", "op",
}
_BOUNDARY = re.compile(r"[.!?…]+[”\"’')\]»]*(?=\s+[“\"‘'(\[«]?[A-Z0-9À-Ý])")


# A wire dateline that opens a paragraph ("YEREVAN, December 13. /TASS/."): part of the first sentence.
_DATELINE = re.compile(r"[A-Z][A-Z .'\-/]+(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?(?:,\s*[A-Z][a-z]+\.?\s+\d{1,2})?\.?(?:\s*/[A-Za-z\-]+/\.?)?")


def split_sentences(text: str, paragraphs: list[Paragraph]) -> list[Sentence]:
    """Sentences of every paragraph (a heading is one sentence), never split inside a closed quote.

    A boundary is a run of ``.!?`` (with closing quotes or brackets) before whitespace and a capital,
    digit or opening quote; not after a known abbreviation ("U.S.", "Gen."), a single initial
    ("David L. Stern") or joined initials ("P.K. Saxena").
    """
    sentences: list[Sentence] = []
    for paragraph in paragraphs:
        quotes = [q for q in quote_spans(text, paragraph.start, paragraph.end) if not q.open]
        cuts = [paragraph.start]
        if not paragraph.heading:
            for match in _BOUNDARY.finditer(text, paragraph.start, paragraph.end):
                if any(q.start < match.end() < q.end for q in quotes):
                    continue
                if _after_abbreviation(text, paragraph.start, match.start()) or _DATELINE.fullmatch(text, paragraph.start, match.end()):
                    continue
                cuts.append(match.end())
        cuts.append(paragraph.end)
        for a, b in zip(cuts[:-1], cuts[1:]):
            a += _lead(text[a:b])
            if a < b:
                sentences.append(Sentence(len(sentences), a, b, paragraph.index, squash(text[a:b])))
    return sentences


def _after_abbreviation(text: str, floor: int, dot: int) -> bool:
    match = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(floor, dot - 12):dot])
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and match.group(1).isupper()) or re.fullmatch(r"(?:[A-Z]\.){1,2}[A-Z]", match.group(1)) is not None  # "P.K. Saxena"
