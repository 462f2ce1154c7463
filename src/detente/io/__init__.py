"""Readers and writers, one module per format, behind :func:`load` and :func:`save`.

Formats: native YAML (``.yaml``/``.yml``), the flat table (``.csv``/``.xlsx``), Decide files
(``#A``/``#P``/``#M``/``#D`` rows; ``.txt``/``.csv``/``.tsv`` recognised by content), KTAB SMP
CSV (recognised by its header) and KTAB SMP XML (``.xml``).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from detente.errors import Problem, ScenarioError
from detente.scenario import Scenario

DEFAULT_SCENARIO = "ukraine-2025-12"  # the latest Ukraine snapshot; ukraine-2024-11 stays bundled under its id
_DECIDE_ROW = re.compile(r"""^['"]?#[APMDO]['"]?\s*[\t;,]""")  # '#A'<tab>..., #D;... (not a "#Data..." comment)
MAX_FILE_BYTES = 50 * 1024 * 1024


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
    if {"isnr", "out"} <= {cell.strip().strip('"').lower() for cell in re.split(r"[;\t]", first)}:
        message = "this is a DEU III data set (many legislative issues with outcomes), not one scenario: score it with `detente backtest --deu FILE`"
        raise ScenarioError([Problem(message, file=str(path))], str(path))
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    if first.startswith("detente:") or first.startswith("id:"):
        return "yaml"
    raise ScenarioError([Problem(f"cannot tell the format of {path.name!r}; use .yaml, .csv, .xlsx or .xml", file=str(path))], str(path))


def load(source: str | Path) -> Scenario:
    """Load a scenario from a path or the id of a bundled scenario, in any supported format."""
    text_source = str(source)
    path = Path(text_source)
    if not path.exists() and text_source in bundled_ids():
        path = bundled_path(text_source)
        text_source = str(source)
    if not path.exists():
        hint = f" Bundled scenarios: {', '.join(bundled_ids())}." if "/" not in text_source else ""
        raise ScenarioError([Problem(f"no such file or bundled scenario.{hint}", file=text_source)], text_source)
    if path.is_dir():
        raise ScenarioError([Problem("is a folder, not a scenario file", file=text_source)], text_source)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError([Problem(f"the file is {size / 2**20:.0f} MB; scenario files larger than {MAX_FILE_BYTES // 2**20} MB are refused", file=text_source)], text_source)
    data = path.read_bytes()
    fmt = "xlsx" if path.suffix.lower() == ".xlsx" else detect_format(path, _decode(data, text_source)[:4000])
    return read_bytes(data, fmt, text_source)


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:4096]:
        raise ScenarioError([Problem("this is a binary file, not a text scenario", file=source)], source)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ScenarioError([Problem("cannot decode the file as UTF-8 text", file=source)], source)


def read_bytes(data: bytes, fmt: str, source: str = "<upload>") -> Scenario:
    """Parse the contents of a file whose format is known (``yaml``, ``csv``, ``xlsx``, ``decide``,
    ``ktab-csv``, ``ktab-xml``)."""
    if fmt == "xlsx":
        from detente.io.table import read_xlsx

        return read_xlsx(data, source)
    text = _decode(data, source)
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
    """Write a scenario; the format follows the extension (.yaml, .csv, .xlsx)."""
    path = Path(destination)
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        from detente.io.yaml_io import dumps

        path.write_text(dumps(scenario), encoding="utf-8")
    elif suffix == ".csv":
        from detente.io.table import write_csv

        path.write_text(write_csv(scenario), encoding="utf-8")
    elif suffix == ".xlsx":
        from detente.io.table import write_xlsx

        path.write_bytes(write_xlsx(scenario))
    else:
        raise ScenarioError([Problem("cannot write this format; use .yaml, .csv or .xlsx", file=str(path))], str(path))
    return path
