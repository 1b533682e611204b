"""Admin pages: people and cohorts, the audit log, and the scenario library."""

from __future__ import annotations

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for

from api.admin import publish_events, uploaded_file
from api.errors import wants_json
from practicum import admin, erasure, job_queue, jobs, rate_limits, runtime, scenario_admin
from practicum.admin import Actor
from practicum.db import session as db
from practicum.errors import PracticumError, ValidationFailed
from practicum.forms import whole_number
from practicum.models import ROLES
from practicum.streaming import event_stream_response
from scenarios.loader import MAX_FILE_BYTES
from web import bp
from web.access import role_required
from web.auth import cookie_rate_key

upload_rate_limit = rate_limits.per_person("UPLOAD_RATE_LIMIT", "uploads", cookie_rate_key)


def actor() -> Actor:
    """Return the signed-in admin as the actor of an audited action."""
    return Actor(g.user, request.remote_addr or "")


def _optional_id(value: str) -> int | None:
    return whole_number(value)


# People and cohorts ---------------------------------------------------------------------


def _people_page(status: int = 200, **extra):
    args = request.args
    active = {"yes": True, "no": False}.get(args.get("active", ""))
    people = admin.list_people(
        db, args.get("role", ""), _optional_id(args.get("cohort_id", "")), args.get("q", ""), active
    )
    return render_template(
        "admin/people.html", people=people, roles=ROLES, cohorts=admin.list_cohorts(db), args=args, **extra
    ), status


@bp.get("/admin/people", endpoint="admin_people")
@role_required("admin")
def people():
    """List accounts with filters; create one, or many from a CSV file."""
    return _people_page()


@bp.post("/admin/people", endpoint="admin_create_person")
@role_required("admin")
def create_person():
    """Create one account; show its generated password once."""
    form = request.form
    try:
        user, password = admin.create_person(
            db,
            actor(),
            form.get("username", ""),
            form.get("role", ""),
            form.get("display_name", ""),
            form.get("cohort", "").strip() or None,
            form.get("password") or None,
        )
    except PracticumError as error:
        return _people_page(error.status, create_error=error, form=form)
    return _people_page(201, created=user, password=password)


@bp.post("/admin/people/import", endpoint="admin_import_people")
@role_required("admin")
@upload_rate_limit
def import_people():
    """Create accounts from a CSV file and show what happened to each row."""
    try:
        data, _ = uploaded_file()
        rows = admin.import_people(db, actor(), data)
    except PracticumError as error:
        return _people_page(error.status, import_error=error)
    return render_template("admin/import_report.html", rows=rows)


@bp.get("/admin/people/<int:user_id>", endpoint="admin_person")
@role_required("admin")
def person(user_id: int, status: int = 200, **extra):
    """Show one account with its settings and actions."""
    return render_template(
        "admin/person.html",
        person=admin.person(db, user_id),
        roles=ROLES,
        cohorts=admin.list_cohorts(db),
        **extra,
    ), status


@bp.post("/admin/people/<int:user_id>", endpoint="admin_update_person")
@role_required("admin")
def update_person(user_id: int):
    """Change an account's name, role or cohort."""
    form = request.form
    changes = {
        "display_name": form.get("display_name", ""),
        "role": form.get("role", ""),
        "cohort_id": _optional_id(form.get("cohort_id", "")),
    }
    try:
        admin.update_person(db, actor(), user_id, changes)
    except PracticumError as error:
        return person(user_id, error.status, error=error)
    flash("Saved.", "success")
    return redirect(url_for("web.admin_person", user_id=user_id))


@bp.post("/admin/people/<int:user_id>/active", endpoint="admin_set_active")
@role_required("admin")
def set_active(user_id: int):
    """Deactivate (signed out everywhere at once) or reactivate an account."""
    active = request.form.get("active") == "yes"
    try:
        user = admin.set_active(db, actor(), user_id, active)
    except PracticumError as error:
        return person(user_id, error.status, error=error)
    flash(
        f"{user.display_name} can sign in again."
        if active
        else f"{user.display_name} is deactivated and signed out everywhere.",
        "success",
    )
    return redirect(url_for("web.admin_person", user_id=user_id))


@bp.post("/admin/people/<int:user_id>/erase", endpoint="admin_erase_person")
@role_required("admin")
def erase_person(user_id: int):
    """Erase an account and everything it wrote, once its username is typed to confirm."""
    try:
        username = admin.person(db, user_id).username
        erased = erasure.erase_person(db, actor(), user_id, request.form.get("confirm", ""))
    except PracticumError as error:
        return person(user_id, error.status, error=error)
    attempts, sessions = erased["attempts"], erased["sessions"]
    flash(
        f"Erased {username}: {attempts} attempt{'' if attempts == 1 else 's'} in "
        f"{sessions} rehearsal{'' if sessions == 1 else 's'}.",
        "success",
    )
    return redirect(url_for("web.admin_people"))


@bp.post("/admin/people/<int:user_id>/password", endpoint="admin_reset_password")
@role_required("admin")
def reset_password(user_id: int):
    """Give an account a new random password, shown once."""
    password = admin.reset_password(db, actor(), user_id)
    return person(user_id, password=password)


@bp.get("/admin/cohorts", endpoint="admin_cohorts")
@role_required("admin")
def cohorts(status: int = 200, error: PracticumError | None = None):
    """List cohorts with their trainers; create one or change its trainer."""
    trainers = admin.list_people(db, role="trainer", active=True)
    return render_template(
        "admin/cohorts.html", cohorts=admin.list_cohorts(db), trainers=trainers, error=error
    ), status


