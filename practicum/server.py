"""The production web server: gunicorn's threaded workers around the app, loaded once before forking."""

from __future__ import annotations

import atexit
import os

from gunicorn.app.base import BaseApplication

from practicum import runtime
from practicum.lti import grades as lti_grades
from practicum.warmup import start_library_warmup, warm_library_before_fork
from practicum.xapi.sender import start_background_sender

# Answers name no server software or version (gunicorn would send "Server: gunicorn").
SERVER_NAME = "practicum"


class PracticumServer(BaseApplication):
    """gunicorn serving one already-built Flask app (preloaded: forked workers share its code)."""

    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options (gunicorn calls this once)."""
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        """Return the WSGI app each worker serves."""
        return self.application


def options(app, host: str, port: int) -> dict:
    """Return gunicorn's settings for this app, from its Config."""
    config = app.config["PRACTICUM"]

    def post_fork(_server, _worker) -> None:
        _die_with_the_master()
        # The master's exit duties (stopping the embedded PostgreSQL it started) are not a
        # worker's: a worker that ends must leave the database running for the others.
        atexit._clear()
        # Connections opened before the fork belong to the master; each worker opens its own.
        app.extensions["practicum.engine"].dispose(close=False)
        # Models load in each worker, after the fork: llama.cpp's threads do not survive one.
        if config.WARM_MODELS:
            runtime.warm(app)
            start_library_warmup(app)
        # Each worker sends queued xAPI statements (when XAPI_LRS_URL is set); row locks keep
        # two workers from sending the same one.
        start_background_sender(app)
        lti_grades.start_background_sender(app)  # and grades due to an LMS, locked the same way

    def worker_exit(_server, _worker) -> None:
        runtime.stop_serving_queued_replies(app)  # a reloaded or stopped worker's last reply ends

    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "worker_class": "gthread",
        "workers": config.WEB_WORKERS,
        "threads": config.WEB_THREADS,
        "timeout": config.WEB_TIMEOUT_S,
        "graceful_timeout": config.WEB_GRACEFUL_TIMEOUT_S,
        "keepalive": 5,
        "preload_app": True,
        "control_socket_disable": True,  # no socket in the home folder; signals do the job
        "accesslog": "-",
        "errorlog": "-",
        "post_fork": post_fork,
        "worker_exit": worker_exit,
        "child_exit": _forget_worker_metrics,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
    }


def _forget_worker_metrics(_server, worker) -> None:
    """Drop an ended worker's live gauges from the shared metrics (its counters stay counted)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def _die_with_the_master() -> None:
    """Ask Linux to end this worker when the master dies, even by SIGKILL (no orphan keeps the port)."""
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def serve(app, host: str, port: int) -> None:
    """Run gunicorn until it is stopped (SIGTERM or Ctrl+C: graceful; SIGHUP: reload workers)."""
    import gunicorn.http.wsgi

    gunicorn.http.wsgi.SERVER = SERVER_NAME
    runtime.limit_blas_threads(app)  # set in the master: the forked workers keep the setting
    if app.config["PRACTICUM"].WARM_MODELS:
        warm_library_before_fork(app)  # once for every worker, before the first trainee
    PracticumServer(app, options(app, host, port)).run()
