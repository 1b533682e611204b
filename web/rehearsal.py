"""The rehearsal room: set the scene, answer the student, read feedback as it streams."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for

from practicum import library, practice, rate_limits
from practicum.db import session as db
from practicum.errors import Conflict, ValidationFailed
from practicum.extensions import limiter
from practicum.forms import whole_number
from practicum.lti import grades as lti_grades
from practicum.serialize import conversation_json
from practicum.streaming import attempt_events, event_stream_response, prepare_attempt, say_reply
from web import bp
from web.auth import cookie_rate_key, login_required
from web.present import session_turns


def _attempt_limit() -> str:
    return current_app.config["PRACTICUM"].ATTEMPT_RATE_LIMIT


# The same scopes as the API's limits: one budget per person, whichever door (a school's
# trainees share one address).
attempt_rate_limit = limiter.shared_limit(_attempt_limit, scope="attempts", key_func=cookie_rate_key)
session_rate_limit = rate_limits.per_person("SESSION_RATE_LIMIT", "sessions", cookie_rate_key)


def _rating(name: str) -> int | None:
    """Return a 1–5 rating from the form, None when not given (the service checks the range)."""
    value = request.form.get(name, "").strip()
    if not value:
        return None
    number = whole_number(value)
    if number is None:
        raise ValidationFailed("Choose a confidence rating from 1 to 5.", {name: "integer 1–5"})
    return number


def _room(practice_session, draft: str = "", status: int = 200, ending: dict | None = None):
    # draft and ending refill the answer box and the end form when the server refused them.
    return render_template(
        "rehearsal.html",
        practice_session=practice_session,
        scenario=practice_session.scenario,
        turns=session_turns(practice_session),
        conversation=conversation_json(practice_session),
        draft=draft,
        ending=ending or {},
        max_chars=practice.MAX_RESPONSE_CHARS,
        max_reflection=practice.MAX_REFLECTION_CHARS,
    ), status


@bp.get("/scenarios/<int:scenario_id>")
@login_required
def scenario(scenario_id: int):
    """Set the scene and ask how confident the trainee feels; offer an unfinished rehearsal."""
    scenario = library.current_scenario(db, scenario_id)
    unfinished = practice.open_session(db, g.user, scenario.id)
    return render_template("scenario.html", scenario=scenario, unfinished=unfinished)


@bp.post("/scenarios/<int:scenario_id>/start")
@login_required
@session_rate_limit
def start(scenario_id: int):
    """Open a rehearsal with the confidence rating given before the first answer."""
    started = practice.start_session(db, g.user, scenario_id, _rating("confidence_before"))
    return redirect(url_for("web.rehearsal", session_id=started.id))


@bp.get("/rehearsals/<int:session_id>")
@login_required
def rehearsal(session_id: int):
    """Show the room: the scene, the conversation so far and the answer box."""
    return _room(practice.owned_session(db, g.user, session_id))


@bp.post("/rehearsals/<int:session_id>/attempts/stream")
@login_required
@attempt_rate_limit
def stream_attempt(session_id: int):
    """Score an answer and stream its feedback as Server-Sent Events (the page's script)."""
    body = request.get_json(silent=True)
    answer = body.get("response") if isinstance(body, dict) else None
    revise = isinstance(body, dict) and body.get("revise") is True
    return event_stream_response(attempt_events(*prepare_attempt(g.user, session_id, answer, revise=revise)))


@bp.post("/rehearsals/<int:session_id>/attempts")
@login_required
@attempt_rate_limit
def submit_attempt(session_id: int):
    """Score an answer without streaming (the form works without JavaScript too)."""
    draft = request.form.get("response", "")
    try:
        revise = request.form.get("revise") == "1"
        scored, writer = prepare_attempt(g.user, session_id, draft, revise=revise)
    except ValidationFailed as error:
        db.rollback()  # a refused write may have broken the transaction; read afresh
        flash(error.message, "danger")
        return _room(practice.owned_session(db, g.user, session_id), draft, 422)
    feedback = writer.write(scored.facts)
    say_reply(scored)
    attempt = practice.store_attempt(db, scored, feedback)
    return redirect(url_for("web.rehearsal", session_id=session_id, _anchor=f"turn-{attempt.id}"))


@bp.post("/rehearsals/<int:session_id>/end")
@login_required
def end(session_id: int):
    """End the rehearsal with a confidence rating and an optional reflection."""
    reflection = request.form.get("reflection")
    try:
        rating = _rating("confidence_after")
        if rating is None:
            raise ValidationFailed("Choose how confident you feel now, from 1 to 5.")
        practice.end_session(db, g.user, session_id, rating, reflection)
    except ValidationFailed as error:
        db.rollback()  # a refused write may have broken the transaction; read afresh
        flash(error.message, "danger")
        typed = {
            "reflection": reflection or "",
            "confidence_after": whole_number(request.form.get("confidence_after", "")),
        }
        return _room(practice.owned_session(db, g.user, session_id), status=422, ending=typed)
    except Conflict as error:  # already ended: a resent form changes nothing
        flash(error.message, "info")
        return redirect(url_for("web.rehearsal", session_id=session_id))
    lti_grades.send_now(db, session_id)  # its LMS grade, if it has one; refused: retried later
    flash("Rehearsal ended. Your rating and reflection are saved for your trainer.", "success")
    return redirect(url_for("web.rehearsal", session_id=session_id))
