"""Admin routes: people, cohorts, the audit log, and the scenario library."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, jsonify, request
from flask_jwt_extended import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from api import bp
from api.access import int_arg, json_body, require_role
from practicum import admin, erasure, job_queue, jobs, rate_limits, runtime, scenario_admin
from practicum.db import session
from practicum.errors import ValidationFailed
from practicum.extensions import user_rate_key
from practicum.models import User
from practicum.streaming import event_stream_response, sse
from scenarios.loader import MAX_FILE_BYTES

upload_rate_limit = rate_limits.per_person("UPLOAD_RATE_LIMIT", "uploads", user_rate_key)

# Room for multipart headers around a file of the largest allowed size.
UPLOAD_REQUEST_LIMIT = MAX_FILE_BYTES + 64 * 1024
RAW_TYPES = {
    "application/json": "upload.json",
    "application/yaml": "upload.yaml",
    "application/x-yaml": "upload.yaml",
    "text/yaml": "upload.yaml",
    "text/csv": "upload.csv",
}


def actor() -> admin.Actor:
    """Return the signed-in admin as the actor of an audited action."""
    return admin.Actor(current_user, request.remote_addr or "")


def person_json(user) -> dict:
    """Return the admin view of an account."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "cohort_id": user.cohort_id,
        "cohort": user.cohort.name if user.cohort else None,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


@contextmanager
def upload_room() -> Iterator[None]:
    """Let this request carry a file of the largest allowed size; past it, name the file limit."""
    request.max_content_length = UPLOAD_REQUEST_LIMIT
    try:
        yield
    except RequestEntityTooLarge:
        raise scenario_admin.too_large(request.content_length) from None


def uploaded_file() -> tuple[bytes, str]:
    """Return an upload (multipart field 'file', or the raw body) and its file name."""
    with upload_room():
        upload = request.files.get("file")
        if upload is not None:
            return upload.read(MAX_FILE_BYTES + 1), upload.filename or ""
        data = request.get_data(cache=False)
    name = request.args.get("filename") or RAW_TYPES.get(request.mimetype, "")
    if not data:
        raise ValidationFailed(
            "Send a file: a multipart field named 'file', or the raw body.", {"file": "required"}
        )
    return data, name


# People -------------------------------------------------------------------------------


@bp.get("/admin/users")
@require_role("admin")
def admin_list_users():
    """List accounts, filtered by role, cohort_id, q (name) and active (true/false)."""
    active = {"true": True, "false": False}.get(request.args.get("active", ""))
    people = admin.list_people(
        session, request.args.get("role", ""), int_arg("cohort_id"), request.args.get("q", ""), active
    )
    return jsonify(users=[person_json(u) for u in people])


@bp.post("/admin/users")
@require_role("admin")
def admin_create_user():
    """Create an account; a password is generated (and returned once) when none is sent."""
    body = json_body()
    user, generated = admin.create_person(
        session,
        actor(),
        body.get("username"),
        body.get("role"),
        body.get("display_name", ""),
        body.get("cohort"),
        body.get("password"),
    )
    return jsonify({**person_json(user), "password": generated}), 201


@bp.post("/admin/users/import")
@require_role("admin")
@upload_rate_limit
def admin_import_users():
    """Create accounts from CSV (username, role[, display_name, cohort, password])."""
    data, _ = uploaded_file()
    rows = admin.import_people(session, actor(), data)
    created = sum(r["status"] == "created" for r in rows)
    return jsonify(created=created, failed=len(rows) - created, rows=rows)


@bp.get("/admin/users/<int:user_id>")
@require_role("admin")
def admin_get_user(user_id: int):
    """Show one account."""
    return jsonify(person_json(admin.person(session, user_id)))


@bp.patch("/admin/users/<int:user_id>")
@require_role("admin")
def admin_update_user(user_id: int):
    """Change an account's display_name, role or cohort_id."""
    return jsonify(person_json(admin.update_person(session, actor(), user_id, json_body())))


@bp.post("/admin/users/<int:user_id>/deactivate")
@require_role("admin")
def admin_deactivate_user(user_id: int):
    """Deactivate an account: its tokens and sessions stop working at once."""
    return jsonify(person_json(admin.set_active(session, actor(), user_id, False)))


@bp.delete("/admin/users/<int:user_id>")
@require_role("admin")
def admin_erase_user(user_id: int):
    """Erase an account and all it wrote (send its username as `confirm`)."""
    erased = erasure.erase_person(session, actor(), user_id, json_body().get("confirm"))
    return jsonify(erased=True, **erased)


@bp.post("/admin/users/<int:user_id>/activate")
@require_role("admin")
def admin_activate_user(user_id: int):
    """Reactivate an account."""
    return jsonify(person_json(admin.set_active(session, actor(), user_id, True)))


@bp.post("/admin/users/<int:user_id>/password")
@require_role("admin")
def admin_reset_password(user_id: int):
    """Set a new password; one is generated (and returned once) when none is sent."""
    # No body at all asks for a generated password; a body must be a JSON object.
    body = json_body() if request.get_data() else {}
    generated = admin.reset_password(session, actor(), user_id, body.get("password"))
    return jsonify(reset=True, password=generated)


# Cohorts and the audit log ------------------------------------------------------------


