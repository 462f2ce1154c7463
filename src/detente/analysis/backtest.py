"""Backtests: how close each model came on cases whose real outcome is known.

A *case* is a scenario whose issues carry a known ``outcome`` (a number on the issue's scale, or
the label of the winning anchor for a categorical choice) and an ``outcome_source``. The harness
runs every chosen model on every case and puts forecast and outcome on one common scale,

    error_k = (forecast_k − outcome_k) / (hi_k − lo_k) · 100          (points on 0..100)

then summarises the absolute errors per model: mean absolute error, root mean square error,
median, and the share within 5, 10 and 20 points, the accuracy measures of the EU
decision-making literature (Thomson, Stokman, Achen & König 2006; docs/models/specification.md §5.4). Each model is
compared with a reference model (the compromise model) by the paired difference of absolute
errors on the issues both forecast, with a seeded percentile-bootstrap interval (Efron &
Tibshirani 1993, ch. 13). Issues negotiated together (the issues of one EU proposal) are
resampled together, because their errors are not independent.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from detente.errors import Problem, ScenarioError, UsageError
from detente.models.base import Model
from detente.scenario import Issue, Scenario

REFERENCE_MODEL = "compromise"
WITHIN = (5.0, 10.0, 20.0)
THIRD_PARTY = "third-party coding"
BOOTSTRAP_DRAWS = 2000
_TOLERANCE = 1e-9


# -- cases -----------------------------------------------------------------------------------------


def outcome_value(issue: Issue) -> float:
    """The issue's known outcome on its scale: the number, or for a categorical choice the point of
    the anchor whose label names the winning option (case-insensitive); NaN when unknown."""
    outcome = issue.outcome
    if outcome is None:
        return math.nan
    if not isinstance(outcome, str):
        return float(outcome)
    wanted = outcome.strip().lower()
    for point, label in issue.anchors.items():
        if label.strip().lower() == wanted:
            return float(point)
    try:
        return float(wanted)
    except ValueError:
        labels = ", ".join(repr(t) for _, t in issue.sorted_anchors()) or "none"
        raise UsageError(
            f"issue {issue.id!r}: outcome {outcome!r} is neither a number nor the label of one of its anchors ({labels})"
        ) from None


@dataclass(frozen=True)
class Case:
    """A scenario with known outcomes.

    ``outcomes`` holds one value per issue in the issue's units (NaN where unknown). ``groups``
    labels the case for split tables (e.g. ``{"procedure": "COD"}``). With ``resample_together``
    the bootstrap draws the case's issues as one unit (issues of one EU proposal). ``states``
    holds, per issue, the latest "state of the talks" of the series' history
    (:class:`~detente.io.history.Event`, or None) for issues without an outcome: forecasts are
    shown against it, never scored as against an outcome.
    """

    scenario: Scenario
    outcomes: np.ndarray
    groups: Mapping[str, str] = field(default_factory=dict)
    resample_together: bool = False
    states: tuple[Any, ...] = ()

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def n_known(self) -> int:
        """How many issues have a known outcome."""
        return int(np.isfinite(self.outcomes).sum())

    def outcome_source(self, k: int) -> str:
        return self.scenario.issues[k].outcome_source or self.scenario.outcome_source or ""

    def third_party(self, k: int) -> bool:
        """True when the outcome is a third party's judgement rather than a documented fact."""
        return THIRD_PARTY in self.outcome_source(k).lower()


def case_from_scenario(scenario: Scenario, groups: Mapping[str, str] | None = None, resample_together: bool = False) -> Case:
    """A case from a scenario whose issues carry ``outcome:``; an error if none does."""
    outcomes = np.array([outcome_value(issue) for issue in scenario.issues])
    if np.isnan(outcomes).all():
        raise UsageError(
            f"{scenario.origin or scenario.id}: no issue has a known outcome; add `outcome:` to the issues "
            "(and `outcome_source:`) to use it as a backtest case"
        )
    return Case(scenario, outcomes, dict(groups or {}), resample_together)


