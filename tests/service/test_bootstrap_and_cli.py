"""First-run set-up and the CLI commands, on a real PostgreSQL (fake models: speed only)."""

import json
import sys

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from practicum.bootstrap import bootstrap
from practicum.cli import NO_SCHEMA, main
from practicum.db import session
from practicum.models import AuditEntry, ExpertResponse, Scenario, ScenarioSetVersion, User
from tests.conftest import FIXTURES


def counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (User, Scenario, ExpertResponse, ScenarioSetVersion)
        }


def test_bootstrap_twice_loses_nothing_and_adds_nothing(app):
    with app.app_context():
        first = list(bootstrap(app))
    credentials = app.config["PRACTICUM"].INSTANCE_DIR / "first-accounts.txt"
    assert credentials.stat().st_mode & 0o777 == 0o600
    passwords = [line.split("password: ")[1] for line in credentials.read_text().splitlines()]
    assert len(set(passwords)) == 3 and all(len(p) >= 12 for p in passwords)
    assert any("Created the first accounts" in line for line in first)
    with app.app_context():  # printed to a console and a file: each holder chooses their own
        assert set(session.scalars(select(User.must_change_password))) == {True}
    before = counts(app)
    with app.app_context():
        second = list(bootstrap(app))
    assert counts(app) == before
    assert before["User"] == 3 and before["Scenario"] >= 40
    assert any("unchanged" in line for line in second)
    assert any("Accounts exist" in line for line in second)


def test_scenarios_import_reports_every_problem_and_changes_nothing(app, runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "mini-set.yaml").read_text().replace("    title: Won't change seats\n", ""))
    result = runner.invoke(args=["scenarios", "import", str(bad)])
    assert result.exit_code == 1
    assert "scenarios[1].title: required" in result.output
    assert counts(app)["Scenario"] == 0
    good = runner.invoke(args=["scenarios", "import", str(FIXTURES / "mini-set.yaml")])
    assert good.exit_code == 0 and "imported set mini-set v1" in good.output
    again = runner.invoke(args=["scenarios", "import", str(FIXTURES / "mini-set.yaml")])
    assert "unchanged" in again.output and counts(app)["ScenarioSetVersion"] == 1
    with app.app_context():
        assert (
            session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "scenario_set_imported")
            )
            == 1
        )


def test_users_create_validates_and_refuses_duplicates(app, runner):
    ok = runner.invoke(
        args=["users", "create", "--username", "Priya", "--role", "trainee", "--cohort", "Cohort B"],
        input="long enough pw\nlong enough pw\n",
    )
    assert ok.exit_code == 0 and "Created trainee priya" in ok.output
    again = runner.invoke(
        args=["users", "create", "--username", "priya", "--role", "trainer"],
        input="long enough pw\nlong enough pw\n",
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(
        args=["users", "create", "--username", "sam", "--role", "trainee"], input="short\nshort\n"
    )
    assert short.exit_code != 0
    # Each field's problem in words, not a Python dict.
    assert "Password: it needs at least 12 characters" in short.output and "{" not in short.output
    long_cohort = runner.invoke(
        args=["users", "create", "--username", "sam", "--role", "trainee", "--cohort", "c" * 200],
        input="long enough pw\nlong enough pw\n",
    )
    assert long_cohort.exit_code == 1 and "Cohort: 1–120 characters" in long_cohort.output
    assert "Traceback" not in long_cohort.output


def test_score_handles_thousands_of_lines(app, runner, mini_set, tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    with source.open("w") as handle:
        for number in range(2000):
            handle.write(
                json.dumps(
                    {
                        "id": number,
                        "scenario": "decimal-compare",
                        "response": f"What do you notice about digit {number}?",
                    }
                )
                + "\n"
            )
    result = runner.invoke(args=["score", str(source), str(out), "--no-feedback"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 2000
    first = json.loads(lines[0])
    assert first["id"] == 0 and first["feedback_source"] == "none"
    assert {"score", "band", "dimensions", "matches", "feedback"} <= set(first)
    assert "scored 2000 line(s), 0 error(s)" in result.output


def test_a_command_on_a_database_never_set_up_says_what_to_run(
    engine, database_url, tmp_path, monkeypatch, capsys
):
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("DROP DATABASE IF EXISTS practicum_never_set_up"))
            connection.execute(text("CREATE DATABASE practicum_never_set_up"))
    except DBAPIError:  # a TEST_DATABASE_URL whose role may not create databases
        pytest.skip("the test database's role cannot create a database")
    empty = make_url(database_url).set(database="practicum_never_set_up")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"scenario": "decimal-compare", "response": "What do you notice?"}) + "\n")
    for name, value in {
        "DATABASE_URL": empty.render_as_string(hide_password=False),
        "PRACTICUM_INSTANCE_DIR": str(tmp_path),
        "EMBEDDING_BACKEND": "fake",
        "LLM_BACKEND": "fake",
        "WARM_MODELS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(
        sys, "argv", ["practicum", "score", str(source), str(tmp_path / "out.jsonl"), "--no-feedback"]
    )
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    said = capsys.readouterr().err
    assert f"Error: {NO_SCHEMA}" in said and "Traceback" not in said
