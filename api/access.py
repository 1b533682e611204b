"""Authorisation for API routes (a valid token, a role from a fixed list) and request arguments."""

from __future__ import annotations

from functools import wraps

from flask import request
from flask_jwt_extended import current_user, verify_jwt_in_request

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
            verify_jwt_in_request()
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
