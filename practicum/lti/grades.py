"""Assignment and Grade Services: a finished rehearsal's score, queued and sent until accepted.

Ending a rehearsal opened from an LMS activity queues its score in the same transaction (so
neither exists without the other); delivery posts it to the line item and, when the LMS refuses
or cannot be reached, tries again later (LTI_GRADE_RETRY_S, doubling up to a day) until it is
accepted. Each web worker sends what is due every LTI_GRADE_SEND_INTERVAL_S (a background
thread, `practicum serve`); `practicum lti send-grades` does it once (cron, or by hand).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from practicum.conversation import counted_turns
from practicum.lti import services
from practicum.lti.models import GradeOutbox, SessionLink
from practicum.models import PracticeSession, utcnow

log = logging.getLogger(__name__)
# Ending a rehearsal tries its grade at once, while the trainee waits for the page: each call to
# the LMS then gets this long at most (token and score: twice this); a slow LMS is retried later.
WHILE_WAITING_S = 2.0
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
MAX_WAIT = timedelta(days=1)


def session_score(practice_session: PracticeSession) -> int | None:
    """Return a rehearsal's score: the mean of its answered turns (trainers' scores first), or None."""
    turns = counted_turns(practice_session.attempts)
    if not turns:
        return None
    return round(sum(attempt.effective_score for attempt in turns) / len(turns))


def queue_grade(db: Session, practice_session: PracticeSession) -> GradeOutbox | None:
    """Queue a finished rehearsal's score for its LMS line item, again when a trainer changes it.

    Runs in the caller's transaction. The LMS keeps the score with the newest timestamp, so a
    changed score is stamped now and sent again, whether or not the old one was accepted.
    """
    link = db.get(SessionLink, practice_session.id)
    score = session_score(practice_session)
    if (
        link is None
        or not link.resource_link.lineitem_url
        or score is None
        or practice_session.ended_at is None
    ):
        return None
    queued = db.scalar(select(GradeOutbox).where(GradeOutbox.practice_session_id == practice_session.id))
    if queued is not None and queued.score == score:
        return queued
    if queued is None:
        queued = GradeOutbox(practice_session_id=practice_session.id)
        db.add(queued)
    queued.score, queued.finished_at, queued.next_try_at = score, utcnow(), utcnow()
    queued.tries, queued.sent_at, queued.last_error = 0, None, ""
    return queued


def scores_url(lineitem_url: str) -> str:
    """Return the line item's scores URL (its path + '/scores', its query kept)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _score_document(queued: GradeOutbox) -> dict:
    return {
        "userId": queued.session_link.user_link.subject,
        "scoreGiven": queued.score,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": queued.finished_at.isoformat(),
    }


def send(db: Session, queued: GradeOutbox) -> bool:
    """Post one queued score; record success, or the error and when to try again (caller commits)."""
    platform = queued.session_link.resource_link.platform
    try:
        url = scores_url(queued.session_link.resource_link.lineitem_url)
        services.post_json(platform, services.SCORE_SCOPE, url, _score_document(queued), SCORE_TYPE)
    except services.PlatformUnavailable as error:
        queued.tries += 1
        first_wait = timedelta(seconds=current_app.config["PRACTICUM"].LTI_GRADE_RETRY_S)
        queued.next_try_at = utcnow() + min(MAX_WAIT, first_wait * 2 ** (queued.tries - 1))
        queued.last_error = error.message[:1000]
        return False
    queued.tries += 1
    queued.sent_at, queued.last_error = utcnow(), ""
    return True


def send_due(db: Session, practice_session_id: int | None = None, limit: int = 100) -> tuple[int, int]:
    """Send queued scores whose time has come (or one rehearsal's); return how many were accepted, refused."""
    query = select(GradeOutbox).where(GradeOutbox.sent_at.is_(None), GradeOutbox.next_try_at <= utcnow())
    if practice_session_id is not None:
        query = query.where(GradeOutbox.practice_session_id == practice_session_id)
    # Locked until the commit below: two senders at once never post one score twice.
    due = db.scalars(query.order_by(GradeOutbox.id).limit(limit).with_for_update(skip_locked=True)).all()
    accepted = sum(send(db, queued) for queued in due)
    db.commit()
    return accepted, len(due) - accepted


def send_now(db: Session, practice_session_id: int) -> None:
    """Try one rehearsal's grade at once, waiting on the LMS at most WHILE_WAITING_S a call."""
    with services.waiting_at_most(WHILE_WAITING_S):
        send_due(db, practice_session_id)


def start_background_sender(app) -> threading.Event:
    """Start a daemon thread sending due grades every LTI_GRADE_SEND_INTERVAL_S; return its stop switch."""
    stop = threading.Event()
    threading.Thread(target=_send_until, args=(app, stop), name="lti-grades", daemon=True).start()
    return stop


def _send_until(app, stop: threading.Event) -> None:
    from practicum.db import session

    while not stop.is_set():
        try:
            with app.app_context():
                send_due(session)
        except SQLAlchemyError as error:  # the database is away: the grades wait in it, safe
            log.warning("LTI grade sender cannot reach the database: %s", error.__class__.__name__)
        except Exception:  # a daemon thread that dies stops all grades unseen: log it, go on
            log.exception("LTI grade sender round failed")
        finally:
            session.remove()
        stop.wait(app.config["PRACTICUM"].LTI_GRADE_SEND_INTERVAL_S)
