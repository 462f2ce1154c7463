"""Long-running work for the web app: each request gets its own job, with progress and cancellation.

Jobs run in a small thread pool. A job's function receives a ``progress(done, total)`` callback;
calling it after the job was cancelled raises :class:`Cancelled`, which ends the job cleanly.
The heavy part of a job runs in a child process (:func:`in_child`) that a cancel ends at once:
a model that works through a block of draws for seconds (or a slow model run per draw) would
otherwise only see the cancel when it next reports progress.
Every job has its own id, so two browser tabs never see each other's results. Only one job of
each kind runs at a time: a second one is refused with :class:`Busy` (naming the running one)
instead of queueing behind it unseen.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from detente.errors import DetenteError


class Cancelled(Exception):
    """Raised inside a job when its user cancelled it."""


class Busy(DetenteError):
    """A job of the same kind is still queued or running."""

    def __init__(self, job: "Job"):
        self.job = job
        super().__init__(f"a {job.kind} job is already running ({job.done} of {job.total or '?'} done): wait for it or cancel it first")


@dataclass
class Job:
    id: str
    kind: str
    status: str = "queued"  # queued | running | done | failed | cancelled
    done: int = 0
    total: int = 0
    result: Any = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, done: int, total: int) -> None:
        if self.cancel_event.is_set():
            raise Cancelled()
        self.done, self.total = done, total

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "seconds": round((self.finished or time.time()) - self.started, 3),
            "result": self.result if self.status == "done" else None,
        }


class JobQueue:
    """A bounded set of jobs run on worker threads; old finished jobs are forgotten."""

    def __init__(self, workers: int = 2, keep: int = 200):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="detente-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, kind: str, work: Callable[[Callable[[int, int], None]], Any]) -> Job:
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            running = next((j for j in self._jobs.values() if j.kind == kind and j.status in {"queued", "running"}), None)
            if running is not None:
                raise Busy(running)
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable) -> None:
        if job.cancel_event.is_set():
            job.status, job.finished = "cancelled", time.time()
            return
        job.status = "running"
        try:
            job.result = work(job.progress)
            job.status = "done"
        except Cancelled:
            job.status = "cancelled"
        except DetenteError as error:
            job.status, job.error = "failed", str(error)
        except Exception as error:  # a bug: report it rather than leave the job running forever
            job.status, job.error = "failed", f"internal error: {type(error).__name__}: {error}"
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        job = self.get(job_id)
        if job is not None and job.status in {"queued", "running"}:
            job.cancel_event.set()
            if job.status == "queued":
                job.status = "cancelled"
        return job

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished is not None]
        for job in sorted(finished, key=lambda j: j.finished or 0)[: max(0, len(finished) - self._keep)]:
            del self._jobs[job.id]


POLL_SECONDS = 0.05
CHILD_PRELOAD = ["detente.analysis.montecarlo", "detente.analysis.sensitivity", "detente.analysis.whatif", "detente.web.work"]


def _context() -> multiprocessing.context.BaseContext:
    """Children come from a fork server that has the analysis modules imported: a new child starts
    in milliseconds, and never forks the web server's own threads."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(CHILD_PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server now, so the first job does not wait for its imports."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def in_child(function: Callable[..., Any], *args: Any, progress: Callable[[int, int], None], **kwargs: Any) -> Any:
    """``function(*args, progress=..., **kwargs)`` run in a child process; its progress reaches
    ``progress`` here. When ``progress`` raises (the job was cancelled), the child is ended at once
    and the exception goes on. ``function`` and its arguments must be picklable."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(sender, function, args, kwargs), daemon=True)
    child.start()
    sender.close()
    last = (0, 0)
    try:
        while True:
            if receiver.poll(POLL_SECONDS):
                try:
                    kind, payload = receiver.recv()
                except EOFError:
                    raise RuntimeError(f"the worker process ended without an answer (exit code {child.exitcode})") from None
                if kind == "progress":
                    last = payload
                elif kind == "result":
                    return payload
                else:
                    raise payload
            progress(*last)
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)


def _child_main(sender, function: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    def progress(done: int, total: int) -> None:
        sender.send(("progress", (done, total)))

    try:
        result = function(*args, progress=progress, **kwargs)
    except DetenteError as error:
        sender.send(("error", DetenteError(str(error))))
    except Exception as error:  # a bug: reported as the job's failure
        sender.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    else:
        sender.send(("result", result))
    finally:
        sender.close()
