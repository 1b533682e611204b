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
    """Answer 200 when the database answers and both models are loaded.

    A language-model server that does not answer leaves the app able to score, with template
    coaching instead of the model's: still 200, status "degraded", so an operator sees it.
    """
    checks = {"database": False, "models": runtime.models_loaded(current_app)}
    try:
        session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: BLE001 — any failure means "not ready", which is the answer
        session.rollback()
    language = current_app.extensions.get("practicum.llm")
    checks["llm"] = bool(language is not None and checks["models"] and language.reachable())
    if not (checks["database"] and checks["models"]):
        return jsonify(status="not_ready", checks=checks), 503
    return jsonify(status="ready" if checks["llm"] else "degraded", checks=checks), 200
