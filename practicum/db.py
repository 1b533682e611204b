"""The SQLAlchemy engine and the request-scoped session."""

from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

# One session per thread (per request); bound to the engine by init_app.
session = scoped_session(sessionmaker(expire_on_commit=False))


class Base(DeclarativeBase):
    """Base class of every model."""


def sqlalchemy_url(url: str) -> str:
    """Name the psycopg2 driver explicitly (SQLAlchemy 2.1 would pick psycopg 3 otherwise)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


# pgvector's HNSW scan filters after it searches (embeddings/search.py: other scenarios of a
# category, current sets only); a wider candidate list keeps enough rows through the filters.
# Set once per connection rather than before each search: an answer then costs one statement less.
HNSW_EF_SEARCH = 200


# A pooled connection idle longer than this is pinged before it is handed out. Pinging every
# checkout (pool_pre_ping) cost a round trip on every request; one returned a moment ago was
# alive then, and should the database have died since, the failing statement invalidates the
# whole pool, so the request after it connects afresh.
PING_IF_IDLE_S = 1.0


def alive(dbapi_connection) -> bool:
    """Tell whether a pooled connection still reaches the database (one round trip)."""
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 — any failure means the connection is gone
        return False
    return True


def make_engine(url: str) -> Engine:
    """Create an engine with connection checks, so a restarted database is survived."""
    engine = create_engine(sqlalchemy_url(url), pool_size=5, max_overflow=10)

    @event.listens_for(engine, "checkin")
    def note_idle(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")  # None: connected just now
        if idle_since is None or time.monotonic() - idle_since < PING_IF_IDLE_S:
            return
        if not alive(dbapi_connection):
            # The pool drops this connection and hands out a fresh one (up to three tries).
            raise exc.DisconnectionError()

    @event.listens_for(engine, "connect")
    def search_widely(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
        dbapi_connection.commit()

    return engine


def init_app(app) -> None:
    """Bind the session to the app's database and close it after each request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["practicum.engine"] = engine
    session.configure(bind=engine)

    @app.teardown_appcontext
    def remove_session(exc=None):
        session.remove()


@contextmanager
def transaction():
    """Commit the block's work as one unit, or roll all of it back."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
