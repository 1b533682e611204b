"""API sign-ins: refresh tokens rotate on use; a reused one, or signing out, ends the whole sign-in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practicum import audit
from practicum.errors import PracticumError
from practicum.models import RevokedToken, User, utcnow

# Every token of one sign-in (the first pair and each rotated pair) carries the same id.
SIGN_IN_CLAIM = "sin"


class RefreshReused(PracticumError):
    code, status = "unauthorized", 401


REUSED = (
    "This refresh token was already used, so the whole sign-in has ended in case someone copied it. "
    "Sign in again."
)


def new_sign_in() -> str:
    """Return the id of a new sign-in, for the claims of its tokens."""
    return uuid.uuid4().hex


def _sign_in_row(sign_in: str) -> str:
    return f"sign-in:{sign_in}"


def refused(db: Session, payload: dict) -> tuple[bool, User | None]:
    """Tell whether a token may no longer be used: revoked itself, or its sign-in has ended.

    An access token's account is read by the same statement and returned with the answer: the
    caller holds on to it, so the user lookup that follows finds it in the session's identity
    map (which keeps objects only while something refers to them) instead of reading it again.

    A refresh token that comes back after it was used (rotated) ends its whole sign-in: either
    its holder or someone who copied it has the newer one, and we cannot tell which.
    """
    sign_in = payload.get(SIGN_IN_CLAIM)
    keys = [payload["jti"]] + ([_sign_in_row(sign_in)] if isinstance(sign_in, str) else [])
    user_id = _user_id(payload)
    if payload.get("type") != "refresh" and user_id is not None:
        # Every request checks its token here, then loads its account: one statement for both.
        row = db.execute(_holder_query(), {"keys": keys, "user_id": user_id}).first()
        if row is not None:
            return bool(row[1]), row[0]
    found = set(db.scalars(_revoked_query(), {"keys": keys}))
    if payload.get("type") == "refresh" and payload["jti"] in found and isinstance(sign_in, str):
        if _sign_in_row(sign_in) not in found:
            end(db, user_id, sign_in, reason="refresh_token_reused")
    return bool(found), None


# Built once with bound parameters: every request runs the first, and building and keying it each
# time cost more CPU than running it (as with embeddings/search.py's searches).
@cache
def _revoked_query():
    return select(RevokedToken.jti).where(RevokedToken.jti.in_(bindparam("keys", expanding=True)))


@cache
def _holder_query():
    return select(User, exists(_revoked_query())).where(User.id == bindparam("user_id"))


def rotate(db: Session, payload: dict) -> None:
    """Mark a refresh token as used, so it never works again; raise if it was used just now."""
    expires = datetime.fromtimestamp(payload["exp"], UTC)
    try:
        with db.begin_nested():  # two refreshes with one token at once: the unique id decides
            db.add(RevokedToken(jti=payload["jti"], user_id=_user_id(payload), expires_at=expires))
            db.flush()
    except IntegrityError:
        sign_in = payload.get(SIGN_IN_CLAIM)
        if isinstance(sign_in, str):
            end(db, _user_id(payload), sign_in, reason="refresh_token_reused")
        raise RefreshReused(REUSED) from None
    db.commit()


def end(db: Session, user_id: int | None, sign_in: str, reason: str = "") -> None:
    """End every token of one sign-in, across restarts, and commit."""
    from flask import current_app

    days = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    lifetime = days if isinstance(days, timedelta) else timedelta(days=14)
    row = _sign_in_row(sign_in)
    if db.get(RevokedToken, row) is None:
        # Any token of this sign-in expires within one refresh lifetime from now.
        db.add(RevokedToken(jti=row, user_id=user_id, expires_at=utcnow() + lifetime))
        if reason:
            holder = db.get(User, user_id) if user_id else None
            audit.record(db, reason, user_id, holder.username if holder else "", request_address())
    db.commit()


def request_address() -> str:
    """Return the address of the request being answered, or "" outside one."""
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else ""


def _user_id(payload: dict) -> int | None:
    subject = str(payload.get("sub", ""))
    return int(subject) if subject.isdecimal() else None
