"""Personal access tokens: made by admins and trainers for integrations, scoped, shown once.

A token acts as its owner, within its scopes and what the owner's role allows. Only its SHA-256
is stored; a short prefix lets its owner recognise it. Revoking works at once; deactivating the
owner, or a role change that no longer allows a token's scopes, revokes it for good.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from practicum import audit
from practicum.errors import Conflict, Forbidden, NotFound, PracticumError, ValidationFailed
from practicum.models import ApiToken, User, utcnow

SCOPES = ("scenarios:read", "attempts:read", "attempts:write", "reports:read", "admin")
# What each scope opens, in words (the pages show it; api/token_scopes.py maps the routes).
SCOPE_MEANINGS = {
    "scenarios:read": "read the scenario library",
    "attempts:read": "read your own rehearsals and answers",
    "attempts:write": "rehearse (start sessions, send answers); for trainers, notes and score overrides",
    "reports:read": "read your trainees' dashboard and records",
    "admin": "the admin area: accounts, cohorts, scenario sets, the audit log, metrics",
}
# What each role may put in a token; trainees make none.
ROLE_SCOPES = {"admin": frozenset(SCOPES), "trainer": frozenset(SCOPES) - {"admin"}, "trainee": frozenset()}
TOKEN_PREFIX = "pat_"
VISIBLE_CHARACTERS = 12  # "pat_" and 8 random characters: enough to tell tokens apart in a list
MIN_HOURS, MAX_HOURS = 1, 90 * 24
MAX_NAME_LENGTH = 80
# Last use is written at most this often per token, so a busy integration is not a write a request.
LAST_USE_EVERY = timedelta(minutes=1)


class TokenRefused(PracticumError):
    """The token is unknown, revoked or expired, or its owner may no longer use it."""

    code, status = "unauthorized", 401


@dataclass
class Created:
    """A new token's row and the token itself, which is shown this once and never again."""

    row: ApiToken
    token: str


def digest(token: str) -> str:
    """Return the SHA-256 a token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(credential: str) -> bool:
    """Tell whether a bearer credential is one of ours (not a JWT)."""
    return credential.startswith(TOKEN_PREFIX)


def allowed_scopes(user: User) -> frozenset[str]:
    """Return the scopes an account's role allows in its tokens."""
    return ROLE_SCOPES.get(user.role, frozenset())


def validate_request(name: object, scopes: object, expires_in_hours: object) -> dict[str, str]:
    """Return a map of field to problem for a token request; empty when all is well."""
    problems = {}
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME_LENGTH:
        problems["name"] = f"1–{MAX_NAME_LENGTH} characters saying what the token is for"
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        problems["scopes"] = f"a non-empty list of: {', '.join(SCOPES)}"
    elif unknown := sorted(set(scopes) - set(SCOPES)):
        problems["scopes"] = f"unknown scope {', '.join(unknown)}; choose from {', '.join(SCOPES)}"
    hours = expires_in_hours
    if isinstance(hours, bool) or not isinstance(hours, int) or not MIN_HOURS <= hours <= MAX_HOURS:
        problems["expires_in_hours"] = f"a whole number of hours from {MIN_HOURS} to {MAX_HOURS} (90 days)"
    return problems


def create(
    db: Session, owner: User, name: object, scopes: object, expires_in_hours: object, limit: int, ip: str = ""
) -> Created:
    """Make a token for its owner, audit it and commit; return it with the token shown once."""
    problems = validate_request(name, scopes, expires_in_hours)
    if problems:
        raise ValidationFailed("The token request is not valid; no token was made.", problems)
    beyond = sorted(set(scopes) - allowed_scopes(owner))
    if beyond:
        raise Forbidden(
            f"Your role ({owner.role}) cannot give a token the scope {', '.join(beyond)}; no token was made.",
            {"scopes": f"not allowed for a {owner.role}: {', '.join(beyond)}"},
        )
    # The owner's row is locked so two requests at once cannot both pass the count below.
    db.execute(select(User.id).where(User.id == owner.id).with_for_update())
    if live_count(db, owner.id) >= limit:
        raise Conflict(f"You have {limit} live tokens, the most allowed; revoke one you no longer use first.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=owner.id,
        name=name.strip(),
        scopes=[s for s in SCOPES if s in scopes],  # de-duplicated, in a fixed order
        token_hash=digest(token),
        prefix=token[:VISIBLE_CHARACTERS],
        expires_at=utcnow() + timedelta(hours=expires_in_hours),
        last_used_ip="",
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        "api_token_created",
        owner.id,
        owner.username,
        ip,
        token_id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=row.scopes,
        expires_at=row.expires_at.isoformat(),
    )
    db.commit()
    return Created(row, token)


