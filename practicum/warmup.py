"""Library warm-up: score a throwaway answer to every current scenario once a process has its models.

A process embeds a scenario's key moves, expert sentences and pitfalls, and the red-line bank, the
first time an answer to that scenario is scored, and keeps them (ai/signals.py). Measured on this
machine, that made a fresh worker's first answer 2.0 s slower (the bank) and each scenario's first
answer about 180 ms slower than the next (25 ms). Paying it in the background, right after the
models load, keeps it off the first trainees. Nothing is written: the answers are only scored.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

from flask import Flask

from embeddings.embedder import build_embedder
from practicum import runtime

log = logging.getLogger(__name__)

# Long enough to be scored as an answer (not "too little to judge"), so every stage runs.
WARM_ANSWER = "I can see this matters to you. Let's look at it together: what did you notice first?"
EXTENSION = "practicum.library_warmup"


@dataclass
class WarmUp:
    """How far a process's warm-up has gone (read by /readyz)."""

    scenarios: int = 0
    warmed: int = 0
    finished: bool = False
    failed: str = ""
    seconds: float = 0.0

    def report(self) -> dict:
        """Return the state as /readyz shows it (one thread writes it, a field at a time)."""
        state = "failed" if self.failed else "done" if self.finished else "running"
        return {"state": state, "warmed": self.warmed, "of": self.scenarios}


def warm_library(app: Flask, embedder=None) -> WarmUp:
    """Score the throwaway answer against every current scenario's opening moment, now.

    embedder: the app's own unless given (gunicorn's master warms with one it drops before forking).
    """
    from practicum.db import session
    from practicum.library import current_scenarios
    from practicum.practice import score_for_scenario

    state = app.extensions.setdefault(EXTENSION, WarmUp())
    started = time.perf_counter()
    with app.app_context():
        try:
            embedder = embedder or runtime.embedder(app)
            scenarios = current_scenarios(session)
            state.scenarios = len(scenarios)
            for scenario in scenarios:
                score_for_scenario(session, scenario, WARM_ANSWER, embedder)
                state.warmed += 1
        except Exception as error:  # noqa: BLE001 — a failed warm-up only leaves the work to the first answers
            state.failed = type(error).__name__
            log.warning("library warm-up stopped after %d scenarios: %s", state.warmed, error)
        finally:
            session.remove()  # rolls back: the warm-up never writes
    state.seconds = time.perf_counter() - started
    state.finished = True
    log.info("library warm-up: %d of %d scenarios in %.1f s", state.warmed, state.scenarios, state.seconds)
    return state


def warm_library_before_fork(app: Flask) -> None:
    """Warm the library once in gunicorn's master, so that every worker forks with its vectors.

    When each worker warmed its own copy while the first trainees answered, their coaching waited
    8–11 s for a first token (`make soak`: p95 7.5–9.4 s overall); on workers already warm, 1.6 s.
    The vectors stay in the master's caches, which the forked workers share; the embedder used
    here is dropped first, as each worker loads its own after the fork. Only by ONNX Runtime
    (its one-thread session leaves no threads behind); torch's thread pool does not survive a fork.
    """
    config = app.config["PRACTICUM"]
    if config.EMBEDDING_BACKEND != "onnx":
        return
    # The tokenizer's thread pool would be lost in the fork too (and say so in every worker).
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    embedder = build_embedder("onnx", config.EMBEDDING_MODEL, 1, config.EMBEDDING_CACHE_DIR).load()
    if embedder.runtime != "onnx":  # it fell back to torch: each worker warms after its fork
        return
    warm_library(app, embedder)
    app.extensions.pop(EXTENSION, None)  # each worker reports its own warm-up (start_library_warmup)
    app.extensions["practicum.engine"].dispose()  # the master answers nothing: no idle connections


def start_library_warmup(app: Flask) -> threading.Thread:
    """Run warm_library in a background thread (the process answers meanwhile)."""
    app.extensions[EXTENSION] = WarmUp()
    thread = threading.Thread(target=warm_library, args=(app,), name="library-warmup", daemon=True)
    thread.start()
    return thread
