"""Monte Carlo: how sure is a forecast, given that its inputs are estimates.

Every draw perturbs each stance's position and salience and each actor's capability by the
scenario's uncertainty, then every chosen model forecasts every draw (docs/models/specification.md §5.3). The draws
go through the models' batch axis: ``N`` draws are a few array calls, not ``N`` Python calls.

Perturbation (per draw, on the normalised scales of :class:`~detente.scenario.Batch`):

* position ``x ~ Normal(x0, σ_x)`` truncated to the issue's scale (a true truncated normal, drawn
  by inverting the normal CDF between the scale ends: no pile-up of draws at the ends as clipping
  would give);
* salience ``s ~ Normal(s0, σ_s)`` truncated to 0..1 the same way;
* capability ``c = c0 · exp(σ_c Z)``, one factor per actor and draw applied to all its issues,
  with ``σ_c = sqrt(ln(1 + cv²))`` so that the factor has coefficient of variation ``cv`` and
  median 1 (median-preserving). Only capability ratios matter to the models and every actor
  shares ``σ_c``, so a mean-preserving factor (``exp(σ_c Z − σ_c²/2)``) would give the same
  forecasts.

The spreads come from each stance (``position_sd``, ``salience_sd``) or else from the scenario's
``uncertainty`` block; without either the spread is zero, unless defaults are passed in (the
CLI's ``--position-sd`` etc.). Salience spreads are in the file's salience units; on a file whose
saliences are on 0..1, a spread above 1 cannot be meant in those units and is read as points of
0..100.

Reproducibility: draws are generated in fixed blocks of :data:`BLOCK` draws, block ``b`` from
``SeedSequence(seed, spawn_key=(b,))`` (the ``b``-th child of ``SeedSequence(seed).spawn``).
Work is split into chunks of whole blocks, so the numbers do not depend on how the draws are
split: one process, ``K`` local processes or a Dask cluster give identical draws, and the first
``N`` draws of a longer run are the draws of a run of ``N``.
"""

from __future__ import annotations

import inspect
import math
import os
import warnings
import zlib
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from detente import models as model_registry
from detente.errors import UsageError
from detente.forecast import resolve_models
from detente.models.base import Model
from detente.models.ensemble import EnsembleModel
from detente.scenario import Batch, Issue, Scenario, Uncertainty

BLOCK = 256
"""Draws per random-number block (fixed: changing it changes the numbers of a seed)."""

DEFAULT_CHUNK = 4096
"""Draws per unit of work sent to a model in one call (memory bound), unless set."""

CONNECT_TIMEOUT = "15s"
"""How long to keep trying to reach a Dask scheduler before giving up."""

Progress = Callable[[int, int], None]
"""``progress(done_draws, total_draws)``, called after each chunk."""


