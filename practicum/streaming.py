"""One attempt as Server-Sent Events: scored, token…, feedback, reply (conversations), done or error.

The API and the rehearsal page both stream attempts; both use these functions so the browser
and an API client see the same events.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from flask import Response, stream_with_context
from sqlalchemy.exc import InterfaceError, OperationalError

from ai.feedback import FeedbackWriter
from practicum import conversation, practice, request_ids, runtime
from practicum.db import session
from practicum.errors import PracticumError
from practicum.practice import ScoredAttempt
from practicum.serialize import attempt_json, conversation_json, scored_json

log = logging.getLogger(__name__)
# What the API's 500 handler says (api/errors.py): the stream's client hears the same.
INTERNAL_ERROR = "Something went wrong on our side. Nothing was saved; try again."
DATABASE_DOWN = "The database is not answering just now. Nothing was saved; try again in a few seconds."


def prepare_attempt(user, session_id: int, response, with_model: bool = True, revise: bool = False):
    """Score an answer and return (scored, writer), holding no connection while a model writes."""
    scored = practice.score_attempt(session, user, session_id, response, runtime.embedder(), revise)
    if with_model or scored.brief is not None:
        # Retrieval and scoring are done: give the connection back before any token flows.
        session.commit()
        session.close()
    # Otherwise the template's feedback is ready at once, and the answer is stored in this same
    # transaction (one connection checkout for the whole answer, where it took three).
    return scored, runtime.feedback_writer(with_model=with_model)


def sse(event: str, data: dict) -> str:
    """Format one Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def error_event(code: str, message: str, details=None) -> str:
    """Format a failure as an `error` event carrying the API's one error shape."""
    return sse("error", {"error": {"code": code, "message": message, "details": details or {}}})


def attempt_events(scored: ScoredAttempt, writer: FeedbackWriter) -> Iterator[str]:
    """Yield the score first, then the coaching tokens, then store the attempt."""
    yield sse("scored", scored_json(scored))
    feedback = None
    for kind, value in writer.stream(scored.facts):
        if kind == "token":
            yield sse("token", {"text": value})
        else:
            feedback = value
    yield sse("feedback", {"text": feedback.text, "source": feedback.source, "coaching": feedback.coaching})
    if scored.brief is not None:  # a conversation: the student answers back, then it is stored
        say_reply(scored)
        yield sse("reply", reply_json(scored.reply))
    try:
        attempt = practice.store_attempt(session, scored, feedback)
    except PracticumError as error:
        session.rollback()
        yield error_event(error.code, error.message, error.details)
        return
    except (OperationalError, InterfaceError):
        session.rollback()
        log.warning("storing a streamed attempt failed: the database is not answering")
        reference = request_ids.current()
        yield error_event("database_unavailable", DATABASE_DOWN, {"request_id": reference})
        return
    except Exception:
        # Headers went out with the first event, so no error handler can answer: say it here.
        session.rollback()
        log.exception("storing a streamed attempt failed")
        reference = request_ids.current()
        yield error_event(
            "internal_error", f"{INTERNAL_ERROR[:-1]} (reference {reference}).", {"request_id": reference}
        )
        return
    yield sse("done", done_json(attempt, scored.previous_score))


def say_reply(scored: ScoredAttempt) -> None:
    """Word a conversation's reply (authored, or the model's checked line) before it is stored."""
    if scored.brief is not None:
        scored.reply = runtime.student_voice().say(scored.brief, scored.reply)


def reply_json(reply: dict) -> dict:
    """Return the student's reply as the page and API clients see it (no guard internals)."""
    shown = {k: reply[k] for k in ("line", "next", "end", "note", "source") if k in reply}
    if "end" in reply:
        shown["ending_label"] = conversation.ENDINGS[reply["end"]]
    return shown


def done_json(attempt, previous: int | None) -> dict:
    """Return the stored attempt and where its conversation now stands."""
    return {
        "attempt_id": attempt.id,
        "attempt": attempt_json(attempt, previous),
        "conversation": conversation_json(practice.stored_session(session, attempt)),
    }


def event_stream_response(events: Iterator[str]) -> Response:
    """Return a streaming response that proxies do not buffer."""
    return Response(
        stream_with_context(events),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
