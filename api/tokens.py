"""Personal access tokens: make one (shown once), list them, revoke one."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_jwt_extended import current_user

from api import bp
from api.access import int_arg, json_body, require_role
from practicum import api_tokens, rate_limits
from practicum.db import session
from practicum.errors import Forbidden, ValidationFailed
from practicum.extensions import user_rate_key

TOKEN_ROLES = ("trainer", "admin")
token_rate_limit = rate_limits.per_person("API_TOKEN_RATE_LIMIT", "api-tokens", user_rate_key)


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def token_json(row) -> dict:
    """Return what may be shown of a token: never the token itself, which is shown once."""
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "scopes": list(row.scopes),
        "owner": {"id": row.user_id, "username": row.user.username},
        "created_at": _moment(row.created_at),
        "expires_at": _moment(row.expires_at),
        "last_used_at": _moment(row.last_used_at),
        "last_used_ip": row.last_used_ip or None,
        "revoked_at": _moment(row.revoked_at),
    }


@bp.post("/tokens")
@require_role(*TOKEN_ROLES)
@token_rate_limit
def create_api_token():
    """Make a personal access token: name, scopes, expires_in_hours (1–2160); it is shown once."""
    body = json_body()
    created = api_tokens.create(
        session,
        current_user,
        body.get("name"),
        body.get("scopes"),
        body.get("expires_in_hours"),
        current_app.config["PRACTICUM"].API_TOKENS_PER_USER,
        request.remote_addr or "",
    )
    return jsonify(token=created.token, api_token=token_json(created.row)), 201


@bp.get("/tokens")
@require_role(*TOKEN_ROLES)
def list_api_tokens():
    """List your tokens; an admin may ask for one account's (user_id) or everyone's (all=true)."""
    user_id, everyone = int_arg("user_id"), request.args.get("all", "false")
    if everyone not in ("true", "false"):
        raise ValidationFailed("'all' must be true or false.", {"all": "true or false"})
    if (everyone == "true" or user_id not in (None, current_user.id)) and current_user.role != "admin":
        raise Forbidden("Only admins may list other people's tokens.")
    owner = None if everyone == "true" else (current_user.id if user_id is None else user_id)
    return jsonify(api_tokens=[token_json(row) for row in api_tokens.tokens_of(session, owner)])


@bp.delete("/tokens/<int:token_id>")
@require_role(*TOKEN_ROLES)
def revoke_api_token(token_id: int):
    """Revoke a token at once (your own; any, for an admin)."""
    row = api_tokens.revoke(session, current_user, token_id, request.remote_addr or "")
    return jsonify(token_json(row))
