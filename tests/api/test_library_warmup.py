"""The library warm-up: every current scenario's references embedded in the background, nothing written."""

from __future__ import annotations

from sqlalchemy import func, select

from ai.signals import SCENARIO_VECTORS
from practicum import warmup
from practicum.db import session
from practicum.library import current_scenarios
from practicum.models import Attempt, PracticeSession
from practicum.warmup import start_library_warmup, warm_library


def test_warm_up_embeds_every_current_scenario_and_writes_nothing(app, mini_set):
    SCENARIO_VECTORS.clear()
    state = warm_library(app)
    with app.app_context():
        scenarios = len(current_scenarios(session))
        stored = session.scalar(select(func.count()).select_from(Attempt))
        started = session.scalar(select(func.count()).select_from(PracticeSession))
    assert scenarios >= 2
    assert (state.warmed, state.scenarios, state.failed, state.finished) == (scenarios, scenarios, "", True)
    assert len(SCENARIO_VECTORS._items) >= scenarios  # one entry a scenario's opening moment
    assert (stored, started) == (0, 0)


def test_readyz_reports_the_warm_up_without_waiting_for_it(app, mini_set, client):
    assert "library_warmup" not in client.get("/readyz").get_json()
    start_library_warmup(app).join(timeout=60)
    body = client.get("/readyz").get_json()
    assert body["library_warmup"]["state"] == "done"
    assert body["library_warmup"]["warmed"] == body["library_warmup"]["of"] >= 2


def test_a_failing_warm_up_is_reported_and_leaves_the_process_serving(app, mini_set, client, monkeypatch):
    def broken(_db):
        raise ConnectionError("database went away")

    monkeypatch.setattr("practicum.library.current_scenarios", broken)
    start_library_warmup(app).join(timeout=60)
    state = app.extensions[warmup.EXTENSION]
    assert (state.failed, state.finished, state.warmed) == ("ConnectionError", True, 0)
    assert client.get("/readyz").get_json()["library_warmup"]["state"] == "failed"