# -- the spread of the inputs --------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Standard deviations of the inputs on the normalised scales of a :class:`Batch`.

    ``position`` and ``salience`` are (actors, issues) on 0..1 (0 where the actor has no stance);
    ``capability`` is the log-scale spread ``σ_c`` of the capability factor.
    """

    position: np.ndarray
    salience: np.ndarray
    capability: float

    @property
    def is_zero(self) -> bool:
        return not (np.any(self.position > 0) or np.any(self.salience > 0) or self.capability > 0)


def resolve_uncertainty(
    scenario: Scenario,
    position_sd: float | str | None = None,
    salience_sd: float | None = None,
    capability_cv: float | None = None,
) -> Uncertainty:
    """The default spreads for stances that give none: the scenario's ``uncertainty`` block (all
    zero when it has none), each overridden by the value passed here (e.g. from the command line)."""
    base = scenario.uncertainty or Uncertainty(position_sd=0.0, salience_sd=0.0, capability_cv=0.0)
    values = base.model_dump()
    for key, value in (("position_sd", position_sd), ("salience_sd", salience_sd), ("capability_cv", capability_cv)):
        if value is not None:
            values[key] = value
    for key in ("salience_sd", "capability_cv"):
        number = _float_or_nan(values[key])
        if not (math.isfinite(number) and number >= 0):
            raise UsageError(f"{key} must be a number >= 0, got {values[key]!r}")
    if isinstance(values["position_sd"], str) and not values["position_sd"].strip().endswith("%"):
        values["position_sd"] = _float_or_nan(values["position_sd"])
    try:
        resolved = Uncertainty(**values)
        position = resolved.position_sd_for(Issue(id="probe"))
    except (ValueError, TypeError):
        position = math.nan
    if not (math.isfinite(position) and position >= 0):
        raise UsageError(f"position_sd must be a number >= 0 (scale units) or a share of the scale like '5%', got {values['position_sd']!r}")
    return resolved


def _float_or_nan(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def input_spread(scenario: Scenario, uncertainty: Uncertainty | None = None) -> Spread:
    """Per-stance spreads on the normalised scales: a stance's own ``position_sd``/``salience_sd``,
    else the default of ``uncertainty`` (default: :func:`resolve_uncertainty` of the scenario)."""
    uncertainty = uncertainty or resolve_uncertainty(scenario)
    n, m = len(scenario.actors), len(scenario.issues)
    salience_units = scenario.salience_scale
    present = scenario.batch().present
    position = np.zeros((n, m))
    salience = np.zeros((n, m))
    for k, issue in enumerate(scenario.issues):
        default_position = uncertainty.position_sd_for(issue)
        for i, actor in enumerate(scenario.actors):
            if not present[i, k]:
                continue
            stance = actor.stances[issue.id]
            sd_x = stance.position_sd if stance.position_sd is not None else default_position
            sd_s = stance.salience_sd if stance.salience_sd is not None else uncertainty.salience_sd
            position[i, k] = sd_x / (issue.hi - issue.lo)
            salience[i, k] = _salience_fraction(sd_s, salience_units)
    cv = float(uncertainty.capability_cv)
    return Spread(position, salience, math.sqrt(math.log1p(cv * cv)))


def _salience_fraction(sd: float, salience_units: float) -> float:
    """A salience spread as a share of the salience scale (see the module docstring on units)."""
    if salience_units == 1.0 and sd > 1.0:
        return sd / 100.0
    return sd / salience_units


# -- drawing ---------------------------------------------------------------------------------------


def truncated_normal(mean: np.ndarray, sd: np.ndarray, lo: float, hi: float, uniform: np.ndarray) -> np.ndarray:
    """Normal(mean, sd) truncated to [lo, hi], by inverse CDF: ``mean + sd Φ⁻¹(Φ(a) + u (Φ(b) − Φ(a)))``
    with ``a = (lo − mean)/sd``, ``b = (hi − mean)/sd``, ``u ~ U(0, 1)``; ``mean`` where ``sd = 0``.

    The means lie inside [lo, hi], so ``Φ(a) ≤ ½ ≤ Φ(b)`` and the inversion stays accurate.
    NaN means (absent stances) stay NaN.
    """
    positive = sd > 0
    safe_sd = np.where(positive, sd, 1.0)
    with np.errstate(over="ignore"):
        low = ndtr((lo - mean) / safe_sd)
        high = ndtr((hi - mean) / safe_sd)
    value = mean + safe_sd * ndtri(low + uniform * (high - low))
    return np.where(positive, np.clip(value, lo, hi), mean)


def draw_block(base: Batch, spread: Spread, entropy: int, block: int) -> Batch:
    """The :data:`BLOCK` perturbed draws of block ``block``, from ``SeedSequence(entropy, spawn_key=(block,))``."""
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(block,)))
    n, m = base.n_actors, base.n_issues
    u_position = rng.random((BLOCK, n, m))
    u_salience = rng.random((BLOCK, n, m))
    z_capability = rng.standard_normal((BLOCK, n))
    position = truncated_normal(base.position[0], spread.position, 0.0, 1.0, u_position)
    salience = truncated_normal(base.salience[0], spread.salience, 0.0, 1.0, u_salience)
    salience = np.where(base.present, salience, 0.0)
    capability = base.capability[0] * np.exp(spread.capability * z_capability)[:, :, None]
    return Batch(position, salience, capability, base.present, base.status_quo, base.codings)


def draw_blocks(base: Batch, spread: Spread, entropy: int, first: int, draws: int) -> Batch:
    """``draws`` perturbed draws starting at draw ``first * BLOCK`` (whole blocks, then cut)."""
    count = -(-draws // BLOCK)
    blocks = [draw_block(base, spread, entropy, b) for b in range(first, first + count)]
    return Batch(
        np.concatenate([b.position for b in blocks])[:draws],
        np.concatenate([b.salience for b in blocks])[:draws],
        np.concatenate([b.capability for b in blocks])[:draws],
        base.present,
        base.status_quo,
        base.codings,
    )


def seed_entropy(seed: int | None) -> int:
    """The integer a run's draws derive from: ``seed`` itself, or fresh entropy when it is None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"the seed must be a whole number >= 0, got {seed!r}")
    return int(seed)


