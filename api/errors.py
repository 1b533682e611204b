"""One JSON error shape for the whole API: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from practicum.db import session
from practicum.errors import PracticumError
from practicum.extensions import jwt

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
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
              422: "validation_failed", 429: "rate_limited"}


def register_error_handlers(app: Flask) -> None:
    """Turn domain errors, HTTP errors and crashes into the error shape."""

    @app.errorhandler(PracticumError)
    def domain_error(error: PracticumError):
        session.rollback()
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not wants_json():
            return error
        headers = {}
        message = error.description or error.name
        if error.code == 429:
            retry = getattr(error, "retry_after", None) or _retry_after(error)
            headers["Retry-After"] = str(retry)
            message = f"Too many requests: the limit is {error.description}. Try again in {retry} s."
        if error.code == 405:
            headers["Allow"] = ", ".join(error.valid_methods or [])
        return error_response(error.code or 500, HTTP_CODES.get(error.code, "http_error"),
                              message, headers=headers)

    @app.errorhandler(Exception)
    def crash(error: Exception):
        session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_json():
            return "Something went wrong on our side. Please try again.", 500
        return error_response(500, "internal_error",
                              "Something went wrong on our side. Nothing was saved; try again.")

    _register_jwt_errors()


def _retry_after(error) -> int:
    limit = getattr(error, "limit", None)
    if limit is not None:
        return int(limit.limit.get_expiry())
    return 60


def _register_jwt_errors() -> None:
    def unauthorized(message):
        return error_response(401, "unauthorized", message)

    jwt.unauthorized_loader(lambda reason: unauthorized(f"Sign in first ({reason})."))
    jwt.invalid_token_loader(lambda reason: unauthorized(f"Invalid token: {reason}."))
    jwt.expired_token_loader(lambda h, p: unauthorized("Your token has expired; refresh it."))
    jwt.revoked_token_loader(lambda h, p: unauthorized("This token has been revoked."))
    jwt.user_lookup_error_loader(lambda h, p: unauthorized("This account is inactive."))