def case_from_history(scenario: Scenario, history: Any) -> Case:
    """A case from a snapshot and its series' history: an issue's outcome is the history's outcome
    dated after the snapshot (the issue's own ``outcome:`` wins when given); an issue without one
    keeps the latest state of the talks after the snapshot, shown apart from the scores."""
    after = scenario.as_of
    issues, states = [], []
    for issue in scenario.issues:
        data = issue.model_dump(mode="python", exclude_none=True)
        settled = history.outcome(issue.id, after) if issue.outcome is None else None
        if settled is not None:
            data["outcome"] = settled.value
            data["outcome_source"] = _history_citation(history, settled)
        issues.append(data)
        states.append(history.latest_state(issue.id, after) if issue.outcome is None and settled is None else None)
    if all(i.get("outcome") is None for i in issues) and not any(states):
        raise UsageError(f"{scenario.id}: the history of {history.series!r} has no outcome or state of the talks for its issues after {after}")
    updated = scenario.with_updates(issues=issues)
    outcomes = np.array([outcome_value(issue) for issue in updated.issues])
    return Case(updated, outcomes, states=tuple(states))


def _history_citation(history: Any, event: Any) -> str:
    cited = [history.source(e.source) for e in event.evidence if e.source]
    sources = "; ".join(dict.fromkeys(f"{s.publisher}, \"{s.title}\", {s.date}, {s.url}" for s in cited if s is not None))
    return f"{history.series} history, {event.date}: {event.title} ({sources})"


def shared_dir() -> Path | None:
    """The reference data kept beside the project (``shared/``): ``$DETENTE_SHARED``, else the
    repository root's sibling, else the working folder's sibling; None when absent."""
    candidates = [os.environ.get("DETENTE_SHARED")]
    candidates.append(str(Path(__file__).resolve().parents[3].parent / "shared"))
    candidates.append(str(Path.cwd().parent / "shared"))
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def _case_definitions_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("detente") / "data" / "cases"))


def load_case_definition(path: str | Path) -> Case:
    """A case whose scenario is a data file kept outside detente (e.g. GPL data in ``shared/``).

    The definition (YAML) names ``data:`` (a path inside the shared folder, or an absolute path),
    ``outcome_source:`` and ``outcomes:``, per issue id a value or ``{value:, source:}`` (the
    issue's own outcome source); detente holds only these codings.
    Raises :class:`UsageError` naming what is missing when the data file is not available.
    """
    import yaml

    from detente.io import load

    path = Path(path)
    try:
        definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UsageError(f"{path}: cannot read the case definition: {error}") from None
    if not isinstance(definition, dict) or not definition.get("data") or not isinstance(definition.get("outcomes"), dict):
        raise UsageError(f"{path}: a case definition needs `data:` (the scenario file) and `outcomes:` (issue: value)")
    data = Path(definition["data"])
    if not data.is_absolute():
        base = shared_dir()
        if base is None:
            raise UsageError(f"{path.name}: needs the shared reference data folder ({definition['data']}); set DETENTE_SHARED to it")
        data = base / data
    if not data.exists():
        raise UsageError(f"{path.name}: the data file {data} is not available")
    scenario = load(data)
    outcomes = definition.get("outcomes") or {}
    unknown = sorted(set(outcomes) - set(scenario.issue_ids))
    if unknown:
        raise ScenarioError([Problem(f"outcome for unknown issue {k!r} (issues: {', '.join(scenario.issue_ids)})", file=str(path)) for k in unknown], str(path))
    issues = []
    for issue in scenario.issues:
        data_issue = issue.model_dump(mode="python", exclude_none=True)
        coding = outcomes.get(issue.id)
        if isinstance(coding, dict):
            data_issue["outcome"] = coding.get("value")
            if coding.get("source"):
                data_issue["outcome_source"] = coding["source"]
        elif coding is not None:
            data_issue["outcome"] = coding
        issues.append(data_issue)
    changes: dict[str, Any] = {"issues": issues, "outcome_source": definition.get("outcome_source")}
    for key in ("id", "title", "description"):
        if definition.get(key):
            changes[key] = definition[key]
    return case_from_scenario(scenario.with_updates(**changes))


