"""Readers and writers, one module per format, behind :func:`load` and :func:`save`.

Formats: native YAML (``.yaml``/``.yml``), the flat table (``.csv``/``.xlsx``), Decide files
(``#A``/``#P``/``#M``/``#D`` rows; ``.txt``/``.csv``/``.tsv`` recognised by content), KTAB SMP
CSV (recognised by its header) and KTAB SMP XML (``.xml``).
"""

from __future__ import annotations

import codecs
import os
import re
from importlib import resources
from pathlib import Path

from detente.errors import ArgumentTypeError, ArgumentValueError, Problem, ScenarioError
from detente.io import limits
from detente.io.files import read_capped, replacing
from detente.scenario import Scenario

DEFAULT_SCENARIO = "ukraine-2025-12"  # the latest Ukraine snapshot; ukraine-2024-11 stays bundled under its id
_KTAB_FIRST_ROW = re.compile(r"^[^,]*,[^,]*,\s*\d+\s*,\s*\d+\s*,*$")  # name, description, actors, dimensions
_DECIDE_ROW = re.compile(r"""^['"]?#[APMDO]['"]?\s*[\t;,]""")  # '#A'<tab>..., #D;... (not a "#Data..." comment)


def bundled_ids() -> list[str]:
    """Ids of the scenarios shipped with detente."""
    folder = resources.files("detente") / "data" / "scenarios"
    return sorted(p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.name.endswith(".yaml"))


def bundled_path(scenario_id: str) -> Path:
    return Path(str(resources.files("detente") / "data" / "scenarios" / f"{scenario_id}.yaml"))


def bundled() -> list[Scenario]:
    return [load(i) for i in bundled_ids()]


def detect_format(path: Path, head: str) -> str:
    """The format of a file, from its extension and, for text tables, its first lines."""
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".xml":
        return "ktab-xml"
    stripped = [line.strip().lstrip("\ufeff") for line in head.splitlines() if line.strip()]
    first = stripped[0] if stripped else ""
    if any(_DECIDE_ROW.match(line) for line in stripped[:5]):
        return "decide"
    if len(stripped) > 1 and stripped[1].lower().replace(" ", "").startswith("actor,description,"):  # then Power or Influence
        return "ktab-csv"
    if len(stripped) == 1 and _KTAB_FIRST_ROW.match(first):  # a KTAB CSV cut after its first row
        return "ktab-csv"
    if {"isnr", "out"} <= {cell.strip().strip('"').lower() for cell in re.split(r"[;\t]", first)}:
        message = "this is a DEU III data set (many legislative issues with outcomes), not one scenario: score it with `detente backtest --deu FILE`"
        raise ScenarioError([Problem(message, file=str(path))], str(path))
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    if first.startswith("detente:") or first.startswith("id:"):
        return "yaml"
    raise ScenarioError([Problem(f"cannot tell the format of {path.name!r}; use .yaml, .csv, .xlsx or .xml", file=str(path))], str(path))


