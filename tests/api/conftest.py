"""Trainer and admin fixtures: two cohorts with their trainers, and attempts made to order."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import event, update
from werkzeug.security import generate_password_hash

from ai.feedback import FeedbackWriter
from practicum import library, practice, runtime, web_sessions
from practicum.db import session
from practicum.models import Attempt, Cohort, PracticeSession, User, utcnow
from tests.conftest import PASSWORD, TEST_HASH_METHOD

STRONG = (
    "Walk me through how you compared 0.25 and 0.3. What does the 2 in 0.25 stand for? "
    "Look at the tenths place first and tell me what you notice."
)
WEAK = "No, that is wrong. The answer is 0.3."


@functools.cache
def password_hash() -> str:
    """The test password's hash, by the tests' hash method (tests/conftest.test_config)."""
    return generate_password_hash(PASSWORD, method=TEST_HASH_METHOD)


PEOPLE = (
    ("terry", "trainer", None),
    ("olga", "trainer", None),
    ("ada", "admin", None),
    ("tina", "trainee", "Cohort T"),
    ("tom", "trainee", "Cohort T"),
    ("otto", "trainee", "Cohort O"),
)


@pytest.fixture
def people(app, mini_set):
    """Cohort T led by terry (tina, tom); cohort O led by olga (otto); ada the admin."""
    with app.app_context():
        users = {
            name: User(username=name, display_name=name, role=role, password_hash=password_hash())
            for name, role, _ in PEOPLE
        }
        session.add_all(users.values())
        session.flush()
        for cohort_name, trainer in (("Cohort T", "terry"), ("Cohort O", "olga")):
            cohort = Cohort(name=cohort_name, trainer_id=users[trainer].id)
            session.add(cohort)
            session.flush()
            for name, _, member_of in PEOPLE:
                if member_of == cohort_name:
                    users[name].cohort_id = cohort.id
        session.commit()
        return {name: user.id for name, user in users.items()}


def token_headers(app, user_id: int) -> dict:
    """Bearer headers for an account, without going through sign-in."""
    with app.app_context():
        user = session.get(User, user_id)
        token = create_access_token(identity=user, additional_claims={"role": user.role})
    return {"Authorization": f"Bearer {token}"}


def web_session_token(app, user_id: int) -> str:
    """A live web session for an account, without going through sign-in; return its token."""
    with app.app_context():
        return web_sessions.start(session, session.get(User, user_id))


@pytest.fixture
def headers(app, people):
    """Bearer headers by username."""
    return lambda name: token_headers(app, people[name])


def rehearse(
    app,
    user_id: int,
    response: str,
    days_ago: float = 0,
    scenario: int = 0,
    confidence: tuple[int, int] | None = None,
    reflection: str | None = None,
) -> int:
    """Score and store one attempt through the practice service, dated days_ago; return its id."""
    with app.app_context():
        user = session.get(User, user_id)
        scenario_id = library.current_scenarios(session)[scenario].id
        started = practice.start_session(session, user, scenario_id, confidence[0] if confidence else None)
        scored = practice.score_attempt(session, user, started.id, response, runtime.embedder())
        attempt = practice.store_attempt(session, scored, FeedbackWriter(None).write(scored.facts))
        if confidence or reflection:
            practice.end_session(session, user, started.id, confidence[1] if confidence else None, reflection)
        when = utcnow() - timedelta(days=days_ago)
        session.execute(update(Attempt).where(Attempt.id == attempt.id).values(created_at=when))
        session.execute(
            update(PracticeSession).where(PracticeSession.id == started.id).values(started_at=when)
        )
        session.commit()
        return attempt.id


def set_score(app, attempt_id: int, score: int) -> None:
    """Force an attempt's automatic score (to build trends the rules must see)."""
    with app.app_context():
        session.execute(update(Attempt).where(Attempt.id == attempt_id).values(score=score))
        session.commit()


@contextmanager
def recorded(app):
    """Record the statements run and the connections checked out from the pool in the block."""
    engine = app.extensions["practicum.engine"]
    seen = {"statements": [], "checkouts": 0}

    def statement(conn, cursor, sql, *rest):
        seen["statements"].append(" ".join(sql.split()))

    def checkout(*rest):
        seen["checkouts"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "checkout", checkout)