def cohort_json(cohort, trainees: int) -> dict:
    """Return a cohort with its trainer and number of trainees."""
    trainer = cohort.trainer
    return {
        "id": cohort.id,
        "name": cohort.name,
        "trainees": trainees,
        "trainer": None
        if trainer is None
        else {"id": trainer.id, "username": trainer.username, "display_name": trainer.display_name},
    }


@bp.get("/admin/cohorts")
@require_role("admin")
def admin_list_cohorts():
    """List cohorts with their trainer and number of trainees."""
    return jsonify(cohorts=[cohort_json(c, n) for c, n in admin.list_cohorts(session)])


@bp.post("/admin/cohorts")
@require_role("admin")
def admin_create_cohort():
    """Create a cohort (name, optional trainer_id)."""
    return jsonify(cohort_json(admin.save_cohort(session, actor(), None, json_body()), 0)), 201


@bp.patch("/admin/cohorts/<int:cohort_id>")
@require_role("admin")
def admin_update_cohort(cohort_id: int):
    """Rename a cohort or assign its trainer (trainer_id, or null for none)."""
    saved = admin.save_cohort(session, actor(), cohort_id, json_body())
    return jsonify(cohort_json(saved, admin.trainee_count(session, saved.id)))


@bp.get("/admin/audit")
@require_role("admin")
def admin_audit_log():
    """Browse the audit log: action, actor, target, since, until, page, per_page."""
    entries, total = admin.browse_audit(
        session,
        **admin.audit_filters(request.args),
        page=int_arg("page") or 1,
        per_page=int_arg("per_page") or 50,
    )
    return jsonify(
        total=total,
        actions=admin.audit_actions(session),
        entries=[
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "action": e.action,
                "target": e.target,
                "actor": e.actor.username if e.actor else None,
                "details": e.details,
                "ip_address": e.ip_address,
            }
            for e in entries
        ],
    )


# Scenario sets ------------------------------------------------------------------------


@bp.get("/scenario-sets")
@require_role("admin")
def list_scenario_sets():
    """List scenario sets with their versions and counts."""
    return jsonify(scenario_sets=scenario_admin.list_sets(session))


@bp.post("/scenario-sets/validate")
@require_role("admin")
@upload_rate_limit
def validate_scenario_set():
    """Check an uploaded set: 422 with every problem (path, line), or a preview."""
    data, name = uploaded_file()
    document = scenario_admin.check_upload(data, name)
    return jsonify(valid=True, preview=scenario_admin.preview(session, document))


@bp.post("/scenario-sets")
@require_role("admin")
@upload_rate_limit
def publish_scenario_set():
    """Check and publish an uploaded set as a new version (nothing is written if invalid)."""
    data, name = uploaded_file()
    document = scenario_admin.check_upload(data, name)
    if len(document["scenarios"]) > current_app.config["PRACTICUM"].EMBED_JOB_SCENARIOS:
        # A large set is embedded by a job (GET /admin/jobs/<id> shows progress), not in this request.
        job = jobs.queue_set_publish(session, actor(), document)
        job_queue.enqueue(job.id)
        return jsonify(job=jobs.job_json(job)), 202
    report = scenario_admin.publish(session, document, runtime.embedder(), actor())
    return jsonify(report.as_dict()), 201 if report.changed else 200


def publish_events(document: dict, actor_id: int) -> Iterator[str]:
    """Publish as Server-Sent Events: started, progress…, then done or error (API and page)."""
    ip_address = request.remote_addr or ""
    if len(document["scenarios"]) > current_app.config["PRACTICUM"].EMBED_JOB_SCENARIOS:
        from api.jobs import follow_set_publish  # here: api.jobs imports this module

        return follow_set_publish(document, admin.Actor(session.get(User, actor_id), ip_address))
    app, embedder = current_app._get_current_object(), runtime.embedder()
    total = sum(len(s["expert_responses"]) for s in document["scenarios"])
    session.close()  # the worker thread uses its own connection

    def events():
        yield sse("started", {"key": document["key"], "expert_responses": total})
        for kind, data in scenario_admin.publish_with_progress(app, document, embedder, actor_id, ip_address):
            yield sse(kind, data)

    return events()


@bp.post("/scenario-sets/stream")
@require_role("admin")
@upload_rate_limit
def publish_scenario_set_stream():
    """Like publishing, as Server-Sent Events: started, progress…, then done or error."""
    data, name = uploaded_file()
    document = scenario_admin.check_upload(data, name)
    return event_stream_response(publish_events(document, current_user.id))


@bp.get("/scenario-sets/<int:set_id>")
@require_role("admin")
def get_scenario_set(set_id: int):
    """Show a set: versions, counts and the scenarios of its newest version."""
    return jsonify(scenario_admin.set_detail(session, set_id))


@bp.post("/scenario-sets/<int:set_id>/archive")
@require_role("admin")
def archive_scenario_set(set_id: int):
    """Archive a set: trainees no longer see it; its attempts stay readable."""
    scenario_admin.set_status(session, actor(), set_id, "archived")
    return jsonify(scenario_admin.set_detail(session, set_id))


@bp.post("/scenario-sets/<int:set_id>/restore")
@require_role("admin")
def restore_scenario_set(set_id: int):
    """Make an archived set visible to trainees again."""
    scenario_admin.set_status(session, actor(), set_id, "active")
    return jsonify(scenario_admin.set_detail(session, set_id))
