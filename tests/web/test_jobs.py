"""The job queue behind long runs: progress, cancellation, and jobs that never mix."""

import threading
import time

from detente.errors import UsageError
from detente.web.jobs import JobQueue


def wait(queue, job_id, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = queue.get(job_id)
        if job.status not in {"queued", "running"}:
            return job
        time.sleep(0.01)
    raise AssertionError("job did not finish")


def test_progress_and_result():
    queue = JobQueue(workers=1)

    def work(progress):
        for step in range(5):
            progress(step + 1, 5)
        return {"answer": 42}

    job = wait(queue, queue.submit("demo", work).id)
    assert job.status == "done" and job.result == {"answer": 42} and (job.done, job.total) == (5, 5)


def test_cancelling_a_running_job_stops_it():
    queue = JobQueue(workers=1)
    started = threading.Event()
    steps = []

    def work(progress):
        started.set()
        for step in range(1000):
            progress(step, 1000)
            steps.append(step)
            time.sleep(0.005)
        return "finished"

    job = queue.submit("slow", work)
    started.wait(2)
    queue.cancel(job.id)
    job = wait(queue, job.id)
    assert job.status == "cancelled" and job.result is None and len(steps) < 1000


def test_two_jobs_keep_their_own_results():
    queue = JobQueue(workers=2)
    first = queue.submit("a", lambda progress: (time.sleep(0.05), "first")[1])
    second = queue.submit("b", lambda progress: "second")
    assert wait(queue, first.id).result == "first"
    assert wait(queue, second.id).result == "second"
    assert first.id != second.id


def test_a_user_error_fails_the_job_with_its_message():
    queue = JobQueue(workers=1)

    def work(progress):
        raise UsageError("unknown lever 'USA.charm*2'")

    job = wait(queue, queue.submit("whatif", work).id)
    assert job.status == "failed" and "unknown lever" in job.error
