"""The outbox: rehearsal events queue their xAPI statements in their own transaction."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from practicum.config import Config
from practicum.models import Attempt, PracticeSession, utcnow
from practicum.xapi import statements
from practicum.xapi.models import PENDING, REJECTED, SENT, ActorId, OutboxStatement, RegistrationId

MAX_ERROR_CHARS = 500
# Off while made-up practice is written (practicum demo): it is no one's learning record.
_recording = ContextVar("xapi_recording", default=True)


@contextmanager
def not_recorded():
    """Queue no statements for the events inside the block."""
    token = _recording.set(False)
    try:
        yield
    finally:
        _recording.reset(token)


def record_launched(db: Session, session: PracticeSession) -> None:
    """Queue 'launched' for a practice session being started (before the caller commits)."""
    config = _sending_config()
    if config is None:
        return
    db.flush()  # the session's id and start time
    statement = statements.launched(
        _rehearsal(db, config, session), session.started_at, session.confidence_before
    )
    _queue(db, session.user_id, statement)


def record_answered(db: Session, attempt: Attempt) -> None:
    """Queue 'answered' for an attempt being stored (before the caller commits)."""
    config = _sending_config()
    if config is None:
        return
    db.flush()
    rehearsal = _rehearsal(db, config, attempt.session)
    response = attempt.response_text if config.XAPI_SEND_TEXT else None
    statement = statements.answered(
        rehearsal,
        attempt.created_at,
        attempt.score,
        attempt.band,
        attempt.dimensions or [],
        attempt.turn,
        response,
    )
    _queue(db, attempt.user_id, statement)


def record_completed(db: Session, session: PracticeSession) -> None:
    """Queue 'completed' for a practice session being ended (before the caller commits)."""
    config = _sending_config()
    if config is None:
        return
    reflection = session.reflection if config.XAPI_SEND_TEXT else None
    statement = statements.completed(
        _rehearsal(db, config, session),
        session.ended_at,
        session.started_at,
        session.confidence_before,
        session.confidence_after,
        reflection,
    )
    _queue(db, session.user_id, statement)


def _sending_config() -> Config | None:
    """Return the configuration when statements are wanted (XAPI_LRS_URL set), else None."""
    if not has_app_context() or not _recording.get():
        return None
    config = current_app.config["PRACTICUM"]
    return config if config.XAPI_LRS_URL else None


def _rehearsal(db: Session, config: Config, session: PracticeSession) -> statements.Rehearsal:
    scenario = session.scenario
    scenario_set = scenario.set_version.scenario_set
    return statements.Rehearsal(
        base_url=config.BASE_URL,
        actor_uuid=_uuid_for(db, ActorId, ActorId.user_id, session.user_id),
        registration=_uuid_for(db, RegistrationId, RegistrationId.session_id, session.id),
        scenario_key=scenario.key,
        scenario_title=scenario.title,
        scenario_context=scenario.context,
        set_key=scenario_set.key,
        set_title=scenario_set.title,
    )


def _uuid_for(db: Session, model, key_column, key: int) -> uuid.UUID:
    """Return the UUID stored for key, making a random one the first time (safe under races)."""
    found = db.scalar(select(model.uuid).where(key_column == key))
    if found is None:
        db.execute(insert(model).values({key_column.key: key, "uuid": uuid.uuid4()}).on_conflict_do_nothing())
        found = db.scalar(select(model.uuid).where(key_column == key))
    return found


def _queue(db: Session, user_id: int, statement: dict) -> None:
    db.add(
        OutboxStatement(
            statement_id=uuid.UUID(statement["id"]),
            user_id=user_id,
            verb=statement["verb"]["display"]["en-US"],
            statement=statement,
            next_try_at=utcnow(),
        )
    )


def claim_due(db: Session, now: datetime, limit: int, ignore_waits: bool = False) -> list[OutboxStatement]:
    """Lock and return up to limit pending statements that are due, oldest first.

    SKIP LOCKED: several senders (one per web worker, the CLI) each take different rows.
    """
    query = select(OutboxStatement).where(OutboxStatement.status == PENDING)
    if not ignore_waits:
        query = query.where(OutboxStatement.next_try_at <= now)
    query = query.order_by(OutboxStatement.next_try_at, OutboxStatement.id).limit(limit)
    return list(db.scalars(query.with_for_update(skip_locked=True)))


def retry_delay(tries: int, first_s: float, longest_s: float) -> timedelta:
    """Return the wait after the tries-th failure: first_s, doubling each time, at most longest_s."""
    return timedelta(seconds=min(longest_s, first_s * 2 ** min(max(tries - 1, 0), 32)))


def mark_sent(rows: list[OutboxStatement], now: datetime, note: str | None = None) -> None:
    """Record rows as delivered."""
    for row in rows:
        row.status, row.sent_at, row.last_error = SENT, now, note


def mark_rejected(rows: list[OutboxStatement], error: str) -> None:
    """Record rows the LRS refused for good (a resend would be refused the same way)."""
    for row in rows:
        row.tries += 1
        row.status, row.last_error = REJECTED, error[:MAX_ERROR_CHARS]


def mark_failed(rows: list[OutboxStatement], now: datetime, error: str, config: Config) -> None:
    """Record a failed try on rows and when to try them next."""
    for row in rows:
        row.tries += 1
        row.last_error = error[:MAX_ERROR_CHARS]
        row.next_try_at = now + retry_delay(row.tries, config.XAPI_RETRY_S, config.XAPI_RETRY_MAX_S)


def counts(db: Session) -> dict[str, int]:
    """Return how many statements are pending, sent and rejected."""
    found = db.execute(select(OutboxStatement.status, func.count()).group_by(OutboxStatement.status))
    return {PENDING: 0, SENT: 0, REJECTED: 0, **dict(found.all())}
