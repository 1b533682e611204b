"""One JSON error shape for the whole API: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
import time

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from practicum import request_ids
from practicum.db import session
from practicum.errors import PracticumError
from practicum.extensions import jwt, limiter

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, details=None, headers=None):
    """Build the one error body and status every API failure uses."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_json() -> bool:
    """Tell whether the request is for the API (pages get readable HTML errors instead)."""
    if request.path.startswith("/api/") or request.path in ("/healthz", "/readyz"):
        return True
    # A page's own script (fetch) asks for JSON; a browser navigating asks for HTML.
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == ("application/json")


PAGE_TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Page not found",
    405: "That did not work",
    413: "Too much text",
    429: "Please slow down",
    500: "Something went wrong",
    503: "Back in a moment",
}
PAGE_MESSAGES = {
    403: "Your account does not allow this page.",
    404: "We could not find that page. It may have moved, or it may belong to someone else.",
    413: "What you sent is too large. Shorten it and try again.",
    500: "Something went wrong on our side. Please try again in a moment.",
    503: "Practicum cannot reach its database just now. Nothing was saved; try again in a few seconds.",
}
DATABASE_RETRY_S = 5


def error_page(status: int, message: str = "", headers=None):
    """Render the readable HTML error page that people (not API clients) see."""
    title = PAGE_TITLES.get(status, "That did not work")
    message = message or PAGE_MESSAGES.get(status, "Go back and try again.")
    return render_template("error.html", status=status, title=title, message=message), status, (headers or {})


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def register_error_handlers(app: Flask) -> None:
    """Turn domain errors, HTTP errors and crashes into the error shape."""

    @app.errorhandler(PracticumError)
    def domain_error(error: PracticumError):
        session.rollback()
        if not wants_json():
            generic = error.status in PAGE_MESSAGES and not error.shown_on_pages
            return error_page(error.status, "" if generic else error.message)
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers, message, page_message = {}, error.description or error.name, ""
        if error.code == 429:
            retry = getattr(error, "retry_after", None) or _retry_after(error)
            headers["Retry-After"] = str(retry)
            message = f"Too many requests: the limit is {error.description}. Try again in {retry} s."
            page_message = f"Too many tries in a short time. Wait {retry} seconds, then try again."
        if error.code == 405:
            headers["Allow"] = ", ".join(error.valid_methods or [])
        if not wants_json():
            return error_page(error.code or 500, page_message, headers)
        return error_response(
            error.code or 500, HTTP_CODES.get(error.code, "http_error"), message, headers=headers
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: Exception):
        # The database is down or restarting: say so, and when to try; nothing was written.
        try:
            session.rollback()
        except Exception:  # the connection itself is gone; the pool replaces it (pre-ping)
            session.remove()
        log.warning("database unavailable on %s %s: %s", request.method, request.path, type(error).__name__)
        headers = {"Retry-After": str(DATABASE_RETRY_S)}
        if not wants_json():
            return error_page(503, PAGE_MESSAGES[503], headers)
        return error_response(
            503,
            "database_unavailable",
            "The database is not answering just now. Nothing was saved; try again in a few seconds.",
            {"request_id": request_ids.current()},
            headers,
        )

    @app.errorhandler(Exception)
    def crash(error: Exception):
        session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        reference = request_ids.current()
        if not wants_json():
            return error_page(500, f"{PAGE_MESSAGES[500]} If it happens again, quote reference {reference}.")
        return error_response(
            500,
            "internal_error",
            f"Something went wrong on our side. Nothing was saved; try again (reference {reference}).",
            {"request_id": reference},
        )

    _register_jwt_errors()


def _retry_after(error) -> int:
    # The seconds until the window resets, counted as flask-limiter counts its Retry-After
    # header, so the message and the header agree.
    current = limiter.current_limit
    if current is not None:
        return max(1, int(current.reset_at - time.time()))
    limit = getattr(error, "limit", None)
    return int(limit.limit.get_expiry()) if limit is not None else 60


def _register_jwt_errors() -> None:
    def unauthorized(message):
        return error_response(401, "unauthorized", message)

    jwt.unauthorized_loader(lambda reason: unauthorized(f"Sign in first ({reason})."))
    jwt.invalid_token_loader(lambda reason: unauthorized(f"Invalid token: {reason}."))
    jwt.expired_token_loader(lambda h, p: unauthorized("Your token has expired; refresh it."))
    jwt.revoked_token_loader(lambda h, p: unauthorized("This token has been revoked."))
    jwt.user_lookup_error_loader(lambda h, p: unauthorized("This account is inactive."))
