"""The native YAML format: safe loading with line numbers for errors, and a readable writer."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import yaml

from detente.errors import Problem, ScenarioError
from detente.io import limits
from detente.scenario import LineMap, Scenario, field_name


_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_EXPANDED_NODES = 1_000_000
_HUGE_INTEGER = re.compile(r"[0-9_]{4300,}")
_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")


class _Loader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe loading that leaves dates as text: the validator then names the line of a bad date
    (``as_of: 2024-13-01``), where PyYAML's own date conversion would fail without one."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class DuplicateKeyError(ValueError):
    """A mapping that gives the same key twice (YAML loaders silently keep the last one)."""

    def __init__(self, duplicates: list[tuple[tuple, int, int]]):
        self.duplicates = duplicates  # (path of the key, line of the first, line of the second)
        self.data: Any = None  # the document as loaded (the last of each duplicate kept), for naming fields
        super().__init__("; ".join(self.message(*d) for d in duplicates))

    @staticmethod
    def message(path: tuple, first: int, second: int) -> str:
        where = f"on line {first}" if first == second else f"on line {first} and on line {second}"
        return f"the key {path[-1]!r} is given twice, {where}: keep one"


def _line_map(node: yaml.Node, loader: _Loader) -> LineMap:
    """Line of every key and item of the composed document, keyed by its path; a key given twice
    in one mapping raises :class:`DuplicateKeyError` naming both lines."""
    lines: dict[tuple, int] = {}
    duplicates: list[tuple[tuple, int, int]] = []
    walked = [0]

    def walk(current: yaml.Node, path: tuple) -> None:
        walked[0] += 1
        if walked[0] > MAX_EXPANDED_NODES:  # aliases of aliases ("billion laughs") expand exponentially
            raise ValueError(f"the document expands to more than {MAX_EXPANDED_NODES:,} values through repeated aliases (*name)")
        lines.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            seen: dict = {}
            for key_node, value_node in current.value:
                key = loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                line = key_node.start_mark.line + 1
                if key is not None and key in seen:
                    duplicates.append((path + (key,), seen[key], line))
                seen.setdefault(key, line)
                walk(value_node, path + (key,))
                lines[path + (key,)] = line
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                walk(item, path + (index,))

    walk(node, ())
    if duplicates:
        raise DuplicateKeyError(duplicates)
    return LineMap(lines)


def _check_counts(node: yaml.Node, source: str | None) -> None:
    """Refuse more actors or issues than the limits from the composed document, before the
    (slow, pure Python) construction of its objects."""
    if not isinstance(node, yaml.MappingNode):
        return
    sizes = {key.value: len(value.value) for key, value in node.value if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode)}
    limits.check_counts(sizes.get("actors", 0), sizes.get("issues", 0), source)


def parse(text: str, source: str | None = None) -> tuple[Any, LineMap | None]:
    """Plain YAML data (safe: no tags that build objects; dates left as text) and the line of every
    key and item, from one pass over the text. Raises ``yaml.YAMLError`` or ``ValueError``."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_counts(node, source)
        data = loader.construct_document(node)
        try:
            return data, _line_map(node, loader)
        except DuplicateKeyError as error:
            error.data = data
            raise
    finally:
        loader.dispose()


def loads(text: str, source: str | None = None) -> Scenario:
    """Parse and validate a YAML scenario. Only plain YAML: tags that build objects are refused."""
    try:
        data, lines = parse(text, source)
    except DuplicateKeyError as error:
        problems = [Problem(DuplicateKeyError.message(*d), field_name(d[0], error.data), d[2], source) for d in error.duplicates]
        raise ScenarioError(problems, source) from None
    except (yaml.YAMLError, ValueError) as error:  # ValueError: an explicitly tagged !!timestamp that is no date
        huge = _HUGE_INTEGER.search(text) if "integer string conversion" in str(error) else None
        if huge:
            line = text.count("\n", 0, huge.start()) + 1
            message = f"a number of {huge.end() - huge.start():,} digits overflows: numbers must be below about 1.8e308"
            raise ScenarioError([Problem(message, line=line, file=source)], source) from None
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        text_lines = text.splitlines()
        if mark is not None and mark.line < len(text_lines) and "\t" in text_lines[mark.line][: mark.column + 1]:
            reason = "a tab character where YAML needs spaces: indent with spaces, never tabs"
        raise ScenarioError([Problem(f"not valid YAML: {reason}", line=line, file=source)], source) from None
    if lines is None:
        raise ScenarioError([Problem("the file is empty", file=source)], source)
    return Scenario.from_dict(data, source=source, lines=lines)


class _FlowMap(dict):
    """A mapping written on one line (stances read best as ``{position: 5, salience: 95}``)."""


class _FlowList(list):
    """A short list written inline: ``scale: [0, 100]``."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter: same text, about 8x faster
    pass


_Dumper.add_representer(_FlowMap, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))
_Dumper.add_representer(
    str,  # PyYAML writes these line breaks raw in plain and single-quoted text, where they read back as spaces
    lambda d, text: d.represent_scalar("tag:yaml.org,2002:str", text, style='"' if _UNICODE_BREAKS.search(text) else None),
)
_Dumper.add_representer(
    float, lambda d, value: d.represent_int(int(value)) if value.is_integer() and abs(value) < 1e15 else d.represent_float(value)
)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None and v != [] and v != {}}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def to_dict(scenario: Scenario) -> dict:
    """The scenario as plain data, in the file format's field order, without empty fields."""
    data = _clean(scenario.model_dump(mode="python", ))
    for issue in data.get("issues", []):
        if tuple(issue.get("scale", ())) == (0.0, 100.0):
            issue["scale"] = _FlowList([0, 100])
        else:
            issue["scale"] = _FlowList(issue["scale"])
    for actor in data.get("actors", []):
        stances = actor.get("stances", {})
        for key, stance in stances.items():
            if stance.get("evidence"):
                continue
            stances[key] = _FlowMap(stance)
    if not data.get("levers"):
        data.pop("levers", None)
    return data


def dumps(scenario: Scenario) -> str:
    return yaml.dump(to_dict(scenario), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def text_hash(text: str) -> str:
    """SHA-256 of a scenario's YAML text: the identity under which the run store keeps it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(scenario: Scenario) -> str:
    """The hash of the scenario's canonical YAML text (see :func:`text_hash`)."""
    return text_hash(dumps(scenario))
