"""The ``detente`` command line: a thin layer over the library.

Every command turns user mistakes (:class:`~detente.errors.DetenteError`) into a short message on
stderr and exit code 2; a traceback means a bug in detente.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import typer
from rich.console import Console

from detente.errors import DetenteError, ScenarioError, UsageError
from detente.report.terminal import WholeConsole

# The models' matrix products are small, so OpenBLAS's thread pool gains them nothing; its threads
# spin at start-up (about 0.1 s of CPU a command) and compete with the Monte Carlo worker
# processes. Set before numpy is first imported; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

app = typer.Typer(
    help="Forecast and explore multi-party negotiations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = WholeConsole()
errors = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"detente {version('detente')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True, help="Print detente's version and exit."),
) -> None:
    """Forecast and explore multi-party negotiations."""


class TableFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def user_errors(command: Callable) -> Callable:
    """Report a user's mistake as a message and exit code 2, never as a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DetenteError as error:
            errors.print(f"[bold red]error:[/] {error}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:  # Ctrl-C: runs are stored in one transaction after they finish, so the store is untouched
            errors.print("interrupted: nothing was stored", highlight=False)
            raise typer.Exit(130) from None
        except OSError as error:  # a file the user named cannot be read or written (missing folder, no permission)
            if error.filename is None:
                raise
            errors.print(f"[bold red]error:[/] {error.filename}: {error.strerror}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def print_json(data: Any) -> None:
    """Strict JSON on stdout, floats tidied (see :mod:`detente.report.export`); NaN and infinities
    are written as null, and said so on stderr."""
    from detente.io.jsontext import strict_dumps
    from detente.report.export import tidy

    _, replaced = strict_dumps(data)
    text, _ = strict_dumps(tidy(data), indent=2, ensure_ascii=False)
    sys.stdout.write(text + "\n")
    if replaced:
        errors.print(f"note: {replaced} value{'s' if replaced != 1 else ''} with no number (NaN or infinite) written as null", highlight=False, soft_wrap=True)


def print_csv(records: list[dict[str, Any]]) -> None:
    """One tidy table (see :mod:`detente.report.export`); text a spreadsheet would run as a formula is
    neutralised (docs/formats.md)."""
    from detente.report.export import csv_text

    sys.stdout.write(csv_text(records))


SCENARIO_ARG = typer.Argument(None, help="Scenario file (YAML, CSV, XLSX, Decide, KTAB) or bundled id; default: the latest Ukraine snapshot, ukraine-2025-12.")
def _model_list(values: Optional[List[str]]) -> Optional[List[str]]:
    """``-m compromise,median`` as ``-m compromise -m median``."""
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


MODEL_OPT = typer.Option(None, "--model", "-m", callback=_model_list, help="Model to run (repeatable, or a comma-separated list); see `detente models`. Default: the standard set.")
SET_OPT = typer.Option(None, "--set", "-s", help="Model option KEY=VALUE or MODEL.KEY=VALUE (repeatable).")


def _load(scenario: Optional[str]):
    """The scenario a command runs on; values it doubts (see ``Scenario.doubts``) are warned about on stderr."""
    from detente.io import DEFAULT_SCENARIO, load

    loaded = load(scenario or DEFAULT_SCENARIO)
    for doubt in loaded.doubts():
        errors.print(f"warning: {doubt}", markup=False, highlight=False, soft_wrap=True)
    return loaded


STORE_OPT = typer.Option(None, "--store", help="SQLite file that keeps the run (default: $DETENTE_STORE, else runs.sqlite in the user's data folder).")
NO_STORE_OPT = typer.Option(False, "--no-store", help="Do not keep this run in the run store.")


def keep_run(store: Optional[str], no_store: bool, record: Callable[[Any], int], announce: bool = False) -> Optional[int]:
    """Keep a run in the run store unless --no-store: ``record(store)`` writes it (e.g.
    ``lambda s: s.record("simulate", scenario, result.to_json(), models, options, seed, timings)``)
    and returns its id. A store that cannot be written gives a warning, never a failed command."""
    if no_store:
        return None
    from detente.store import keep

    run_id, path, problem = keep(store, record)
    if problem is not None:
        errors.print(f"warning: the run was not stored: {problem}", highlight=False, soft_wrap=True)
    elif announce:
        console.print(f"[dim]Stored as run {run_id} in {path} (`detente runs show {run_id}`).[/]", highlight=False)
    return run_id


@contextmanager
def model_progress(size: str) -> Iterator[tuple[Callable[[int, int, str], None] | None, Callable[[str, int, int], None] | None]]:
    """On a terminal, a bar on stderr for the model running: which one, its rounds so far against
    its round limit, the time taken. Yields the ``(on_model, on_step)`` callbacks of
    :func:`detente.forecast.forecast`; (None, None) when stderr is not a terminal (pipes, files)."""
    if not errors.is_terminal:
        yield None, None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[step]}"), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True) as bar:
        task = bar.add_task("forecasting", total=None, step="")

        def on_model(number: int, count: int, name: str) -> None:
            bar.update(task, description=f"running {name} ({number}/{count}) on {size}", completed=0, total=None, step="")

        def on_step(name: str, done: int, at_most: int) -> None:
            bar.update(task, completed=done, total=at_most, step=f"round {done} (at most {at_most})")

        yield on_model, on_step


@app.command()
@user_errors
def forecast(
    scenario: Optional[str] = SCENARIO_ARG,
    model: Optional[List[str]] = MODEL_OPT,
    set_: Optional[List[str]] = SET_OPT,
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
    no_intervals: bool = typer.Option(False, "--no-intervals", help="Hide the calibrated 90% intervals in the table."),
    store: Optional[str] = STORE_OPT,
    no_store: bool = NO_STORE_OPT,
) -> None:
    """Forecast every issue of a scenario with each model, side by side, with calibrated 90% intervals."""
    import time

    from detente.forecast import forecast as run_forecast

    started = time.perf_counter()
    loaded = _load(scenario)
    with model_progress(f"{len(loaded.actors):,} actors x {len(loaded.issues):,} issues") as (on_model, on_step):
        result = run_forecast(loaded, model or None, set_ or (), on_model, on_step)
    seconds = time.perf_counter() - started
    if format is TableFormat.json:
        print_json(result.to_json())
    elif format is TableFormat.csv:
        print_csv([{"scenario": result.scenario.id, **row} for row in result.records()])
    else:
        from detente.report.table import forecast_table

        console.print(forecast_table(result, intervals=not no_intervals, width=console.width))
    keep_run(store, no_store, lambda s: s.record_forecast(result, {"total": seconds}, sys.argv[1:]), announce=format is TableFormat.table)


@app.command()
@user_errors
def models() -> None:
    """List every model with its options and their defaults."""
    from detente import models as registry
    from detente.report.table import models_view

    console.print(models_view(registry.registry(), console.width))


@app.command()
@user_errors
def scenarios() -> None:
    """List the bundled scenarios."""
    from detente.io import bundled
    from detente.report.table import scenarios_table

    console.print(scenarios_table(bundled(), console.width))


@app.command()
def validate(file: str = typer.Argument(..., help="Scenario file to check.")) -> None:
    """Report every problem of a scenario file at once (its lever sets too), or say it is valid."""
    from detente.analysis.whatif import lever_set_problems
    from detente.io import load
    from detente.report.words import counted as _count

    try:
        scenario = load(file)
        problems = [str(p) for p in lever_set_problems(scenario)]
    except ScenarioError as error:
        problems = [str(p) for p in error.problems]
    except DetenteError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
    if problems:
        errors.print(f"[bold red]{file}: {_count(len(problems), 'problem')}[/]", highlight=False)
        for problem in problems:
            errors.print(f"  - {problem}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    doubts = scenario.doubts()
    for doubt in doubts:
        errors.print(f"  warning: {doubt}", markup=False, highlight=False, soft_wrap=True)
    summary = f"{_count(len(scenario.actors), 'actor')}, {_count(len(scenario.issues), 'issue')}" + (f"; {_count(len(doubts), 'warning')}" if doubts else "")
    console.print(f"[green]{file}: valid[/] ({summary})", highlight=False)



@app.command()
@user_errors
def convert(
    source: str = typer.Argument(..., help="Input scenario (any format detente reads)."),
    destination: Path = typer.Argument(..., help="Output file: .yaml, .csv or .xlsx."),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
) -> None:
    """Convert a scenario between formats."""
    from detente.io import load, save

    if destination.exists() and not force:
        raise UsageError(f"{destination} exists; give --force to overwrite it")
    scenario = load(source)
    save(scenario, destination)
    console.print(f"wrote {destination}", highlight=False)


@app.command()
@user_errors
def rounds(
    scenario: Optional[str] = SCENARIO_ARG,
    model: List[str] = typer.Option(..., "--model", "-m", callback=_model_list, help="A round-based model (e.g. eum, exchange, smp); repeatable."),
    issue: Optional[str] = typer.Option(None, "--issue", "-i", help="Issue id (table format: default all)."),
    set_: Optional[List[str]] = SET_OPT,
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv (one row per issue, round and actor)."),
) -> None:
    """Show how positions and the forecast move round by round."""
    from detente.analysis.trajectory import round_frames, run_dynamic, tidy_rounds

    loaded = _load(scenario)
    results = [run_dynamic(loaded, name, set_ or ()) for name in dict.fromkeys(model)]
    if format is TableFormat.json:
        print_json(results[0].to_json() if len(results) == 1 else [result.to_json() for result in results])
        return
    if format is TableFormat.csv:
        print_csv([{"scenario": loaded.id, **row} for result in results for row in tidy_rounds(result, issue).to_dict("records")])
        return
    from detente.report.table import rounds_table

    issues = [loaded.issue(issue)] if issue else loaded.issues
    for result in results:
        for item, (title, frame) in zip(issues, round_frames(result, issue)):
            console.print(rounds_table(frame, item, title, result.notes.get(item.id), console.width, loaded.actor_ids))


@app.command()
@user_errors
def exchanges(
    scenario: Optional[str] = SCENARIO_ARG,
    round_: Optional[int] = typer.Option(None, "--round", "-r", help="Only this round (default: every round)."),
    set_: Optional[List[str]] = SET_OPT,
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """List the exchange model's trades: who gives ground on what, the gain, and who pays for it."""
    from detente.analysis.trajectory import run_dynamic

    loaded = _load(scenario)
    result = run_dynamic(loaded, "exchange", set_ or ())
    if format is TableFormat.json:
        print_json(result.exchanges(round_).to_dict("records"))
        return
    if format is TableFormat.csv:
        print_csv([{"scenario": loaded.id, "model": "exchange", **row} for row in result.exchanges(round_).to_dict("records")])
        return
    from detente.report.exchanges import exchange_table

    console.print(exchange_table(result, round_, width=console.width))


@app.command()
@user_errors
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind; 127.0.0.1 keeps the app on this machine. Any other address requires an access token."),
    port: int = typer.Option(8000, help="Port to listen on."),
    store: Optional[str] = typer.Option(None, "--store", help="SQLite file of stored runs and saved scenarios (default: the user's data folder)."),
    token: Optional[str] = typer.Option(None, "--token", envvar="DETENTE_TOKEN", help="Access token every request must carry (default off loopback: a new random one, printed)."),
    allow_host: Optional[List[str]] = typer.Option(None, "--allow-host", help="A host name the app answers to besides the bound address, e.g. the name a reverse proxy passes on (repeatable)."),
) -> None:
    """Start the web app for building and running scenarios in a browser."""
    import uvicorn

    from detente.web.app import create_app
    from detente.web.guard import access_settings

    token, allowed = access_settings(host, token, allow_host or [])
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    console.print(f"detente web app on {address} (Ctrl+C to stop)", highlight=False, soft_wrap=True)
    if token:
        console.print("every request needs the token: open the address above once (it sets a cookie) or send 'Authorization: Bearer TOKEN'", highlight=False)
    uvicorn.run(create_app(store_path=store, token=token, allowed_hosts=allowed), host=host, port=port, log_level="warning")


@app.command()
@user_errors
def backtest(
    cases: Optional[List[str]] = typer.Argument(None, help="Scenario files or bundled ids whose issues carry `outcome:`; default: the bundled cases."),
    model: Optional[List[str]] = typer.Option(None, "--model", "-m", callback=_model_list, help="Model to score (repeatable); default: every registered model."),
    set_: Optional[List[str]] = SET_OPT,
    deu: Optional[Path] = typer.Option(None, "--deu", help="Score on a DEU III file instead (official ';' release or the tab-separated one with a GDP line)."),
    capability: str = typer.Option("gdp", "--capability", "-c", help="With --deu: actors' capability, gdp, votes (Council votes) or equal."),
    detail: Optional[bool] = typer.Option(None, "--detail/--no-detail", help="Show each case and issue (default: when there are at most 25)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap intervals."),
    draws: int = typer.Option(2000, "--draws", help="Bootstrap draws."),
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
    intervals: bool = typer.Option(True, "--intervals/--no-intervals", help="Also score the calibrated intervals and band probabilities (cross-validated)."),
    store: Optional[str] = STORE_OPT,
    no_store: bool = NO_STORE_OPT,
) -> None:
    """Score models on cases with known outcomes: MAE, RMSE, median error, share within 5/10/20 points;
    coverage, interval score, CRPS and Brier score of the calibrated predictive distributions."""
    started = time.perf_counter()
    from detente.analysis.backtest import deu_cases, load_cases, run_backtest

    if deu is not None and cases:
        raise UsageError("give either case files or --deu FILE, not both")
    if deu is None and capability != "gdp":
        raise UsageError("--capability applies to --deu")
    by = None
    if deu is not None:
        found, data = deu_cases(deu, capability)
        skipped = [f"{deu.name}: {note}" for note in data.notes]
        if not found:
            raise UsageError(f"{deu.name}: no issue has a known outcome and at least 3 actors with a position and a salience; nothing to score")
        by = "procedure"
        issues = sum(c.n_known for c in found)
        title = f"Backtest on {deu.name} ({capability} capability): {issues} scoreable issues in {len(found)} proposals"
    else:
        found, skipped = load_cases(cases or [])
        title = f"Backtest on {len(found)} case{'s' if len(found) != 1 else ''}: {', '.join(c.id for c in found)}"
    from detente.analysis.calibration import backtest_json, calibrate_backtest

    result = run_backtest(found, model or None, set_ or (), skipped)
    calibration = calibrate_backtest(result, seed=seed) if intervals else None
    show = detail if detail is not None else result.records[["case", "issue"]].drop_duplicates().shape[0] <= 25
    data = backtest_json(result, calibration, by, draws=draws, seed=seed, detail=True)
    if format is TableFormat.json:
        print_json(data if show else {k: v for k, v in data.items() if k != "detail"})
    elif format is TableFormat.csv:
        print_csv(data["detail"] if show else data["summary"])
    else:
        from detente.report.backtest import backtest_view

        scores = (calibration.summary(draws, seed), calibration.method) if calibration is not None else None
        console.print(backtest_view(result, result.summary(by, draws=draws, seed=seed), title, by, show, calibration=scores, width=console.width))
    seconds = time.perf_counter() - started
    options = {"settings": list(set_ or []), "deu": str(deu) if deu else None, "capability": capability}
    keep_run(
        store, no_store,
        lambda s: s.record("backtest", [c.scenario for c in found], data, result.models, options, seed, {"total": seconds}, sys.argv[1:]),
        announce=format is TableFormat.table,
    )


@app.command()
@user_errors
def draft(
    article: Path = typer.Argument(..., help="The article: .txt, .html or .md."),
    output: Path = typer.Option(..., "--output", "-o", help="The draft scenario to write (.yaml)."),
    title: Optional[str] = typer.Option(None, "--title", help="Scenario and source title (default: the page's title)."),
    date: Optional[str] = typer.Option(None, "--date", help="Date of the source, YYYY-MM-DD (becomes as_of)."),
    source_id: Optional[str] = typer.Option(None, "--source-id", help="Id of the source entry (default: the file name)."),
    lexicon: Optional[List[Path]] = typer.Option(None, "--lexicon", help="A lexicon YAML merged on top of the shipped one (repeatable)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding when the file is not UTF-8 (e.g. cp1252)."),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists (it may hold your edits)."),
) -> None:
    """Draft a scenario from a news article: actors, quotes with speakers, candidate issues, evidence."""
    from detente.draft import draft_file

    if output.exists() and not force:
        raise UsageError(f"{output} exists (perhaps with your edits); give --force to overwrite it")
    result = draft_file(article, title=title, date=date, source_id=source_id, lexicons=lexicon or (), encoding=encoding)
    result.write(output)
    console.print(result.summary(output), highlight=False)


POSITION_SD_OPT = typer.Option(None, "--position-sd", help="Default position sd for stances without one: scale units, or '5%' of the scale (overrides the file's `uncertainty`).")
SALIENCE_SD_OPT = typer.Option(None, "--salience-sd", help="Default salience sd for stances without one, in the file's salience units.")
CAPABILITY_CV_OPT = typer.Option(None, "--capability-cv", help="Spread (coefficient of variation) of the log-normal capability factor.")
WORKERS_OPT = typer.Option(None, "--workers", "-w", help="Run the draws in this many local processes.")
SCHEDULER_OPT = typer.Option(None, "--scheduler", help="Run the draws on a Dask cluster, e.g. tcp://host:8786 (pip install 'detente[dist]').")


class SensitivityMethod(str, Enum):
    auto = "auto"
    closed = "closed"
    finite = "finite"


@app.command()
@user_errors
def simulate(
    scenario: Optional[str] = SCENARIO_ARG,
    model: Optional[List[str]] = MODEL_OPT,
    set_: Optional[List[str]] = SET_OPT,
    draws: int = typer.Option(1000, "--draws", "-n", help="Number of Monte Carlo draws."),
    seed: int = typer.Option(0, "--seed", help="Seed: the same seed gives the same numbers on any number of workers."),
    workers: Optional[int] = WORKERS_OPT,
    scheduler: Optional[str] = SCHEDULER_OPT,
    chunk_size: Optional[int] = typer.Option(None, "--chunk-size", help="Draws per unit of work (memory per model call); does not change the numbers."),
    position_sd: Optional[str] = POSITION_SD_OPT,
    salience_sd: Optional[float] = SALIENCE_SD_OPT,
    capability_cv: Optional[float] = CAPABILITY_CV_OPT,
    draws_out: Optional[Path] = typer.Option(None, "--draws-out", help="Also write every draw's forecasts to this Parquet file."),
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
    store: Optional[str] = STORE_OPT,
    no_store: bool = NO_STORE_OPT,
) -> None:
    """Monte Carlo: each model's forecast when the inputs vary within their uncertainty (median, 5-95% interval, band probabilities)."""
    from detente.analysis.montecarlo import resolve_uncertainty, simulate as run_simulation
    from detente.report.progress import progress_bar

    loaded = _load(scenario)
    uncertainty = resolve_uncertainty(loaded, position_sd, salience_sd, capability_cv)
    started = time.perf_counter()
    with progress_bar("Monte Carlo", errors) as progress:
        result = run_simulation(loaded, model or None, draws, seed, set_ or (), uncertainty, workers, scheduler, chunk_size, progress)
    seconds = time.perf_counter() - started
    if draws_out is not None:
        result.to_parquet(draws_out)
        errors.print(f"wrote {result.draws:,} draws x {len(result.models)} models to {draws_out}", highlight=False)
    if format is TableFormat.json:
        print_json(result.to_json())
    elif format is TableFormat.csv:
        print_csv([{"scenario": loaded.id, **row} for row in result.bands_frame().to_dict("records")])
    else:
        from detente.report.result_tables import simulation_table

        console.print(simulation_table(result, width=console.width))
    if format is not TableFormat.table:
        for note in result.notes:
            errors.print(f"note: {note}", highlight=False, soft_wrap=True)
    options = {"settings": list(set_ or []), "draws": draws, "uncertainty": uncertainty.model_dump()}
    keep_run(
        store, no_store,
        lambda s: s.record("simulate", loaded, result.to_json(), result.models, options, seed, {"total": seconds}, sys.argv[1:]),
        announce=format is TableFormat.table,
    )


@app.command()
@user_errors
def sensitivity(
    scenario: Optional[str] = SCENARIO_ARG,
    model: Optional[List[str]] = typer.Option(None, "--model", "-m", callback=_model_list, help="The model whose forecast is analysed (repeatable; default compromise)."),
    set_: Optional[List[str]] = SET_OPT,
    position_step: float = typer.Option(5.0, "--position-step", help="Position step, in % of each issue's scale."),
    salience_step: float = typer.Option(10.0, "--salience-step", help="Salience step, in points of 0..100."),
    capability_step: float = typer.Option(10.0, "--capability-step", help="Capability step, in % of the actor's capability."),
    method: SensitivityMethod = typer.Option(SensitivityMethod.auto, "--method", help="auto (closed form where it exists), closed or finite (differences)."),
    top: int = typer.Option(20, "--top", help="Table format: show this many inputs (0: all)."),
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Rank every actor's inputs by how much one step moves each issue's forecast; leave-one-actor-out."""
    from detente.analysis.sensitivity import Steps, sensitivity as run_sensitivity

    loaded = _load(scenario)
    steps = Steps(position_step, salience_step, capability_step)
    results = [run_sensitivity(loaded, name, set_ or (), steps, method.value) for name in dict.fromkeys(model or ["compromise"])]
    if format is TableFormat.json:
        print_json(results[0].to_json() if len(results) == 1 else [result.to_json() for result in results])
    elif format is TableFormat.csv:
        print_csv([{"scenario": loaded.id, "model": r.model, "method": r.method, **row} for r in results for row in r.to_json()["effects"]])
    else:
        from detente.report.result_tables import sensitivity_table

        for result in results:
            console.print(sensitivity_table(result, top or None))


@app.command()
@user_errors
def whatif(
    scenario: Optional[str] = SCENARIO_ARG,
    lever: Optional[List[str]] = typer.Option(None, "--lever", "-l", help="A lever such as 'USA.capability*0.5' or 'drop:HUN', or the name of a lever set in the file (repeatable); see docs/uncertainty.md."),
    model: Optional[List[str]] = MODEL_OPT,
    set_: Optional[List[str]] = SET_OPT,
    draws: Optional[int] = typer.Option(None, "--draws", "-n", help="Also run this many Monte Carlo draws on both sides for intervals."),
    seed: int = typer.Option(0, "--seed", help="Seed of the Monte Carlo draws."),
    workers: Optional[int] = WORKERS_OPT,
    scheduler: Optional[str] = SCHEDULER_OPT,
    position_sd: Optional[str] = POSITION_SD_OPT,
    salience_sd: Optional[float] = SALIENCE_SD_OPT,
    capability_cv: Optional[float] = CAPABILITY_CV_OPT,
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
    store: Optional[str] = STORE_OPT,
    no_store: bool = NO_STORE_OPT,
) -> None:
    """Change inputs with levers and show the forecasts before and after, side by side.

    Levers: ACTOR.capability*0.5, ACTOR.salience+10, ACTOR.position-5, ACTOR.ISSUE.position=40,
    ACTOR.ISSUE.salience=80, ACTOR.ISSUE=POSITION@SALIENCE, drop:ACTOR,
    add:ACTOR capability=C ISSUE=POSITION@SALIENCE ... (operators: = set, * scale, + add, - subtract),
    or the name of a lever set under `levers:` in the scenario file.
    """
    from detente.analysis.montecarlo import resolve_uncertainty
    from detente.report.progress import progress_bar
    from detente.analysis.whatif import whatif as run_whatif

    loaded = _load(scenario)
    uncertainty = resolve_uncertainty(loaded, position_sd, salience_sd, capability_cv) if draws else None
    started = time.perf_counter()
    with progress_bar("What-if Monte Carlo", errors, enabled=None if draws else False) as progress:
        result = run_whatif(loaded, lever or [], model or None, set_ or (), draws, seed, uncertainty, workers, scheduler, progress)
    seconds = time.perf_counter() - started
    if format is TableFormat.json:
        print_json(result.to_json())
    elif format is TableFormat.csv:
        print_csv([{"scenario": loaded.id, **row} for row in result.records()])
    else:
        from detente.report.result_tables import whatif_table

        console.print(whatif_table(result, width=console.width))
    options = {"levers": result.lever_texts, "settings": list(set_ or [])}
    models = [r.model for r in result.baseline.results]
    keep_run(
        store, no_store,
        lambda s: s.record("whatif", [result.baseline.scenario, result.changed.scenario], result.to_json(), models, options, seed if draws else None, {"total": seconds}, sys.argv[1:]),
        announce=format is TableFormat.table,
    )


@app.command()
@user_errors
def advise(
    scenario: Optional[str] = SCENARIO_ARG,
    target: List[str] = typer.Option(..., "--target", "-t", help="Where the forecast should be: '<=30', '>=60' or '20..35' with --issue, or 'territory<=30' (repeatable, one issue each)."),
    issue: Optional[str] = typer.Option(None, "--issue", "-i", help="The issue the target is on."),
    model: Optional[List[str]] = typer.Option(None, "--model", "-m", callback=_model_list, help="Models to check the plans with (repeatable); the first is the one the plan must convince. Default: the Monte Carlo set."),
    set_: Optional[List[str]] = SET_OPT,
    levers: Optional[str] = typer.Option(None, "--levers", help="Lever kinds allowed, comma-separated: position, salience, capability, coalition, drop, add. Default: position,salience,capability,coalition."),
    max_shift: Optional[float] = typer.Option(None, "--max-shift", help="Largest move of an actor's position, in issue units (default: a quarter of the scale)."),
    max_salience: float = typer.Option(25.0, "--max-salience", help="Largest change of a salience, in points of 0..100."),
    capability: str = typer.Option("0.5..2", "--capability", help="Range of capability factors, LOW..HIGH."),
    cost: Optional[List[str]] = typer.Option(None, "--cost", help="Cost multiplier of an actor, ACTOR=NUMBER (e.g. RUS=5: five times as hard to persuade) (repeatable)."),
    price: Optional[List[str]] = typer.Option(None, "--price", help="Price of a lever kind, KIND=NUMBER: position (1 per salience-weighted point), salience (0.5 per point), capability (40 per unit of |ln factor|), drop (25), add (25)."),
    fix: Optional[List[str]] = typer.Option(None, "--fix", help="An actor that cannot be moved (repeatable)."),
    coalition: Optional[List[str]] = typer.Option(None, "--coalition", help="A group that moves together, NAME=ACTOR,ACTOR,... (repeatable; default: the scenario's actor groups)."),
    candidate: Optional[List[str]] = typer.Option(None, "--candidate", help="An actor who could join, as an add: lever, e.g. 'add:CHN capability=80 territory=60@50' (repeatable; allows the add lever)."),
    budget: Optional[float] = typer.Option(None, "--budget", help="The most a plan may cost."),
    robust: bool = typer.Option(False, "--robust", help="The plan must reach the target under every chosen model."),
    share: Optional[float] = typer.Option(None, "--share", help="The plan must reach the target in at least this share of Monte Carlo draws, e.g. 0.7."),
    draws: int = typer.Option(200, "--draws", "-n", help="Monte Carlo draws for each plan's probability of reaching the target (0 to skip)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the Monte Carlo draws."),
    plans: int = typer.Option(3, "--plans", help="How many plans to show."),
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """The cheapest ways to bring a forecast to a target: whom to persuade of what, under every model.

    Example: detente advise ukraine-2024-11 --target "territory<=30" --cost RUS=5
    """
    from detente.analysis import advise as advice

    loaded = _load(scenario)
    kinds = tuple(k.strip() for k in levers.split(",") if k.strip()) if levers else advice.DEFAULT_LEVER_KINDS
    if candidate and "add" not in kinds:
        kinds = (*kinds, "add")
    space = advice.LeverSpace(
        kinds=kinds,
        max_shift=max_shift,
        max_salience=max_salience,
        capability=advice.parse_factor_range(capability),
        fixed=tuple(fix or ()),
        coalitions=advice.parse_coalitions(coalition) if coalition else None,
        candidates=tuple(candidate or ()),
    )
    results = []
    for text in target:
        issue_id, goal = advice.split_target(text, issue)
        if issue_id is None:
            raise UsageError(f"target {text!r} names no issue: give --issue, or write it as ISSUE<=VALUE (issues: {', '.join(loaded.issue_ids)})")
        results.append(advice.advise(
            loaded, issue_id, goal, model or None, set_ or (), space, advice.parse_prices(price or ()),
            advice.parse_assignments(cost or (), "--cost"), budget, robust, share, draws, seed, plans,
        ))
    if format is TableFormat.json:
        print_json([r.to_json() for r in results] if len(results) > 1 else results[0].to_json())
    elif format is TableFormat.csv:
        print_csv([{"issue": r.target.issue, "target": r.target.describe(), **row} for r in results for row in r.records()])
    else:
        for r in results:
            console.print(r)


@app.command()
@user_errors
def compare(
    first: str = typer.Argument(..., help="First scenario (file or bundled id), e.g. ukraine-2023-06."),
    second: str = typer.Argument(..., help="Second scenario, e.g. ukraine-2024-11."),
    model: Optional[List[str]] = MODEL_OPT,
    set_: Optional[List[str]] = SET_OPT,
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Each model's forecast per issue in two scenarios, and the shift between them."""
    from detente.analysis.compare import compare as run_compare

    result = run_compare(_load(first), _load(second), model or None, set_ or ())
    if format is TableFormat.json:
        print_json(result.to_json())
    elif format is TableFormat.csv:
        print_csv([{"first_scenario": result.first.id, "second_scenario": result.second.id, **row} for row in result.records()])
    else:
        from detente.report.result_tables import comparison_table

        console.print(comparison_table(result, console.width))


@app.command()
@user_errors
def timeline(
    series: List[str] = typer.Argument(..., help="A bundled series (e.g. ukraine), or two or more snapshots (files or bundled ids)."),
    model: Optional[List[str]] = MODEL_OPT,
    set_: Optional[List[str]] = SET_OPT,
    issue: Optional[str] = typer.Option(None, "--issue", "-i", help="Only this issue (the chart's issue; default for the chart: the first)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also draw the issue's timeline chart to this file (.png, .svg or .pdf)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only snapshots and events dated on or after this day (YYYY-MM-DD)."),
    format: TableFormat = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Each model's forecast per issue across the dated snapshots of a negotiation, with what happened: events, outcomes and the state of the talks."""
    from detente.analysis.timeline import resolve_timeline

    if output is not None:
        from detente.report import plots

        plots.check_path(output)
    result = resolve_timeline(series, model or None, set_ or (), since)
    chosen = result.issue(issue).id if issue else None
    if format is TableFormat.json:
        print_json(result.to_json())
    elif format is TableFormat.csv:
        print_csv([r for r in result.records() if chosen is None or r["issue"] == chosen])
    else:
        from detente.report.result_tables import timeline_tables

        console.print(timeline_tables(result.only(chosen) if chosen else result, console.width))
    if output is not None:
        from detente.report import charts, plots

        plots.save(charts.timeline_chart(result, chosen or result.issue_ids()[0]), output)
        errors.print(f"wrote {output}", highlight=False)


class ChartKind(str, Enum):
    landscape = "landscape"
    paths = "paths"
    perception = "perception"
    exchanges = "exchanges"
    distribution = "distribution"
    tornado = "tornado"
    backtest = "backtest"
    timeline = "timeline"
    calibration = "calibration"


@app.command()
@user_errors
def plot(
    kind: ChartKind = typer.Argument(..., help="landscape, paths, perception, exchanges, distribution, tornado, backtest, timeline or calibration."),
    scenario: Optional[List[str]] = typer.Argument(None, help="Scenario file or bundled id (default: ukraine-2025-12, the latest Ukraine snapshot); several for a timeline or a backtest."),
    output: Path = typer.Option(..., "--output", "-o", help="The chart file: .png, .svg or .pdf."),
    issue: Optional[str] = typer.Option(None, "--issue", "-i", help="Issue id or title (default: the first issue)."),
    model: Optional[List[str]] = MODEL_OPT,
    set_: Optional[List[str]] = SET_OPT,
    actor: Optional[str] = typer.Option(None, "--actor", "-a", help="perception: the actor whose view is shown (default: the one with the most effective power)."),
    round_: int = typer.Option(1, "--round", "-r", help="perception: the round."),
    draws: Optional[int] = typer.Option(None, "--draws", "-n", help="Monte Carlo draws: distribution (default 1000), landscape (default none: no bands)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the Monte Carlo draws."),
    deu: Optional[Path] = typer.Option(None, "--deu", help="backtest, calibration: score on a DEU III file instead of scenarios."),
) -> None:
    """Draw one chart of a scenario to a PNG, SVG or PDF file."""
    from detente.report import charts, plots

    plots.check_path(output)
    names = list(scenario or [])
    if kind in (ChartKind.backtest, ChartKind.calibration):
        from detente.io import load

        loaded = [load(s) for s in names]
    else:
        loaded = [_load(s) for s in names] or [_load(None)]
    figure = charts.make(kind.value, loaded, issue, model or None, set_ or (), actor, round_, draws, seed, deu=str(deu) if deu else None)
    plots.save(figure, output)
    console.print(f"wrote {output}", highlight=False)
    if kind is ChartKind.distribution or (kind is ChartKind.landscape and draws):
        from detente.analysis.montecarlo import left_out_note, simulation_models

        note = left_out_note(simulation_models(model or None)[1])
        if note:
            errors.print(f"note: {note}", highlight=False, soft_wrap=True)


@app.command()
@user_errors
def report(
    scenario: Optional[str] = SCENARIO_ARG,
    output: Path = typer.Option(..., "--output", "-o", help="The report file (.html): self-contained, opens offline, prints."),
    model: Optional[List[str]] = MODEL_OPT,
    set_: Optional[List[str]] = SET_OPT,
    draws: int = typer.Option(200, "--draws", "-n", help="Monte Carlo draws for the uncertainty charts (0: none)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the Monte Carlo draws."),
    run: Optional[str] = typer.Option(None, "--run", help="Report on a stored run (its id, or 'latest') instead of running the models."),
    store: Optional[str] = STORE_OPT,
    timeline: bool = typer.Option(True, "--timeline/--no-timeline", help="Include the forecasts across the bundled snapshots of the same negotiation."),
    advise: Optional[List[str]] = typer.Option(None, "--advise", help="Add the cheapest plans to reach a target, e.g. 'territory<=30' (repeatable; see `detente advise`)."),
) -> None:
    """Write a self-contained HTML report: the scenario, every model's forecast, the charts, Monte Carlo and sensitivity."""
    from detente.report import html as html_report

    say = lambda message: errors.print(f"[dim]{message}...[/]", highlight=False)  # noqa: E731
    if not output.resolve().parent.is_dir():
        raise UsageError(f"cannot write {output}: the folder {output.resolve().parent} does not exist")
    if run is not None:
        from detente.store import Store

        if scenario or model or set_ or advise:
            raise DetenteError("--run reports on the stored run as it was; leave out the scenario, --model, --set and --advise")
        with Store(store) as opened:
            data = html_report.from_run(opened.get(run), timeline)
    else:
        data = html_report.build(_load(scenario), model or None, set_ or (), draws, seed, timeline=timeline, progress=say, advise=advise or ())
    path = html_report.write(data, output, progress=say)
    console.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False)


runs_app = typer.Typer(help="List, show and compare the stored runs.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(runs_app, name="runs")
RUNS_FORMAT_OPT = typer.Option(TableFormat.table, "--format", "-f", help="table, json or csv.")


@runs_app.command("list")
@user_errors
def runs_list(
    limit: int = typer.Option(30, "--limit", "-n", help="Show this many runs (0: all)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Only runs of this kind (forecast, simulate, whatif, backtest)."),
    scenario: Optional[str] = typer.Option(None, "--scenario", help="Only runs of this scenario id."),
    store: Optional[str] = STORE_OPT,
    format: TableFormat = RUNS_FORMAT_OPT,
) -> None:
    """The stored runs, newest first."""
    import dataclasses

    from detente.report.runs import runs_table
    from detente.store import Store

    with Store(store) as opened:
        found = opened.list(limit or None, kind, scenario)
        if format is TableFormat.table:
            console.print(runs_table(found, opened.path))
        elif format is TableFormat.csv:
            print_csv([{**dataclasses.asdict(run), "models": " ".join(run.models)} for run in found])
        else:
            print_json([dataclasses.asdict(run) for run in found])


@runs_app.command("show")
@user_errors
def runs_show(
    run_id: str = typer.Argument(..., metavar="ID", help="The run id, or 'latest'."),
    store: Optional[str] = STORE_OPT,
    format: TableFormat = RUNS_FORMAT_OPT,
) -> None:
    """One stored run: what was run, on what, with which options, and its forecasts."""
    from detente.report.runs import run_view
    from detente.store import Store

    with Store(store) as opened:
        run = opened.get(run_id)
    if format is TableFormat.table:
        console.print(run_view(run, console.width))
    elif format is TableFormat.csv:
        from detente.report.runs import csv_rows

        rows = csv_rows(run)
        print_csv([{"run": run.id, "kind": run.kind, "scenario": run.scenario_id, **row} for row in rows])
    else:
        print_json({**run.to_json(), "scenario_text": run.scenario_text, "scenario_texts": run.scenario_texts})


@runs_app.command("diff")
@user_errors
def runs_diff(
    first: str = typer.Argument(..., metavar="ID1", help="The first run."),
    second: str = typer.Argument(..., metavar="ID2", help="The second run."),
    store: Optional[str] = STORE_OPT,
    format: TableFormat = RUNS_FORMAT_OPT,
) -> None:
    """What changed between two runs: scenario fields, models, options, seed, and every forecast."""
    from detente.report.runs import diff_view
    from detente.store import Store

    with Store(store) as opened:
        difference = opened.diff(first, second)
    if format is TableFormat.table:
        console.print(diff_view(difference, console.width))
    elif format is TableFormat.csv:
        print_csv([{"first_run": difference.first.id, "second_run": difference.second.id, **row} for row in difference.forecasts.to_dict("records")])
    else:
        print_json(difference.to_json())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
