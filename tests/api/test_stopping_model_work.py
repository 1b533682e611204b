"""A process that stops (a gunicorn worker, `practicum worker`) ends the shared-queue reply it writes."""

from __future__ import annotations

import pytest

from ai.llm import FakeLLM
from practicum import job_worker, server


class Serving(FakeLLM):
    """A model that records being told to stop taking queued replies."""

    def __init__(self):
        super().__init__()
        self.stopped: list[float] = []

    def stop_serving(self, wait_s: float) -> None:
        self.stopped.append(wait_s)


def test_a_gunicorn_worker_that_exits_stops_its_model_after_the_current_reply(make_app):
    app = make_app()
    model = app.extensions["practicum.llm"] = Serving()
    server.options(app, "127.0.0.1", 0)["worker_exit"](None, None)
    assert model.stopped == [app.config["PRACTICUM"].LLM_TIME_LIMIT_S + 2]


def test_a_job_worker_stops_its_model_when_its_work_ends_even_by_an_error(make_app, monkeypatch, redis_url):
    app = make_app(JOB_QUEUE_URL=redis_url, WARM_MODELS=False)
    model = app.extensions["practicum.llm"] = Serving()

    def interrupted(self, **_options):
        raise KeyboardInterrupt

    monkeypatch.setattr(job_worker.PracticumWorker, "work", interrupted)
    with pytest.raises(KeyboardInterrupt):
        job_worker.run_worker(app)
    assert model.stopped == [app.config["PRACTICUM"].LLM_TIME_LIMIT_S + 2]
