"""Who runs the jobs: RQ workers on Redis (JOB_QUEUE_URL), or else a thread of the web process.

With Redis, `practicum worker` runs jobs one at a time in its own process (models loaded once),
retries a failed attempt with growing waits, and finds a job whose worker was killed by the
missing heartbeat and runs it again. Without Redis (`make run`), a thread in each web process
runs the jobs it was given, with the same retries; a job cut off by a stop of the server shows
as stalled and can be retried by an admin. Either way the job's record in PostgreSQL is the truth.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from flask import Flask, current_app

from practicum import job_work
from practicum.errors import PracticumError

log = logging.getLogger(__name__)
QUEUE_NAME = "practicum"
_worker_app: Flask | None = None  # the app of a `practicum worker` process


def retry_waits(config) -> list[int]:
    """Return the waits before each retry: JOB_RETRY_WAIT_S, then 4x and 16x that, and so on."""
    return [config.JOB_RETRY_WAIT_S * 4**i for i in range(config.JOB_RETRIES)]


def enqueue(job_id: int, app: Flask | None = None) -> None:
    """Hand a recorded job to whoever runs jobs here."""
    app = app or current_app._get_current_object()
    config = app.config["PRACTICUM"]
    if not config.JOB_QUEUE_URL:
        _threads.submit(app, job_id)
        return
    from redis.exceptions import RedisError
    from rq import Callback, Retry

    try:
        rq_queue(config).enqueue(
            run_job,
            job_id,
            retry=Retry(max=config.JOB_RETRIES, interval=retry_waits(config)) if config.JOB_RETRIES else None,
            job_timeout=config.JOB_TIMEOUT_S,
            on_failure=Callback(failed_attempt),
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            description=f"practicum job {job_id}",
        )
    except RedisError:
        log.exception("job %s could not be queued", job_id)
        message = "The job queue (Redis) did not answer, so the job was not started. Retry it in a moment."
        job_work.record_failure(job_id, message, final=True)
        raise QueueUnavailable(message, {"job_id": job_id}) from None


def rq_queue(config):
    """Return the RQ queue on the configured Redis (a short time limit: a request waits on it)."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(config.JOB_QUEUE_URL, socket_connect_timeout=2, socket_timeout=5)
    return Queue(QUEUE_NAME, connection=connection)


def queue_depth(config) -> int | None:
    """Return how many jobs wait in Redis (scheduled retries included); None without Redis or when
    it does not answer."""
    from redis.exceptions import RedisError

    if not config.JOB_QUEUE_URL:
        return None
    try:
        found = rq_queue(config)
        return found.count + found.scheduled_job_registry.count
    except RedisError:
        log.warning("job queue depth: Redis did not answer")
        return None


class QueueUnavailable(PracticumError):
    code, status = "queue_unavailable", 503
    shown_on_pages = True


def run_job(job_id: int) -> None:
    """Run one attempt of a job in a worker (RQ calls this)."""
    with _worker_app.app_context():
        job_work.perform(job_id)


def failed_attempt(job, connection, error_type, error, traceback) -> None:
    """Record a failed attempt (raised, timed out, or abandoned by a killed worker); RQ calls this."""
    with _worker_app.app_context():
        final = not job.retries_left
        job_work.record_failure(job.args[0], job_work.describe(error), final)
        log.warning("job %s attempt failed%s: %s", job.args[0], " (final)" if final else "", error)


class _ThreadRunner:
    """One thread per web process that runs the jobs it is given, in order, with retries."""

    def __init__(self):
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, app: Flask, job_id: int) -> None:
        """Queue a job, starting the thread on first use (after gunicorn's fork, never before)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="practicum-jobs", daemon=True)
                self._thread.start()
        self._queue.put((app, job_id))

    def _loop(self) -> None:
        while True:
            app, job_id = self._queue.get()
            run_with_retries(app, job_id)


def run_with_retries(app: Flask, job_id: int) -> None:
    """Run a job in this process: each failed attempt is recorded, then retried after its wait."""
    config = app.config["PRACTICUM"]
    waits = retry_waits(config)
    for attempt in range(len(waits) + 1):
        with app.app_context():
            try:
                job_work.perform(job_id)
                return
            except Exception as error:
                log.exception("job %s attempt %s failed", job_id, attempt + 1)
                job_work.record_failure(job_id, job_work.describe(error), final=attempt == len(waits))
        if attempt < len(waits):
            time.sleep(waits[attempt])


_threads = _ThreadRunner()
