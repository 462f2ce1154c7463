"""The local web app: a JSON API (documented by its OpenAPI schema) and the page that uses it.

Start it with ``detente serve``. It binds to 127.0.0.1 unless told otherwise. Uploads are capped,
parsed with the same safe readers as the CLI (no YAML object tags, no spreadsheet formulas, no
path taken from the upload) and validated with the same messages; nothing is stored for a
malformed upload.
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Sequence

from fastapi import FastAPI, File, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from detente import __version__
from detente.errors import DetenteError, ScenarioError, UsageError
from detente.scenario import Scenario
from detente.web.guard import LOOPBACK_HOSTS, Guard
from detente.web import present
from detente.web.jobs import Busy, JobQueue, in_child, warm_up
from detente.web.workspace import VersionConflict, Workspace

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_REQUEST_BYTES = 2 * MAX_UPLOAD_BYTES  # any request body: an upload with its form overhead, or scenario JSON
JOB_CHUNK_DRAWS = 256
"""Monte Carlo draws per step of a web job: progress shows and a cancel is seen after each step."""
STATIC = Path(str(resources.files("detente") / "web" / "static"))


class ScenarioPayload(BaseModel):
    """A scenario in the detente format, as JSON (the YAML file's structure)."""

    scenario: dict[str, Any] = Field(..., description="the scenario, structured as in a detente YAML file")


class ForecastRequest(ScenarioPayload):
    models: list[str] | None = Field(None, description="model names; default: the standard set")
    settings: list[str] = Field(default_factory=list, description="model options as KEY=VALUE or MODEL.KEY=VALUE")


class ForecastWithChartsRequest(ForecastRequest):
    charts: bool = Field(False, description="also return each issue's landscape chart (plotly figure JSON), from the same run")


class SimulateRequest(ForecastRequest):
    draws: int = Field(1000, ge=1, le=200_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)


class WhatIfRequest(ForecastRequest):
    levers: list[str] = Field(..., min_length=1, description="levers such as 'USA.capability*0.5' or 'drop:HUN'")
    draws: int = Field(0, ge=0, le=100_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)


class AdviseRequest(ForecastRequest):
    target: str = Field(..., max_length=200, description="where the forecast should be: 'territory<=30', or '<=30' with issue")
    issue: str | None = Field(None, description="the issue the target is on, unless the target names it")
    levers: list[str] | None = Field(None, description="lever kinds allowed (position, salience, capability, coalition, drop, add)")
    max_shift: float | None = Field(None, ge=0, description="largest move of a position, in issue units")
    costs: dict[str, float] = Field(default_factory=dict, description="cost multiplier per actor id")
    fixed: list[str] = Field(default_factory=list, description="actors that cannot be moved")
    budget: float | None = Field(None, ge=0)
    robust: bool = Field(False, description="the plan must reach the target under every chosen model")
    draws: int = Field(200, ge=0, le=10_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)


class SensitivityRequest(ForecastRequest):
    model: str | None = Field(None, description="one model to analyse (older form of ``models``)")


class ProblemOut(BaseModel):
    field: str | None
    line: int | None
    message: str


class ValidationOut(BaseModel):
    valid: bool
    problems: list[ProblemOut]


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """The scenario as JSON in the file format's structure."""
    from detente.io.yaml_io import to_dict

    data = to_dict(scenario)
    for issue in data.get("issues", []):
        issue["scale"] = list(issue["scale"])
        if "anchors" in issue:
            issue["anchors"] = {f"{float(k):g}": v for k, v in issue["anchors"].items()}
    for actor in data.get("actors", []):
        actor["stances"] = {k: dict(v) for k, v in actor.get("stances", {}).items()}
    return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no inf or NaN; as text the editor shows it and validation names it
    return value


def parse_scenario(data: dict[str, Any]) -> Scenario:
    return Scenario.from_dict(data, source="scenario")


def problems_json(error: ScenarioError) -> list[dict[str, Any]]:
    return [{"field": p.field, "line": p.line, "message": p.message} for p in error.problems]


NEW_SCENARIO = {
    "detente": 1,
    "id": "new-scenario",
    "title": "New scenario",
    "issues": [{"id": "issue-1", "title": "First issue", "scale": [0, 100], "anchors": {"0": "One extreme", "100": "The other extreme"}}],
    "actors": [
        {"id": "A", "name": "Actor A", "capability": 50, "stances": {"issue-1": {"position": 20, "salience": 50}}},
        {"id": "B", "name": "Actor B", "capability": 50, "stances": {"issue-1": {"position": 80, "salience": 50}}},
    ],
}


class SaveRequest(ScenarioPayload):
    version: int | None = Field(None, ge=0, le=2**62, description="the version the edit started from; null for a new saved scenario")


def _store_file(store_path: str | None) -> Path:
    from detente.store import default_path

    return Path(store_path) if store_path else default_path()


class ReportRequest(ForecastRequest):
    draws: int = Field(0, ge=0, le=20_000, description="Monte Carlo draws for the report (0: none)")
    seed: int = Field(0, ge=0, le=2**63 - 1)


def create_app(
    store_path: str | None = None,
    workers: int = 2,
    *,
    token: str | None = None,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
) -> FastAPI:
    """The app; ``store_path`` is the SQLite file of stored runs (None: the default location).

    ``token``: when given, every request must carry it (see :mod:`detente.web.guard`); the CLI
    requires one on any address other than loopback. ``allowed_hosts``: the Host header names the
    app answers to (None: any, which only makes sense behind a token).
    """
    @asynccontextmanager
    async def lifespan(_: FastAPI):
        threading.Thread(target=warm_up, daemon=True).start()  # the first job then starts at once
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="detente",
        version=__version__,
        description="Forecast and explore multi-party negotiations: build a scenario, run the models, see the charts.",
        docs_url=None,  # the interactive API pages load their scripts from a CDN; the app makes no outside requests
        redoc_url=None,
    )
    jobs = JobQueue(workers=workers)
    app.state.jobs = jobs
    app.state.store_path = store_path
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guard, max_body=MAX_REQUEST_BYTES, allowed_hosts=allowed_hosts, token=token)

    def keep(record) -> int | None:
        """Store a run (``record(store)`` writes it); a store that cannot be written loses the run, not the answer."""
        from detente.store import keep as keep_in_store

        return keep_in_store(store_path, record)[0]

    @app.exception_handler(ScenarioError)
    async def scenario_error(_: Request, error: ScenarioError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": "the scenario has problems", "problems": problems_json(error)})

    @app.exception_handler(DetenteError)
    async def user_error(_: Request, error: DetenteError) -> JSONResponse:
        return JSONResponse(status_code=400, content={"error": str(error)})

    @app.exception_handler(Busy)
    async def busy(_: Request, error: Busy) -> JSONResponse:
        return JSONResponse(status_code=409, content={"error": str(error), "job": error.job.view()})

    @app.exception_handler(VersionConflict)
    async def conflict(_: Request, error: VersionConflict) -> JSONResponse:
        return JSONResponse(status_code=409, content={"error": str(error), "current_version": error.current})

    @app.exception_handler(RequestValidationError)
    async def request_error(_: Request, error: RequestValidationError) -> JSONResponse:
        """What does not fit the API, by field; never the request's own content (FastAPI's default
        echoes the body, and fails with a 500 on one that is not UTF-8)."""
        return JSONResponse(status_code=422, content={"error": "the request does not fit the API", "problems": request_problems(error.errors())})

    @app.exception_handler(OverflowError)
    async def number_too_large(_: Request, error: OverflowError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": "a number in the request is too large to compute with"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        """plotly.js (3.5 MB) with a week's caching and an ETag of its version, so a reload does not fetch it again."""
        import plotly

        etag = f'"plotly-{plotly.__version__}"'
        headers = {"Cache-Control": "public, max-age=604800", "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(_plotly_js(), media_type="application/javascript", headers=headers)

    @app.get("/api/version")
    def version() -> dict[str, str]:
        return {"detente": __version__}

    @app.get("/api/models")
    def list_models() -> list[dict[str, Any]]:
        """Every model with its options' JSON schema (types, defaults, descriptions)."""
        from detente import models as registry
        from detente.analysis.montecarlo import default_simulation_models

        default_simulation = default_simulation_models()[0]
        return [
            {
                "name": name, "title": cls.title, "short_title": cls.short_title or cls.title, "summary": cls.summary, "dynamic": cls.dynamic, "default": cls.in_default_set,
                "simulation_default": name in default_simulation, "options": cls.Options.model_json_schema(),
            }
            for name, cls in registry.registry().items()
        ]

    @app.get("/api/scenarios")
    def list_scenarios() -> list[dict[str, Any]]:
        from detente.io import DEFAULT_SCENARIO, bundled

        return [
            {"id": s.id, "title": s.label, "as_of": str(s.as_of or ""), "actors": len(s.actors), "issues": len(s.issues), "default": s.id == DEFAULT_SCENARIO}
            for s in bundled()
        ]

    @app.get("/api/scenarios/{scenario_id}")
    def get_scenario(scenario_id: str) -> dict[str, Any]:
        from detente.io import bundled_ids, load

        if scenario_id not in bundled_ids():
            raise HTTPException(status_code=404, detail=f"no bundled scenario {scenario_id!r}")
        return {"scenario": scenario_json(load(scenario_id))}

    @app.get("/api/series")
    def list_series() -> list[dict[str, Any]]:
        """Bundled snapshot series (scenarios of one negotiation at several dates), oldest first."""
        from detente.io.history import bundled_series, has_history, series_snapshots

        return [
            {"series": name, "history": has_history(name),
             "snapshots": [{"id": s.id, "title": s.label, "as_of": str(s.as_of or "")} for s in series_snapshots(name)]}
            for name in bundled_series()
        ]

    @app.get("/api/series/{series}/timeline")
    def series_timeline(series: str) -> dict[str, Any]:
        """Each model's forecast per issue across the series (standard models), its history and one chart per issue."""
        from detente.analysis.timeline import resolve_timeline
        from detente.io.history import bundled_series
        from detente.report.charts import timeline_chart

        if series not in bundled_series():
            raise HTTPException(status_code=404, detail=f"no bundled series {series!r}")
        result = resolve_timeline([series])
        return {**result.to_json(), "figures": [_figure_json(timeline_chart(result, issue, interactive=True)) for issue in result.issue_ids()]}

    @app.get("/api/new")
    def new_scenario() -> dict[str, Any]:
        return {"scenario": NEW_SCENARIO}

    @app.post("/api/upload")
    async def upload(file: UploadFile = File(...)) -> dict[str, Any]:
        """Read a scenario file in any supported format; nothing is stored."""
        from detente.io import detect_format, read_bytes

        data = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(status_code=413, detail=f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
        if not data.strip():
            raise HTTPException(status_code=422, detail="the file is empty")
        name = Path(file.filename or "upload").name
        suffix = Path(name).suffix.lower()
        label = f"upload{suffix}"
        if suffix == ".xlsx":
            fmt = "xlsx"
        else:
            head = data[:4000].decode("utf-8", errors="replace")
            fmt = detect_format(Path(label), head)
        try:
            return {"scenario": scenario_json(read_bytes(data, fmt, name))}
        except ScenarioError as error:
            draft = _editable_draft(data, fmt)
            if draft is None:
                raise
            content = {"error": "the scenario has problems", "problems": problems_json(error), "draft": draft}
            return JSONResponse(status_code=422, content=content)

    @app.post("/api/validate", response_model=ValidationOut)
    def validate(payload: ScenarioPayload) -> ValidationOut:
        """Every problem of a scenario, each naming its field."""
        try:
            parse_scenario(payload.scenario)
        except ScenarioError as error:
            return ValidationOut(valid=False, problems=[ProblemOut(**p) for p in problems_json(error)])
        return ValidationOut(valid=True, problems=[])

    @app.post("/api/forecast")
    def forecast(request: ForecastWithChartsRequest) -> dict[str, Any]:
        from detente.forecast import forecast as run

        scenario = parse_scenario(request.scenario)
        started = time.perf_counter()
        result = run(scenario, request.models or None, request.settings)
        seconds = time.perf_counter() - started
        run_id = keep(lambda store: store.record_forecast(result, {"total": seconds}, ["web", "forecast"]))
        answer = {**result.to_json(), "run": run_id}
        if request.charts:
            from detente.report import interactive

            answer["figures"] = [_figure_json(interactive.landscape(result, issue=issue.id)) for issue in scenario.issues]
        return answer

    @app.post("/api/export/{fmt}")
    def export(fmt: Literal["yaml", "csv", "xlsx"], payload: ScenarioPayload) -> Response:
        """The scenario as a file to download."""
        scenario = parse_scenario(payload.scenario)
        filename = f"{scenario.id}.{fmt}"
        if fmt == "yaml":
            from detente.io.yaml_io import dumps

            body, media = dumps(scenario).encode("utf-8"), "application/x-yaml"
        elif fmt == "csv":
            from detente.io.table import write_csv

            body, media = write_csv(scenario).encode("utf-8"), "text/csv"
        else:
            from detente.io.table import write_xlsx

            body, media = write_xlsx(scenario), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @app.post("/api/charts/landscape")
    def landscape_charts(request: ForecastRequest) -> dict[str, Any]:
        """Interactive issue landscapes (plotly figure JSON), one per issue, with every model's forecast."""
        from detente.forecast import forecast as run
        from detente.report import interactive

        result = run(parse_scenario(request.scenario), request.models or None, request.settings)
        return {"figures": [_figure_json(interactive.landscape(result, issue=issue.id)) for issue in result.scenario.issues]}

    @app.post("/api/jobs/simulate", responses={409: {"description": "a Monte Carlo job is already running"}})
    def start_simulation(request: SimulateRequest) -> dict[str, Any]:
        """Monte Carlo over the scenario's input uncertainty, as a job (poll /api/jobs/{id}).
        Without ``models``, the command line's default set (models that run draw by draw are left out, and the notes say so)."""
        scenario = parse_scenario(request.scenario)

        def work(progress):
            from detente.analysis.montecarlo import simulate
            from detente.report import interactive
            from detente.report.chartdata import simulation_draws

            progress(0, request.draws)
            started = time.perf_counter()
            result = in_child(simulate, scenario, request.models or None, request.draws, request.seed, request.settings, chunk_size=JOB_CHUNK_DRAWS, progress=progress)
            seconds = time.perf_counter() - started
            options = {"settings": request.settings, "draws": request.draws, "uncertainty": result.uncertainty.model_dump()}
            run_id = keep(lambda store: store.record("simulate", scenario, result.to_json(), result.models, options, request.seed, {"total": seconds}, ["web", "simulate"]))
            draws = simulation_draws(result)
            figures = [_figure_json(interactive.distribution(draws, scenario, issue.id)) for issue in scenario.issues]
            records = result.records()
            return {
                "title": f"Monte Carlo: {result.draws} draws, seed {result.seed}",
                "models": result.models,
                "tables": [present.simulation_table(records, scenario, result.draws)],
                "notes": result.notes,
                "figures": figures,
                "summaries": records,
                "run": run_id,
            }

        return jobs.submit("simulate", work).view()

    @app.post("/api/jobs/sensitivity", responses={409: {"description": "a sensitivity job is already running"}})
    def start_sensitivity(request: SensitivityRequest) -> dict[str, Any]:
        """Which actor and input moves the forecast most, and each forecast without each actor:
        for every model asked for (``models``; or ``model``; default: the standard set), as a job."""
        from detente import models as registry

        scenario = parse_scenario(request.scenario)
        names = request.models or ([request.model] if request.model else registry.default_names())
        for name in names:
            registry.get(name)  # an unknown model is refused now, not inside the job

        def work(progress):
            from detente.report import interactive
            from detente.report.chartdata import tornado_frame
            from detente.web.work import sensitivities

            progress(0, len(names))
            results = in_child(sensitivities, scenario, names, request.settings, progress=progress)
            figures = [_figure_json(interactive.tornado(tornado_frame(result, issue.id), issue=issue)) for result in results[:1] for issue in scenario.issues]
            return {
                "title": "Sensitivity of " + ", ".join(f"{r.model} ({r.method})" for r in results),
                "models": names,
                "tables": present.sensitivity_tables(results),
                "notes": [f"charts show the {results[0].model} model"] if len(results) > 1 else [],
                "figures": figures,
            }

        return jobs.submit("sensitivity", work).view()

    @app.post("/api/jobs/whatif", responses={409: {"description": "a what-if job is already running"}})
    def start_whatif(request: WhatIfRequest) -> dict[str, Any]:
        """Baseline and levers side by side (with Monte Carlo intervals when draws > 0), as a job."""
        from detente.analysis.whatif import apply_levers, expand_levers

        scenario = parse_scenario(request.scenario)
        apply_levers(scenario, expand_levers(scenario, request.levers))

        def work(progress):
            from detente.analysis.whatif import whatif

            progress(0, request.draws or 1)
            started = time.perf_counter()
            result = in_child(whatif, scenario, request.levers, request.models or None, request.settings, request.draws or None, request.seed, progress=progress)
            seconds = time.perf_counter() - started
            options = {"levers": result.lever_texts, "settings": request.settings, "draws": request.draws}
            models = [r.model for r in result.baseline.results]
            seed = request.seed if request.draws else None
            run_id = keep(lambda store: store.record("whatif", [result.baseline.scenario, result.changed.scenario], result.to_json(), models, options, seed, {"total": seconds}, ["web", "whatif"]))
            records = result.records()
            return {
                "title": "What if: " + "; ".join(result.lever_texts),
                "models": models,
                "levers": result.lever_texts,
                "tables": [present.whatif_table(records, result.baseline.scenario, result.lever_texts, request.draws or None)],
                "rows": records,
                "notes": result.notes,
                "run": run_id,
            }

        return jobs.submit("whatif", work).view()

    @app.post("/api/jobs/advise", responses={409: {"description": "an advice job is already running"}})
    def start_advise(request: AdviseRequest) -> dict[str, Any]:
        """The cheapest plans that bring one issue's forecast to a target, checked under every model, as a job."""
        from detente.analysis.advise import DEFAULT_LEVER_KINDS, LeverSpace, advise, parse_target, split_target

        scenario = parse_scenario(request.scenario)
        issue, goal = split_target(request.target, request.issue)
        if issue is None:
            raise UsageError(f"the target {request.target!r} names no issue: write it as ISSUE<=VALUE, e.g. {scenario.issue_ids[0]}<=30")
        parse_target(goal, scenario.issue(issue))
        space = LeverSpace(kinds=tuple(request.levers or DEFAULT_LEVER_KINDS), max_shift=request.max_shift, fixed=tuple(request.fixed))

        def work(progress):
            from detente.web import present

            result = in_child(advise, scenario, issue, goal, request.models or None, request.settings, space, progress=progress,
                              costs=request.costs, budget=request.budget, robust=request.robust, draws=request.draws, seed=request.seed)
            return {**result.to_json(), "title": f"Advice: {result.issue.label}, target {result.target.describe()}",
                    "notes": [result.summary(), *result.notes], "tables": present.advice_tables(result)}

        return jobs.submit("advise", work).view()

    @app.post("/api/report", response_class=HTMLResponse)
    def report(request: ReportRequest) -> HTMLResponse:
        """The self-contained HTML report of the scenario (plotly.js embedded; opens offline)."""
        from detente.report.html import build, render

        scenario = parse_scenario(request.scenario)
        data = build(scenario, request.models or None, request.settings, draws=request.draws, seed=request.seed)
        headers = {"Content-Disposition": f'attachment; filename="{scenario.id}-report.html"'}
        return HTMLResponse(render(data), headers=headers)

    @app.get("/api/runs")
    def list_runs(limit: int = 50) -> list[dict[str, Any]]:
        """Stored runs, newest first."""
        from detente.store import Store

        with Store(store_path) as store:
            return [
                {"id": r.id, "kind": r.kind, "created": r.created, "scenario_id": r.scenario_id, "models": r.models, "seed": r.seed, "seconds": r.seconds}
                for r in store.list(limit=max(1, min(limit, 500)))
            ]

    @app.get("/api/runs/{run_id}")
    def get_run(run_id: int) -> dict[str, Any]:
        """One stored run: its scenario as run (a what-if's baseline, with ``levers`` and the changed
        scenario), its options, its forecasts and the tables the page shows for its kind."""
        from detente.store import Store

        with Store(store_path) as store:
            try:
                stored = store.get(run_id)
            except DetenteError:
                raise HTTPException(status_code=404, detail=f"no stored run {run_id}") from None
        forecasts = [{k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()} for row in stored.forecasts.to_dict("records")]
        scenarios = stored.scenarios()
        view: dict[str, Any] = {"tables": []}
        if stored.kind == "simulate":
            view["tables"] = [present.simulation_table(stored.results.get("summaries", []), scenarios[0], int(stored.results.get("draws") or 0))]
        elif stored.kind == "whatif":
            levers = list(stored.options.get("levers", []))
            view = {"tables": [present.whatif_table(stored.results.get("forecasts", []), scenarios[0], levers, stored.results.get("draws"))], "levers": levers}
            view["changed_scenario"] = scenario_json(scenarios[1]) if len(scenarios) > 1 else None
        return {**stored.to_json(), "scenario": scenario_json(scenarios[0]), "forecasts": forecasts, **view}

    @app.get("/api/workspace")
    def list_saved() -> list[dict[str, Any]]:
        """Scenarios saved by the team on this server, newest first, with their version numbers."""
        with Workspace(_store_file(store_path)) as workspace:
            return workspace.list()

    @app.get("/api/workspace/{scenario_id}")
    def get_saved(scenario_id: str) -> dict[str, Any]:
        with Workspace(_store_file(store_path)) as workspace:
            saved = workspace.get(scenario_id)
        if saved is None:
            raise HTTPException(status_code=404, detail="no saved scenario of that id")
        return {"id": saved.id, "version": saved.version, "saved": saved.saved, "scenario": saved.scenario}

    @app.put("/api/workspace/{scenario_id}", responses={409: {"description": "someone else saved a newer version"}})
    def save(scenario_id: str, request: SaveRequest) -> dict[str, Any]:
        """Save a scenario (problems and all: work in progress) as the next version. ``version`` is
        the one the edit started from (null for a new one); if someone saved since, 409 says so."""
        with Workspace(_store_file(store_path)) as workspace:
            version = workspace.save(scenario_id, request.scenario, request.version)
        return {"id": scenario_id, "version": version}

    @app.get("/api/jobs/{job_id}")
    def job_status(job_id: str) -> dict[str, Any]:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(status_code=404, detail="no such job")
        return job.view()

    @app.delete("/api/jobs/{job_id}")
    def cancel_job(job_id: str) -> dict[str, Any]:
        job = jobs.cancel(job_id)
        if job is None:
            raise HTTPException(status_code=404, detail="no such job")
        return job.view()

    return app


def _editable_draft(data: bytes, fmt: str) -> dict[str, Any] | None:
    """A YAML file that parses but does not validate, as plain data the editor can open to fix
    (its issues and actors are lists); None when it is not that far."""
    if fmt != "yaml":
        return None
    from detente.io.yaml_io import parse

    try:
        draft, _ = parse(data.decode("utf-8"))
    except Exception:  # unreadable YAML: nothing to edit, the problems say why
        return None
    if not (isinstance(draft, dict) and isinstance(draft.get("issues"), list) and isinstance(draft.get("actors"), list)):
        return None
    if not all(isinstance(item, dict) for item in [*draft["issues"], *draft["actors"]]):
        return None
    return _jsonable(draft)


def request_problems(errors: Sequence[dict[str, Any]], limit: int = 20) -> list[dict[str, Any]]:
    """Pydantic's errors as problems naming the field, without the offending input."""
    problems = []
    for error in errors[:limit]:
        where = [str(part) for part in error.get("loc", ()) if part != "body"]
        problems.append({"field": ".".join(where) or None, "line": None, "message": str(error.get("msg", "invalid"))[:200]})
    if len(errors) > limit:
        problems.append({"field": None, "line": None, "message": f"and {len(errors) - limit} more"})
    return problems


def _figure_json(figure: Any) -> dict[str, Any]:
    import json

    return json.loads(figure.to_json())


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
