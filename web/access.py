"""Role checks for pages: signed in (else to the sign-in page), and a role from a fixed list."""

from __future__ import annotations

from functools import wraps

from flask import g

from practicum.errors import Forbidden
from web.auth import login_required


def role_required(*roles: str):
    """Allow the page to signed-in accounts with one of roles; others see a 403 page."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if g.user.role not in roles:
                raise Forbidden("Your account does not allow this page.")
            return view(*args, **kwargs)

        guarded = login_required(checked)
        guarded.required_roles = roles
        return guarded

    return decorate
