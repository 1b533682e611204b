"""Protections every page shares: CSRF tokens, security headers, no caching of personal pages."""

from __future__ import annotations

import hmac
import secrets
from contextlib import nullcontext

from flask import current_app, g, request, session

from api.admin import upload_room
from practicum.errors import PracticumError
from web import bp

CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
# Pages whose form carries a file: reading their token parses the file too.
UPLOAD_ENDPOINTS = frozenset({"web.admin_check_set", "web.admin_publish_set", "web.admin_import_people"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class CSRFRefused(PracticumError):
    code, status = "csrf_failed", 400


def content_security_policy(form_target: str = "") -> str:
    """Return the pages' policy: framed only by FRAME_ANCESTORS (an LMS), forms to us (and form_target)."""
    ancestors = current_app.config["PRACTICUM"].FRAME_ANCESTORS
    policy = CONTENT_SECURITY_POLICY
    if ancestors:
        policy = policy.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    return policy + (f" {form_target}" if form_target else "")


def csrf_token() -> str:
    """Return this browser session's CSRF token, creating it on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


@bp.app_context_processor
def inject_csrf_token():
    """Let every template put the token in its forms and in the page's meta tag."""
    return {"csrf_token": csrf_token}


@bp.before_request
def check_csrf():
    """Refuse a POST that does not carry this session's token (form field or header)."""
    if request.method != "POST" or _guard_will_refuse():
        return
    # Reading the token parses the whole form: on upload pages that includes the file, which
    # grows past the file limit once form-encoded, so those get the API's upload room.
    with upload_room() if request.endpoint in UPLOAD_ENDPOINTS else nullcontext():
        sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CSRFRefused("This page was open too long or came from elsewhere. Reload it and try again.")


def _guard_will_refuse() -> bool:
    """Tell whether nobody is signed in and the page's sign-in guard will refuse the request."""
    # A page left open past sign-out (or a session ended elsewhere) has lost its token with the
    # session; its POST should hear "you are signed out", not "reload". The guard refuses before
    # the view runs, so nothing is done without a token. Signed in, or on /login (login CSRF),
    # the token is always checked, as it is if web.auth's hook has not yet put a user on g.
    view = current_app.view_functions.get(request.endpoint)
    return "user" in g and g.user is None and getattr(view, "signs_in_first", False)


@bp.after_app_request
def security_headers(response):
    """Add the security headers to every response, pages and API alike."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not current_app.config["PRACTICUM"].FRAME_ANCESTORS:  # it cannot name who may frame us
        response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("HSTS_SECONDS"):
        hsts = f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains"
        response.headers.setdefault("Strict-Transport-Security", hsts)
    if request.path.startswith("/api/"):
        # API answers carry tokens (sign-in, refresh) and private records: never cached.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.after_request
def no_store(response):
    """Keep signed-in pages out of shared caches and the back button after sign-out."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response
