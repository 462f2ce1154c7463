"""Files that were read wrongly or named vaguely: long cells, line-break characters, UTF-16,
unclosed quotes, a KTAB CSV cut short, CSV on stdout."""

from __future__ import annotations

import pytest

from detente.errors import ScenarioError
from detente.io import load, read_bytes, save
from detente.scenario import Scenario


def two_actors(**texts) -> Scenario:
    return Scenario.from_dict(
        {"detente": 1, "id": "t", "description": texts.get("description", "d"), "issues": [{"id": "a", "title": texts.get("title", "A")}],
         "actors": [{"id": "x", "name": texts.get("name", "X"), "capability": 1, "stances": {"a": {"position": 10, "salience": 50}}},
                    {"id": "y", "capability": 1, "stances": {"a": {"position": 90, "salience": 50}}}]}
    )  # fmt: skip


@pytest.mark.parametrize("text", ["x" * 140_000, "a\rb", "a\u2028b", "a\x85b", "a\x0cb", "a\r\nb\nc"])
def test_csv_reads_back_long_cells_and_line_break_characters(tmp_path, text):
    scenario = two_actors(name=text, title=text, description=text)
    save(scenario, tmp_path / "t.csv")
    assert load(tmp_path / "t.csv") == scenario


def test_utf16_files_are_read_and_utf16_without_a_byte_order_mark_is_named():
    text = "actor,issue,position,salience,capability\nÄ,a,10,50,1\nb,a,90,50,1\n"
    for encoding in ("utf-16", "utf-16-le" + "", "utf-32"):
        data = text.encode(encoding) if encoding != "utf-16-le" else b"\xff\xfe" + text.encode("utf-16-le")
        assert read_bytes(data, "csv", "u.csv").actors[0].name == "Ä"
    with pytest.raises(ScenarioError, match="looks like UTF-16 text without a byte-order mark; save it as UTF-8"):
        read_bytes(text.encode("utf-16-le"), "csv", "u.csv")


def test_an_unclosed_quote_is_named_with_its_row(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('actor,issue,position,salience,capability\na,x,10,50,1\nb,"x,90,50,1\nc,x,50,50,1\n')
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [f'{path}:3: a quote (") opened in this row is never closed: the rest of the file was read as one cell; close it or remove it']


def test_a_ktab_csv_with_only_its_first_row_is_named_as_ktab(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Scenario,Description,3,2\n")
    with pytest.raises(ScenarioError, match="a KTAB CSV needs a first row .* and a header row"):
        load(path)


def test_csv_on_stdout_neutralises_formula_text_but_not_negative_numbers(capsys):
    from detente.cli import print_csv

    print_csv([{"name": "=cmd|' /C calc'!A0", "value": -5.0, "note": "-x"}])
    assert capsys.readouterr().out.splitlines() == ["name,value,note", "'=cmd|' /C calc'!A0,-5.0,'-x"]
