"""Long-running work for the web app: each request gets its own job, with progress and cancellation.

Jobs run in a small thread pool. A job's function receives a ``progress(done, total)`` callback;
calling it after the job was cancelled raises :class:`Cancelled`, which ends the job cleanly.
Every job has its own id, so two browser tabs never see each other's results.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from detente.errors import DetenteError


class Cancelled(Exception):
    """Raised inside a job when its user cancelled it."""


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
