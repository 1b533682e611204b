"""People: creating accounts, signing in, changing passwords, and refusing old tokens."""

from __future__ import annotations

import math
import re
import secrets
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from practicum import audit, web_sessions
from practicum.config import PASSWORD_HASH_METHOD
from practicum.errors import AuthenticationFailed, Conflict, CredentialsChanged, ValidationFailed
from practicum.models import ROLES, Cohort, RevokedToken, User, utcnow
from practicum.passwords import password_problem

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
MAX_NAME_LENGTH = 120  # display names and cohort names (the columns' width)
CREDENTIALS_CLAIM = "cred"
# A real hash to compare against when the account does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def hash_password(password: str) -> str:
    """Return a password's salted hash, by the app's PASSWORD_HASH_METHOD (scrypt by default)."""
    method = (
        current_app.config["PRACTICUM"].PASSWORD_HASH_METHOD if has_app_context() else PASSWORD_HASH_METHOD
    )
    return generate_password_hash(password, method=method)


def normalise_username(username: str) -> str:
    """Return the canonical (lower-case, trimmed) form of a username."""
    return (username or "").strip().lower()


def clean_name(value: object) -> str | None:
    """Return a person's or cohort's name trimmed, or None unless it is 1–120 characters of text."""
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_NAME_LENGTH:
        return None
    return value.strip()


def validate_new_account(
    username: str, password: str, role: str, display_name: str = "", cohort: str | None = None
) -> dict[str, str]:
    """Return a map of field to problem for a new account; empty when all is well."""
    problems = {}
    if display_name.strip() and clean_name(display_name) is None:
        problems["display_name"] = f"at most {MAX_NAME_LENGTH} characters"
    if cohort is not None and clean_name(cohort) is None:
        problems["cohort"] = f"1–{MAX_NAME_LENGTH} characters"
    if not USERNAME.match(username):
        problems["username"] = "3–80 characters: lower-case letters, digits, '.', '_' or '-'"
    if problem := password_problem(password, username, display_name):
        problems["password"] = problem
    if role not in ROLES:
        problems["role"] = f"one of {', '.join(ROLES)}"
    return problems


def cohort_named(db: Session, name: str) -> Cohort:
    """Return the cohort with this name, creating it if needed."""
    cohort = db.scalar(select(Cohort).where(Cohort.name == name))
    if cohort is not None:
        return cohort
    try:
        with db.begin_nested():  # someone may create the same cohort at this very moment
            cohort = Cohort(name=name)
            db.add(cohort)
            db.flush()
    except IntegrityError:
        cohort = db.scalar(select(Cohort).where(Cohort.name == name))
        if cohort is None:
            raise  # another constraint: not a name clash
    return cohort


def create_user(
    db: Session,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    cohort: str | None = None,
    actor_id: int | None = None,
    chosen_by_someone_else: bool = False,
) -> User:
    """Create an account (in the caller's transaction) and audit it.

    chosen_by_someone_else: the password was set for the holder (by an admin, or generated), so
    they must choose their own at their first sign-in on the pages.
    """
    username = normalise_username(username)
    problems = validate_new_account(username, password, role, display_name or "", cohort)
    if problems:
        raise ValidationFailed("The account details are not valid.", problems)
    if db.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"An account named {username!r} already exists.")
    user = User(
        username=username,
        display_name=clean_name(display_name) or username,
        password_hash=hash_password(password),
        role=role,
        must_change_password=chosen_by_someone_else,
    )
    if cohort is not None:
        user.cohort_id = cohort_named(db, clean_name(cohort)).id
    _insert_user(db, user)
    audit.record(db, "user_created", actor_id, username, role=role, cohort=(cohort or "").strip())
    return user


def _insert_user(db: Session, user: User) -> None:
    """Insert an account, or raise Conflict when its username was taken since the check."""
    # Two submits at once both pass the existence check; the unique index refuses the second.
    # The savepoint keeps the caller's transaction usable after that refusal.
    try:
        with db.begin_nested():
            db.add(user)
            db.flush()
    except IntegrityError:
        if db.scalar(select(User.id).where(User.username == user.username)) is None:
            raise  # another constraint: not a name clash
        raise Conflict(f"An account named {user.username!r} already exists.") from None