def bundled_cases() -> tuple[list[Case], list[str]]:
    """The cases shipped with detente: every bundled scenario with outcomes, plus the case
    definitions whose data is read from the shared folder. Returns the cases and, for each
    definition that could not be loaded, the reason."""
    from detente.io import bundled

    cases = [case_from_scenario(s) for s in bundled() if s.has_outcomes]
    skipped = []
    folder = _case_definitions_dir()
    for definition in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            cases.append(load_case_definition(definition))
        except (UsageError, ScenarioError) as error:
            skipped.append(f"{definition.stem}: {error}")
    return cases, skipped


def load_cases(sources: Sequence[str]) -> tuple[list[Case], list[str]]:
    """Cases from scenario files or bundled ids (or case definitions); none given: the bundled cases."""
    if not sources:
        return bundled_cases()
    from detente.io import load

    cases = []
    for source in sources:
        path = Path(source)
        if path.suffix.lower() in {".yaml", ".yml"} and path.exists() and _is_case_definition(path):
            cases.append(load_case_definition(path))
        else:
            cases.append(_case_of(load(source)))
    return cases, []


def _case_of(scenario: Scenario) -> Case:
    """A scenario with outcomes is a case; a snapshot of a series with a history takes its outcomes
    (and states of the talks) from that history."""
    from detente.io.history import history_for

    if scenario.has_outcomes:
        return case_from_scenario(scenario)
    history = history_for(scenario)
    return case_from_history(scenario, history) if history is not None else case_from_scenario(scenario)


def _is_case_definition(path: Path) -> bool:
    import yaml

    try:
        head = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return False
    return isinstance(head, dict) and "data" in head and "outcomes" in head and "actors" not in head


# -- metrics ---------------------------------------------------------------------------------------


def scaled_errors(forecast: Any, outcome: Any, lo: Any, hi: Any) -> np.ndarray:
    """Signed errors in points of the 0..100 scale: ``(forecast − outcome) / (hi − lo) · 100``."""
    forecast, outcome = np.asarray(forecast, dtype=float), np.asarray(outcome, dtype=float)
    return (forecast - outcome) / (np.asarray(hi, dtype=float) - np.asarray(lo, dtype=float)) * 100.0


def accuracy(abs_errors: Any) -> dict[str, float]:
    """Summary of absolute errors (NaN entries ignored): ``n``, ``mae`` = mean |e|, ``rmse`` =
    sqrt(mean e²), ``median`` |e|, and ``within_5/10/20`` = share with |e| <= 5, 10, 20 points."""
    errors = np.abs(np.asarray(abs_errors, dtype=float))
    errors = errors[np.isfinite(errors)]
    n = len(errors)
    result: dict[str, float] = {"n": n}
    if n == 0:
        result.update(mae=math.nan, rmse=math.nan, median=math.nan, **{f"within_{t:g}": math.nan for t in WITHIN})
        return result
    result["mae"] = float(errors.mean())
    result["rmse"] = float(np.sqrt(np.mean(errors**2)))
    result["median"] = float(np.median(errors))
    for threshold in WITHIN:
        result[f"within_{threshold:g}"] = float(np.mean(errors <= threshold + _TOLERANCE))
    return result


@dataclass(frozen=True)
class Interval:
    """A point estimate with a (percentile-bootstrap) interval."""

    estimate: float
    low: float
    high: float


