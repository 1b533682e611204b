"""The engine survives connections the database dropped (a restart), pinging only idle ones."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from practicum import db


@pytest.fixture
def fresh_engine(database_url):
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(monkeypatch) -> list[bool]:
    """Record every ping the pool makes, and what it found."""
    found, real = [], db.alive

    def counted(dbapi_connection):
        found.append(real(dbapi_connection))
        return found[-1]

    monkeypatch.setattr(db, "alive", counted)
    return found


def backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def drop_backend(database_url: str, pid: int) -> None:
    """End one server process, as a database restart ends all of them."""
    other = db.make_engine(database_url)
    with other.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    other.dispose()


def test_an_idle_connection_the_database_dropped_is_replaced_before_use(
    fresh_engine, database_url, pings, monkeypatch
):
    dropped = backend_of(fresh_engine)
    drop_backend(database_url, dropped)
    monkeypatch.setattr(db, "PING_IF_IDLE_S", 0.0)  # every pooled connection counts as idle
    # The ping finds the dropped connection; the pool hands out a new one and nothing fails.
    assert backend_of(fresh_engine) != dropped
    assert pings == [False]  # the new connection, made just now, is not pinged


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(fresh_engine, pings, monkeypatch):
    monkeypatch.setattr(db, "PING_IF_IDLE_S", 60.0)
    first = backend_of(fresh_engine)
    assert backend_of(fresh_engine) == first
    assert pings == []


def test_after_a_restart_one_statement_fails_and_the_next_connects_afresh(
    fresh_engine, database_url, monkeypatch
):
    monkeypatch.setattr(db, "PING_IF_IDLE_S", 60.0)  # not pinged: the statement meets the dropped connection
    dropped = backend_of(fresh_engine)
    drop_backend(database_url, dropped)
    with pytest.raises(OperationalError), fresh_engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    # The failure invalidated the pool: the next statement gets a live connection.
    assert backend_of(fresh_engine) != dropped
