"""Serving processes hold numpy's BLAS to BLAS_THREADS: OpenBLAS's idle threads spin for work."""

from __future__ import annotations

import os

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from practicum import server
from practicum.config import Config, ConfigError


def blas_threads() -> int:
    """Return the thread count of the BLAS numpy uses."""
    return max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")


def in_a_forked_child(read) -> int:
    """Return what read() gives in a child forked now, as a gunicorn worker is."""
    out, into = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(into, str(read()).encode())
        os._exit(0)
    os.close(into)
    os.waitpid(pid, 0)
    with os.fdopen(out) as answer:
        return int(answer.read())


@pytest.fixture
def blas_restored():
    before = blas_threads()
    threadpool_limits(limits=2, user_api="blas")  # so that holding it to one is seen
    yield
    threadpool_limits(limits=before, user_api="blas")


def test_serve_holds_blas_to_one_thread_in_the_master_and_its_workers(make_app, monkeypatch, blas_restored):
    app = make_app(WARM_MODELS=False)
    seen = {}

    def run(self):
        seen["master"], seen["worker"] = blas_threads(), in_a_forked_child(blas_threads)

    monkeypatch.setattr(server.PracticumServer, "run", run)
    server.serve(app, "127.0.0.1", 0)
    assert seen == {"master": 1, "worker": 1}


def test_blas_threads_setting():
    assert Config({}).BLAS_THREADS == 1
    assert Config({"BLAS_THREADS": "0"}).BLAS_THREADS == 0  # the library's own default
    with pytest.raises(ConfigError, match="BLAS_THREADS must be a whole number of at least 0"):
        Config({"BLAS_THREADS": "-1"})
