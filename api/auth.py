"""Sign-in, token refresh and sign-out."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, jsonify, request
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    current_user,
    get_jwt,
    jwt_required,
)

from api import bp
from api.access import json_body
from practicum import accounts, rate_limits, sign_ins
from practicum.db import session
from practicum.errors import ValidationFailed
from practicum.extensions import limiter, user_rate_key


def _login_limit() -> str:
    return current_app.config["PRACTICUM"].LOGIN_RATE_LIMIT


def user_json(user) -> dict:
    """Return the public fields of an account."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "cohort": user.cohort.name if user.cohort else None,
        # The pages ask for a new password first; API clients should offer POST /auth/password.
        "must_change_password": user.must_change_password,
    }


@bp.post("/auth/login")
@rate_limits.sign_in
def login():
    """Exchange a username and password for an access and a refresh token."""
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ValidationFailed(
            "Send 'username' and 'password' as strings.", {"username": "required", "password": "required"}
        )
    user = accounts.authenticate(session, username, password, request.remote_addr or "")
    return jsonify(**new_tokens(user), user=user_json(user))


def new_tokens(user, sign_in: str | None = None) -> dict:
    """Return a fresh access and refresh token for an account, in a new sign-in unless one is given."""
    claims = {**accounts.token_claims(user), sign_ins.SIGN_IN_CLAIM: sign_in or sign_ins.new_sign_in()}
    return {
        "access_token": create_access_token(identity=user, additional_claims={"role": user.role, **claims}),
        "refresh_token": create_refresh_token(identity=user, additional_claims=claims),
        "token_type": "Bearer",
    }


@bp.post("/auth/refresh")
@jwt_required(refresh=True)
def refresh():
    """Exchange a refresh token, once, for a new access and refresh token of the same sign-in."""
    claims = get_jwt()
    sign_ins.rotate(session, claims)
    sign_in = claims.get(sign_ins.SIGN_IN_CLAIM)
    return jsonify(**new_tokens(current_user, sign_in if isinstance(sign_in, str) else None))


@bp.post("/auth/password")
@jwt_required()
@limiter.limit(_login_limit, key_func=user_rate_key)
def change_password():
    """Replace your own password; every earlier token ends, and new ones come back."""
    body = json_body()
    accounts.change_own_password(
        session,
        current_user,
        body.get("current_password"),
        body.get("new_password"),
        request.remote_addr or "",
    )
    return jsonify(**new_tokens(current_user), user=user_json(current_user))


@bp.post("/auth/logout")
@jwt_required(verify_type=False)
def logout():
    """End the whole sign-in the token sent belongs to: its access and refresh tokens alike."""
    claims = get_jwt()
    sign_in = claims.get(sign_ins.SIGN_IN_CLAIM)
    if isinstance(sign_in, str):
        sign_ins.end(session, current_user.id, sign_in)
        return jsonify(revoked="sign_in")
    # A token issued before sign-ins were tracked: only it can be named.
    accounts.revoke_token(session, claims["jti"], current_user.id, datetime.fromtimestamp(claims["exp"], UTC))
    return jsonify(revoked=claims["type"])


@bp.get("/auth/me")
@jwt_required()
def me():
    """Return the signed-in account."""
    return jsonify(user_json(current_user))
