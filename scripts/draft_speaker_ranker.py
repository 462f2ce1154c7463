"""Experiment (issue 19): does a learned speaker ranker generalise better than more rules?

For every gold quote and reported statement of the *development* half (tests/data/draft/gold; the
test half is never read), the draft's own attribution and a broad candidate generator propose
speakers: every person, body or source named outside quotes in the statement's paragraph or the
one before, and every speaker the rules found in the last three paragraphs. Each (statement,
candidate) pair gets features (the rules' choice, same sentence, next to a speech verb, before or
after the statement, distance in sentences, paragraphs and characters, kind of speaker, spoke
before, spoke last, ...), plus a "nobody" candidate so that the ranker may abstain. A conditional
logit (softmax over each statement's candidates, L2 penalty) is fitted with scipy.optimize.

Evaluation is leave-one-batch-out over the development batches (the first 41 articles,
dev_extra2, ..., dev_extra7): fit on the others, score the one held out, compare with the rules on
the same items, scored as tests/draft/gold.py scores them. Run it twice:

    python scripts/draft_speaker_ranker.py features OUT.json   # with the detente code to study
    python scripts/draft_speaker_ranker.py evaluate OUT.json [--batch extra5]

``features`` uses whatever ``detente.draft`` is importable, so it can run on an older commit of the
rules (``git worktree add /tmp/old COMMIT`` and ``PYTHONPATH=/tmp/old/src``): that is how each
batch is scored with the rules as they stood before they were tuned on it (docs/draft.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.draft import gold  # noqa: E402  (the scorer's own matching rules)

BATCHES = ("dev41", "extra2", "extra3", "extra4", "extra5", "extra6", "extra7")
FEATURES = (
    "rule", "rule_reported", "rule_in_sentence", "in_sentence", "next_to_verb", "subject_before_verb", "after_verb",
    "before_anchor", "after_anchor", "sentence_distance", "same_paragraph", "previous_paragraph", "char_distance",
    "named", "anonymous", "group", "body", "has_body", "spoke_before", "spoke_last", "mentions",
    "first_in_sentence", "pronoun_attribution_named_last", "null", "null_rules_none", "null_reported",
    # body alternatives of one speaker (the rules link a person to one body; the ranker may pick another or none)
    "body_other", "body_none", "body_in_intro_sentence", "body_in_anchor_sentence", "body_is_home", "body_near_intro",
    "body_right_before_name", "body_is_state", "body_is_organisation",
)
_VERB = re.compile(r"\b(?:said|says|say|told|tells|added|adds|stated|warned|insisted|argued|noted|explained|wrote|posted|"
                   r"according to|announced|declared|urged|asked|replied|stressed|saying|adding|telling|acknowledged|"
                   r"believes|thinks|expects|claimed|confirmed|denied|rejected|called)\b", re.IGNORECASE)
_PRONOUN_ATTRIBUTION = re.compile(r"\b(?:he|she)\s+(?:said|says|added|told|warned|insisted|noted)\b|\bsaid\s+(?:he|she)\b", re.IGNORECASE)


def dev_articles() -> list[tuple[str, gold.Article]]:
    """(batch, article) for every development article; test-half articles are skipped unread."""
    split = yaml.safe_load((gold.GOLD / "split.yaml").read_text(encoding="utf-8"))
    wanted = set(split["dev"])
    found = []
    for path in sorted(gold.GOLD.glob("*.yaml")):
        if path.name == "split.yaml":
            continue
        batch = path.stem.replace("dev_", "") if path.stem.startswith("dev_extra") and path.stem != "dev_extra" else "dev41"
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            if entry["id"] not in wanted:
                continue
            found.append((batch, gold.Article(
                entry["id"], entry["text"], [gold._triple(q) for q in entry["quotes"]], [gold._triple(r) for r in entry["reported"]],
                [str(a) for a in entry["actors"]], [str(f) for f in entry["figures"]], entry["issues"])))
    assert {a.id for _, a in found} == wanted
    return found


def _identity(speaker) -> tuple:
    return (speaker.key, tuple(b.id for b in speaker.bodies))


def _candidate_speakers(draft, Speaker, quoted, anchor_end, paragraph):
    """(speaker, mention start, mention end) of every person, source or body named outside quotes
    from the paragraph before the statement's to the end of the statement's sentence."""
    document = draft.document
    paragraphs = {p.index: p for p in document.paragraphs}
    lo = paragraphs[max(paragraph - 1, 0)].start
    sentence_end = next((s.end for s in document.sentences if s.start <= anchor_end <= s.end), anchor_end)
    found = []
    for m in draft.cast.mentions:
        if m.start < lo or m.start > sentence_end or any(a <= m.start < b for a, b in quoted):
            continue
        speaker = None
        if m.kind == "person" and m.person is not None:
            body = m.person.body
            speaker = Speaker(m.person.name, m.person.description, "named", (body,) if body else ())
        elif m.kind == "source" and not m.definite:
            speaker = Speaker(m.text.lower(), m.text, "group" if m.plural else "anonymous", tuple(m.bodies), not m.plural, m.head)
        elif (m.kind == "body" or (m.kind == "demonym" and m.plural)) and m.bodies:
            speaker = Speaker(m.bodies[0].id, m.text, "body", (m.bodies[0],), singular=False)
        if speaker is not None:
            found.append((speaker, m.start, m.end))
    return found


def _body_alternatives(draft, quoted, speaker, sentence, spans) -> dict:
    """Other bodies the speaker might stand for (named near the person's introduction or in the
    statement's sentence, the article's home state) and no body, with their features."""
    document, cast = draft.document, draft.cast
    person = cast.people.get(speaker.key)
    intro = next((m for m in cast.mentions if person is not None and m.person is person), None)
    at = (intro.start, intro.end) if intro is not None else (spans[0] if spans else None)
    intro_sentence = next((s for s in document.sentences if at is not None and s.start <= at[0] < s.end), None)
    bodies = [m for m in cast.mentions if m.kind in {"body", "demonym"} and m.bodies and m.bodies[0].kind in {"state", "organisation", "bloc"}
              and not any(a <= m.start < b for a, b in quoted)]
    found: dict = {None: {"body_none": 1.0}}
    for m in bodies:
        in_intro = intro_sentence is not None and intro_sentence.start <= m.start < intro_sentence.end
        in_anchor = sentence.start <= m.start < sentence.end
        if not (in_intro or in_anchor):
            continue
        g = found.setdefault(m.bodies[0], {"body_is_state": float(m.bodies[0].kind == "state"),
                                           "body_is_organisation": float(m.bodies[0].kind == "organisation")})
        g["body_in_intro_sentence"] = max(g.get("body_in_intro_sentence", 0.0), float(in_intro))
        g["body_in_anchor_sentence"] = max(g.get("body_in_anchor_sentence", 0.0), float(in_anchor))
        if at is not None:
            near = 1 - min(abs(m.start - at[0]), abs(at[1] - m.end), 300) / 300
            g["body_near_intro"] = max(g.get("body_near_intro", 0.0), near)
            g["body_right_before_name"] = max(g.get("body_right_before_name", 0.0), float(0 <= at[0] - m.end < 30))
    home = getattr(cast, "home", None)  # older rules had no home state
    if home is not None:
        found.setdefault(home, {"body_is_state": 1.0})["body_is_home"] = 1.0
    return found


def article_items(batch: str, article: gold.Article, with_bodies: bool = True) -> list[dict]:
    """Every gold item of one article with its candidates, their features and labels."""
    from detente.draft import draft_text
    from detente.draft.quotes import Speaker
    from detente.draft.text import quote_spans

    draft = draft_text(article.text, "txt")
    document, text, lexicon = draft.document, draft.document.text, draft.lexicon
    quoted = [(q.start, q.end) for p in document.paragraphs for q in quote_spans(text, p.start, p.end)]
    quotes = draft.quotes + draft.terms
    reported = [s for s in draft.statements if s.kind in {"reported", "position"} and s.speaker is not None]
    attributed = sorted((s for s in draft.statements if s.speaker is not None), key=lambda s: s.start)
    mention_counts: dict[tuple, int] = {}
    items = []
    for kind, entries in (("quote", article.quotes), ("reported", article.reported)):
        for start, gold_speaker, gold_actor in entries:
            # The rules' answer, exactly as the scorer reads it.
            if kind == "quote":
                found = next((s for s in quotes if gold.norm(s.text).startswith(gold.norm(start))), None)
                sentence = found.sentence if found is not None else None
                anchor = (found.start, found.end) if found is not None else None
                rule_speakers = [found.speaker] if found is not None and found.speaker is not None else []
            else:
                in_sentence = [s for s in reported + quotes if gold.norm(start) in gold.norm(s.sentence.text) and s.speaker is not None]
                found = next((s for s in in_sentence if gold.same_speaker(gold_speaker, s.speaker)), in_sentence[0] if in_sentence else None)
                sentence = next((s for s in document.sentences if gold.norm(start) in gold.norm(s.text)), None)
                anchor = (sentence.start, sentence.end) if sentence is not None else None
                rule_speakers = [s.speaker for s in in_sentence]
            rule_got = found.speaker if found is not None else None
            rules_correct = rule_got is not None and gold.same_speaker(gold_speaker, rule_got) and gold.same_actor(gold_actor, rule_got, lexicon)
            item = {"batch": batch, "article": article.id, "kind": kind, "start": start, "gold": f"{gold_speaker} [{gold_actor}]",
                    "rules_made": rule_got is not None, "rules_correct": bool(rules_correct), "candidates": []}
            items.append(item)
            if anchor is None:
                continue
            a, b = anchor
            paragraph = sentence.paragraph
            candidates: dict[tuple, dict] = {}

            def add(speaker, at_start, at_end, from_mention: bool) -> None:
                identity = _identity(speaker)
                entry = candidates.setdefault(identity, {"speaker": speaker, "spans": []})
                if from_mention:
                    entry["spans"].append((at_start, at_end))

            # The rules' own speakers first: a mention of the same person keeps the rules' reading of it.
            for s in rule_speakers:
                add(s, 0, 0, False)
            earlier = [s for s in attributed if s.start < a and s.sentence.paragraph >= paragraph - 3]
            for s in earlier:
                add(s.speaker, 0, 0, False)
            for speaker, m_start, m_end in _candidate_speakers(draft, Speaker, quoted, b, paragraph):
                add(speaker, m_start, m_end, True)
            rule_ids = {_identity(s) for s in rule_speakers}
            first_rule = _identity(rule_got) if rule_got is not None else None
            last_id = _identity(earlier[-1].speaker) if earlier else None
            sentence_text = text[sentence.start:sentence.end]
            masked = "".join(" " if any(x <= sentence.start + i < y for x, y in quoted) else ch for i, ch in enumerate(sentence_text))
            verbs = [(sentence.start + v.start(), sentence.start + v.end()) for v in _VERB.finditer(masked)]
            pronoun_attribution = bool(_PRONOUN_ATTRIBUTION.search(masked))
            sentence_mentions = sorted(span for entry in candidates.values() for span in entry["spans"] if sentence.start <= span[0] < sentence.end)
            for identity, entry in candidates.items():
                speaker, spans = entry["speaker"], entry["spans"]
                sentence_of = [next((s.index for s in document.sentences if s.start <= x < s.end + 1), sentence.index) for x, _ in spans]
                in_sent = [span for span in spans if sentence.start <= span[0] < sentence.end]
                distances = [abs(sentence.index - i) for i in sentence_of] or [5]
                chars = [min(abs(x - a), abs(y - b), abs(x - b)) for x, y in spans] or [2000]
                paragraphs_of = [next((p.index for p in document.paragraphs if p.start <= x < p.end + 1), paragraph) for x, _ in spans]
                spoke = sum(1 for s in earlier if _identity(s.speaker) == identity)
                key = (article.id, identity)
                mention_counts[key] = len([m for m in draft.cast.mentions if m.person is not None and m.person.name == speaker.key]) or len(spans)
                f = {
                    "rule": float(identity == first_rule),
                    "rule_reported": float(identity in rule_ids and kind == "reported"),
                    "rule_in_sentence": float(identity in rule_ids),
                    "in_sentence": float(bool(in_sent)),
                    "next_to_verb": float(any(abs(x - ve) < 25 or abs(vs - y) < 25 for x, y in in_sent for vs, ve in verbs)),
                    "subject_before_verb": float(any(0 <= vs - y < 25 for x, y in in_sent for vs, ve in verbs)),
                    "after_verb": float(any(0 <= x - ve < 25 for x, y in in_sent for vs, ve in verbs)),
                    "before_anchor": float(any(y <= a for x, y in spans)),
                    "after_anchor": float(any(x >= b for x, y in in_sent)),
                    "sentence_distance": math.log1p(min(distances)),
                    "same_paragraph": float(paragraph in paragraphs_of),
                    "previous_paragraph": float(paragraph - 1 in paragraphs_of and paragraph not in paragraphs_of),
                    "char_distance": math.log1p(min(chars)) / 5,
                    "named": float(speaker.kind == "named"),
                    "anonymous": float(speaker.kind == "anonymous"),
                    "group": float(speaker.kind == "group"),
                    "body": float(speaker.kind == "body"),
                    "has_body": float(bool(speaker.bodies)),
                    "spoke_before": math.log1p(spoke),
                    "spoke_last": float(identity == last_id),
                    "mentions": math.log1p(mention_counts[key]),
                    "first_in_sentence": float(bool(in_sent) and sentence_mentions and in_sent[0] == sentence_mentions[0]),
                    "pronoun_attribution_named_last": float(pronoun_attribution and speaker.kind == "named" and identity == last_id),
                }
                right_speaker = gold.same_speaker(gold_speaker, speaker)
                correct = right_speaker and gold.same_actor(gold_actor, speaker, lexicon)
                item["candidates"].append({"name": f"{speaker.key} [{','.join(i for i in identity[1])}]", "correct": bool(correct),
                                           "right_speaker": bool(right_speaker),
                                           "x": [f.get(name, 0.0) for name in FEATURES]})
                if with_bodies and speaker.kind in {"named", "anonymous"}:
                    for body, g in _body_alternatives(draft, quoted, speaker, sentence, spans).items():
                        alternative = dataclasses.replace(speaker, bodies=(body,) if body is not None else ())
                        if _identity(alternative) in candidates:
                            continue
                        h = dict(f, rule=0.0, rule_reported=0.0, rule_in_sentence=0.0, has_body=float(body is not None), body_other=1.0, **g)
                        right = gold.same_speaker(gold_speaker, alternative) and gold.same_actor(gold_actor, alternative, lexicon)
                        item["candidates"].append({"name": f"{speaker.key} [{body.id if body else ''}]", "correct": bool(right),
                                                   "right_speaker": bool(right_speaker), "x": [h.get(name, 0.0) for name in FEATURES]})
            null = {name: 0.0 for name in FEATURES}
            null.update(null=1.0, null_rules_none=float(rule_got is None), null_reported=float(kind == "reported"))
            item["candidates"].append({"name": None, "correct": False, "right_speaker": False, "x": [null[name] for name in FEATURES]})
    return items


def extract(out: Path, with_bodies: bool = True) -> None:
    items = []
    for batch, article in dev_articles():
        items += article_items(batch, article, with_bodies)
    out.write_text(json.dumps({"features": FEATURES, "items": items}), encoding="utf-8")
    print(f"{len(items)} gold items of {len({i['article'] for i in items})} development articles -> {out}")


# -- the ranker ---------------------------------------------------------------------------------


def _arrays(items):
    """Stacked features, the item each row belongs to, and which rows are right (null is right when no candidate is)."""
    rows, owner, right = [], [], []
    for n, item in enumerate(items):
        any_correct = any(c["correct"] for c in item["candidates"])
        for c in item["candidates"]:
            rows.append(c["x"])
            owner.append(n)
            right.append(c["correct"] or (c["name"] is None and not any_correct))
    return np.asarray(rows, float), np.asarray(owner), np.asarray(right, bool)


def fit(items, penalty: float = 1.0) -> np.ndarray:
    """Weights of a conditional logit: maximise the log probability of the right candidates of each item."""
    X, owner, right = _arrays([i for i in items if i["candidates"]])
    groups = owner.max() + 1

    def loss(w):
        s = X @ w
        peak = np.full(groups, -np.inf)
        np.maximum.at(peak, owner, s)
        e = np.exp(s - peak[owner])
        total = np.bincount(owner, e, groups)
        good = np.bincount(owner, e * right, groups)
        value = -np.sum(np.log(good) - np.log(total)) + 0.5 * penalty * w @ w
        p_all = e / total[owner]
        p_good = np.where(right, e / good[owner], 0.0)
        return value, X.T @ (p_all - p_good) + penalty * w

    result = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B")
    return result.x


def choose(item, w) -> tuple[dict | None, float]:
    """The ranker's candidate (``None``: nobody) and its probability."""
    if not item["candidates"]:
        return None, 1.0
    scores = np.array([np.dot(w, c["x"]) for c in item["candidates"]])
    p = np.exp(scores - scores.max())
    p /= p.sum()
    best = int(np.argmax(p))
    return item["candidates"][best] if item["candidates"][best]["name"] is not None else None, float(p[best])


