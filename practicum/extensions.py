"""Flask extensions, created here and bound to the app in create_app."""

from flask import g, request
from flask_jwt_extended import JWTManager, get_jwt_identity, verify_jwt_in_request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def login_rate_key() -> str:
    """Key sign-in limits by the account asked for and the caller's address."""
    body = request.get_json(silent=True) if request.is_json else None
    body = body if isinstance(body, dict) else {}
    username = str(body.get("username") or request.form.get("username") or "")
    return f"login:{username.strip().lower()[:80]}:{get_remote_address()}"


def user_rate_key() -> str:
    """Key per-user limits by the signed-in account (falls back to the address)."""
    token = g.get("api_token")  # an API token's owner counts as that person (api/access.py)
    if token is not None:
        return f"user:{token.user_id}"
    if "_jwt_extended_jwt" not in g:
        # Routes verify their sign-in before their limits are checked (api/access.py); only a
        # limit checked first verifies here, so each request decodes and checks its token once.
        verify_jwt_in_request(optional=True)
    identity = get_jwt_identity()
    return f"user:{identity}" if identity else f"addr:{get_remote_address()}"
