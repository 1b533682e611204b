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
from practicum import accounts, rate_limits
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


def new_tokens(user) -> dict:
    """Return a fresh access and refresh token for an account."""
    return {
        "access_token": create_access_token(
            identity=user, additional_claims={"role": user.role, **accounts.token_claims(user)}
        ),
        "refresh_token": create_refresh_token(identity=user, additional_claims=accounts.token_claims(user)),
        "token_type": "Bearer",
    }


@bp.post("/auth/refresh")
@jwt_required(refresh=True)
def refresh():
    """Issue a new access token for a valid refresh token."""
    claims = {"role": current_user.role, **accounts.token_claims(current_user)}
    return jsonify(
        access_token=create_access_token(identity=current_user, additional_claims=claims), token_type="Bearer"
    )


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
    """Revoke the token sent (send the refresh token too, to end the whole sign-in)."""
    claims = get_jwt()
    accounts.revoke_token(session, claims["jti"], current_user.id, datetime.fromtimestamp(claims["exp"], UTC))
    return jsonify(revoked=claims["type"])


@bp.get("/auth/me")
@jwt_required()
def me():
    """Return the signed-in account."""
    return jsonify(user_json(current_user))
