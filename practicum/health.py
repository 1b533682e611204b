"""Liveness and readiness probes."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from practicum import runtime
from practicum.db import session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer while the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Answer 200 only when the database answers and both models are loaded."""
    checks = {"database": False, "models": runtime.models_loaded(current_app)}
    try:
        session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: BLE001 — any failure means "not ready", which is the answer
        session.rollback()
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "not_ready", checks=checks), 200 if ready else 503
