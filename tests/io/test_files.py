"""Files detente writes are replaced all or nothing; files it reads are capped on what is read."""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from detente.errors import ScenarioError, UsageError
from detente.io import bundled_path, load, save
from tests.io.bounded import DETENTE, run_bounded

def _file_size_limit(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("target_name", ["scenario.yaml", "copy.yaml", "copy.csv", "copy.xlsx"])
def test_convert_under_a_full_disk_leaves_the_source_and_the_target_intact(tmp_path, target_name):
    source = tmp_path / "scenario.yaml"
    source.write_bytes(bundled_path("ukraine-2024-11").read_bytes())
    original = source.read_bytes()
    target = tmp_path / target_name
    if target != source:
        target.write_bytes(b"the analyst's earlier copy\n")
    before = target.read_bytes()
    run = subprocess.run(
        [DETENTE, "convert", str(source), str(target), "--force"],
        capture_output=True, text=True, timeout=120, preexec_fn=_file_size_limit(3000),
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == f"error: cannot write {target}: File too large (it is unchanged)"
    assert source.read_bytes() == original and target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({source.name, target.name}), "no temporary file is left"


def test_a_failed_write_keeps_the_old_file_and_names_it(tmp_path, monkeypatch):
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    os.chmod(target, 0o640)

    def full_disk(self, *args, **kwargs):
        with open(self, "w") as handle:
            handle.write("half a fi")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(UsageError, match=r"cannot write .*out.yaml: No space left on device \(it is unchanged\)"):
        save(load("ukraine-2024-11"), target)
    monkeypatch.undo()
    assert target.read_text() == "old\n"
    from detente.io.files import write_atomic

    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n" and os.stat(target).st_mode & 0o777 == 0o640, "the new file keeps the old one's permissions"


def test_an_error_while_rendering_leaves_no_file(tmp_path):
    from detente.io.files import replacing

    target = tmp_path / "chart.png"
    with pytest.raises(RuntimeError):
        with replacing(target) as temp:
            temp.write_bytes(b"partial")
            raise RuntimeError("rendering failed")
    assert list(tmp_path.iterdir()) == []


def test_writing_through_a_symbolic_link_keeps_the_link(tmp_path):
    from detente.io.files import write_atomic

    real = tmp_path / "real.yaml"
    real.write_text("old")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_the_size_cap_applies_to_what_is_read_not_to_the_reported_size():
    outcome = run_bounded(["validate", "/dev/zero"])
    assert outcome.returncode == 1, outcome
    assert "/dev/zero: the file is too large; the limit is 50 MB (set the environment variable DETENTE_MAX_FILE_MB to raise it)" in outcome.stderr


def test_json_output_is_strict_and_says_what_it_replaced(capsys):
    from detente.cli import print_json

    print_json({"value": float("nan"), "values": [1.5, float("inf")], "ok": 2})
    out, err = capsys.readouterr()
    assert json.loads(out, parse_constant=lambda token: pytest.fail(f"non-standard JSON token {token}")) == {"value": None, "values": [1.5, None], "ok": 2}
    assert "2 values with no number (NaN or infinite) written as null" in err
    from detente.io.jsontext import strict_dumps

    assert strict_dumps({"a": 1.0}) == ('{"a": 1.0}', 0)
