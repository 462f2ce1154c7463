"""Hostile and careless input files, generated at test time (a few kilobytes to 50 MB each, never
stored): zip bombs, far cells, huge tables, deep XML, numbers beyond the float range.

Each generator writes one file into a folder and returns its path and a text the answer must
contain. ``python -m tests.io.hostile FOLDER`` writes them all, to try them by hand.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Callable

HEADER = "actor,issue,position,salience,capability\n"
Generator = Callable[[Path], tuple[Path, str]]
GENERATORS: dict[str, Generator] = {}
ENVIRONMENT = {"xlsx_rows_past_the_limit": {"DETENTE_MAX_ROWS": "50000"}}  # a lowered limit, as a user would set it


def generator(function: Generator) -> Generator:
    GENERATORS[function.__name__] = function
    return function


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="stances" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_SHEET_TAIL = "</sheetData></worksheet>"
_HEADER_ROW = '<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{n}</t></is></c>' for c, n in zip("ABCDE", HEADER.strip().split(","))) + "</row>"


def _workbook(path: Path, sheet_chunks, shared_chunks=("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"></sst>",)) -> None:
    """A minimal .xlsx whose sheet and shared strings are streamed from chunks (deflated)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet_chunks), ("xl/sharedStrings.xml", shared_chunks)):
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk.encode())


@generator
def xlsx_millions_of_rows(folder: Path) -> tuple[Path, str]:
    def chunks():
        yield _SHEET_HEAD + _HEADER_ROW
        for start in range(2, 1_000_002, 10_000):  # 45 MB unpacked
            yield "".join(f'<row r="{r}"><c r="C{r}"><v>1</v></c></row>' for r in range(start, start + 10_000))
        yield _SHEET_TAIL

    path = folder / "rows.xlsx"
    _workbook(path, chunks())
    return path, "unpacks to 47 MB; the limit is 5 MB uncompressed"


@generator
def xlsx_rows_past_the_limit(folder: Path) -> tuple[Path, str]:
    def chunks():  # 4.6 MB unpacked, under the part limit: the row limit (lowered by the test) stops the reading
        yield _SHEET_HEAD.replace("<sheetData>", '<dimension ref="A1:C100010"/><sheetData>') + _HEADER_ROW
        for start in range(2, 100_012, 1_000):
            yield "".join(f'<row r="{r}"><c r="C{r}"><v>1</v></c></row>' for r in range(start, start + 1_000))
        yield _SHEET_TAIL

    path = folder / "rows-under.xlsx"
    _workbook(path, chunks())
    return path, "rows beyond row 50,001; the limit is 50,000 rows"


@generator
def xlsx_whitespace_bomb(folder: Path) -> tuple[Path, str]:
    def chunks():
        yield _SHEET_HEAD + _HEADER_ROW
        for _ in range(300):
            yield " " * 2**20
        yield _SHEET_TAIL

    path = folder / "padding.xlsx"
    _workbook(path, chunks())
    return path, "unpacks to 300 MB; the limit is 5 MB uncompressed (set the environment variable DETENTE_MAX_XLSX_PART_MB"


