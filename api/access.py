"""Authorisation for API routes: a valid token, and a role from a fixed list."""

from __future__ import annotations

from functools import wraps

from flask_jwt_extended import current_user, verify_jwt_in_request

from practicum.errors import Forbidden


def require_role(*roles: str):
    """Allow the route to signed-in users with one of roles (all roles when none given)."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            verify_jwt_in_request()
            if roles and current_user.role not in roles:
                raise Forbidden("Your role does not allow this.")
            return view(*args, **kwargs)

        guarded.required_roles = roles
        return guarded

    return decorate


def json_body() -> dict:
    """Return the request's JSON object or raise a validation error that says what is wrong."""
    from flask import request

    from practicum.errors import ValidationFailed

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.",
                               {"body": "expected a JSON object"})
    return body
