"""Imports flow one way: cli and web over report over analysis over models and io over scenario.

Imports inside functions count too (a lazy import is still a dependency), with one exception: a
display hook (``__rich__``, ``_repr_html_``) may import its renderer from report/ when it is
called, as pandas' frames do with their formatters.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "detente"

# A module may import from its own layer and the layers below it, never from a layer above.
LAYERS = {
    "scenario": 0, "errors": 0,
    "io": 1, "models": 1, "draft": 1,
    "forecast": 2, "analysis": 2,
    "report": 3, "store": 3,
    "cli": 4, "web": 4,
}


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "detente" or len(parts) < 2:
        return None
    return LAYERS.get(parts[1])


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


DISPLAY_HOOKS = {"__rich__", "__rich_console__", "_repr_html_", "__repr__"}


def imports_outside_display_hooks(tree: ast.AST) -> list[str]:
    found = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name in DISPLAY_HOOKS:
                continue
            if isinstance(child, ast.Import):
                found.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append(child.module)
            visit(child)

    visit(tree)
    return found


MODULES = sorted(p for p in SRC.rglob("*.py") if layer_of(module_name(p)) is not None)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_imports_from_a_layer_above_it(path):
    own = layer_of(module_name(path))
    upward = [name for name in imports_outside_display_hooks(ast.parse(path.read_text(encoding="utf-8")))
              if (layer_of(name) or 0) > own]
    assert upward == [], f"{module_name(path)} (layer {own}) imports {upward}"


def test_the_layer_rule_sees_a_violation():
    tree = ast.parse(
        "from detente.report.table import format_value\n"
        "def content_hash(s):\n    from detente.io.yaml_io import dumps\n"
        "class Result:\n    def __rich__(self):\n        from detente.report.result_tables import table\n"
    )
    assert imports_outside_display_hooks(tree) == ["detente.report.table", "detente.io.yaml_io"]
    assert layer_of("detente.report.table") > layer_of("detente.analysis.montecarlo")


BELOW_PRESENTATION = [p for p in MODULES if layer_of(module_name(p)) <= LAYERS["analysis"]]


@pytest.mark.parametrize("path", BELOW_PRESENTATION, ids=lambda p: module_name(p))
def test_the_library_below_report_draws_nothing_on_a_terminal(path):
    """rich is the presentation layer's: models and analyses report progress through callbacks."""
    drawn = [name for name in imports_outside_display_hooks(ast.parse(path.read_text(encoding="utf-8"))) if name.split(".")[0] == "rich"]
    assert drawn == [], f"{module_name(path)} imports {drawn}"