def paired_bootstrap(
    differences: Any, clusters: Any = None, draws: int = BOOTSTRAP_DRAWS, seed: int | np.random.Generator = 0, level: float = 0.95
) -> Interval:
    """Mean of paired differences with a percentile bootstrap interval.

    Clusters (default: every difference its own) are drawn with replacement, ``draws`` times, from
    a ``numpy.random.default_rng(seed)``; each draw's statistic is the mean over the issues of the
    drawn clusters, ``Σ_c D_c / Σ_c n_c``. The interval is the ``(1 ± level)/2`` quantiles of
    the draws; NaN when fewer than two clusters.
    """
    differences = np.asarray(differences, dtype=float)
    labels = np.arange(len(differences)) if clusters is None else np.asarray(clusters)
    keep = np.isfinite(differences)
    differences, labels = differences[keep], labels[keep]
    if len(differences) == 0:
        return Interval(math.nan, math.nan, math.nan)
    estimate = float(differences.mean())
    _, index = np.unique(labels, return_inverse=True)
    sums = np.bincount(index, weights=differences)
    counts = np.bincount(index).astype(float)
    if len(sums) < 2:
        return Interval(estimate, math.nan, math.nan)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    picks = rng.integers(0, len(sums), size=(draws, len(sums)))
    statistics = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(statistics, [tail, 1 - tail])
    return Interval(estimate, float(low), float(high))


# -- scoring ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A model that could not forecast a case, and why."""

    model: str
    case: str
    message: str


@dataclass
class Backtest:
    """Every model's forecast, outcome and error on every issue with a known outcome.

    ``records`` has one row per model, case and issue: ``forecast`` and ``outcome`` in the issue's
    units, ``error`` (signed, issue units), ``error_100`` (signed, 0..100 points), ``abs_error``
    (0..100 points), the bootstrap ``cluster`` and the case's group labels. ``skipped`` lists
    cases (or data cells) left out, with the reason. ``states`` has the same columns for the
    issues without an outcome that have a state of the talks (``state`` in place of ``outcome``,
    with ``state_date``): they never enter the accuracy summary.
    """

    records: pd.DataFrame
    models: list[str]
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    inputs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    """Per (case, issue) scored: the issue features (``spread``, ``dispersion``), the actors'
    ``positions`` on 0..100 and the issue's band ``edges`` on 0..100, for the error models."""
    states: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The forecasts beside the latest state of the talks, for issues without an outcome (never scored)."""

    def summary(self, by: str | None = None, reference: str = REFERENCE_MODEL, draws: int = BOOTSTRAP_DRAWS, seed: int = 0) -> pd.DataFrame:
        """One row per model (and per value of the group ``by``, after the row for all issues):
        accuracy measures and the paired difference of MAE to ``reference`` with its interval."""
        parts = [("all", self.records)]
        if by is not None:
            if by not in self.records.columns:
                raise UsageError(f"cannot split by {by!r}: the cases have no such label")
            parts += [(str(value), frame) for value, frame in self.records.groupby(by, sort=True)]
        rows = []
        for label, frame in parts:
            for model in self.models:
                row: dict[str, Any] = {} if by is None else {by: label}
                row["model"] = model
                mine = frame[frame.model == model]
                row.update(accuracy(mine.abs_error))
                row["no_forecast"] = int(mine.forecast.isna().sum())
                row["failed"] = sum(1 for f in self.failures if f.model == model)
                row.update(self._versus(frame, model, reference, draws, seed))
                rows.append(row)
        return pd.DataFrame(rows)

    def _versus(self, frame: pd.DataFrame, model: str, reference: str, draws: int, seed: int) -> dict[str, float]:
        empty = {"vs_reference": math.nan, "vs_low": math.nan, "vs_high": math.nan}
        if model == reference or reference not in self.models:
            return empty
        keys = ["case", "issue"]
        mine = frame.loc[frame.model == model, keys + ["abs_error", "cluster"]]
        theirs = frame.loc[frame.model == reference, keys + ["abs_error"]]
        joined = mine.merge(theirs, on=keys, suffixes=("", "_ref")).dropna()
        if joined.empty:
            return empty
        interval = paired_bootstrap(joined.abs_error - joined.abs_error_ref, joined.cluster.to_numpy(), draws, seed)
        return {"vs_reference": interval.estimate, "vs_low": interval.low, "vs_high": interval.high}

    def detail(self) -> pd.DataFrame:
        return self.records.copy()

    def to_frame(self) -> pd.DataFrame:
        """Accuracy per model (:meth:`summary` with its defaults); :meth:`detail` has every forecast."""
        return self.summary()

    def __repr__(self) -> str:
        cases = self.records["case"].nunique() if "case" in self.records else 0
        return f"<Backtest {', '.join(self.models)} on {cases} case{'s' if cases != 1 else ''}, {len(self.records)} forecasts>"

    def _repr_html_(self) -> str:
        from detente.report.notebook import backtest_html

        return backtest_html(self)

    def forecasts(self, model: str) -> pd.Series:
        """One model's forecasts on 0..100 keyed by (case, issue), for combining models."""
        mine = self.records[self.records.model == model]
        values = (mine.forecast - mine.lo) / (mine.hi - mine.lo) * 100
        return pd.Series(values.to_numpy(), index=pd.MultiIndex.from_frame(mine[["case", "issue"]]))

    def to_json(self, by: str | None = None, reference: str = REFERENCE_MODEL, draws: int = BOOTSTRAP_DRAWS, seed: int = 0, detail: bool = False) -> dict[str, Any]:
        summary = self.summary(by, reference, draws, seed)
        data: dict[str, Any] = {
            "reference": reference,
            "bootstrap": {"draws": draws, "seed": seed, "level": 0.95},
            "summary": _json_records(summary),
            "failures": [f.__dict__ for f in self.failures],
            "skipped": list(self.skipped),
        }
        if detail:
            data["detail"] = _json_records(self.records)
        if not self.states.empty:
            data["against_state_of_talks"] = {
                "note": "not outcomes: the latest state of the talks on issues not settled yet; never part of the summary",
                "detail": _json_records(self.states),
            }
        return data