def load(source: str | os.PathLike) -> Scenario:
    """Load a scenario from a path or the id of a bundled scenario, in any supported format."""
    if not isinstance(source, (str, os.PathLike)):
        raise ArgumentTypeError(f"load() takes a file path or the id of a bundled scenario, got {type(source).__name__}")
    text_source = os.fspath(source)
    if not isinstance(text_source, str) or not text_source.strip():
        raise ArgumentValueError(f"load() takes a file path or the id of a bundled scenario, got {text_source!r}")
    path = Path(text_source)
    try:
        exists = path.exists()
    except (OSError, ValueError) as error:  # a name too long, or with a NUL character
        raise ScenarioError([Problem(f"cannot be a file name: {getattr(error, 'strerror', None) or error}", file=text_source[:200])], text_source[:200]) from None
    if not exists and text_source in bundled_ids():
        path = bundled_path(text_source)
    elif not exists:
        hint = f" Bundled scenarios: {', '.join(bundled_ids())}." if "/" not in text_source else ""
        raise ScenarioError([Problem(f"no such file or bundled scenario.{hint}", file=text_source)], text_source)
    if path.is_dir():
        raise ScenarioError([Problem("is a folder, not a scenario file", file=text_source)], text_source)
    data = read_capped(path, limits.file_bytes())
    if data is None:
        raise limits.FILE_MB.exceeded("the file is too large", text_source)
    if path.suffix.lower() == ".xlsx":
        return read_bytes(data, "xlsx", text_source)
    text = _decode(data, text_source)
    return _read_text(text, detect_format(path, text[:4000]), text_source)


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(data: bytes, source: str) -> str:
    """Text from UTF-8 (the format's encoding), UTF-16 or UTF-32 with a byte-order mark (as
    spreadsheets export "Unicode text"), or Windows-1252; binary files are named as such."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                message = f"the file starts as {encoding.upper()} text but byte {error.start:,} is not {encoding.upper()}; save it as UTF-8"
                raise ScenarioError([Problem(message, file=source)], source) from None
    head = data[:4096]
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if controls <= len(head) // 10:  # a NUL or two in a text cell is text; a file of control bytes is not
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    if b"\x00" in head:
        if len(head) > 8 and (head[1::2].count(0) > len(head) // 3 or head[0::2].count(0) > len(head) // 3):
            message = "the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or as UTF-16 with a byte-order mark)"
        else:
            message = "this is a binary file, not a text scenario"
        raise ScenarioError([Problem(message, file=source)], source)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ScenarioError([Problem("cannot decode the file as UTF-8 text", file=source)], source) from None


def read_bytes(data: bytes, fmt: str, source: str = "<upload>") -> Scenario:
    """Parse the contents of a file whose format is known (``yaml``, ``csv``, ``xlsx``, ``decide``,
    ``ktab-csv``, ``ktab-xml``)."""
    if fmt == "xlsx":
        from detente.io.table import read_xlsx

        return read_xlsx(data, source)
    return _read_text(_decode(data, source), fmt, source)


def _read_text(text: str, fmt: str, source: str) -> Scenario:
    if fmt == "yaml":
        from detente.io.yaml_io import loads

        scenario = loads(text, source)
    elif fmt == "csv":
        from detente.io.table import read_csv

        scenario = read_csv(text, source)
    elif fmt == "decide":
        from detente.io.decide import read_decide

        scenario = read_decide(text, source)
    elif fmt == "ktab-csv":
        from detente.io.ktab import read_ktab_csv

        scenario = read_ktab_csv(text, source)
    elif fmt == "ktab-xml":
        from detente.io.ktab import read_ktab_xml

        scenario = read_ktab_xml(text, source)
    else:
        raise ScenarioError([Problem(f"unknown format {fmt!r}", file=source)], source)
    return scenario


def save(scenario: Scenario, destination: str | Path) -> Path:
    """Write a scenario; the format follows the extension (.yaml, .csv, .xlsx).

    The file is replaced only once the new one is complete (see :func:`~detente.io.files.replacing`).
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentTypeError(f"save() takes a Scenario to write, got {type(scenario).__name__}")
    if not isinstance(destination, (str, os.PathLike)) or not os.fspath(destination):
        raise ArgumentTypeError(f"save() takes the file path to write to, got {destination!r}"[:200])
    path = Path(destination)
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        from detente.io.yaml_io import dumps as render
    elif suffix == ".csv":
        from detente.io.table import write_csv as render
    elif suffix == ".xlsx":
        from detente.io.table import write_xlsx as render
    else:
        raise ScenarioError([Problem("cannot write this format; use .yaml, .csv or .xlsx", file=str(path))], str(path))
    with replacing(path) as temp:  # rendering inside: openpyxl writes temporary files of its own
        content = render(scenario)
        if isinstance(content, str):
            temp.write_text(content, encoding="utf-8", newline="")
        else:
            temp.write_bytes(content)
    return path
