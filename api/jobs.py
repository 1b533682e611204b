"""Admin routes for background jobs: queue a batch-scoring file, follow jobs, download, retry."""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Response, current_app, jsonify, request, stream_with_context

from api import bp
from api.access import require_role
from api.admin import actor, uploaded_file
from practicum import job_queue, jobs, rate_limits, scenario_admin
from practicum.admin import Actor
from practicum.db import session
from practicum.extensions import user_rate_key
from practicum.models import Job
from practicum.streaming import error_event, sse
from scenarios.loader import MAX_FILE_BYTES

job_rate_limit = rate_limits.per_person("JOB_RATE_LIMIT", "jobs", user_rate_key)
POLL_S = 0.5


def uploaded_batch() -> bytes:
    """Return an uploaded JSONL file of responses, refusing one over the upload limit."""
    try:
        data, _ = uploaded_file()
    except scenario_admin.FileTooLarge as error:
        data, details = b"", error.details
    else:
        if len(data) <= MAX_FILE_BYTES:
            return data
        details = {"limit_bytes": MAX_FILE_BYTES}
    raise scenario_admin.FileTooLarge(
        f"The file is larger than the {MAX_FILE_BYTES // 1024 // 1024} MB limit. "
        "Split it and upload each part.",
        details,
    )


def queue_batch(who: Actor, data: bytes, filename: str, feedback: str | None):
    """Check a batch file up front, record its job and hand it to the queue (pages and API)."""
    config = current_app.config["PRACTICUM"]
    choice = jobs.feedback_choice(feedback)
    text, total = jobs.check_batch_file(session, data, config.BATCH_MAX_LINES)
    job = jobs.create_job(session, who, "batch_score", text, total, filename, feedback=choice)
    job_queue.enqueue(job.id)
    return job


def queue_info() -> dict:
    """Say who runs jobs here and how many wait."""
    config = current_app.config["PRACTICUM"]
    return {
        "runner": "redis" if config.JOB_QUEUE_URL else "in-process",
        "waiting": job_queue.queue_depth(config),
    }


@bp.post("/admin/jobs/batch-score")
@require_role("admin")
@job_rate_limit
def queue_batch_score():
    """Queue a JSONL file of responses for scoring (every line checked first); 202 with the job."""
    data = uploaded_batch()  # first: it lets this request carry a file of the largest allowed size
    upload = request.files.get("file")
    feedback = request.form.get("feedback") or request.args.get("feedback")
    job = queue_batch(actor(), data, (upload.filename if upload else "") or "responses.jsonl", feedback)
    return jsonify(jobs.job_json(job)), 202


@bp.get("/admin/jobs")
@require_role("admin")
def list_jobs():
    """List the newest jobs (status=queued|running|finished|failed) and the queue's depth."""
    found = jobs.list_jobs(session, request.args.get("status", ""))
    return jsonify(jobs=[jobs.job_json(j) for j in found], queue=queue_info())


@bp.get("/admin/jobs/<int:job_id>")
@require_role("admin")
def get_job(job_id: int):
    """Show one job: status, progress, attempts, last error, summary."""
    return jsonify(jobs.job_json(jobs.get_job(session, job_id)))


@bp.get("/admin/jobs/<int:job_id>/result")
@require_role("admin")
def job_result(job_id: int):
    """Download a finished batch job's output: one JSONL line per input line, errors included."""
    return result_download(job_id)


def result_download(job_id: int) -> Response:
    """Answer with a finished batch job's output as a JSONL file (pages and API)."""
    lines = jobs.result_lines(session, job_id)
    first = next(lines, "")  # raises before any byte is sent when there is no result
    body = stream_with_context(_chain(first, lines))
    disposition = f'attachment; filename="job-{job_id}-scores.jsonl"'
    return Response(body, mimetype="application/x-ndjson", headers={"Content-Disposition": disposition})


def _chain(first: str, rest):
    yield first
    yield from rest


@bp.post("/admin/jobs/<int:job_id>/retry")
@require_role("admin")
@job_rate_limit
def retry_job(job_id: int):
    """Queue a failed job again; a batch job continues after its last stored line."""
    return jsonify(jobs.job_json(requeue(actor(), job_id))), 202


def requeue(who: Actor, job_id: int):
    """Mark a failed (or stalled) job for retry and hand it to the queue (pages and API)."""
    job = jobs.mark_for_retry(session, who, job_id, current_app.config["PRACTICUM"].JOB_TIMEOUT_S)
    job_queue.enqueue(job.id)
    return job


def follow_set_publish(document: dict, who: Actor) -> Iterator[str]:
    """Queue a large set's publishing as a job and follow it as the publish stream's own events.

    started, progress… (read from the job's record every POLL_S), then done (the import report)
    or error: the page's script and API clients need not know a job does the work. A client
    that leaves does not stop the job.
    """
    job = jobs.queue_set_publish(session, who, document)
    job_queue.enqueue(job.id)
    job_id, total = job.id, job.total
    session.close()

    def events():
        yield sse("started", {"key": document["key"], "expert_responses": total, "job_id": job_id})
        shown = None
        while True:
            time.sleep(POLL_S)
            job = session.get(Job, job_id, populate_existing=True)
            state = job.status, job.done, job.total, job.summary, job.error
            session.close()  # hold no connection between looks
            status, done, of, summary, error = state
            if status == "finished":
                yield sse("done", summary)
                return
            if status == "failed":
                yield error_event("job_failed", f"Publishing failed: {error}", {"job_id": job_id})
                return
            if (done, of) != shown:
                shown = done, of
                yield sse("progress", {"done": done, "total": of, "job_id": job_id})

    return events()
