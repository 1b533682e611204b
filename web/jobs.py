"""Admin pages for background jobs: upload a file of responses to score, follow jobs, download, retry."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for

from api.jobs import queue_batch, queue_info, requeue, result_download, uploaded_batch
from practicum import jobs, rate_limits
from practicum.admin import Actor
from practicum.db import session as db
from practicum.errors import PracticumError
from scenarios.loader import MAX_FILE_BYTES
from web import bp
from web.access import role_required
from web.auth import cookie_rate_key

job_rate_limit = rate_limits.per_person("JOB_RATE_LIMIT", "jobs", cookie_rate_key)


def _actor() -> Actor:
    return Actor(g.user, request.remote_addr or "")


def _jobs_page(status: int = 200, **extra):
    timeout_s = current_app.config["PRACTICUM"].JOB_TIMEOUT_S
    found = jobs.list_jobs(db)
    listed = [jobs.job_json(j) | {"stalled": jobs.stale(j, timeout_s)} for j in found]
    return render_template(
        "admin/jobs.html",
        jobs=listed,
        # Failed, and those that have not moved for longer than a job may run (a server stopped under them).
        failed=[j for j in listed if j["status"] == "failed" or j["stalled"]],
        moving=any(j["status"] in ("queued", "running") for j in listed),
        queue=queue_info(),
        max_bytes=MAX_FILE_BYTES,
        max_lines=current_app.config["PRACTICUM"].BATCH_MAX_LINES,
        **extra,
    ), status


@bp.get("/admin/jobs", endpoint="admin_jobs")
@role_required("admin")
def jobs_page():
    """List jobs with their progress, the failed ones with their errors; upload a file to score."""
    return _jobs_page()


@bp.post("/admin/jobs/batch-score", endpoint="admin_queue_batch")
@role_required("admin")
@job_rate_limit
def queue_batch_score():
    """Check an uploaded JSONL file of responses and queue it for scoring."""
    try:
        data = uploaded_batch()
        upload = request.files.get("file")
        name = (upload.filename if upload else "") or "responses.jsonl"
        job = queue_batch(_actor(), data, name, request.form.get("feedback"))
    except PracticumError as error:
        return _jobs_page(error.status, upload_error=error)
    flash(f"Job {job.id} is queued: {job.total} line(s) to score.", "success")
    return redirect(url_for("web.admin_jobs"))


@bp.post("/admin/jobs/<int:job_id>/retry", endpoint="admin_retry_job")
@role_required("admin")
@job_rate_limit
def retry_job(job_id: int):
    """Queue a failed job again."""
    try:
        requeue(_actor(), job_id)
    except PracticumError as error:
        return _jobs_page(error.status, retry_error=error)
    flash(f"Job {job_id} is queued again.", "success")
    return redirect(url_for("web.admin_jobs"))


@bp.get("/admin/jobs/<int:job_id>/result", endpoint="admin_job_result")
@role_required("admin")
def job_result(job_id: int):
    """Download a finished batch job's scores (JSONL)."""
    return result_download(job_id)
