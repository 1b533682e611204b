"""`practicum worker`: an RQ worker that runs Practicum's jobs with the app and its models loaded."""

from __future__ import annotations

import threading

from flask import Flask
from rq import SimpleWorker

from practicum import job_queue, runtime


class PracticumWorker(SimpleWorker):
    """Runs each job in this process (the models stay loaded) and keeps its heartbeat going.

    RQ's SimpleWorker sends no heartbeat while a job runs, so a killed worker's job would only
    be found after its whole timeout; here a thread beats every job_monitoring_interval and a
    silence of three beats marks the job abandoned, to be retried by the next worker's upkeep.
    """

    def get_heartbeat_ttl(self, job) -> int:
        """Return how long a job may go without a heartbeat before it counts as abandoned."""
        return 3 * self.job_monitoring_interval

    def perform_job(self, job, queue) -> bool:
        """Run the job with a heartbeat thread beside it."""
        stop = threading.Event()
        beating = threading.Thread(target=self._keep_alive, args=(job, stop), daemon=True)
        beating.start()
        try:
            return super().perform_job(job, queue)
        finally:
            stop.set()
            beating.join()

    def _keep_alive(self, job, stop: threading.Event) -> None:
        while not stop.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job)
            except Exception:  # a lost beat is retried at the next one; the job must go on
                self.log.warning("heartbeat for job %s failed", job.id, exc_info=True)


def run_worker(app: Flask, burst: bool = False) -> None:
    """Work on the job queue until stopped (SIGTERM: after the current job), or until empty with burst."""
    from redis import Redis

    config = app.config["PRACTICUM"]
    job_queue._worker_app = app
    if config.WARM_MODELS:
        runtime.warm(app)
    beat = config.JOB_HEARTBEAT_S
    worker = PracticumWorker(
        [job_queue.QUEUE_NAME],
        connection=Redis.from_url(config.JOB_QUEUE_URL),
        # RQ waits for a job worker_ttl - 15 s at a time and does its upkeep (finding abandoned
        # jobs) between waits: both every heartbeat.
        worker_ttl=beat + 15,
        job_monitoring_interval=beat,
        maintenance_interval=beat,
    )
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:  # its model also writes trainees' replies from the shared queue: end the one it writes
        runtime.stop_serving_queued_replies(app)
