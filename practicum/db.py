"""The SQLAlchemy engine and the request-scoped session."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import create_engine, event
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


def make_engine(url: str) -> Engine:
    """Create an engine with connection checks, so a restarted database is survived."""
    engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True, pool_size=5, max_overflow=10)

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
