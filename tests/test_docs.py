"""The documentation stands alone and stays true: its example scenario is valid, it points to no
file outside the repository, and the docs site builds with warnings as errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_the_format_reference_example_is_a_valid_scenario(tmp_path):
    text = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example\s+```yaml\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_the_format_reference_lists_every_field_of_the_scenario_model():
    from detente.scenario import Actor, Issue, Scenario, Source, Stance, Uncertainty

    text = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
    for model in (Scenario, Issue, Actor, Stance, Source, Uncertainty):
        for name in model.model_fields:
            assert f"`{name}`" in text, f"{model.__name__}.{name} is not documented"


def _project_texts():
    for path in [ROOT / "README.md", *DOCS.rglob("*.md"), *(ROOT / "src").rglob("*.py"), *(ROOT / "src").rglob("*.html"), *(ROOT / "src").rglob("*.js")]:
        yield path, path.read_text(encoding="utf-8")


def test_nothing_points_to_files_outside_the_repository():
    for path, text in _project_texts():
        for bad in ("SCENARIO_FORMAT.md", "MODELS.md", "shared/spec"):
            assert bad not in text, f"{path.relative_to(ROOT)} points to {bad}"


def test_the_unknown_field_message_points_to_the_format_reference(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("detente: 1\nid: t\ncolour: red\nissues: [{id: a}]\nactors: []\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "300"})
    assert "docs/scenario-format.md" in result.output
    assert (DOCS / "scenario-format.md").is_file()


@pytest.mark.slow
def test_the_docs_site_builds_with_warnings_as_errors(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "api" / "index.html").is_file()
