"""The xAPI outbox in the database: a statement is queued exactly when its event commits.

Fake embedder and fake LLM (tests/conftest.test_config): the scores are not what is checked here.
No LRS: XAPI_LRS_URL names a port nothing listens on, and nothing is sent.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ai.feedback import FeedbackWriter
from practicum import library, practice, runtime
from practicum.db import session
from practicum.models import PracticeSession, User, utcnow
from practicum.xapi import outbox
from practicum.xapi.models import ActorId, OutboxStatement, RegistrationId
from tests.api.conftest import STRONG

XAPI = {"XAPI_LRS_URL": "http://127.0.0.1:9/xAPI", "BASE_URL": "https://practicum.test"}


@pytest.fixture
def app(make_app):
    return make_app(**XAPI)


def start(app, user_id: int, confidence: int | None = 2) -> int:
    with app.app_context():
        user = session.get(User, user_id)
        scenario_id = library.current_scenarios(session)[0].id
        return practice.start_session(session, user, scenario_id, confidence).id


def answer(app, user_id: int, session_id: int, text: str = STRONG) -> None:
    with app.app_context():
        user = session.get(User, user_id)
        scored = practice.score_attempt(session, user, session_id, text, runtime.embedder())
        practice.store_attempt(session, scored, FeedbackWriter(None).write(scored.facts))


def end(app, user_id: int, session_id: int, reflection: str | None = "I rushed.") -> None:
    with app.app_context():
        practice.end_session(session, session.get(User, user_id), session_id, 4, reflection)


def queued(app) -> list[OutboxStatement]:
    with app.app_context():
        return list(session.scalars(select(OutboxStatement).order_by(OutboxStatement.id)))


def test_each_event_queues_its_statement(app, people):
    tina = people["tina"]
    session_id = start(app, tina)
    answer(app, tina, session_id)
    end(app, tina, session_id)
    rows = queued(app)
    assert [row.verb for row in rows] == ["launched", "answered", "completed"]
    assert all(row.status == "pending" and row.tries == 0 and row.user_id == tina for row in rows)
    assert all(str(row.statement_id) == row.statement["id"] for row in rows)
    with app.app_context():
        actor = session.scalar(select(ActorId.uuid).where(ActorId.user_id == tina))
        registration = session.scalar(
            select(RegistrationId.uuid).where(RegistrationId.session_id == session_id)
        )
    for row in rows:
        account = row.statement["actor"]["account"]
        assert account == {"homePage": "https://practicum.test", "name": str(actor)}
        assert row.statement["context"]["registration"] == str(registration)
    assert "tina" not in str([row.statement for row in rows])


def test_the_trainees_words_stay_home_by_default(app, people):
    tina = people["tina"]
    session_id = start(app, tina)
    answer(app, tina, session_id)
    end(app, tina, session_id, "A private reflection.")
    text = str([row.statement for row in queued(app)])
    assert "A private reflection." not in text and STRONG not in text


def test_the_trainees_words_go_when_configured(make_app, people):
    app = make_app(XAPI_SEND_TEXT=True, **XAPI)
    tina = people["tina"]
    session_id = start(app, tina)
    answer(app, tina, session_id)
    end(app, tina, session_id, "A private reflection.")
    _, answered, completed = queued(app)
    assert answered.statement["result"]["response"] == STRONG
    assert completed.statement["result"]["response"] == "A private reflection."


def test_nothing_is_queued_without_an_lrs(make_app, people):
    app = make_app()  # XAPI_LRS_URL unset
    tina = people["tina"]
    session_id = start(app, tina)
    answer(app, tina, session_id)
    end(app, tina, session_id)
    assert queued(app) == []


def test_an_event_whose_commit_fails_leaves_no_statement(app, people, monkeypatch):
    seen_in_transaction = []

    def commit_that_fails():
        session.flush()
        seen_in_transaction.append(session.scalar(select(func.count()).select_from(OutboxStatement)))
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(session, "commit", commit_that_fails)
    with pytest.raises(OperationalError):
        start(app, people["tina"])
    monkeypatch.undo()
    with app.app_context():
        session.rollback()
    assert seen_in_transaction == [1]  # the statement was written in the event's transaction
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(PracticeSession)) == 0
    assert queued(app) == []


def test_a_refused_event_queues_nothing(app, people):
    tina = people["tina"]
    session_id = start(app, tina)
    end(app, tina, session_id)
    with pytest.raises(practice.Conflict):
        end(app, tina, session_id)  # ended already
    assert [row.verb for row in queued(app)] == ["launched", "completed"]


def test_erasing_a_trainee_drops_their_unsent_statements_and_pseudonym(app, people):
    tina = people["tina"]
    start(app, tina)
    start(app, people["tom"])
    with app.app_context():
        session.delete(session.get(User, tina))
        session.commit()
        assert session.scalar(select(func.count()).select_from(ActorId).where(ActorId.user_id == tina)) == 0
    assert [row.user_id for row in queued(app)] == [people["tom"]]


def test_two_senders_never_claim_the_same_statement(app, people, engine):
    tina = people["tina"]
    end(app, tina, start(app, tina))  # two statements queued
    with Session(engine) as first, Session(engine) as second, Session(engine) as third:
        mine = outbox.claim_due(first, utcnow(), 1)
        theirs = outbox.claim_due(second, utcnow(), 10)  # the first's row is locked: skipped
        assert len(mine) == len(theirs) == 1 and mine[0].id != theirs[0].id
        assert outbox.claim_due(third, utcnow(), 10) == []


def test_a_statement_waiting_to_be_retried_is_not_due(app, people, engine):
    start(app, people["tina"])
    with app.app_context():
        session.execute(update(OutboxStatement).values(next_try_at=utcnow() + timedelta(minutes=5)))
        session.commit()
    with Session(engine) as sender:
        assert outbox.claim_due(sender, utcnow(), 10) == []
        assert len(outbox.claim_due(sender, utcnow(), 10, ignore_waits=True)) == 1


def test_made_up_practice_is_no_ones_learning_record(app, mini_set):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(PracticeSession)) > 0
    assert queued(app) == []
