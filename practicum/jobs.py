"""Background jobs as people see them: queue one, list them, follow one, fetch its result, retry.

The job record in PostgreSQL is what the pages and the API read; practicum/job_queue.py runs
the work (RQ on Redis, or a thread of the web process) and practicum/job_work.py does it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practicum.admin import Actor
from practicum.batch import checked_item, decode_item, numbered_lines
from practicum.errors import Conflict, NotFound, PracticumError, ValidationFailed
from practicum.models import Job, JobResult, utcnow

KINDS = ("batch_score", "embed_set")
STATUSES = ("queued", "running", "finished", "failed")
FEEDBACK_CHOICES = ("model", "none")
MAX_PROBLEMS = 200


def check_batch_file(db: Session, data: bytes, max_lines: int) -> tuple[str, int]:
    """Return an uploaded JSONL file's text and line count, or raise naming every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not UTF-8 text.", {"file": "not UTF-8"}) from None
    lines = list(numbered_lines(text.splitlines()))
    if not lines:
        raise ValidationFailed("The file has no lines to score.", {"file": "empty"})
    if len(lines) > max_lines:
        raise ValidationFailed(
            f"The file has {len(lines):,} lines; the limit is {max_lines:,}. Split it and upload each part.",
            {"file": f"at most {max_lines} lines", "lines": len(lines)},
        )
    problems, scenarios = [], {}
    for number, line in lines:
        try:
            checked_item(decode_item(line), scenarios)
        except PracticumError as error:
            db.rollback()
            problems.append({"line": number, "message": error.message})
    if problems:
        count = len(problems)
        raise ValidationFailed(
            f"The file has {count} problem{'s' if count != 1 else ''}; nothing was queued.",
            {"problems": problems[:MAX_PROBLEMS], "more_problems": max(0, count - MAX_PROBLEMS)},
        )
    return text, len(lines)


def feedback_choice(value: str | None) -> str:
    """Return who writes each line's coaching: "model" (default) or "none"; else raise."""
    value = value or "model"
    if value not in FEEDBACK_CHOICES:
        raise ValidationFailed("'feedback' must be model or none.", {"feedback": "model or none"})
    return value


def create_job(
    db: Session, actor: Actor, kind: str, payload: str, total: int, filename: str = "", **options
) -> Job:
    """Record a queued job and audit it (the caller hands its id to the queue after this commits)."""
    job = Job(
        kind=kind,
        owner_id=actor.user.id,
        filename=filename[:200],
        options={**options, "ip_address": actor.ip_address},
        input=payload,
        total=total,
    )
    db.add(job)
    db.flush()
    actor.record(db, "job_queued", f"job {job.id}", kind=kind, filename=filename[:200], total=total)
    db.commit()
    return job


def list_jobs(db: Session, status: str = "", limit: int = 100) -> list[Job]:
    """Return the newest jobs, all or of one status."""
    if status and status not in STATUSES:
        raise ValidationFailed(f"'status' must be one of {', '.join(STATUSES)}.", {"status": "unknown"})
    query = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return list(db.scalars(query.where(Job.status == status) if status else query))


def get_job(db: Session, job_id: int) -> Job:
    """Return a job or raise NotFound."""
    job = db.get(Job, job_id)
    if job is None:
        raise NotFound(f"No job {job_id}.")
    return job


def job_json(job: Job) -> dict:
    """Return what the pages and the API show of a job (never its input)."""
    stamp = lambda moment: moment.isoformat() if moment else None  # noqa: E731
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "owner": job.owner.username if job.owner else None,
        "filename": job.filename,
        "feedback": job.options.get("feedback"),
        "done": job.done,
        "total": job.total,
        "percent": round(100 * job.done / job.total)
        if job.total
        else (100 if job.status == "finished" else 0),
        "attempts": job.attempts,
        "failures": job.failures,
        "error": job.error or None,
        "summary": job.summary,
        "has_result": job.kind == "batch_score" and job.status == "finished",
        "created_at": stamp(job.created_at),
        "started_at": stamp(job.started_at),
        "finished_at": stamp(job.finished_at),
        "updated_at": stamp(job.updated_at),
    }


def result_lines(db: Session, job_id: int) -> Iterator[str]:
    """Yield a finished batch job's output, one JSONL line per input line, in input order."""
    job = get_job(db, job_id)
    if job.kind != "batch_score" or job.status != "finished":
        raise Conflict(f"Job {job_id} has no result to download (it is {job.status}).")
    rows = db.execute(select(JobResult.output).where(JobResult.job_id == job_id).order_by(JobResult.line))
    for (output,) in rows:
        yield output + "\n"


def stale(job: Job, timeout_s: int) -> bool:
    """Tell whether a queued or running job has not moved for longer than a job may run."""
    return job.status in ("queued", "running") and utcnow() - job.updated_at > timedelta(seconds=timeout_s)


def mark_for_retry(db: Session, actor: Actor, job_id: int, timeout_s: int) -> Job:
    """Queue a failed (or stalled) job again; it continues after its last committed line."""
    job = db.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"No job {job_id}.")
    if job.status != "failed" and not stale(job, timeout_s):
        raise Conflict(f"Job {job_id} is {job.status}; only a failed job can be retried.")
    job.status = "queued"
    actor.record(db, "job_retried", f"job {job.id}", kind=job.kind, error=job.error[:200])
    db.commit()
    return job


def counts_by_status(db: Session) -> dict[tuple[str, str], int]:
    """Return how many jobs there are of each (kind, status)."""
    rows = db.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    return {(kind, status): count for kind, status, count in rows}


def failures_by_kind(db: Session) -> dict[str, int]:
    """Return how many job attempts have failed, by kind."""
    return dict(
        db.execute(select(Job.kind, func.coalesce(func.sum(Job.failures), 0)).group_by(Job.kind)).all()
    )


def set_document(job: Job) -> dict:
    """Return the scenario set an embed_set job publishes."""
    return json.loads(job.input)


def queue_set_publish(db: Session, actor: Actor, document: dict) -> Job:
    """Record a job that embeds and publishes a large validated set (visible only when complete)."""
    experts = sum(len(s["expert_responses"]) for s in document["scenarios"])
    return create_job(db, actor, "embed_set", json.dumps(document), experts, document["key"])
