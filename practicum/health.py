"""Liveness and readiness probes."""

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from practicum import runtime
from practicum.db import session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer while the process is up."""
    return jsonify(status="ok")


# Probes come every few seconds and may allow only 1 s: ask the model server at most this
# often, and remember its answer in between.
LLM_CHECK_EVERY_S = 10.0
_last_llm_check: dict[int, tuple[float, bool]] = {}


def _answers(language) -> bool:
    now = time.monotonic()
    checked_at, answered = _last_llm_check.get(id(language), (-LLM_CHECK_EVERY_S, False))
    if now - checked_at >= LLM_CHECK_EVERY_S:
        answered = language.reachable()
        _last_llm_check[id(language)] = (now, answered)
    return answered


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
    checks["llm"] = bool(language is not None and checks["models"] and _answers(language))
    if not (checks["database"] and checks["models"]):
        return jsonify(status="not_ready", checks=checks), 503
    return jsonify(status="ready" if checks["llm"] else "degraded", checks=checks), 200
