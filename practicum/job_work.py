"""The work of a job, done so that an attempt cut off anywhere can be run again safely.

A batch job commits each chunk's output lines together with its progress: a later attempt
starts after the last committed line, and the primary key on (job, line) refuses a second copy.
Publishing a set is one transaction: a cut-off attempt leaves nothing, the next starts again,
and the set is visible only once every expert response is embedded.
"""

from __future__ import annotations

import json
import logging

from flask import current_app
from sqlalchemy import func, select, update

from practicum import jobs, runtime, scenario_admin
from practicum.admin import Actor
from practicum.batch import chunks, numbered_lines, score_chunk
from practicum.db import session
from practicum.errors import PracticumError
from practicum.models import Job, JobResult, utcnow

log = logging.getLogger(__name__)


def perform(job_id: int) -> None:
    """Run one attempt of a job to its end (in an app context); a finished job is left alone."""
    job = _start_attempt(job_id)
    if job is None:
        return
    summary = _batch_score(job) if job.kind == "batch_score" else _embed_set(job)
    job = session.get(Job, job_id, with_for_update=True, populate_existing=True)
    job.status, job.finished_at, job.error, job.summary = "finished", utcnow(), "", summary
    job.done = job.total
    session.commit()


def _start_attempt(job_id: int) -> Job | None:
    job = session.get(Job, job_id, with_for_update=True, populate_existing=True)
    if job is None or job.status == "finished":
        session.rollback()
        return None
    job.status, job.attempts = "running", job.attempts + 1
    if job.kind == "embed_set":
        job.done = 0  # publishing starts again from nothing
    job.started_at = job.started_at or utcnow()
    session.commit()
    return job


def record_failure(job_id: int, message: str, final: bool) -> None:
    """Count a failed attempt; the job waits for its retry, or joins the failed list if final."""
    session.rollback()
    job = session.get(Job, job_id, with_for_update=True, populate_existing=True)
    if job is None or job.status == "finished":
        session.rollback()
        return
    job.failures += 1
    job.error = message[:2000]
    job.status = "failed" if final else "queued"
    session.commit()


def describe(error: BaseException) -> str:
    """Say in one line why an attempt failed (for the admin's failed list)."""
    if isinstance(error, PracticumError):
        return error.message
    name = type(error).__name__
    if name == "AbandonedJobError":
        return "The worker running it stopped (killed or restarted) before it finished."
    if name == "JobTimeoutException":
        limit = current_app.config["PRACTICUM"].JOB_TIMEOUT_S
        return f"It ran longer than JOB_TIMEOUT_S ({limit} s) and was stopped."
    return f"{name}: {str(error)[:300]}"


def _batch_score(job: Job) -> dict:
    config = current_app.config["PRACTICUM"]
    resume_after = session.scalar(select(func.max(JobResult.line)).where(JobResult.job_id == job.id)) or 0
    writer = runtime.feedback_writer(with_model=job.options.get("feedback") != "none")
    embedder, scenarios = runtime.embedder(), {}
    lines = numbered_lines(job.input.splitlines(), start_after=resume_after)
    for chunk in chunks(lines, config.BATCH_CHUNK):
        records = score_chunk(chunk, scenarios, embedder, writer)
        _commit_chunk(job.id, job.attempts, records)
    return _summary(job.id)


def _commit_chunk(job_id: int, attempt: int, records: list[tuple[int, dict]]) -> None:
    """Store a chunk's output lines and count them as done, in one transaction."""
    session.add_all(
        JobResult(job_id=job_id, line=number, attempt=attempt, output=json.dumps(record, ensure_ascii=False))
        for number, record in records
    )
    session.execute(
        update(Job).where(Job.id == job_id).values(done=Job.done + len(records), updated_at=utcnow())
    )
    session.commit()


def _summary(job_id: int) -> dict:
    errors = session.scalar(
        select(func.count())
        .select_from(JobResult)
        .where(JobResult.job_id == job_id, JobResult.output.contains('"error":'))
    )
    lines = session.scalar(select(func.count()).select_from(JobResult).where(JobResult.job_id == job_id))
    return {"scored": lines - errors, "errors": errors}


def _embed_set(job: Job) -> dict:
    """Publish the job's set; progress goes out on its own connection while the import is open."""
    engine = current_app.extensions["practicum.engine"]

    def progress(done: int, total: int) -> None:
        with engine.begin() as connection:
            connection.execute(
                update(Job).where(Job.id == job.id).values(done=done, total=total, updated_at=utcnow())
            )

    actor = Actor(job.owner, job.options.get("ip_address", ""))
    document = jobs.set_document(job)
    report = scenario_admin.publish(session, document, runtime.embedder(), actor, progress)
    return report.as_dict()