@bp.post("/admin/cohorts", endpoint="admin_save_cohort")
@bp.post("/admin/cohorts/<int:cohort_id>", endpoint="admin_update_cohort")
@role_required("admin")
def save_cohort(cohort_id: int | None = None):
    """Create a cohort, or rename it and assign its trainer."""
    changes = {
        "name": request.form.get("name", ""),
        "trainer_id": _optional_id(request.form.get("trainer_id", "")),
    }
    try:
        saved = admin.save_cohort(db, actor(), cohort_id, changes)
    except PracticumError as error:
        return cohorts(error.status, error)
    flash(f"Cohort {saved.name!r} saved.", "success")
    return redirect(url_for("web.admin_cohorts"))


@bp.get("/admin/audit", endpoint="admin_audit")
@role_required("admin")
def audit_log():
    """Browse the audit log, newest first, filtered by action, person, target and dates."""
    args = request.args
    page = max(1, _optional_id(args.get("page", "")) or 1)
    try:
        entries, total = admin.browse_audit(db, **admin.audit_filters(args), page=page, per_page=50)
        error = None
    except ValidationFailed as problem:
        entries, total, error = [], 0, problem
    return render_template(
        "admin/audit.html",
        entries=entries,
        total=total,
        page=page,
        pages=max(1, -(-total // 50)),
        args=args,
        error=error,
        actions=admin.audit_actions(db),
    )


# Scenario sets --------------------------------------------------------------------------


def _sets_page(status: int = 200, **extra):
    sets = scenario_admin.list_sets(db)
    # Where the page's script lands after publishing. Only a set that exists is named, at its
    # real latest version: the address must not let anyone put words on an admin's page.
    published = next((s for s in sets if s["key"] == request.args.get("published")), None)
    if published and published["versions"] and status == 200:
        flash(
            f"Published {published['key']} version {published['versions'][0]['version']}."
            if request.args.get("changed") == "1"
            else f"{published['key']} is unchanged.",
            "success",
        )
    return render_template("admin/scenario_sets.html", sets=sets, max_bytes=MAX_FILE_BYTES, **extra), status


@bp.get("/admin/scenario-sets", endpoint="admin_scenario_sets")
@role_required("admin")
def scenario_sets():
    """Upload a set (check, preview, publish) and manage the sets and their versions."""
    return _sets_page()


@bp.post("/admin/scenario-sets/check", endpoint="admin_check_set")
@role_required("admin")
@upload_rate_limit
def check_set():
    """Check an uploaded file: every problem with its path and line, or a preview."""
    try:
        data, name = uploaded_file()
        preview = scenario_admin.preview(db, scenario_admin.check_upload(data, name))
    except PracticumError as error:
        if wants_json():
            raise
        return _sets_page(error.status, upload_error=error)
    if wants_json():
        return jsonify(valid=True, preview=preview)
    return _sets_page(preview=preview)


@bp.post("/admin/scenario-sets/publish", endpoint="admin_publish_set")
@role_required("admin")
@upload_rate_limit
def publish_set():
    """Publish an uploaded file (the form without JavaScript; the page streams instead)."""
    try:
        data, name = uploaded_file()
        document = scenario_admin.check_upload(data, name)
        if len(document["scenarios"]) > current_app.config["PRACTICUM"].EMBED_JOB_SCENARIOS:
            return _queue_set_publish(document)
        report = scenario_admin.publish(db, document, runtime.embedder(), actor())
    except PracticumError as error:
        return _sets_page(error.status, upload_error=error)
    flash(
        f"Published {report.set_key} version {report.version}."
        if report.changed
        else f"{report.set_key} is unchanged; nothing to publish.",
        "success",
    )
    return redirect(url_for("web.admin_scenario_sets"))


def _queue_set_publish(document: dict):
    """Hand a large set to a job; the jobs page shows its progress."""
    job = jobs.queue_set_publish(db, actor(), document)
    job_queue.enqueue(job.id)
    flash(
        f"{document['key']} has {len(document['scenarios'])} scenarios: job {job.id} embeds and "
        "publishes it; trainees see it when the job has finished.",
        "success",
    )
    return redirect(url_for("web.admin_jobs"))


@bp.post("/admin/scenario-sets/publish/stream", endpoint="admin_publish_set_stream")
@role_required("admin")
@upload_rate_limit
def publish_set_stream():
    """Publish with progress as Server-Sent Events (the page's script)."""
    data, name = uploaded_file()
    document = scenario_admin.check_upload(data, name)
    return event_stream_response(publish_events(document, g.user.id))


@bp.get("/admin/scenario-sets/<int:set_id>", endpoint="admin_scenario_set")
@role_required("admin")
def scenario_set(set_id: int):
    """Show a set's versions and the scenarios of its newest version."""
    return render_template("admin/scenario_set.html", found=scenario_admin.set_detail(db, set_id))


@bp.post("/admin/scenario-sets/<int:set_id>/status", endpoint="admin_set_status")
@role_required("admin")
def set_status(set_id: int):
    """Archive a set (its attempts stay readable) or restore it."""
    status = "archived" if request.form.get("status") == "archived" else "active"
    found = scenario_admin.set_status(db, actor(), set_id, status)
    news = "archived: trainees no longer see it" if status == "archived" else "active again"
    flash(f"{found.title} is {news}.", "success")
    return redirect(url_for("web.admin_scenario_sets"))
