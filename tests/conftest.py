"""Shared fixtures: a real PostgreSQL (embedded pgserver), apps wired with fakes or real models."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from practicum import create_app
from practicum.config import Config
from practicum.db import make_engine, session
from practicum.embedded_db import throwaway_database_url
from practicum.migrate import upgrade

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct horse battery"
ALL_TABLES = """SELECT quote_ident(tablename) FROM pg_tables
  WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"""
RESTART_IDS = """SELECT setval(c.oid, s.seqstart, false)
  FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid
  WHERE c.relnamespace = current_schema()::regnamespace"""


@pytest.fixture(scope="session")
def database_url():
    """A fresh database on a real PostgreSQL with pgvector, migrated to the newest schema."""
    if os.environ.get("TEST_DATABASE_URL"):
        url = os.environ["TEST_DATABASE_URL"]
    else:
        url = throwaway_database_url("practicum_test")
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def clear_database(engine) -> None:
    """Empty every table and restart every id, so each test starts from nothing."""
    with engine.begin() as connection:
        for statement in emptying_statements(engine):
            connection.execute(text(statement))


@functools.cache
def emptying_statements(engine) -> tuple[str, ...]:
    """The statements that empty this database, read from it once (its tables and rights stay).

    DELETE with the foreign-key triggers off (a superuser's replica role), not TRUNCATE: on these
    near-empty tables TRUNCATE took 94-154 ms a test, DELETE and resetting the ids 6-8 ms, about
    100 s of the suite. A database where the tests are not superuser is truncated as before.
    """
    with engine.connect() as connection:
        tables = connection.scalars(text(ALL_TABLES)).all()
        superuser = connection.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    if not superuser:
        return (f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE",)
    deletes = [f"DELETE FROM {table}" for table in tables]
    return ("SET LOCAL session_replication_role = replica", *deletes, RESTART_IDS)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for servers a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TEST_HASH_METHOD = "pbkdf2:sha256:1"


def test_config(tmp_path, database_url, **overrides) -> Config:
    """A configuration for tests: fakes for both models unless overridden, no rate limits."""
    settings = dict(
        DATABASE_URL=database_url,
        INSTANCE_DIR=tmp_path,
        SECRET_KEY="s" * 40,
        JWT_SECRET_KEY="j" * 40,
        EMBEDDING_BACKEND="fake",
        LLM_BACKEND="fake",
        WARM_MODELS=False,
        RATELIMIT_ENABLED=False,
        # One scrypt hash costs about 0.1 s, and most tests sign someone in: a cheap method keeps
        # the suite minutes shorter. tests/unit/test_password_hashing.py checks the real default.
        PASSWORD_HASH_METHOD=TEST_HASH_METHOD,
    )
    settings.update(overrides)
    return Config(environ={}, **settings)


@pytest.fixture
def make_app(tmp_path, database_url, engine):
    """Build an app on the test database with the given setting overrides."""
    clear_database(engine)

    def build(**overrides):
        return create_app(test_config(tmp_path, database_url, **overrides))

    yield build
    session.remove()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def import_file(app, path: Path):
    """Import a scenario-set file into the app's database with its embedder."""
    from practicum import library, runtime
    from practicum.db import transaction
    from scenarios.loader import load_scenario_set

    with app.app_context(), transaction():
        return library.import_scenario_set(
            session, load_scenario_set(path.read_bytes(), path.name), runtime.embedder(app)
        )


def create_account(app, username: str, role: str = "trainee", cohort: str | None = None):
    """Create an account with the shared test password; return its id."""
    from practicum import accounts
    from practicum.db import transaction

    with app.app_context(), transaction():
        return accounts.create_user(session, username, PASSWORD, role, cohort=cohort).id


class AuthActions:
    """Sign in through the API and carry the bearer header."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD) -> dict:
        response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def headers(self, username: str) -> dict:
        return {"Authorization": f"Bearer {self.login(username)['access_token']}"}


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def mini_set(app):
    """The small scenario set in tests/fixtures, imported with the app's embedder."""
    return import_file(app, FIXTURES / "mini-set.yaml")


@pytest.fixture
def trainee_headers(app, auth, mini_set):
    create_account(app, "tina", "trainee", "Cohort T")
    return auth.headers("tina")


def first_scenario_id(client, headers) -> int:
    return client.get("/api/v1/scenarios", headers=headers).get_json()["scenarios"][0]["id"]


class Served:
    """A WSGI app served on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, app, host: str = "127.0.0.1"):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()


@pytest.fixture
def redis_url():
    """A throwaway Debian redis-server on a free port (no persistence), stopped after the test."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    yield f"redis://127.0.0.1:{port}/0"
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