@generator
def xlsx_far_cell(folder: Path) -> tuple[Path, str]:
    path = folder / "far.xlsx"
    _workbook(path, [_SHEET_HEAD, _HEADER_ROW, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', _SHEET_TAIL])
    return path, "DETENTE_MAX_ROWS"


@generator
def xlsx_far_column(folder: Path) -> tuple[Path, str]:
    path = folder / "wide.xlsx"
    _workbook(path, [_SHEET_HEAD, _HEADER_ROW, '<row r="2"><c r="XFD2"><v>1</v></c></row>', _SHEET_TAIL])
    return path, "a cell in column 16,384 (XFD); the limit is 1,100 columns"


@generator
def xlsx_huge_shared_strings(folder: Path) -> tuple[Path, str]:
    def strings():
        yield '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for _ in range(4):  # 4.5 MB, under the limit of a part, but 262,144 texts
            yield "<si><t>a</t></si>" * 65536
        yield "</sst>"

    path = folder / "strings.xlsx"
    _workbook(path, [_SHEET_HEAD, _HEADER_ROW, _SHEET_TAIL], strings())
    return path, "holds 262,144 texts; the limit is 100,000 distinct texts"


@generator
def csv_just_under_50_mb(folder: Path) -> tuple[Path, str]:
    path = folder / "big.csv"
    row = "actor-with-a-name,issue-with-a-name,50,50,1\n"
    with open(path, "w") as handle:
        handle.write(HEADER)
        handle.write(row * ((50 * 2**20 - 4096) // len(row)))
    return path, "more than 200,000 rows below its header"


@generator
def csv_one_line_of_50_mb(folder: Path) -> tuple[Path, str]:
    path = folder / "line.csv"
    path.write_text(HEADER.strip() + ",x" * (25 * 2**20 - 40) + "\n")
    return path, "DETENTE_MAX_COLUMNS"


@generator
def csv_unclosed_quote(folder: Path) -> tuple[Path, str]:
    path = folder / "quote.csv"
    path.write_text(HEADER + 'a,x,10,50,1\nb,"x,90,50,1\n' + "c,x,50,50,1\n" * 100_000)
    return path, 'quote.csv:3: a quote (") opened in this row is never closed'


@generator
def ktab_csv_many_dimensions(folder: Path) -> tuple[Path, str]:
    path = folder / "ktab-dims.csv"
    dims = 100_000
    header = "Actor,Description,Power," + ",".join(f"P{k},S{k}" for k in range(dims))
    path.write_text(f"name,desc,2,{dims}\n{header}\n" + "a,a,1" + ",50,1" * dims + "\n")
    return path, "the row has 200,003 cells; the limit is 1,100 columns"


@generator
def ktab_xml_many_dimensions(folder: Path) -> tuple[Path, str]:
    path = folder / "ktab-dims.xml"
    names = "".join(f"<dName>d{k}</dName>" for k in range(200_000))
    path.write_text(f"<Scenario><name>x</name><Dimensions>{names}</Dimensions><Actors></Actors></Scenario>")
    return path, "the file has 200,000 dimensions (issues)"


@generator
def xml_deeply_nested(folder: Path) -> tuple[Path, str]:
    path = folder / "deep.xml"
    path.write_text("<Scenario>" + "<a>" * 100_000 + "</a>" * 100_000 + "</Scenario>")
    return path, "nested more than 32 deep"


@generator
def xml_entity_expansion(folder: Path) -> tuple[Path, str]:
    path = folder / "laughs.xml"
    entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{k} "{("&l" + str(k - 1) + ";") * 10}">' for k in range(1, 10))
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE Scenario [{entities}]><Scenario>&l9;</Scenario>')
    return path, "DTD or entity declarations is refused"


@generator
def yaml_many_actors(folder: Path) -> tuple[Path, str]:
    path = folder / "actors.yaml"
    actors = "".join(f"  - {{id: a{k}, capability: 1, stances: {{i: {{position: 5, salience: 5}}}}}}\n" for k in range(20_001))
    path.write_text(f"detente: 1\nid: many\nissues: [{{id: i}}]\nactors:\n{actors}")
    return path, "the scenario has 20,001 actors; the limit is 10,000 actors"


@generator
def yaml_400_digit_integer(folder: Path) -> tuple[Path, str]:
    path = folder / "digits.yaml"
    path.write_text(
        "detente: 1\nid: digits\nissues: [{id: i}]\nactors:\n"
        f"  - {{id: a, capability: {'9' * 400}, stances: {{i: {{position: 5, salience: 5}}}}}}\n"
        "  - {id: b, capability: 1, stances: {i: {position: 5, salience: 5}}}\n"
    )
    return path, "an integer of 400 digits overflows"


@generator
def csv_400_digit_integer(folder: Path) -> tuple[Path, str]:
    path = folder / "digits.csv"
    path.write_text(HEADER + f"a,i,{'9' * 400},50,1\nb,i,10,50,1\n")
    return path, "overflows"


@generator
def yaml_5000_digit_integer(folder: Path) -> tuple[Path, str]:
    path = folder / "digits5000.yaml"
    path.write_text(f"detente: 1\nid: d\nissues: [{{id: i}}]\nactors:\n  - {{id: a, capability: {'9' * 5000}}}\n")
    return path, "digits5000.yaml:5: a number of 5,000 digits overflows"


@generator
def utf16_csv(folder: Path) -> tuple[Path, str]:
    path = folder / "utf16.csv"
    path.write_bytes((HEADER + "a,i,10,50,1\nb,i,90,50,1\n").encode("utf-16"))
    return path, "valid"


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for name, make in GENERATORS.items():
        print(name, *make(target))
