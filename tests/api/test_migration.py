"""Migrations 0002 to 0005 upgrade a database with data in it, and downgrade cleanly."""

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from practicum.db import sqlalchemy_url
from practicum.migrate import alembic_config, upgrade

SEED = """
INSERT INTO users (id, username, display_name, password_hash, role, active, created_at)
VALUES (1, 'tina', 'Tina', 'x', 'trainee', true, now());
INSERT INTO scenario_sets (id, key, title, status, created_at) VALUES (1, 's', 'S', 'active', now());
INSERT INTO scenario_set_versions (id, set_id, version, title, description, content_hash, source,
  created_at) VALUES (1, 1, 1, 'S', '', 'h', '{}', now());
INSERT INTO scenarios (id, set_version_id, position, key, title, category, grade_band, subject,
  context, student_name, student_persona, opening_line, key_moves, dimension_weights,
  follow_ups, tags) VALUES (1, 1, 0, 'k', 'T', 'defiance', '9-10', 'Any', 'c', 'J', 'p', 'o',
  '[]', '{}', '{}', '[]');
INSERT INTO practice_sessions (id, user_id, scenario_id, started_at) VALUES (1, 1, 1, now());
INSERT INTO attempts (id, session_id, user_id, scenario_id, response_text, response_embedding,
  score, band, dimensions, matches, feedback_text, feedback_source, model_id, scorer_version,
  timings, created_at) VALUES (1, 1, 1, 1, 'hello', :vector, 55, 'developing', '[]', '[]', '',
  'none', '', 'v1', '{}', now());
"""


def one_account_across(scratch_url: str, before: str, after: str):
    """Migrate to `before`, add one account, migrate to `after`; return an engine on it."""
    upgrade(scratch_url, before)
    scratch = create_engine(scratch_url)
    with scratch.begin() as connection:
        connection.execute(text(SEED.split(";")[0]))
    upgrade(scratch_url, after)
    return scratch


@pytest.fixture
def scratch_url(engine, database_url):
    """An empty database on the test server, dropped afterwards."""
    name = "practicum_migration_check"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(sqlalchemy_url(database_url)).set(database=name)
    yield url.render_as_string(hide_password=False)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_upgrade_from_0001_keeps_attempts_and_adds_review_columns(scratch_url):
    upgrade(scratch_url, "0001")
    scratch = create_engine(scratch_url)
    try:
        with scratch.begin() as connection:
            for statement in filter(str.strip, SEED.split(";")):
                connection.execute(
                    text(statement), {"vector": str([0.0] * 384)} if ":vector" in statement else {}
                )
        upgrade(scratch_url)
        with scratch.begin() as connection:
            row = connection.execute(
                text("SELECT score, override_score, override_reason FROM attempts")
            ).one()
            assert tuple(row) == (55, None, None)
            connection.execute(
                text(
                    "INSERT INTO attempt_notes (attempt_id, author_id, text, "
                    "created_at) VALUES (1, 1, 'Good', now())"
                )
            )
            connection.execute(
                text(
                    "UPDATE attempts SET override_score = 70, override_reason = 'fair', overridden_by_id = 1"
                )
            )
        with (
            pytest.raises(IntegrityError, match="attempts_override_has_reason"),
            scratch.begin() as connection,
        ):
            connection.execute(text("UPDATE attempts SET override_reason = NULL"))
        command.downgrade(alembic_config(scratch_url), "0001")
        columns = {c["name"] for c in inspect(scratch).get_columns("attempts")}
        assert "override_score" not in columns
        assert "attempt_notes" not in inspect(scratch).get_table_names()
        upgrade(scratch_url)
        assert "attempt_notes" in inspect(scratch).get_table_names()
    finally:
        scratch.dispose()


def test_0003_adds_web_sessions_and_downgrades_to_0002_and_back(scratch_url):
    scratch = one_account_across(scratch_url, "0002", "0003")
    try:
        session_row = "INSERT INTO web_sessions (user_id, token_hash, created_at) VALUES (1, :hash, now())"
        with scratch.begin() as connection:
            connection.execute(text(session_row), {"hash": "a" * 64})
        with (
            pytest.raises(IntegrityError, match="web_sessions_token_hash_key"),
            scratch.begin() as connection,
        ):
            connection.execute(text(session_row), {"hash": "a" * 64})
        with scratch.begin() as connection:  # an account's sessions go with it
            connection.execute(text("DELETE FROM users"))
            assert connection.execute(text("SELECT count(*) FROM web_sessions")).scalar() == 0
        command.downgrade(alembic_config(scratch_url), "0002")
        tables = inspect(scratch).get_table_names()
        assert "web_sessions" not in tables and "attempt_notes" in tables
        upgrade(scratch_url)
        indexes = {i["name"] for i in inspect(scratch).get_indexes("web_sessions")}
        assert "ix_web_sessions_user_id" in indexes
    finally:
        scratch.dispose()


def test_0004_adds_credentials_changed_at_and_downgrades_to_0003_and_back(scratch_url):
    scratch = one_account_across(scratch_url, "0003", "0004")
    try:
        with scratch.begin() as connection:  # existing accounts keep every token they hold
            assert connection.execute(text("SELECT credentials_changed_at FROM users")).scalar_one() is None
            connection.execute(text("UPDATE users SET credentials_changed_at = now()"))
        command.downgrade(alembic_config(scratch_url), "0003")
        columns = {c["name"] for c in inspect(scratch).get_columns("users")}
        assert "credentials_changed_at" not in columns and "last_login_at" in columns
        with scratch.begin() as connection:
            assert connection.execute(text("SELECT username FROM users")).scalar_one() == "tina"
        upgrade(scratch_url)
        column = next(
            c for c in inspect(scratch).get_columns("users") if c["name"] == "credentials_changed_at"
        )
        assert column["nullable"] and column["type"].timezone
    finally:
        scratch.dispose()