def _json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = []
    for row in frame.to_dict("records"):
        records.append({k: (None if isinstance(v, float) and math.isnan(v) else (round(v, 6) if isinstance(v, float) else v)) for k, v in row.items()})
    return records


def all_model_names() -> list[str]:
    """Every registered model, in registry order (the default set of a backtest)."""
    from detente import models as registry

    return list(registry.registry())


def run_backtest(
    cases: Iterable[Case],
    models: Iterable[str | Model] | None = None,
    settings: Iterable[str] = (),
    skipped: Iterable[str] = (),
) -> Backtest:
    """Run each model on each case and record forecast, outcome and error per issue.

    ``models`` defaults to every registered model. A model that raises on a case is recorded in
    ``failures`` (model, case, message) and the run goes on; a forecast that is NaN counts as no
    forecast for that issue.
    """
    from detente.forecast import resolve_models

    from detente.models.predictive import issue_edges, issue_features, positions_100

    chosen = resolve_models(list(models) if models else all_model_names(), settings)
    rows: list[dict[str, Any]] = []
    state_rows: list[dict[str, Any]] = []
    failures: list[Failure] = []
    inputs: dict[tuple[str, str], dict[str, Any]] = {}
    for case in cases:
        scenario = case.scenario
        lo = np.array([i.lo for i in scenario.issues])
        hi = np.array([i.hi for i in scenario.issues])
        known = np.flatnonzero(~np.isnan(case.outcomes))
        batch = scenario.batch()
        features, positions, edges = issue_features(batch)[0], positions_100(batch), issue_edges(scenario.issues)
        for k in known:
            inputs[(case.id, scenario.issues[k].id)] = {"features": features[k], "positions": positions[k], "edges": edges[k]}
        for model in chosen:
            try:
                values = np.asarray(model.run(scenario).values, dtype=float)
            except Exception as error:  # a failing model is reported, never fatal to the backtest
                failures.append(Failure(model.name, case.id, f"{type(error).__name__}: {error}"))
                continue
            signed = scaled_errors(values, case.outcomes, lo, hi)
            for k in known:
                issue = scenario.issues[k]
                rows.append(
                    {
                        "model": model.name,
                        "case": case.id,
                        "issue": issue.id,
                        **case.groups,
                        "forecast": float(values[k]),
                        "outcome": float(case.outcomes[k]),
                        "error": float(values[k] - case.outcomes[k]),
                        "error_100": float(signed[k]),
                        "abs_error": float(abs(signed[k])),
                        "lo": issue.lo,
                        "hi": issue.hi,
                        "cluster": case.id if case.resample_together else f"{case.id}/{issue.id}",
                        "third_party": case.third_party(k),
                        "source": case.outcome_source(k),
                    }
                )
            for k, state in enumerate(case.states):
                if state is None:
                    continue
                issue = scenario.issues[k]
                gap = float(scaled_errors(values[k], state.value, issue.lo, issue.hi))
                state_rows.append(
                    {
                        "model": model.name, "case": case.id, "issue": issue.id, "forecast": float(values[k]), "state": float(state.value),
                        "state_date": state.date.isoformat(), "error": float(values[k] - state.value), "error_100": gap, "abs_error": abs(gap),
                        "lo": issue.lo, "hi": issue.hi, "title": state.title,
                    }
                )
    columns = ["model", "case", "issue", "forecast", "outcome", "error", "error_100", "abs_error", "lo", "hi", "cluster", "third_party", "source"]
    records = pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
    return Backtest(records, [m.name for m in chosen], failures, list(skipped), inputs, pd.DataFrame(state_rows))


