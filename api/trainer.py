"""Trainer routes: the cohort dashboard, a trainee's record, notes and score overrides."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_jwt_extended import current_user

from api import bp
from api.access import int_arg, json_body, require_role
from practicum import rate_limits, review, trainers
from practicum.attention import Thresholds
from practicum.csv_files import csv_download
from practicum.db import session
from practicum.errors import ValidationFailed
from practicum.extensions import user_rate_key
from practicum.serialize import attempt_json, conversation_json, scenario_json

note_rate_limit = rate_limits.per_person("NOTE_RATE_LIMIT", "notes", user_rate_key)
override_rate_limit = rate_limits.per_person("OVERRIDE_RATE_LIMIT", "overrides", user_rate_key)

TRAINER_ROLES = ("trainer", "admin")


def thresholds() -> Thresholds:
    """Return the configured 'needs attention' thresholds."""
    return Thresholds.from_config(current_app.config["PRACTICUM"])


def dashboard_from_args() -> trainers.Dashboard:
    """Build the dashboard the query string asks for (cohort_id, q, flag, sort, order)."""
    order = request.args.get("order", "asc")
    if order not in ("asc", "desc"):
        raise ValidationFailed("'order' must be asc or desc.", {"order": "asc or desc"})
    return trainers.cohort_dashboard(
        session,
        current_user,
        thresholds(),
        int_arg("cohort_id"),
        request.args.get("q", ""),
        request.args.get("flag", ""),
        request.args.get("sort", "name"),
        order == "desc",
    )


@bp.get("/trainer/dashboard")
@require_role(*TRAINER_ROLES)
def trainer_dashboard():
    """Return your trainees' table, the cohort charts and the attention rules."""
    board = dashboard_from_args()
    return jsonify(
        cohorts=[{"id": c.id, "name": c.name} for c in board.cohorts],
        trainees=[row.as_dict() for row in board.rows],
        charts=board.charts,
        rules=thresholds().rules(),
        sort_keys=list(trainers.SORT_KEYS),
    )


@bp.get("/trainer/dashboard.csv")
@require_role(*TRAINER_ROLES)
def trainer_dashboard_csv():
    """Download the cohort table (same filters) as CSV."""
    return csv_download(trainers.cohort_csv(dashboard_from_args().rows), "cohort.csv")


def reviewed_attempt_json(attempt) -> dict:
    """Return an attempt with its scenario, both scores and the trainer's notes."""
    return {
        **attempt_json(attempt),
        **review.review_json(attempt),
        "scenario": scenario_json(attempt.scenario),
    }


@bp.get("/trainer/trainees/<int:trainee_id>")
@require_role(*TRAINER_ROLES)
def trainer_trainee(trainee_id: int):
    """Return one of your trainees: summary, scores per category, sessions and attempts."""
    report = review.trainee_report(session, current_user, trainee_id, thresholds())
    return jsonify(
        trainee=report.row.as_dict(),
        series=report.series,
        sessions=[
            {
                "id": s.id,
                "scenario": scenario_json(s.scenario),
                "started_at": s.started_at.isoformat(),
                "ended_at": s.ended_at.isoformat() if s.ended_at else None,
                "confidence_before": s.confidence_before,
                "confidence_after": s.confidence_after,
                "reflection": s.reflection,
                "attempt_ids": [a.id for a in s.attempts],
                "conversation": conversation_json(s),
            }
            for s in report.sessions
        ],
        attempts=[reviewed_attempt_json(a) for a in report.attempts],
    )


@bp.get("/trainer/trainees/<int:trainee_id>/attempts.csv")
@require_role(*TRAINER_ROLES)
def trainer_trainee_csv(trainee_id: int):
    """Download one trainee's attempts as CSV."""
    report = review.trainee_report(session, current_user, trainee_id, thresholds())
    return csv_download(review.attempts_csv(report.attempts), f"{report.trainee.username}-attempts.csv")


@bp.post("/trainer/attempts/<int:attempt_id>/notes")
@require_role(*TRAINER_ROLES)
@note_rate_limit
def trainer_add_note(attempt_id: int):
    """Add a note to an attempt by one of your trainees."""
    note = review.add_note(session, current_user, attempt_id, json_body().get("text"))
    return jsonify(review.note_json(note)), 201


@bp.put("/trainer/attempts/<int:attempt_id>/override")
@require_role(*TRAINER_ROLES)
@override_rate_limit
def trainer_override(attempt_id: int):
    """Set your score on an attempt, with a reason; the automatic score is kept."""
    body = json_body()
    attempt = review.override_score(session, current_user, attempt_id, body.get("score"), body.get("reason"))
    return jsonify(reviewed_attempt_json(attempt))


@bp.delete("/trainer/attempts/<int:attempt_id>/override")
@require_role(*TRAINER_ROLES)
@override_rate_limit
def trainer_clear_override(attempt_id: int):
    """Remove your score from an attempt, so the automatic score counts again."""
    return jsonify(reviewed_attempt_json(review.clear_override(session, current_user, attempt_id)))