def authenticate(db: Session, username: str, password: str, ip_address: str = "") -> User:
    """Return the active account these credentials belong to, auditing the attempt."""
    username = normalise_username(username)
    user = db.scalar(select(User).where(User.username == username))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and valid and user.active):
        audit.record(db, "sign_in_failed", None, username, ip_address)
        db.commit()
        raise AuthenticationFailed("Wrong username or password, or the account is inactive.")
    user.last_login_at = utcnow()
    audit.record(db, "sign_in", user.id, username, ip_address)
    db.commit()
    return user


def change_own_password(db: Session, user: User, current: object, new: object, ip_address: str = "") -> None:
    """Let an account holder replace their password, and commit.

    The current password must be given. Every other web session and every API token of the
    account ends with it (the caller opens a new session or issues new tokens for this client).
    A wrong current password is audited like a failed sign-in.
    """
    if not isinstance(current, str) or not isinstance(new, str):
        raise ValidationFailed(
            "Send your current password and the new one.",
            {"current_password": "required", "new_password": "required"},
        )
    if not check_password_hash(user.password_hash, current):
        audit.record(db, "password_change_failed", user.id, user.username, ip_address)
        db.commit()
        raise ValidationFailed(
            "Your current password is not right, so nothing was changed.",
            {"current_password": "does not match your password"},
        )
    problem = new_password_problem(user, new)
    if problem:
        raise ValidationFailed(f"Choose another new password: {problem}.", {"new_password": problem})
    set_password(user, new)
    user.must_change_password = False
    web_sessions.end_all_for_user(db, user.id)
    audit.record(db, "password_changed", user.id, user.username, ip_address)
    db.commit()


def new_password_problem(user: User, password: str) -> str:
    """Return what is wrong with a password its holder chose, or "" when it will do."""
    if problem := password_problem(password, user.username, user.display_name):
        return problem
    if check_password_hash(user.password_hash, password):
        return "it is the password you have now"
    return ""


def set_password(user: User, password: str) -> None:
    """Give an account a new password, in the caller's transaction; its older tokens stop working."""
    user.password_hash = hash_password(password)
    end_tokens(user)


def end_tokens(user: User) -> None:
    """Refuse every API token the account holds now, in the caller's transaction (for good)."""
    user.credentials_changed_at = utcnow()


def token_claims(user: User) -> dict:
    """Claims every token of this account carries: which of its sign-ins the token belongs to."""
    return {CREDENTIALS_CLAIM: credentials_epoch(user)}


def credentials_epoch(user: User) -> int:
    """When the account's tokens last ended, in microseconds (0: never)."""
    changed = user.credentials_changed_at
    return 0 if changed is None else round(changed.timestamp() * 1_000_000)


def issued_before_tokens_ended(user: User, issued_at: int, epoch: int | None = None) -> bool:
    """Tell whether a token predates the account's tokens ending.

    Tokens carry the epoch they were issued under (token_claims), which tells exactly. Older
    tokens without it fall back to their `iat`: whole seconds rounded down, so a token from the
    change's own second counts as earlier.
    """
    if isinstance(epoch, int):
        return epoch != credentials_epoch(user)
    changed = user.credentials_changed_at
    return changed is not None and issued_at <= math.floor(changed.timestamp())


def revoke_token(db: Session, jti: str, user_id: int | None, expires_at: datetime) -> None:
    """Store a token's id so it is refused from now on, across restarts."""
    if db.get(RevokedToken, jti) is None:
        db.add(RevokedToken(jti=jti, user_id=user_id, expires_at=expires_at))
    db.commit()


def is_revoked(db: Session, jti: str) -> bool:
    """Tell whether a token id has been revoked."""
    return db.get(RevokedToken, jti) is not None


def active_user(db: Session, user_id: int) -> User | None:
    """Return the account if it exists and is active, else None."""
    user = db.get(User, user_id)
    return user if user and user.active else None


def token_holder(db: Session, user_id: int, issued_at: int, epoch: int | None = None) -> User | None:
    """Return the active account a token names (None when it is not active).

    Raises CredentialsChanged when the token was issued before the account's password last
    changed or the account was last paused: whoever held it must sign in again.
    """
    user = active_user(db, user_id)
    if user is not None and issued_before_tokens_ended(user, issued_at, epoch):
        raise CredentialsChanged(
            "Your sign-in has ended: your password was changed or your account was paused. Sign in again."
        )
    return user
