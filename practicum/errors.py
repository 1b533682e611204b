"""Domain errors: raised by the service, turned into HTTP answers only at the edges."""


class PracticumError(Exception):
    """Base of every error a user may be told about."""

    code = "error"
    status = 400
    # Pages show a fixed message for some statuses (403, 404, 413, 500); an error whose own
    # message is written for people on pages too says so here.
    shown_on_pages = False

    def __init__(self, message: str, details: dict | list | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(PracticumError):
    code, status = "not_found", 404


class Forbidden(PracticumError):
    code, status = "forbidden", 403


class ValidationFailed(PracticumError):
    code, status = "validation_failed", 422


class Conflict(PracticumError):
    code, status = "conflict", 409


class AuthenticationFailed(PracticumError):
    code, status = "authentication_failed", 401


class CredentialsChanged(PracticumError):
    code, status = "unauthorized", 401


class ModelUnavailable(PracticumError):
    code, status = "model_unavailable", 503

    def __init__(self, message: str, fault: str = "unreachable"):
        super().__init__(message)
        # What went wrong, as readiness reports it: missing, unreachable, hanging or garbage.
        self.fault = fault
