"""Queue metrics for /metrics, read when scraped: jobs run in other processes (RQ workers), so
their counts come from the job records (and the Redis queue), not from this process's memory;
model replies wait in a queue that every worker shares (Redis) or in this process's lock."""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from practicum.db import session

log = logging.getLogger(__name__)


class JobCollector:
    """Queue depth, jobs by status, finished jobs and failed attempts, by kind."""

    def describe(self):
        """Name the metrics without reading the database (prometheus-client asks at registration)."""
        return []

    def collect(self):
        """Read the job records and the queue now."""
        if not has_app_context():
            return
        from practicum import jobs  # here: practice imports metrics, and jobs imports practice

        try:
            counts, failures = jobs.counts_by_status(session), jobs.failures_by_kind(session)
        except SQLAlchemyError:  # an outage shows as missing job metrics, not as a failed scrape
            session.rollback()
            log.warning("job metrics skipped: the database did not answer")
            return
        yield _depth(counts)
        by_status = GaugeMetricFamily(
            "practicum_jobs", "Jobs by kind and status now", labels=["kind", "status"]
        )
        finished = CounterMetricFamily("practicum_jobs_finished", "Jobs finished, by kind", labels=["kind"])
        failed = CounterMetricFamily(
            "practicum_job_failures",
            "Failed job attempts (errors, timeouts, killed workers)",
            labels=["kind"],
        )
        for kind in jobs.KINDS:
            for status in jobs.STATUSES:
                by_status.add_metric([kind, status], counts.get((kind, status), 0))
            finished.add_metric([kind], counts.get((kind, "finished"), 0))
            failed.add_metric([kind], failures.get(kind, 0))
        yield from (by_status, finished, failed)


def _depth(counts: dict) -> GaugeMetricFamily:
    """Jobs waiting to run: in Redis when there is a queue, else the queued records."""
    from practicum import job_queue

    depth = GaugeMetricFamily("practicum_job_queue_depth", "Jobs waiting to run (retries included)")
    waiting = job_queue.queue_depth(current_app.config["PRACTICUM"])
    if waiting is None:  # no Redis, or it does not answer: the queued records
        waiting = sum(n for (_, status), n in counts.items() if status == "queued")
    depth.add_metric([], waiting)
    return depth


class ModelQueueCollector:
    """Coaching replies waiting for a model to start them."""

    def describe(self):
        """Name no metrics ahead (the model is read when scraped)."""
        return []

    def collect(self):
        """Read the model's queue now: every worker's when shared, else this worker's alone."""
        if not has_app_context():
            return
        model = current_app.extensions.get("practicum.llm")
        waiting = model.waiting() if model is not None else None
        if waiting is None:  # no model built yet, or one that cannot tell (a remote server)
            return
        depth = GaugeMetricFamily(
            "practicum_llm_queue_depth",
            "Coaching replies waiting for a model: scope shared is every worker's, worker this one's",
            labels=["scope"],
        )
        depth.add_metric([waiting[1]], waiting[0])
        yield depth