def deu_cases(path: str | Path, capability: str = "gdp") -> tuple[list[Case], Any]:
    """The scoreable proposals of a DEU file as cases (grouped by procedure, issues of a proposal
    resampled together) and the :class:`~detente.io.deu.DeuData` read."""
    from detente.io.deu import CAPABILITIES, read_deu

    if capability not in CAPABILITIES:
        raise UsageError(f"unknown capability {capability!r}; choose one of {', '.join(CAPABILITIES)}")
    data = read_deu(path)
    cases = [
        case_from_scenario(p.scenario, {"procedure": p.procedure or "unknown"}, resample_together=True)
        for p in data.proposals(capability)  # type: ignore[arg-type]
        if p.scenario.has_outcomes
    ]
    return cases, data


# -- choosing ensemble weights ---------------------------------------------------------------------


def simplex_weights(forecasts: Any, outcomes: Any) -> np.ndarray:
    """Weights ``w >= 0`` with ``Σ w = 1`` that minimise the absolute error ``Σ_i |Σ_j w_j f_ij − y_i|``.

    A linear programme (least absolute deviations on the simplex): minimise ``Σ t_i`` subject to
    ``−t ≤ F w − y ≤ t``, solved with SciPy's HiGHS. ``forecasts`` is (issues, members).
    """
    from scipy.optimize import linprog

    f = np.asarray(forecasts, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    n, m = f.shape
    cost = np.concatenate([np.zeros(m), np.ones(n)])
    upper = np.block([[f, -np.eye(n)], [-f, -np.eye(n)]])
    bounds = np.concatenate([y, -y])
    equal = np.concatenate([np.ones(m), np.zeros(n)])[None, :]
    solution = linprog(cost, A_ub=upper, b_ub=bounds, A_eq=equal, b_eq=[1.0], bounds=[(0, None)] * (m + n), method="highs")
    if not solution.success:
        raise UsageError(f"could not fit ensemble weights: {solution.message}")
    weights = np.clip(solution.x[:m], 0.0, None)
    return weights / weights.sum()


def member_table(backtest: Backtest, members: Sequence[str]) -> pd.DataFrame:
    """Members' forecasts (0..100) side by side with the outcome and the bootstrap cluster, one row
    per issue that every member forecast."""
    records = backtest.records
    first = records[records.model == members[0]].set_index(["case", "issue"])
    table = pd.DataFrame({"outcome": (first.outcome - first.lo) / (first.hi - first.lo) * 100, "cluster": first.cluster})
    for member in members:
        table[member] = backtest.forecasts(member)
    return table.dropna()


def grouped_folds(clusters: Sequence[str], folds: int, seed: int) -> np.ndarray:
    """A fold number per row such that the rows of one cluster share a fold; clusters are shuffled
    with ``numpy.random.default_rng(seed)`` and dealt round-robin."""
    labels, index = np.unique(np.asarray(clusters), return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(labels))
    fold_of_label = np.empty(len(labels), dtype=int)
    fold_of_label[order] = np.arange(len(labels)) % folds
    return fold_of_label[index]


@dataclass(frozen=True)
class Combination:
    """An ensemble candidate: which members, combined how (mean, median or fitted weights)."""

    members: tuple[str, ...]
    combine: str = "mean"

    @property
    def label(self) -> str:
        return f"{self.combine} of {'+'.join(self.members)}" if len(self.members) > 1 else self.members[0]

    def fit_predict(self, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
        """Forecasts for ``test`` (0..100), weights fitted on ``train`` only when combining by weights."""
        from detente.models.ensemble import combine_forecasts

        columns = list(self.members)
        if self.combine == "weights":
            return test[columns].to_numpy() @ simplex_weights(train[columns].to_numpy(), train.outcome.to_numpy())
        return combine_forecasts(test[columns].to_numpy().T, self.combine)


def _cv_errors(table: pd.DataFrame, candidate: Combination, fold: np.ndarray) -> np.ndarray:
    """Out-of-fold absolute errors of one candidate."""
    errors = np.empty(len(table))
    for k in np.unique(fold):
        test = fold == k
        errors[test] = np.abs(candidate.fit_predict(table[~test], table[test]) - table.outcome.to_numpy()[test])
    return errors


def cross_validate_ensembles(
    backtest: Backtest, candidates: Sequence[Combination], folds: int = 10, seed: int = 0, inner_folds: int = 5
) -> pd.DataFrame:
    """Out-of-fold MAE of each candidate, its in-sample MAE, and a nested estimate of choosing among them.

    Folds keep the issues of one cluster (a proposal) together (:func:`grouped_folds`); fitted
    weights are chosen on the training folds only (:func:`simplex_weights`). In-sample MAE fits
    on every issue and scores on the same issues: the gap to the out-of-fold MAE is what fitting
    to noise buys. Picking the best candidate is itself a fit, so ``frame.attrs["nested"]`` holds
    the out-of-fold MAE of the whole procedure: in each outer fold, the candidate with the lowest
    inner cross-validated MAE on the training folds is chosen and scored on the held-out fold.
    """
    members = list(dict.fromkeys(m for c in candidates for m in c.members))
    table = member_table(backtest, members)
    fold = grouped_folds(table.cluster.to_numpy(), folds, seed)
    rows = []
    for candidate in candidates:
        row: dict[str, Any] = {"variant": candidate.label, "cv_mae": float(_cv_errors(table, candidate, fold).mean())}
        row["in_sample_mae"] = float(np.mean(np.abs(candidate.fit_predict(table, table) - table.outcome.to_numpy())))
        if candidate.combine == "weights":
            weights = simplex_weights(table[list(candidate.members)].to_numpy(), table.outcome.to_numpy())
            row["weights"] = ", ".join(f"{m}={w:.3f}" for m, w in zip(candidate.members, weights))
        rows.append(row)
    nested = np.empty(len(table))
    chosen = []
    for k in range(folds):
        test = fold == k
        train = table[~test]
        inner = grouped_folds(train.cluster.to_numpy(), inner_folds, seed + 1 + k)
        best = min(candidates, key=lambda c: _cv_errors(train, c, inner).mean())
        chosen.append(best.label)
        nested[test] = np.abs(best.fit_predict(train, table[test]) - table.outcome.to_numpy()[test])
    frame = pd.DataFrame(rows)
    frame.attrs.update(n=len(table), folds=folds, seed=seed, nested=float(nested.mean()), chosen=chosen)
    return frame