def score(items, w, mode: str, threshold: float = 0.0) -> tuple[int, int, int]:
    """(correct, made, wanted) over the items.

    ``rules``: the rules alone; ``ranker``: the ranker alone; ``fallback``: the rules, and the ranker
    where the rules say nobody and the ranker is at least ``threshold`` sure; ``override``: the
    ranker wherever it names someone with at least ``threshold`` probability, else the rules.
    """
    correct = made = 0
    for item in items:
        rules = (item["rules_made"], item["rules_correct"])
        got, p = choose(item, w) if mode != "rules" else (None, 0.0)
        ranker = (got is not None, bool(got and got["correct"]))
        if mode == "rules":
            pick = rules
        elif mode == "ranker":
            pick = ranker
        elif mode == "fallback":
            pick = rules if item["rules_made"] or got is None or p < threshold else ranker
        else:
            pick = ranker if got is not None and p >= threshold else rules
        made += pick[0]
        correct += pick[1]
    return correct, made, len(items)


def _fmt(t):
    c, m, n = t
    return f"{c / m if m else 1:.3f} / {c / n:.3f} ({c}/{m}/{n})"


def without(items, names: set[str], features) -> list[dict]:
    """The items with the named features set to zero (a ranker that does not see them)."""
    drop = [n for n, f in enumerate(features) if f in names]
    for item in items:
        for c in item["candidates"]:
            for n in drop:
                c["x"][n] = 0.0
    return items