def test_0005_adds_must_change_password_false_for_existing_accounts_and_downgrades(scratch_url):
    scratch = one_account_across(scratch_url, "0004", "0005")
    try:
        with scratch.begin() as connection:  # nobody is sent to change a password by the upgrade
            assert connection.execute(text("SELECT must_change_password FROM users")).scalar_one() is False
            connection.execute(text("UPDATE users SET must_change_password = true"))
        command.downgrade(alembic_config(scratch_url), "0004")
        assert "must_change_password" not in {c["name"] for c in inspect(scratch).get_columns("users")}
        upgrade(scratch_url)
        column = next(c for c in inspect(scratch).get_columns("users") if c["name"] == "must_change_password")
        assert not column["nullable"]
    finally:
        scratch.dispose()


def test_0007_fills_the_search_vector_of_existing_scenarios_and_downgrades(scratch_url):
    upgrade(scratch_url, "0006")
    scratch = create_engine(scratch_url)
    try:
        with scratch.begin() as connection:
            for statement in SEED.split(";")[:4]:  # an account, a set, its version, one scenario
                connection.execute(text(statement))
            connection.execute(text("UPDATE scenarios SET context = 'The class compares decimals.'"))
        upgrade(scratch_url, "0007")
        found = "SELECT id FROM scenarios WHERE search_vector @@ websearch_to_tsquery('english', :q)"
        with scratch.begin() as connection:
            assert connection.execute(text(found), {"q": "decimal"}).scalars().all() == [1]
            connection.execute(text("UPDATE scenarios SET context = 'Fractions today.'"))  # kept in step
            assert connection.execute(text(found), {"q": "fractions"}).scalars().all() == [1]
            assert connection.execute(text(found), {"q": "decimals"}).scalars().all() == []
        assert "ix_scenarios_search_vector" in {i["name"] for i in inspect(scratch).get_indexes("scenarios")}
        command.downgrade(alembic_config(scratch_url), "0006")
        assert "search_vector" not in {c["name"] for c in inspect(scratch).get_columns("scenarios")}
        upgrade(scratch_url, "0007")
        with scratch.begin() as connection:
            assert connection.execute(text(found), {"q": "fraction"}).scalars().all() == [1]
    finally:
        scratch.dispose()


def test_0010_adds_api_tokens_and_downgrades_to_0009_and_back(scratch_url):
    scratch = one_account_across(scratch_url, "0009", "0010")
    token_row = (
        "INSERT INTO api_tokens (user_id, name, scopes, token_hash, prefix, created_at, expires_at, "
        "last_used_ip) VALUES (1, 'n', '[\"admin\"]', :hash, 'pat_abcdefgh', now(), now(), '')"
    )
    try:
        with scratch.begin() as connection:
            connection.execute(text(token_row), {"hash": "a" * 64})
        with pytest.raises(IntegrityError, match="api_tokens_token_hash_key"), scratch.begin() as connection:
            connection.execute(text(token_row), {"hash": "a" * 64})
        with scratch.begin() as connection:  # an account's tokens go with it
            connection.execute(text("DELETE FROM users"))
            assert connection.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 0
        command.downgrade(alembic_config(scratch_url), "0009")
        assert "api_tokens" not in inspect(scratch).get_table_names()
        upgrade(scratch_url, "0010")
        assert "ix_api_tokens_user_id" in {i["name"] for i in inspect(scratch).get_indexes("api_tokens")}
    finally:
        scratch.dispose()


def test_0013_lets_the_calibration_lookup_skip_the_answers_no_trainer_rescored(scratch_url):
    """Every scored answer looks up its scenario's re-scored attempts: an index, not a scan of all."""
    upgrade(scratch_url, "0012")
    scratch = create_engine(scratch_url)
    lookup = text(
        "EXPLAIN SELECT response_embedding, score, override_score FROM attempts WHERE scenario_id = 1 "
        "AND beat IS NULL AND override_score IS NOT NULL ORDER BY response_embedding <=> CAST(:v AS vector) "
        "LIMIT 8"
    )
    vector = str([0.05] * 384)

    def plan() -> str:
        with scratch.begin() as connection:
            connection.execute(text("ANALYZE attempts"))
            return "\n".join(connection.execute(lookup, {"v": vector}).scalars())

    try:
        with scratch.begin() as connection:
            for statement in SEED.split(";"):
                if statement.strip():
                    connection.execute(text(statement), {"vector": vector} if ":vector" in statement else {})
            connection.execute(  # 20,000 answers no trainer re-scored, as a busy term leaves
                text(
                    "INSERT INTO attempts (id, session_id, user_id, scenario_id, response_text, "
                    "response_embedding, score, band, dimensions, matches, feedback_text, "
                    "feedback_source, model_id, scorer_version, timings, created_at) "
                    "SELECT g, 1, 1, 1, 'an answer', CAST(:v AS vector), 50, 'developing', '[]', '[]', "
                    "'', 'none', '', 'v1', '{}', now() FROM generate_series(2, 20001) AS g"
                ),
                {"v": vector},
            )
        assert "Seq Scan on attempts" in plan()
        upgrade(scratch_url, "0013")
        assert "ix_attempts_overridden_by_scenario" in plan() and "Seq Scan" not in plan()
        command.downgrade(alembic_config(scratch_url), "0012")
        indexes = {i["name"] for i in inspect(scratch).get_indexes("attempts")}
        assert "ix_attempts_overridden_by_scenario" not in indexes
    finally:
        scratch.dispose()
