"""The speaker-ranker experiment of scripts/draft_speaker_ranker.py (docs/draft.md, "A learned speaker
ranker"): it reads the development half only, scores the rules as tests/draft/gold.py does, and its
conditional logit is fitted correctly."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.draft import gold

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "draft_speaker_ranker.py"


@pytest.fixture(scope="module")
def ranker():
    spec = importlib.util.spec_from_file_location("draft_speaker_ranker", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_development_articles_are_read(ranker):
    split = yaml.safe_load((gold.GOLD / "split.yaml").read_text(encoding="utf-8"))
    batches = {}
    for batch, article in ranker.dev_articles():
        batches.setdefault(batch, set()).add(article.id)
    assert set().union(*batches.values()) == set(split["dev"])
    assert not set().union(*batches.values()) & set(split["test"])
    assert {b: len(ids) for b, ids in batches.items()} == {"dev41": 41, "extra2": 15, "extra3": 10, "extra4": 6, "extra5": 6, "extra6": 12, "extra7": 12}


def test_the_rules_are_scored_as_the_gold_scorer_scores_them(ranker):
    items = [item for batch, article in ranker.dev_articles() for item in ranker.article_items(batch, article)]
    # docs/draft.md: development half (all 102, with dev_extra7), after the sixth-batch round: 483 right of 541 made, 604 wanted
    assert ranker.score(items, None, "rules") == (483, 541, 604)
    # every statement the rules attribute rightly keeps its answer among the candidates
    assert all(any(c["correct"] for c in item["candidates"]) for item in items if item["rules_correct"])


def _synthetic(seed: int, n: int = 300):
    """Items of four candidates drawn from a conditional logit with weights ``truth``."""
    rng = np.random.default_rng(seed)
    truth = np.array([2.0, -1.0, 0.5])
    items = []
    for _ in range(n):
        x = rng.normal(size=(4, 3))
        right = int(np.argmax(x @ truth + rng.gumbel(size=4)))
        candidates = [{"name": str(k), "correct": k == right, "x": list(x[k])} for k in range(4)]
        items.append({"candidates": candidates, "rules_made": False, "rules_correct": False})
    return items, truth


def test_the_logit_recovers_the_weights_that_made_the_choices(ranker):
    items, truth = _synthetic(0, 3000)
    w = ranker.fit(items, penalty=0.01)
    assert np.allclose(w, truth, atol=0.15)
    held_out, _ = _synthetic(1)
    correct, made, wanted = ranker.score(held_out, w, "ranker")
    assert made == wanted and correct / wanted > 0.6  # far above the 0.25 of a guess


def test_the_fit_is_reproducible(ranker):
    items, _ = _synthetic(2)
    assert np.array_equal(ranker.fit(items), ranker.fit(items))