def _gain_interval(per_article: np.ndarray, mode: int, draws: int = 2000) -> str:
    """Bootstrap interval (articles resampled, seeded) of mode's gain over the rules (mode 0)."""
    rng = np.random.default_rng(19)
    picks = rng.integers(0, len(per_article), size=(draws, len(per_article)))
    sums = per_article[picks].sum(axis=1)  # draws x modes x (correct, made)
    right = sums[:, mode, 0] - sums[:, 0, 0]
    precision = sums[:, mode, 0] / sums[:, mode, 1] - sums[:, 0, 0] / sums[:, 0, 1]
    lo, hi = np.percentile(right, [2.5, 97.5])
    p_lo, p_hi = np.percentile(precision, [2.5, 97.5])
    return f"{lo:+.0f} to {hi:+.0f}; {p_lo:+.3f} to {p_hi:+.3f}"


RULE_FEATURES = {"rule", "rule_reported", "rule_in_sentence"}
MODES = (("rules", 0.0), ("ranker", 0.0), ("fallback", 0.0), ("fallback", 0.7), ("fallback", 0.9), ("override", 0.7), ("override", 0.9))


def evaluate(specs: list[tuple[Path, str]], penalties: list[float]) -> None:
    """Leave-one-batch-out: for each (features file, batch), fit on the file's other batches, score that batch."""
    loaded = {path: json.loads(path.read_text(encoding="utf-8")) for path, _ in specs}
    header = " | ".join(f"{m}{f' >= {t}' if t else ''}" for m, t in MODES)
    for penalty in penalties:
        for sees_rules in (True, False):
            print(f"\npenalty {penalty}, ranker {'sees' if sees_rules else 'does not see'} the rules' choice; P / R (correct/made/wanted)\n")
            print(f"| held-out batch | features from | {header} |")
            print("|" + " --- |" * (len(MODES) + 2))
            totals = np.zeros((len(MODES), 3), int)
            per_article = []  # (correct, made) of every mode, per held-out article
            for path, batch in specs:
                data = loaded[path]
                items = without(json.loads(json.dumps(data["items"])), set() if sees_rules else RULE_FEATURES, data["features"])
                w = fit([i for i in items if i["batch"] != batch], penalty)
                test = [i for i in items if i["batch"] == batch]
                results = [score(test, w, m, t) for m, t in MODES]
                totals += np.array(results)
                print(f"| {batch} | {path.stem} | " + " | ".join(_fmt(r) for r in results) + " |")
                for article in dict.fromkeys(i["article"] for i in test):
                    mine = [i for i in test if i["article"] == article]
                    per_article.append([score(mine, w, m, t)[:2] for m, t in MODES])
            print("| all | | " + " | ".join(_fmt(tuple(t)) for t in totals) + " |")
            print("| 95% interval of the gain in right attributions, and in precision, against the rules (bootstrap over articles) | | "
                  + " | ".join(_gain_interval(np.array(per_article, float), n) for n in range(len(MODES))) + " |")
    print("\nWhere the rules go wrong or say nobody, and what the candidates offer:\n")
    print("| batch | items | rules wrong or missing | right speaker and body offered | right speaker offered, only with a wrong body | right speaker not offered | best any ranker could do (recall) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path, batch in specs:
        test = [i for i in loaded[path]["items"] if i["batch"] == batch]
        wrong = [i for i in test if not i["rules_correct"]]
        offered = sum(any(c["correct"] for c in i["candidates"]) for i in wrong)
        body_only = sum(not any(c["correct"] for c in i["candidates"]) and any(c["right_speaker"] for c in i["candidates"]) for i in wrong)
        ceiling = sum(i["rules_correct"] or any(c["correct"] for c in i["candidates"]) for i in test)
        print(f"| {batch} | {len(test)} | {len(wrong)} | {offered} | {body_only} | {len(wrong) - offered - body_only} | {ceiling / len(test):.3f} ({ceiling}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("features")
    p.add_argument("out", type=Path)
    p.add_argument("--without-bodies", action="store_true", help="offer each speaker only with the body the rules linked")
    p = sub.add_parser("evaluate")
    p.add_argument("specs", nargs="+", help="FEATURES.json:BATCH (hold that batch out of that file's items)")
    p.add_argument("--penalty", type=float, action="append", help="L2 penalty (repeatable; default 1)")
    args = parser.parse_args()
    if args.command == "features":
        extract(args.out, not args.without_bodies)
    else:
        specs = []
        for spec in args.specs:
            path, _, batch = spec.rpartition(":")
            if batch not in BATCHES:
                parser.error(f"{spec}: the batch must be one of {', '.join(BATCHES)}")
            specs.append((Path(path), batch))
        evaluate(specs, args.penalty or [1.0])


if __name__ == "__main__":
    main()
