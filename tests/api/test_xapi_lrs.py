"""xAPI statements delivered to a real LRS: Ralph (ralph-malph 5.1.0) started on 127.0.0.1.

The rehearsals use the fake embedder and fake LLM (tests/conftest.test_config): the scores are
not what is checked here. The LRS, its HTTP API, its storage and its xAPI models are real (its
file store made to append: tests/xapi_lrs.py says why).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ai.feedback import FeedbackWriter
from practicum import library, practice, runtime
from practicum.db import session
from practicum.models import Attempt, User, utcnow
from practicum.xapi import outbox
from practicum.xapi.models import OutboxStatement
from practicum.xapi.sender import send_due, start_background_sender
from tests import xapi_spec
from tests.api.conftest import STRONG, WEAK
from tests.conftest import free_port
from tests.xapi_lrs import PASSWORD, USERNAME, Ralph, ralph_validates

BASE_URL = "https://practicum.test"


@pytest.fixture
def ralph(tmp_path):
    lrs = Ralph(tmp_path / "ralph", free_port())
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def app(make_app, ralph):
    return make_app(
        XAPI_LRS_URL=ralph.url,
        XAPI_LRS_USERNAME=USERNAME,
        XAPI_LRS_PASSWORD=PASSWORD,
        BASE_URL=BASE_URL,
        XAPI_SEND_INTERVAL_S=0.2,
    )


def rehearsal(app, user_id: int) -> int:
    """Start a rehearsal, answer twice, end it with confidence and a reflection; return its id."""
    with app.app_context():
        user = session.get(User, user_id)
        scenario_id = library.current_scenarios(session)[0].id
        started = practice.start_session(session, user, scenario_id, 2)
        for text in (WEAK, STRONG):
            scored = practice.score_attempt(session, user, started.id, text, runtime.embedder())
            practice.store_attempt(session, scored, FeedbackWriter(None).write(scored.facts))
        practice.end_session(session, user, started.id, 4, "I should have asked first.")
        return started.id


def send(app, ignore_waits: bool = False):
    with app.app_context():
        return send_due(session, app.config["PRACTICUM"], ignore_waits)


def outbox_rows(app) -> list[OutboxStatement]:
    with app.app_context():
        return list(session.scalars(select(OutboxStatement).order_by(OutboxStatement.id)))


def without_lrs_fields(statement: dict) -> dict:
    """A statement as we sent it: the LRS adds `stored` and `authority`."""
    return {key: value for key, value in statement.items() if key not in {"stored", "authority"}}


def test_a_rehearsal_reaches_the_lrs_as_three_kinds_of_statement(app, ralph, people):
    session_id = rehearsal(app, people["tina"])
    report = send(app)
    assert (report.sent, report.retrying, report.rejected) == (4, 0, 0)
    rows = outbox_rows(app)
    assert all(row.status == "sent" and row.sent_at is not None for row in rows)

    in_lrs = {s["id"]: s for s in ralph.statements()}
    assert set(in_lrs) == {str(row.statement_id) for row in rows}
    for row in rows:
        assert without_lrs_fields(in_lrs[row.statement["id"]]) == row.statement
    read_back = [in_lrs[row.statement["id"]] for row in rows]
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in read_back] == [
        "launched",
        "answered",
        "answered",
        "completed",
    ]
    assert len({s["context"]["registration"] for s in read_back}) == 1
    assert len({s["actor"]["account"]["name"] for s in read_back}) == 1
    with app.app_context():
        scores = list(
            session.scalars(
                select(Attempt.score).where(Attempt.session_id == session_id).order_by(Attempt.id)
            )
        )
    assert [s["result"]["score"]["raw"] for s in read_back[1:3]] == scores
    assert read_back[3]["result"]["extensions"][f"{BASE_URL}/xapi/extensions/confidence"] == {
        "before": 2,
        "after": 4,
    }
    for statement in read_back:
        assert xapi_spec.problems(without_lrs_fields(statement)) == []
    assert ralph_validates(read_back) == "valid"


def test_an_outage_loses_nothing_and_each_statement_arrives_once(app, ralph, people):
    ralph.stop()
    rehearsal(app, people["tina"])
    report = send(app)
    assert (report.sent, report.retrying) == (0, 4)
    rows = outbox_rows(app)
    assert all(row.status == "pending" and row.tries == 1 for row in rows)
    assert all("LRS unreachable" in row.last_error for row in rows)
    assert all(row.next_try_at > utcnow() + timedelta(seconds=20) for row in rows)  # XAPI_RETRY_S=30

    assert send(app).sent == 0  # still waiting: nothing is due
    rehearsal(app, people["tom"])  # four more while the LRS is down
    assert send(app).retrying == 4
    ralph.start()
    assert send(app).sent == 0  # the first four still wait their turn
    with app.app_context():
        session.execute(update(OutboxStatement).values(next_try_at=utcnow()))  # their time comes
        session.commit()
    report = send(app)
    assert (report.sent, report.retrying) == (8, 0)
    stored = ralph.stored_ids()
    assert sorted(stored) == sorted(str(row.statement_id) for row in outbox_rows(app))
    assert len(stored) == len(set(stored)) == 8
    assert send(app).sent == 0


def test_a_resend_after_a_lost_answer_is_stored_once(app, ralph, people):
    rehearsal(app, people["tina"])
    assert send(app).sent == 4
    with app.app_context():
        # As if the process died after the LRS stored them but before our commit.
        session.execute(update(OutboxStatement).values(status="pending", sent_at=None))
        session.commit()
    assert send(app).sent == 4  # Ralph answers 204: it knows these ids
    assert len(ralph.stored_ids()) == 4 and len(ralph.statements()) == 4
    rehearsal(app, people["tom"])
    assert send(app).sent == 4  # a later batch adds to what the LRS holds
    assert len(ralph.stored_ids()) == len(set(ralph.stored_ids())) == 8


def test_wrong_lrs_credentials_are_retried_not_dropped(make_app, ralph, people):
    app = make_app(
        XAPI_LRS_URL=ralph.url, XAPI_LRS_USERNAME=USERNAME, XAPI_LRS_PASSWORD="wrong", BASE_URL=BASE_URL
    )
    rehearsal(app, people["tina"])
    assert send(app).retrying == 4
    assert all(row.status == "pending" and "401" in row.last_error for row in outbox_rows(app))
    assert ralph.stored_ids() == []


def test_the_cli_sends_and_says_so(app, ralph, people):
    runner = app.test_cli_runner()
    rehearsal(app, people["tina"])
    ralph.stop()
    failed = runner.invoke(args=["xapi", "send"])
    assert failed.exit_code == 1, failed.output
    assert "Sent 0 statement(s), 4 to retry" in failed.output and "LRS unreachable" in failed.output
    ralph.start()
    assert runner.invoke(args=["xapi", "send"]).output.startswith("Sent 0 statement(s), 0 to retry")
    done = runner.invoke(args=["xapi", "send", "--now"])
    assert done.exit_code == 0, done.output
    assert "Sent 4 statement(s), 0 to retry, 0 refused by the LRS; 0 pending, 4 sent" in done.output
    assert len(ralph.stored_ids()) == 4


def test_the_background_sender_delivers_without_being_asked(app, ralph, people):
    stop = start_background_sender(app)
    try:
        rehearsal(app, people["tina"])
        deadline = time.monotonic() + 60  # a bound on waiting, not a speed claim
        # The LRS stores a batch a moment before the sender commits it as sent, so wait for both.
        while not delivered(app, ralph) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
    assert len(ralph.stored_ids()) == 4
    with app.app_context():
        assert outbox.counts(session) == {"pending": 0, "sent": 4, "rejected": 0}


def delivered(app, ralph):
    """Whether the LRS holds the rehearsal's four statements and the outbox has marked them sent."""
    with app.app_context():
        sent = outbox.counts(session)["sent"]
    return len(ralph.stored_ids()) == 4 and sent == 4


def test_no_sender_runs_without_an_lrs(make_app):
    assert start_background_sender(make_app()) is None