def live_count(db: Session, user_id: int) -> int:
    """Return how many of an account's tokens are neither revoked nor expired."""
    return db.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
    )


def tokens_of(db: Session, user_id: int | None) -> list[ApiToken]:
    """Return an account's tokens (every account's when user_id is None), newest first."""
    stmt = select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id.desc())
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    return list(db.scalars(stmt))


def visible_token(db: Session, viewer: User, token_id: int) -> ApiToken:
    """Return a token its viewer may manage (their own; any, for an admin), else raise NotFound."""
    row = db.get(ApiToken, token_id)
    if row is None or (row.user_id != viewer.id and viewer.role != "admin"):
        raise NotFound(f"No token {token_id} of yours.")
    return row


def revoke(db: Session, actor: User, token_id: int, ip: str = "") -> ApiToken:
    """Revoke a token at once (a no-op when it already is), audit it and commit."""
    row = visible_token(db, actor, token_id)
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by_id = utcnow(), actor.id
        audit.record(
            db,
            "api_token_revoked",
            actor.id,
            row.user.username,
            ip,
            token_id=row.id,
            name=row.name,
            prefix=row.prefix,
        )
    db.commit()
    return row


def revoke_unfitting(db: Session, owner: User, actor_id: int | None, reason: str, ip: str = "") -> int:
    """Revoke, in the caller's transaction, the owner's live tokens their account no longer allows.

    Called when an account is deactivated (none fits) or changes role (scopes beyond the new
    role's). Audited once with the number revoked; returns it.
    """
    allowed = allowed_scopes(owner) if owner.active else frozenset()
    live = select(ApiToken).where(ApiToken.user_id == owner.id, ApiToken.revoked_at.is_(None))
    ended = [row for row in db.scalars(live) if not set(row.scopes) <= allowed]
    for row in ended:
        row.revoked_at, row.revoked_by_id = utcnow(), actor_id
    if ended:
        audit.record(
            db,
            "api_tokens_revoked",
            actor_id,
            owner.username,
            ip,
            reason=reason,
            token_ids=[row.id for row in ended],
        )
    return len(ended)


def holder(db: Session, token: str, ip: str = "") -> ApiToken:
    """Return the live token row this token names, its owner loaded; record its use.

    Raises TokenRefused, saying why, when it is unknown, revoked or expired, or its owner is
    inactive or no longer allowed its scopes.
    """
    row = db.scalar(
        select(ApiToken).options(selectinload(ApiToken.user)).where(ApiToken.token_hash == digest(token))
    )
    now = utcnow()
    if row is None:
        raise TokenRefused("This API token is not valid. Check that it was copied whole.")
    if row.revoked_at is not None:
        raise TokenRefused(f"This API token was revoked on {_day(row.revoked_at)}; make a new one.")
    if row.expires_at <= now:
        raise TokenRefused(f"This API token expired on {_day(row.expires_at)}; make a new one.")
    if not row.user.active:
        raise TokenRefused("This API token's account is inactive.")
    if not set(row.scopes) <= allowed_scopes(row.user):
        raise TokenRefused("This API token's scopes are beyond what its owner's role now allows.")
    _record_use(db, row, now, ip)
    return row


def _record_use(db: Session, row: ApiToken, now: datetime, ip: str) -> None:
    if row.last_used_at is not None and now - row.last_used_at < LAST_USE_EVERY:
        return
    # Conditional, so many requests at once write it once; committed now, before the route's work.
    db.execute(
        update(ApiToken)
        .where(
            ApiToken.id == row.id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - LAST_USE_EVERY),
        )
        .values(last_used_at=now, last_used_ip=ip[:64])
    )
    db.commit()


def _day(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")
