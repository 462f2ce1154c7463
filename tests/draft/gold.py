"""Scoring `detente draft` against the hand-annotated gold set of real articles (tests/data/draft/gold).

Definitions (fixed before any rule was tuned on the development half):

- **Attribution** (direct and reported quotes together): a gold item is found when the draft has a
  quote starting with its first words (for reported speech: a reported or position statement whose
  sentence contains them). It is *correct* when the draft's speaker is the gold speaker and the
  body that speaker stands for is the gold actor (no body when the gold actor is ``null``).
  Precision = correct / gold items the draft attributes to someone; recall = correct / gold items.
- **Actor recall**: gold actors named anywhere in the draft's cast (states, organisations, blocs,
  parties, firms, unions), compared by id, name or alias.
- **Figure recall**: gold figures overlapped by a figure the draft found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from detente.draft import draft_text

GOLD = Path(__file__).resolve().parents[1] / "data" / "draft" / "gold"


@dataclass
class Article:
    id: str
    text: str
    quotes: list[tuple[str, str, str | None]]
    reported: list[tuple[str, str, str | None]]
    actors: list[str]
    figures: list[str]
    issues: list[str]


def _triple(entry: str) -> tuple[str, str, str | None]:
    start, speaker, actor = (part.strip() for part in entry.split(" | "))
    return start, speaker, None if actor == "null" else actor


def load(half: str) -> list[Article]:
    """The articles of one half of the gold set (``dev`` or ``test``)."""
    split = yaml.safe_load((GOLD / "split.yaml").read_text(encoding="utf-8"))
    wanted = set(split[half])
    articles = []
    for path in sorted(GOLD.glob("*.yaml")):
        if path.name == "split.yaml":
            continue
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            if entry["id"] in wanted:
                articles.append(Article(
                    entry["id"], entry["text"], [_triple(q) for q in entry["quotes"]], [_triple(r) for r in entry["reported"]],
                    [str(a) for a in entry["actors"]], [str(f) for f in entry["figures"]], entry["issues"],
                ))
    assert {a.id for a in articles} == wanted, wanted - {a.id for a in articles}
    return articles


def norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").lower()
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip())
    return re.sub(r"\s+", " ", text)


def same_speaker(gold: str, speaker) -> bool:
    if speaker is None:
        return False
    gold_n = norm(gold)
    if speaker.kind == "named":
        key = norm(speaker.key)
        return key == gold_n or key.endswith(" " + gold_n) or gold_n.endswith(" " + key.split()[-1]) and key.split()[-1] == gold_n.split()[-1] and len(gold_n.split()) == 1
    found = norm(speaker.text)
    return bool(found) and (found in gold_n or gold_n in found)


def body_names(body, lexicon) -> set[str]:
    names = {norm(body.id), norm(body.name)}
    names |= {norm(alias) for alias, (code, _) in lexicon.aliases.items() if code == body.id and len(alias) > 2}
    return names


def same_actor(gold: str | None, speaker, lexicon) -> bool:
    bodies = [b for b in speaker.bodies if b.kind in {"state", "organisation", "bloc", "experts"}]
    if gold is None:
        return not [b for b in bodies if b.kind != "experts"]
    if not bodies:
        return False
    return any(norm(alt) in body_names(bodies[0], lexicon) for alt in gold.split("/"))


@dataclass
class Tally:
    correct: int = 0
    made: int = 0
    wanted: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.correct += other.correct
        self.made += other.made
        self.wanted += other.wanted
        self.misses += other.misses

    @property
    def precision(self) -> float:
        return self.correct / self.made if self.made else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.wanted if self.wanted else 1.0


def attribution(article: Article, draft, only: str | None = None) -> Tally:
    """Attribution of the gold quotes and reported statements (``only``: "quote" or "reported")."""
    tally = Tally()
    lexicon = draft.lexicon
    quotes = draft.quotes + draft.terms
    reported = [s for s in draft.statements if s.kind in {"reported", "position"} and s.speaker is not None]
    for kind, items in (("quote", article.quotes), ("reported", article.reported)):
        if only is not None and kind != only:
            continue
        for start, speaker, actor in items:
            if kind == "quote":
                found = next((s for s in quotes if norm(s.text).startswith(norm(start))), None)
            else:
                candidates = [s for s in reported + quotes if norm(start) in norm(s.sentence.text) and s.speaker is not None]
                found = next((s for s in candidates if same_speaker(speaker, s.speaker)), candidates[0] if candidates else None)
            tally.wanted += 1
            got = found.speaker if found is not None else None
            if got is not None:
                tally.made += 1
            if got is not None and same_speaker(speaker, got) and same_actor(actor, got, lexicon):
                tally.correct += 1
            else:
                shown = None if got is None else f"{got.key} [{','.join(b.id for b in got.bodies)}]"
                tally.misses.append(f"{article.id} {kind} {start!r}: want {speaker} [{actor}], got {shown}")
    return tally


def actors_found(draft) -> set[str]:
    names: set[str] = set()
    for body in draft.cast.actors_named():
        names |= body_names(body, draft.lexicon)
    return names


def actor_recall(article: Article, draft) -> Tally:
    names = actors_found(draft)
    tally = Tally(wanted=len(article.actors))
    for actor in article.actors:
        if any(norm(alt) in names for alt in actor.split("/")):
            tally.correct += 1
        else:
            tally.misses.append(f"{article.id} actor {actor}")
    tally.made = tally.wanted
    return tally


def figure_recall(article: Article, draft) -> Tally:
    tally = Tally(wanted=len(article.figures))
    spans = [(f.start, f.end) for f in draft.figures]
    cursor = 0
    for figure in article.figures:
        at = article.text.find(figure, cursor)
        if at < 0:
            at = article.text.find(figure)
        cursor = at + 1
        if any(a < at + len(figure) and at < b for a, b in spans):
            tally.correct += 1
        else:
            tally.misses.append(f"{article.id} figure {figure!r}")
    tally.made = tally.wanted
    return tally


def evaluate(half: str) -> dict[str, Tally]:
    """Attribution, actor and figure tallies over one half of the gold set."""
    totals = {"attribution": Tally(), "quotes": Tally(), "reported": Tally(), "actors": Tally(), "figures": Tally()}
    for article in load(half):
        draft = draft_text(article.text, "txt")
        totals["attribution"].add(attribution(article, draft))
        totals["quotes"].add(attribution(article, draft, "quote"))
        totals["reported"].add(attribution(article, draft, "reported"))
        totals["actors"].add(actor_recall(article, draft))
        totals["figures"].add(figure_recall(article, draft))
    return totals


if __name__ == "__main__":
    import sys

    half = sys.argv[1] if len(sys.argv) > 1 else "dev"
    results = evaluate(half)
    for name, tally in results.items():
        print(f"{name}: P {tally.precision:.3f} R {tally.recall:.3f} ({tally.correct}/{tally.made}/{tally.wanted})")
    if "-v" in sys.argv:
        for tally in results.values():
            print("\n".join(tally.misses))