def perturb(scenario: Scenario, draws: int, seed: int | None = 0, uncertainty: Uncertainty | None = None) -> Batch:
    """``draws`` perturbed copies of the scenario's inputs as one :class:`Batch` (see the module docstring)."""
    _check_draws(draws)
    return draw_blocks(scenario.batch(), input_spread(scenario, uncertainty), seed_entropy(seed), 0, draws)


def _check_draws(draws: int) -> None:
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise UsageError(f"the number of draws must be a whole number >= 1, got {draws!r}")


# -- running the models on chunks of draws ---------------------------------------------------------


@dataclass(frozen=True)
class ChunkJob:
    """Everything a worker needs to draw and forecast a chunk: small, picklable, no scenario object."""

    base: Batch
    spread: Spread
    entropy: int
    draws: int
    models: tuple[Model, ...]

    def chunks(self, chunk_size: int) -> list[tuple[int, int]]:
        """``(first_block, draws)`` of each chunk: whole blocks, the last one cut to the total."""
        blocks = max(1, chunk_size // BLOCK)
        out = []
        for first in range(0, -(-self.draws // BLOCK), blocks):
            start = first * BLOCK
            out.append((first, min(blocks * BLOCK, self.draws - start)))
        return out


def draws_random_numbers(model: Model) -> bool:
    """Whether the model's ``forecast_batch`` takes an ``rng`` (random tie-breaks, random rates)."""
    return "rng" in inspect.signature(model.forecast_batch).parameters


def model_generator(model: Model, entropy: int, block: int) -> np.random.Generator:
    """The generator a random model gets for one block of draws: keyed by the run's seed, the block,
    the model's name and its own ``seed`` option, so it is the same on any worker and in any chunk."""
    own_seed = int(getattr(model.options, "seed", 0) or 0)
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(block, zlib.crc32(model.name.encode()), own_seed)))


def run_chunk(job: ChunkJob, first_block: int, draws: int) -> np.ndarray:
    """Forecasts on 0..1 of one chunk by every model: shape (models, draws, issues).

    A model that draws random numbers runs block by block, each block with its own generator
    (:func:`model_generator`), so its numbers do not depend on how the draws are chunked either.
    """
    batch = draw_blocks(job.base, job.spread, job.entropy, first_block, draws)
    out = []
    for model in job.models:
        if draws_random_numbers(model):
            parts = []
            for start in range(0, draws, BLOCK):
                block = batch.take(slice(start, start + BLOCK))
                parts.append(model.forecast_batch(block, rng=model_generator(model, job.entropy, first_block + start // BLOCK)))
            out.append(np.concatenate([np.asarray(p, dtype=float) for p in parts]))
        else:
            out.append(np.asarray(model.forecast_batch(batch), dtype=float))
    return np.stack(out)


def _run_serial(job: ChunkJob, chunks: list[tuple[int, int]], progress: Progress | None) -> list[np.ndarray]:
    results, done = [], 0
    for first, draws in chunks:
        results.append(run_chunk(job, first, draws))
        done += draws
        if progress:
            progress(done, job.draws)
    return results


def _process_context():
    """How to start worker processes: fork (instant) when this process runs no other thread;
    otherwise a fork server with detente preloaded, since forking a process whose other threads
    may hold locks (a web server's, a logger's) can deadlock the child."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _run_processes(job: ChunkJob, chunks: list[tuple[int, int]], workers: int, progress: Progress | None) -> list[np.ndarray]:
    results: list[np.ndarray | None] = [None] * len(chunks)
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=_process_context()) as pool:
        futures = {pool.submit(run_chunk, job, first, draws): index for index, (first, draws) in enumerate(chunks)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            done += chunks[index][1]
            if progress:
                progress(done, job.draws)
    return results  # type: ignore[return-value]


def dask_client(scheduler: Any):
    """A ``dask.distributed.Client`` for an address such as ``tcp://host:8786`` (or the client given)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError(
            "running on a Dask cluster needs the optional Dask dependency: pip install 'detente[dist]'"
        ) from None
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(str(scheduler), timeout=CONNECT_TIMEOUT, set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler!r}: {error}") from None


def _run_dask(job: ChunkJob, chunks: list[tuple[int, int]], scheduler: Any, progress: Progress | None) -> list[np.ndarray]:
    """Each chunk is one Dask task. A worker lost mid-run makes the scheduler run its chunks
    again elsewhere; results are placed by chunk index, so none is lost or counted twice."""
    client, owned = dask_client(scheduler)
    from dask.distributed import as_completed as dask_completed

    try:
        futures = [client.submit(run_chunk, job, first, draws, pure=False) for first, draws in chunks]
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[np.ndarray | None] = [None] * len(chunks)
        done = 0
        for future in dask_completed(futures, loop=client.loop):
            i = index[future.key]
            results[i] = future.result()
            done += chunks[i][1]
            if progress:
                progress(done, job.draws)
        return results  # type: ignore[return-value]
    finally:
        if owned:
            client.close()


def chunk_size_for(draws: int, chunk_size: int | None = None) -> int:
    """Draws per chunk: as asked (rounded up to whole blocks), else about a sixteenth of the run
    (so that several workers share it) and at most :data:`DEFAULT_CHUNK`. It depends on the draws
    only, never on the workers, so a model that draws random numbers per call (e.g. tie-breaks)
    still sees the same chunks on one worker as on many."""
    if chunk_size is not None:
        if chunk_size < 1:
            raise UsageError(f"the chunk size must be >= 1 draw, got {chunk_size}")
        return -(-chunk_size // BLOCK) * BLOCK
    share = -(-draws // 16)
    return max(BLOCK, min(DEFAULT_CHUNK, -(-share // BLOCK) * BLOCK))


def configured_models(scenario: Scenario, models: Iterable[str | Model] | None, settings: Iterable[str] = ()) -> list[Model]:
    """The chosen models with the options the scenario file carries for them applied (to an
    ensemble's members too, as in a forecast)."""
    built = resolve_models(models, settings)
    configured = [type(m)(m.options_for(scenario)) if scenario.models.get(m.name) else m for m in built]
    return [m.for_scenario(scenario) if isinstance(m, EnsembleModel) else m for m in configured]


def simulation_models(models: Iterable[str | Model] | None = None) -> tuple[list[str | Model], list[str]]:
    """The one rule for which models a Monte Carlo run includes, used by ``simulate``, ``plot
    --draws``, ``report``, what-if intervals and the web app: the models named, all of them; none
    named, the standard set less the models marked ``in_default_simulation = False`` (models too
    slow to run on every draw). Returns ``(chosen, left_out)``; ``left_out`` is empty when models
    were named."""
    if models:
        return list(models), []
    chosen = model_registry.default_names(simulation=True)
    return list(chosen), [name for name in model_registry.default_names() if name not in chosen]


def default_simulation_models() -> tuple[list[str], list[str]]:
    """The models a Monte Carlo runs when none are named, and those it leaves out (:func:`simulation_models`)."""
    chosen, left_out = simulation_models(None)
    return [str(name) for name in chosen], left_out


def left_out_note(left_out: Sequence[str]) -> str | None:
    """The sentence every command says when :func:`simulation_models` left models out."""
    if not left_out:
        return None
    return (
        f"Monte Carlo leaves out by default the models too slow to run on every draw: {', '.join(left_out)} "
        "(a model named runs: --model on the command line, models=[...] in Python, “include slow models” in the web app)"
    )


def simulate(
    scenario: Scenario,
    models: Iterable[str | Model] | None = None,
    draws: int = 1000,
    seed: int | None = 0,
    settings: Iterable[str] = (),
    uncertainty: Uncertainty | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
) -> "SimulationResult":
    """Run every chosen model on ``draws`` perturbed copies of the scenario.

    ``workers`` > 1 runs chunks in that many local processes; ``scheduler`` (an address like
    ``tcp://host:8786``, or a ``dask.distributed.Client``) runs them on a Dask cluster. The
    result does not depend on either (nor on ``chunk_size``): same seed, same numbers.
    """
    _check_draws(draws)
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise UsageError(f"the number of workers must be >= 1, got {workers!r}")
    if workers and workers > 1 and scheduler is not None:
        raise UsageError("choose either local worker processes (--workers) or a Dask scheduler (--scheduler), not both")
    uncertainty = uncertainty or resolve_uncertainty(scenario)
    names, left_out = simulation_models(models)
    chosen = configured_models(scenario, names, settings)
    entropy = seed_entropy(seed)
    base = scenario.batch()
    job = ChunkJob(base, input_spread(scenario, uncertainty), entropy, int(draws), tuple(chosen))
    chunks = job.chunks(chunk_size_for(job.draws, chunk_size))
    if scheduler is not None:
        parts = _run_dask(job, chunks, scheduler, progress)
    elif workers and workers > 1:
        parts = _run_processes(job, chunks, min(workers, len(chunks)), progress)
    else:
        parts = _run_serial(job, chunks, progress)
    values = scenario.to_units(np.concatenate(parts, axis=1))
    point = scenario.to_units(np.stack([np.asarray(m.forecast_batch(base), dtype=float)[0] for m in chosen]))
    notes = [note for note in [left_out_note(left_out)] if note]
    if job.spread.is_zero:
        notes.append(
            "every input spread is zero (the scenario gives no `uncertainty` block and no per-stance sds), "
            "so every draw has the inputs of the point forecast (only models that draw random numbers themselves vary); "
            "set spreads with --position-sd, --salience-sd, --capability-cv"
        )
    result = SimulationResult(scenario, [m.name for m in chosen], entropy, job.draws, uncertainty, job.spread, point, values, notes)
    return add_model_error(result)


MODEL_ERROR_STREAM = 2**31
COMBINED_SAMPLES = 4000  # at least this many (input draw, model error) totals behind a combined interval
"""The spawn key of the model-error draws, apart from every block of input draws."""


def band_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:meth:`SimulationResult.records` (as printed or as stored with a run) as one row per model,
    issue and band (see :meth:`SimulationResult.bands_frame`)."""
    rows = []
    for record in records:
        stats = {k: v for k, v in record.items() if k not in ("bands", "combined_bands")}
        combined = [band["probability"] for band in record.get("combined_bands") or []] or [None] * len(record["bands"])
        for band, with_error in zip(record["bands"], combined):
            rows.append({**stats, "band_lo": band["lo"], "band_hi": band["hi"], "band": band["label"], "probability": band["probability"], "combined_probability": with_error})
    return rows


def add_model_error(result: "SimulationResult") -> "SimulationResult":
    """Add the model error to the input draws (in place; returned).

    For each model with an error model (:mod:`detente.models.predictive`), draw errors ``e = Y − f``
    with ``Y`` from the calibrated predictive distribution at the point forecast ``f`` (inverse
    CDF of uniforms from ``SeedSequence(seed, spawn_key=(2**31,))``, the same for every model), and
    add them to the input draws, each total held within the scale (outcomes do sit on the ends).
    Every input draw gets ``ceil(COMBINED_SAMPLES / draws)`` errors, so that the combined interval's
    ends do not rest on a few samples when there are few draws (with 50 draws and one error each its
    5 % end moved by several points from seed to seed). ``error_interval`` is the calibrated 90 %
    interval of the model error alone; the combined 90 % interval is read from the totals at the
    same calibrated central level.
    """
    from detente.models.predictive import predict

    scenario = result.scenario
    lo = np.array([i.lo for i in scenario.issues])
    hi = np.array([i.hi for i in scenario.issues])
    rng = np.random.default_rng(np.random.SeedSequence(result.seed, spawn_key=(MODEL_ERROR_STREAM,)))
    repeats = -(-COMBINED_SAMPLES // result.draws)
    uniform = rng.random((repeats * result.draws, len(scenario.issues)))
    inputs = np.tile(result.values, (1, repeats, 1))  # (models, repeats x draws, issues)
    result.combined = np.full_like(inputs, np.nan)
    result.error_interval = np.full((len(result.models), len(scenario.issues), 2), np.nan)
    result.central = [math.nan] * len(result.models)
    for m, model in enumerate(result.models):
        predictive = predict(model, scenario, result.point[m])
        if predictive is None:
            continue
        error = lo + predictive.sample(uniform) / 100.0 * (hi - lo) - result.point[m]
        result.combined[m] = np.clip(inputs[m] + error, lo, hi)
        result.error_interval[m] = lo[:, None] + predictive.interval(0.9) / 100.0 * (hi - lo)[:, None]
        result.central[m] = predictive.central.get(0.9, 0.9)
    return result


# -- results ----------------------------------------------------------------------------------------


def issue_bands(issue: Issue) -> list[tuple[float, float, str]]:
    """The bands whose probabilities are reported: between consecutive anchors (:meth:`Issue.bands`),
    or the quarters of the scale when the issue has no anchors."""
    if issue.anchors:
        return issue.bands()
    edges = np.linspace(issue.lo, issue.hi, 5)
    return [(float(a), float(b), f"between {a:g} and {b:g}") for a, b in zip(edges[:-1], edges[1:])]


def band_probabilities(values: np.ndarray, bands: Sequence[tuple[float, float, str]]) -> np.ndarray:
    """Share of the draws in each band ``[lo, hi)`` (the last band includes its upper end), among the
    draws that have a forecast. ``values`` has draws on the first axis."""
    valid = ~np.isnan(values)
    count = valid.sum(axis=0)
    shares = []
    for index, (lo, hi, _) in enumerate(bands):
        upper = values <= hi if index == len(bands) - 1 else values < hi
        inside = valid & (values >= lo) & upper
        with np.errstate(invalid="ignore", divide="ignore"):
            shares.append(np.where(count > 0, inside.sum(axis=0) / np.maximum(count, 1), np.nan))
    return np.array(shares)


def summary_statistics(values: np.ndarray) -> np.ndarray:
    """5 % quantile, median, 95 % quantile, mean and sd over the first axis, ignoring NaN
    (NaN where a column has no value at all)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        quantiles = np.nanquantile(values, [0.05, 0.5, 0.95], axis=0)
        return np.concatenate([quantiles, [np.nanmean(values, axis=0), np.nanstd(values, axis=0)]])


@dataclass
class SimulationResult:
    """The forecasts of every draw, per model, and their summaries.

    ``values`` has shape (models, draws, issues) in the issues' units; ``point`` (models, issues)
    is each model's forecast of the unperturbed scenario.
    """

    scenario: Scenario
    models: list[str]
    seed: int
    draws: int
    uncertainty: Uncertainty
    spread: Spread
    point: np.ndarray
    values: np.ndarray
    notes: list[str] = field(default_factory=list)
    combined: np.ndarray | None = None
    """(models, samples, issues): the input draws, each plus draws of the model's error (:func:`add_model_error`)."""
    error_interval: np.ndarray | None = None
    """(models, issues, 2): the calibrated 90 % interval of the model error alone, around the point."""
    central: list[float] = field(default_factory=list)

    def model_values(self, model: str) -> np.ndarray:
        """(draws, issues) forecasts of one model."""
        if model not in self.models:
            raise KeyError(model)
        return self.values[self.models.index(model)]

    def combined_interval(self, m: int) -> np.ndarray:
        """(issues, 2): the 90 % interval of inputs and model error together for model ``m``,
        read at the error model's calibrated central level; NaN without an error model."""
        if self.combined is None or not self.central or math.isnan(self.central[m]):
            return np.full((len(self.scenario.issues), 2), np.nan)
        tail = (1 - self.central[m]) / 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanquantile(self.combined[m], [tail, 1 - tail], axis=0, method="inverted_cdf").T

    def records(self) -> list[dict[str, Any]]:
        """One summary per model and issue: point forecast, median, 5-95 % interval, mean, sd,
        the share of draws with a forecast, and the probability of each band, all from the input
        draws; then the two sources of uncertainty: ``model_error_q05/q95``, the calibrated 90 %
        interval of the model's error alone, and ``combined_q05/q95`` with ``combined_bands``,
        inputs and model error together (None for a model without an error model)."""
        rows = []
        for m, model in enumerate(self.models):
            values = self.values[m]
            valid = ~np.isnan(values)
            q05, median, q95, mean, sd = summary_statistics(values)
            combined = self.combined_interval(m)
            errors = self.error_interval[m] if self.error_interval is not None else np.full((len(self.scenario.issues), 2), np.nan)
            for k, issue in enumerate(self.scenario.issues):
                bands = issue_bands(issue)
                shares = band_probabilities(values[:, k], bands)
                both = band_probabilities(self.combined[m][:, k], bands) if self.combined is not None else np.full(len(bands), np.nan)
                rows.append(
                    {
                        "model": model,
                        "issue": issue.id,
                        "point": _num(self.point[m, k]),
                        "median": _num(median[k]),
                        "q05": _num(q05[k]),
                        "q95": _num(q95[k]),
                        "mean": _num(mean[k]),
                        "sd": _num(sd[k]),
                        "valid_share": round(float(valid[:, k].mean()), 6),
                        "bands": [
                            {"lo": lo, "hi": hi, "label": label, "probability": _num(p)} for (lo, hi, label), p in zip(bands, shares)
                        ],
                        "model_error_q05": _num(errors[k, 0]),
                        "model_error_q95": _num(errors[k, 1]),
                        "combined_q05": _num(combined[k, 0]),
                        "combined_q95": _num(combined[k, 1]),
                        "combined_bands": [
                            {"lo": lo, "hi": hi, "label": label, "probability": _num(p)} for (lo, hi, label), p in zip(bands, both)
                        ],
                    }
                )
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per model and issue: ``model, issue, point`` (the forecast of the inputs as
        given), ``median, q05, q95, mean, sd`` over the draws and ``valid_share`` (the share of
        draws with a forecast), then the model-error and combined intervals where an error model
        exists. The band probabilities are in :meth:`bands_frame`."""
        return pd.DataFrame.from_records([{k: v for k, v in r.items() if k not in ("bands", "combined_bands")} for r in self.records()])

    def bands_frame(self) -> pd.DataFrame:
        """One row per model, issue and band (the stretches between anchors): the columns of
        :meth:`to_frame`, then ``band_lo, band_hi, band`` (its label), ``probability`` (the share of
        draws whose forecast falls in it) and ``combined_probability`` (the same with the model's
        error added, as the combined interval; empty without an error model)."""
        return pd.DataFrame.from_records(band_rows(self.records()))

    def draws_frame(self) -> pd.DataFrame:
        """The raw forecasts: one row per draw and model, one column per issue (issue units)."""
        n_models, draws, _ = self.values.shape
        frame = pd.DataFrame(self.values.reshape(n_models * draws, -1), columns=self.scenario.issue_ids)
        frame.insert(0, "model", pd.Categorical(np.repeat(self.models, draws), categories=self.models))
        frame.insert(0, "draw", np.tile(np.arange(draws), n_models))
        return frame

    def to_parquet(self, path: str | os.PathLike) -> None:
        """Write :meth:`draws_frame` as Parquet, with the scenario, seed and spreads in its metadata."""
        import json

        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(self.draws_frame(), preserve_index=False)
        meta = {"scenario": self.scenario.id, "seed": self.seed, "draws": self.draws, "uncertainty": self.uncertainty.model_dump()}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"detente": json.dumps(meta).encode()})
        from detente.io.files import replacing

        with replacing(path) as temp:
            pq.write_table(table, temp)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.id,
            "draws": self.draws,
            "seed": self.seed,
            "uncertainty": self.uncertainty.model_dump(),
            "notes": self.notes,
            "summaries": self.records(),
        }

    def __rich_console__(self, console, options):
        """Laid out for the width it is printed at (narrow layouts below 120 columns)."""
        from detente.report.result_tables import simulation_table

        yield simulation_table(self, options.max_width)

    def __repr__(self) -> str:
        return f"<SimulationResult {self.scenario.id!r}: {', '.join(self.models)}; {self.draws:,} draws, seed {self.seed}>"

    def _repr_html_(self) -> str:
        from detente.report.notebook import simulation_html

        return simulation_html(self)


def _num(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 6)
