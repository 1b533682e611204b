"""Browser sign-ins kept server-side, so signing out or an admin's action ends them at once.

The cookie carries only a random token; the table keeps its SHA-256. A signed cookie alone
proves nothing: a page is served only while the token's row is live and its account active.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from practicum.models import User, WebSession, utcnow

# Rows older than this are of no use to anyone: each sign-in clears its account's old ones.
KEEP_FOR = timedelta(days=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, user: User) -> str:
    """Open a web session for an account and commit it; return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    long_ago = utcnow() - KEEP_FOR
    db.execute(
        delete(WebSession).where(
            WebSession.user_id == user.id,
            or_(WebSession.created_at < long_ago, WebSession.ended_at < long_ago),
        )
    )
    db.add(WebSession(user_id=user.id, token_hash=_digest(token)))
    db.commit()
    return token


def resolve(db: Session, token: object, lifetime: timedelta) -> User | None:
    """Return the active account whose live session, younger than lifetime, this token names."""
    if not isinstance(token, str) or not token:
        return None
    return db.scalar(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.token_hash == _digest(token),
            WebSession.ended_at.is_(None),
            WebSession.created_at > utcnow() - lifetime,
            User.active.is_(True),
        )
    )


def end(db: Session, token: object) -> None:
    """End the session this token names (a no-op when it is unknown or already ended)."""
    if isinstance(token, str) and token:
        db.execute(
            update(WebSession)
            .where(WebSession.token_hash == _digest(token), WebSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    db.commit()


def end_all_for_user(db: Session, user_id: int) -> int:
    """End every live web session of an account, in the caller's transaction; return how many."""
    ended = db.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return ended.rowcount
