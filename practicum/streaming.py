"""One attempt as Server-Sent Events: scored, token…, feedback, then done (or error).

The API and the rehearsal page both stream attempts; both use these functions so the browser
and an API client see the same events.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from flask import Response, stream_with_context

from ai.feedback import FeedbackWriter
from practicum import practice, runtime
from practicum.db import session
from practicum.errors import PracticumError
from practicum.practice import ScoredAttempt
from practicum.serialize import attempt_json, scored_json

log = logging.getLogger(__name__)
# What the API's 500 handler says (api/errors.py): the stream's client hears the same.
INTERNAL_ERROR = "Something went wrong on our side. Nothing was saved; try again."


def prepare_attempt(user, session_id: int, response, with_model: bool = True):
    """Score an answer and return (scored, previous score, writer), holding no connection."""
    scored = practice.score_attempt(session, user, session_id, response, runtime.embedder())
    previous = practice.previous_score(session, session_id)
    # Retrieval and scoring are done: give the connection back before any token flows.
    session.commit()
    session.close()
    return scored, previous, runtime.feedback_writer(with_model=with_model)


def sse(event: str, data: dict) -> str:
    """Format one Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def error_event(code: str, message: str, details=None) -> str:
    """Format a failure as an `error` event carrying the API's one error shape."""
    return sse("error", {"error": {"code": code, "message": message, "details": details or {}}})


def attempt_events(scored: ScoredAttempt, previous: int | None, writer: FeedbackWriter) -> Iterator[str]:
    """Yield the score first, then the coaching tokens, then store the attempt."""
    yield sse("scored", scored_json(scored, previous))
    feedback = None
    for kind, value in writer.stream(scored.facts):
        if kind == "token":
            yield sse("token", {"text": value})
        else:
            feedback = value
    yield sse("feedback", {"text": feedback.text, "source": feedback.source, "coaching": feedback.coaching})
    try:
        attempt = practice.store_attempt(session, scored, feedback)
    except PracticumError as error:
        session.rollback()
        yield error_event(error.code, error.message, error.details)
        return
    except Exception:
        # Headers went out with the first event, so no error handler can answer: say it here.
        session.rollback()
        log.exception("storing a streamed attempt failed")
        yield error_event("internal_error", INTERNAL_ERROR)
        return
    yield sse("done", {"attempt_id": attempt.id, "attempt": attempt_json(attempt, previous)})


def event_stream_response(events: Iterator[str]) -> Response:
    """Return a streaming response that proxies do not buffer."""
    return Response(
        stream_with_context(events),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
