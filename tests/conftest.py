"""Shared fixtures: the reference cases of docs/models/specification.md as batches and scenarios."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# Property tests check what a model computes, not how fast: on a shared 2-core machine a single
# example can exceed hypothesis's default 200 ms deadline and fail an otherwise correct test.
settings.register_profile("detente", deadline=None)
settings.load_profile("detente")

from detente.scenario import Batch

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# BDM (1994) EC car-emission standards, as printed in Scholz et al. (2011) Table 1 (docs/models/specification.md §2.10).
EMISSION = {
    "Netherlands": (0.08, 4, 0.80),
    "Belgium": (0.08, 7, 0.40),
    "Luxembourg": (0.03, 4, 0.20),
    "Germany": (0.16, 4, 0.80),
    "France": (0.16, 10, 0.60),
    "Italy": (0.16, 10, 0.60),
    "UK": (0.16, 10, 0.90),
    "Ireland": (0.05, 7, 0.10),
    "Denmark": (0.05, 4, 1.00),
    "Greece": (0.08, 7, 0.70),
}

# The neutral five-actor toy issue of docs/models/specification.md §1.4.
TOY_POSITIONS = np.array([90.0, 70.0, 55.0, 30.0, 20.0])
TOY_SALIENCE = np.array([0.9, 0.6, 0.5, 0.8, 0.4])
TOY_CAPABILITY = np.array([0.5, 1.0, 0.8, 0.9, 0.3])


def one_issue_batch(positions, salience, capability, status_quo=np.nan, lo=0.0, hi=100.0) -> Batch:
    """A batch of one draw and one issue from plain lists, positions on the scale [lo, hi]."""
    x = (np.asarray(positions, dtype=float) - lo) / (hi - lo)
    n = len(x)
    sq = np.array([(status_quo - lo) / (hi - lo)])
    return Batch(
        x[None, :, None], np.asarray(salience, float)[None, :, None], np.asarray(capability, float)[None, :, None],
        np.ones((n, 1), dtype=bool), sq,
    )


@pytest.fixture
def emission_batch() -> Batch:
    c, x, s = (np.array(v, dtype=float) for v in zip(*EMISSION.values()))
    return one_issue_batch(x, s, c, lo=4, hi=10)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared reference data is not at {SHARED} (GPL data stays outside the project)")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_run_store(tmp_path, monkeypatch):
    """Commands store their runs; tests keep them in a temporary store, never the user's."""
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "runs.sqlite"))


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep a headless Chromium off the network it does not have here (and root-safe).
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (never a browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield instance
        instance.close()
