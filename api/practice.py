"""Scenarios, practice sessions and attempts (with a streaming variant)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_jwt_extended import current_user

from api import bp
from api.access import int_arg, json_body, require_role
from practicum import library, library_search, practice, rate_limits, review
from practicum.csv_files import csv_download
from practicum.db import session
from practicum.errors import ValidationFailed
from practicum.extensions import limiter, user_rate_key
from practicum.lti import grades as lti_grades
from practicum.serialize import attempt_json, scenario_json, session_json
from practicum.streaming import (
    attempt_events,
    done_json,
    event_stream_response,
    prepare_attempt,
    reply_json,
    say_reply,
)

ANY_ROLE = ("trainee", "trainer", "admin")


def _attempt_limit() -> str:
    return current_app.config["PRACTICUM"].ATTEMPT_RATE_LIMIT


attempt_rate_limit = limiter.shared_limit(_attempt_limit, scope="attempts", key_func=user_rate_key)
session_rate_limit = rate_limits.per_person("SESSION_RATE_LIMIT", "sessions", user_rate_key)


@bp.get("/scenarios")
@require_role(*ANY_ROLE)
def list_scenarios():
    """List the scenarios that can be rehearsed now, a page at a time: q, filters, page, per_page."""
    page, per_page = int_arg("page"), int_arg("per_page")
    found = library_search.search_scenarios(
        session,
        library_search.LibraryQuery.from_args(request.args),
        1 if page is None else page,
        library_search.PAGE_SIZE if per_page is None else per_page,
    )
    return jsonify(
        scenarios=[scenario_json(s) for s in found.scenarios],
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        pages=found.pages,
    )


@bp.get("/scenarios/<int:scenario_id>")
@require_role(*ANY_ROLE)
def get_scenario(scenario_id: int):
    """Show one scenario: the scene and the student."""
    return jsonify(scenario_json(library.current_scenario(session, scenario_id), full=True))


@bp.post("/sessions")
@require_role(*ANY_ROLE)
@session_rate_limit
def start_session():
    """Start a practice session on a scenario."""
    body = json_body()
    scenario_id = body.get("scenario_id")
    if isinstance(scenario_id, bool) or not isinstance(scenario_id, int):
        raise ValidationFailed("'scenario_id' must be an integer.", {"scenario_id": "required integer"})
    started = practice.start_session(session, current_user, scenario_id, body.get("confidence_before"))
    return jsonify(session_json(started)), 201


@bp.get("/sessions/<int:session_id>")
@require_role(*ANY_ROLE)
def get_session(session_id: int):
    """Show one of your sessions with its attempts."""
    return jsonify(session_json(practice.owned_session(session, current_user, session_id)))


@bp.post("/sessions/<int:session_id>/end")
@require_role(*ANY_ROLE)
def end_session(session_id: int):
    """End a session with a confidence rating (1–5) and an optional reflection."""
    body = json_body()
    ended = practice.end_session(
        session, current_user, session_id, body.get("confidence_after"), body.get("reflection")
    )
    lti_grades.send_now(session, session_id)  # its LMS grade, if it has one; refused: retried later
    return jsonify(session_json(ended))


def _score_request(session_id: int):
    body = json_body()
    revise = body.get("revise", False)
    if not isinstance(revise, bool):
        raise ValidationFailed(
            "'revise' must be true (answer your last turn again) or false (answer the next turn).",
            {"revise": "true or false"},
        )
    return prepare_attempt(
        current_user,
        session_id,
        body.get("response"),
        with_model=body.get("feedback", True) is not False,
        revise=revise,
    )


@bp.post("/sessions/<int:session_id>/attempts")
@require_role(*ANY_ROLE)
@attempt_rate_limit
def submit_attempt(session_id: int):
    """Score an answer, write feedback, store the attempt and return it."""
    scored, writer = _score_request(session_id)
    feedback = writer.write(scored.facts)
    say_reply(scored)
    attempt = practice.store_attempt(session, scored, feedback)
    done = done_json(attempt, scored.previous_score)
    return jsonify(
        {
            **done["attempt"],
            "related": [m.as_dict() for m in scored.related],
            "follow_up": (scored.reply or {}).get("line", ""),
            "reply": reply_json(scored.reply) if scored.reply else None,
            "conversation": done["conversation"],
            "flags": scored.result.flags,
        }
    ), 201


@bp.post("/sessions/<int:session_id>/attempts/stream")
@require_role(*ANY_ROLE)
@attempt_rate_limit
def stream_attempt(session_id: int):
    """Like submit_attempt, as Server-Sent Events: scored, token…, feedback, reply, done."""
    return event_stream_response(attempt_events(*_score_request(session_id)))


@bp.get("/attempts")
@require_role(*ANY_ROLE)
def list_attempts():
    """List your attempts, newest first, a page at a time (page, per_page)."""
    page, per_page = int_arg("page"), int_arg("per_page")
    found = practice.attempts_of(
        session,
        current_user,
        1 if page is None else page,
        practice.HISTORY_PAGE_SIZE if per_page is None else per_page,
    )
    return jsonify(
        attempts=[attempt_json(a) for a in found.attempts],
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        pages=found.pages,
    )


@bp.get("/attempts.csv")
@require_role(*ANY_ROLE)
def export_attempts():
    """Download every one of your attempts as CSV (answers, scores, trainer's score and notes)."""
    attempts = practice.every_attempt_of(session, current_user)
    return csv_download(review.attempts_csv(attempts), f"{current_user.username}-attempts.csv")


@bp.get("/attempts/<int:attempt_id>")
@require_role(*ANY_ROLE)
def get_attempt(attempt_id: int):
    """Show one of your attempts."""
    attempt = practice.visible_attempt(session, current_user, attempt_id)
    previous = practice.previous_score(session, attempt.session_id, attempt.id)
    # What a trainer said about it is the trainee's to read: their score, reason and notes.
    return jsonify({**attempt_json(attempt, previous), "trainer_review": review.review_json(attempt)})
