"""Every rate limit in one place: each reads its Config setting per request and is shared by the
pages and the API (one counter per person or address, whichever door a request comes through).

Limits answer 429 with Retry-After (api/errors.py: the JSON shape; web: a readable page).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_limiter.util import get_remote_address

from practicum.extensions import limiter, login_rate_key


def setting(name: str) -> Callable[[], str]:
    """Return a function that reads a limit from the app's Config when a request comes."""
    return lambda: getattr(current_app.config["PRACTICUM"], name)


def address_key() -> str:
    """Key a limit by the caller's address alone (every account asked for from it)."""
    return f"addr:{get_remote_address()}"


def _failed(response) -> bool:
    # Only failed sign-ins count: a class signing in at 9 a.m. from one school address is fine.
    return response.status_code >= 400


def sign_in(view):
    """Limit failed sign-ins per account and address, and per address across all accounts."""
    for name, scope, key in (
        ("LOGIN_RATE_LIMIT", "sign-in-account", login_rate_key),
        ("LOGIN_ADDRESS_RATE_LIMIT", "sign-in-address", address_key),
    ):
        view = limiter.shared_limit(
            setting(name), scope=scope, key_func=key, methods=["POST"], deduct_when=_failed
        )(view)
    return view


def per_person(name: str, scope: str, key_func: Callable[[], str]):
    """Return a limit on one person's requests of one kind; key_func gives "user:<id>"."""
    return limiter.shared_limit(setting(name), scope=scope, key_func=key_func)
