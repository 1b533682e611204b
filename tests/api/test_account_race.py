"""Two people adding the same account at once: the one who loses hears 409, never a 500."""

import io

import pytest
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from practicum import accounts
from practicum.db import session
from practicum.errors import Conflict
from practicum.models import User

USERS = "/api/v1/admin/users"


@pytest.fixture
def race_for(monkeypatch, engine):
    """Make another transaction add an account named username between our check and insert."""

    def arrange(username: str) -> None:
        def hash_after_the_other_insert(password: str, **options) -> str:
            # create_user hashes after its existence check: the moment a second submit
            # (another worker, another connection) can slip its insert in.
            if password == "racing password":
                with engine.begin() as other:
                    other.execute(
                        insert(User).values(
                            username=username, display_name="first", password_hash="x", role="trainee"
                        )
                    )
            return generate_password_hash(password, **options)

        monkeypatch.setattr(accounts, "generate_password_hash", hash_after_the_other_insert)

    return arrange


def count_named(app, username: str) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(User).where(User.username == username))


def test_the_second_of_two_submits_at_once_gets_409(app, client, headers, race_for):
    race_for("nina")
    body = {"username": "nina", "role": "trainee", "password": "racing password"}
    response = client.post(USERS, headers=headers("ada"), json=body)
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "An account named 'nina' already exists."
    assert count_named(app, "nina") == 1
    later = client.post(USERS, headers=headers("ada"), json={"username": "nora", "role": "trainee"})
    assert later.status_code == 201


def test_the_callers_transaction_survives_the_clash(app, people, race_for):
    race_for("nina")
    with app.app_context():
        accounts.create_user(session, "nora", "a long password", "trainee")
        with pytest.raises(Conflict, match="already exists"):
            accounts.create_user(session, "nina", "racing password", "trainee")
        session.commit()  # the savepoint kept nora's insert (and the transaction) alive
    assert count_named(app, "nora") == 1 and count_named(app, "nina") == 1


def test_an_import_row_that_loses_the_race_fails_alone(app, client, headers, race_for):
    race_for("nina")
    data = "username,role,password\nnina,trainee,racing password\nnora,trainee,another long one\n"
    response = client.post(
        f"{USERS}/import", headers=headers("ada"), data={"file": (io.BytesIO(data.encode()), "people.csv")}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = {row["username"]: row for row in response.get_json()["rows"]}
    assert rows["nina"]["status"] == "failed" and "already exists" in rows["nina"]["message"]
    assert rows["nora"]["status"] == "created"
    assert count_named(app, "nora") == 1


@pytest.fixture
def cohort_race(engine):
    """Make another transaction create cohort `name` just before our first flush that adds it."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    from practicum.models import Cohort

    raced = []

    def arrange(name: str) -> None:
        def other_first(db, _context, _instances):
            if not raced and any(isinstance(o, Cohort) and o.name == name for o in db.new):
                raced.append(name)
                with engine.begin() as other:
                    other.execute(insert(Cohort).values(name=name))

        event.listen(OrmSession, "before_flush", other_first)
        listeners.append(other_first)

    listeners = []
    yield arrange
    for listener in listeners:
        event.remove(OrmSession, "before_flush", listener)


def test_a_cohort_created_at_the_same_moment_is_joined(app, people, cohort_race):
    from practicum.models import Cohort

    cohort_race("Cohort Z")
    with app.app_context():
        user = accounts.create_user(session, "nina", "a long password", "trainee", cohort="Cohort Z")
        session.commit()
        assert user.cohort.name == "Cohort Z"
        assert session.scalar(select(func.count()).select_from(Cohort).where(Cohort.name == "Cohort Z")) == 1


def test_two_admins_naming_a_cohort_alike_at_once_get_409_not_500(client, headers, cohort_race):
    cohort_race("Cohort Y")
    made = client.post("/api/v1/admin/cohorts", headers=headers("ada"), json={"name": "Cohort Y"})
    assert made.status_code == 409 and "already exists" in made.get_json()["error"]["message"]
