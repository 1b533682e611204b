"""Authorisation for API routes (a sign-in's JWT or a scoped API token, a role from a fixed list)
and request arguments."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_jwt_extended import current_user, verify_jwt_in_request

from api import bp, token_scopes
from practicum import api_tokens
from practicum.db import session
from practicum.errors import Forbidden, ValidationFailed
from practicum.forms import whole_number

CHOOSE_OWN_PASSWORD = (
    "Choose your own password first (POST /api/v1/auth/password): the one you were given is "
    "known to whoever set it."
)


def require_role(*roles: str):
    """Allow the route to signed-in users with one of roles (all roles when none given)."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            authenticate()
            if current_user.must_change_password:
                # Someone else knows this password: only /auth (me, password, refresh, logout)
                # answers until its holder chooses their own.
                raise Forbidden(CHOOSE_OWN_PASSWORD)
            if roles and current_user.role not in roles:
                raise Forbidden("Your role does not allow this.")
            return view(*args, **kwargs)

        guarded.required_roles = roles
        return guarded

    return decorate


def authenticate() -> None:
    """Verify the request's bearer credential: an API token (within its scopes) or a JWT."""
    credential = bearer_credential()
    if credential is None or not api_tokens.looks_like_token(credential):
        verify_jwt_in_request()
        return
    token = api_tokens.holder(session, credential, request.remote_addr or "")
    token_scopes.check_scope(token_scopes.required_scope(request.endpoint), token.scopes)
    # flask-jwt-extended's current_user and get_jwt() read these (4.x): the routes serve the
    # token's owner without knowing whether a token or a sign-in brought them.
    g._jwt_extended_jwt = {"sub": str(token.user_id), "type": "api_token", "jti": f"api-token:{token.id}"}
    g._jwt_extended_jwt_header = {}
    g._jwt_extended_jwt_user = {"loaded_user": token.user}
    g._jwt_extended_jwt_location = "headers"
    g.api_token = token


def bearer_credential() -> str | None:
    """Return the credential of an `Authorization: Bearer ...` header, or None."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" and credential.strip() else None


@bp.before_request
def refuse_tokens_where_sign_in_is_needed():
    """Refuse an API token on sign-in and token routes with a clear message (not 'invalid JWT')."""
    credential = bearer_credential() or ""
    if api_tokens.looks_like_token(credential) and request.endpoint in token_scopes.SIGN_IN_ONLY:
        raise token_scopes.TokenNotAccepted(
            "API tokens are not accepted on sign-in and token routes; sign in with your password."
        )


def json_body() -> dict:
    """Return the request's JSON object or raise a validation error that says what is wrong."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.", {"body": "expected a JSON object"})
    return body


def int_arg(name: str) -> int | None:
    """Return an optional integer query argument, or raise a validation error."""
    value = request.args.get(name, "")
    if not value:
        return None
    number = whole_number(value)
    if number is None:
        raise ValidationFailed(f"'{name}' must be a whole number below 1000000000.", {name: "integer"})
    return number
