"""The models a process loads once: the embedder and the LLM, kept on the app."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from ai.feedback import FeedbackWriter
from ai.llm import LLM, build_llm
from ai.student import StudentVoice
from embeddings.embedder import Embedder, build_embedder

_lock = threading.Lock()


def _cached(app: Flask, name: str, factory):
    with _lock:
        if name not in app.extensions:
            app.extensions[name] = factory()
        return app.extensions[name]


def embedder(app: Flask | None = None) -> Embedder:
    """Return the app's embedder, creating it on first use."""
    app = app or current_app._get_current_object()
    cfg = app.config["PRACTICUM"]
    return _cached(
        app,
        "practicum.embedder",
        lambda: build_embedder(
            cfg.EMBEDDING_BACKEND, cfg.EMBEDDING_MODEL, cfg.EMBEDDING_THREADS, cfg.EMBEDDING_CACHE_DIR
        ),
    )


def llm(app: Flask | None = None) -> LLM:
    """Return the app's language model, creating it on first use."""
    app = app or current_app._get_current_object()
    return _cached(app, "practicum.llm", lambda: build_llm(app.config["PRACTICUM"]))


def feedback_writer(app: Flask | None = None, with_model: bool = True) -> FeedbackWriter:
    """Return a feedback writer on the app's model and limits."""
    app = app or current_app._get_current_object()
    cfg = app.config["PRACTICUM"]
    return FeedbackWriter(llm(app) if with_model else None, cfg.LLM_MAX_TOKENS, cfg.LLM_TIME_LIMIT_S)


def student_voice(app: Flask | None = None) -> StudentVoice:
    """Return who words the student's replies: authored lines, or the model when configured."""
    app = app or current_app._get_current_object()
    cfg = app.config["PRACTICUM"]
    model = llm(app) if cfg.STUDENT_VOICE == "model" else None
    return StudentVoice(model, embedder(app), cfg.LLM_TIME_LIMIT_S)


def limit_blas_threads(app: Flask) -> None:
    """Hold numpy's BLAS to BLAS_THREADS threads in this process (and the workers it forks)."""
    count = app.config["PRACTICUM"].BLAS_THREADS
    if count:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=count, user_api="blas")  # kept until the process ends


def warm(app: Flask) -> None:
    """Load both models now, so the first trainee does not wait for them."""
    model = embedder(app)
    if hasattr(model, "load"):
        model.load()
    llm(app).load()


def stop_serving_queued_replies(app: Flask) -> None:
    """Finish the shared-queue reply this process's model is writing and take no new one (on exit).

    Every process that loads the in-process model (gunicorn workers, `practicum worker`) also
    writes replies for trainees waiting in other processes; leaving mid-reply would cut one off.
    """
    model = app.extensions.get("practicum.llm")
    if model is not None:
        model.stop_serving(app.config["PRACTICUM"].LLM_TIME_LIMIT_S + 2)


def models_loaded(app: Flask) -> bool:
    """Tell whether both models are in memory."""
    model = app.extensions.get("practicum.embedder")
    language = app.extensions.get("practicum.llm")
    return bool(model and model.loaded and language and language.loaded)
