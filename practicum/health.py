"""Liveness and readiness probes."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ai.llm import MissingLLM
from practicum import runtime
from practicum.db import session
from practicum.warmup import EXTENSION

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer while the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Answer 200 when the database answers and both models are loaded.

    A language model that is missing, unreachable, hanging or writing garbage leaves the app
    able to score, with template coaching instead of the model's: still 200, status "degraded",
    and "llm" says which fault it is, so an operator sees it.
    """
    checks = {"database": False, "models": runtime.models_loaded(current_app)}
    try:
        session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: BLE001 — any failure means "not ready", which is the answer
        session.rollback()
    language = current_app.extensions.get("practicum.llm")
    llm = _llm_state(language) if language is not None and checks["models"] else {"state": "loading"}
    checks["llm"] = llm["state"] == "ok"
    # The library's warm-up only makes first answers faster: it is reported, never waited for.
    body = {"checks": checks, "llm": llm}
    embedder = current_app.extensions.get("practicum.embedder")
    if embedder is not None and checks["models"]:
        # "sentence_transformers" where "onnx" was configured: the export failed (see the log).
        body["embedding"] = {"model": embedder.model_id, "runtime": embedder.runtime}
    if (warmup := current_app.extensions.get(EXTENSION)) is not None:
        body["library_warmup"] = warmup.report()
    if not (checks["database"] and checks["models"]):
        return jsonify(status="not_ready", **body), 503
    return jsonify(status="ready" if checks["llm"] else "degraded", **body), 200


def _llm_state(language) -> dict:
    """Say what the language model is doing: ok, missing, unreachable, hanging or garbage.

    The probe (a remote server's model list) says whether it answers at all; the latest
    generations say whether it answers well: a server can list its models and hang on a chat.
    """
    report = {"model": language.model_id, **language.health.report()}
    if report["state"] == "ok" and not language.reachable():
        missing = isinstance(language, MissingLLM)
        report.update(state="missing" if missing else "unreachable", detail=getattr(language, "reason", ""))
    return report
