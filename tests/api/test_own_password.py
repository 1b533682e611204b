"""Changing your own password through the API: the current one is checked, old tokens end."""

import pytest
from sqlalchemy import select

from practicum.db import session
from practicum.models import AuditEntry
from tests.api.test_admin_api import ME, REFRESH, bearer, refused_with
from tests.conftest import PASSWORD, AuthActions

CHANGE = "/api/v1/auth/password"
NEW = "a sentence I will remember"
ENDED = "Your sign-in has ended: your password was changed or your account was paused. Sign in again."


def test_changing_your_password_ends_every_earlier_token_and_returns_working_ones(client, people):
    auth = AuthActions(client)
    phone, laptop = auth.login("tina"), auth.login("tina")
    changed = client.post(
        CHANGE,
        headers=bearer(laptop["access_token"]),
        json={"current_password": PASSWORD, "new_password": NEW},
    )
    assert changed.status_code == 200, changed.get_json()
    fresh = changed.get_json()
    assert fresh["user"]["username"] == "tina" and fresh["token_type"] == "Bearer"
    for old in (phone, laptop):
        refused_with(client.get(ME, headers=bearer(old["access_token"])), ENDED)
        refused_with(client.post(REFRESH, headers=bearer(old["refresh_token"])), ENDED)
    # The tokens that came back work at once, in the change's own second.
    assert client.get(ME, headers=bearer(fresh["access_token"])).get_json()["username"] == "tina"
    renewed = client.post(REFRESH, headers=bearer(fresh["refresh_token"]))
    assert client.get(ME, headers=bearer(renewed.get_json()["access_token"])).status_code == 200
    old_password = client.post("/api/v1/auth/login", json={"username": "tina", "password": PASSWORD})
    assert old_password.status_code == 401
    auth.login("tina", NEW)
    # Others keep their sign-ins.
    assert client.get(ME, headers=auth.headers("tom")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": "not my password", "new_password": NEW}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "TINA"}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD, "new_password": 12345678901}, "new_password"),
        ({}, "current_password"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(app, client, people, body, field):
    tokens = AuthActions(client).login("tina")
    refused = client.post(CHANGE, headers=bearer(tokens["access_token"]), json=body)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["details"], error
    assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 200
    AuthActions(client).login("tina")  # the old password still works
    with app.app_context():
        actions = set(session.scalars(select(AuditEntry.action)))
    assert "password_changed" not in actions


def test_a_wrong_current_password_is_audited(app, client, people):
    tokens = AuthActions(client).login("tina")
    wrong = {"current_password": "guessing", "new_password": NEW}
    assert client.post(CHANGE, headers=bearer(tokens["access_token"]), json=wrong).status_code == 422
    with app.app_context():
        assert "password_change_failed" in set(session.scalars(select(AuditEntry.action)))


def test_a_refresh_token_cannot_change_the_password(client, people):
    tokens = AuthActions(client).login("tina")
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert client.post(CHANGE, headers=bearer(tokens["refresh_token"]), json=body).status_code == 401
    assert client.post(CHANGE, json=body).status_code == 401


def test_password_changes_are_rate_limited_per_account(make_app):
    from tests.conftest import create_account

    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    create_account(app, "tina")
    client = app.test_client()
    headers = bearer(AuthActions(client).login("tina")["access_token"])
    wrong = {"current_password": "guessing", "new_password": NEW}
    for _ in range(2):
        assert client.post(CHANGE, headers=headers, json=wrong).status_code == 422
    limited = client.post(CHANGE, headers=headers, json={"current_password": PASSWORD, "new_password": NEW})
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"


def test_an_account_an_admin_made_is_told_to_choose_its_own_password(client, people, headers):
    made = client.post(
        "/api/v1/admin/users", headers=headers("ada"), json={"username": "nina", "role": "trainee"}
    ).get_json()
    signed_in = AuthActions(client).login("nina", made["password"])
    assert signed_in["user"]["must_change_password"] is True
    changed = client.post(
        CHANGE,
        headers=bearer(signed_in["access_token"]),
        json={"current_password": made["password"], "new_password": NEW},
    ).get_json()
    assert changed["user"]["must_change_password"] is False
    assert AuthActions(client).login("tina")["user"]["must_change_password"] is False


def test_the_api_answers_only_auth_until_an_admin_set_password_is_replaced(client, people, headers):
    made = client.post(
        "/api/v1/admin/users", headers=headers("ada"), json={"username": "nora", "role": "admin"}
    ).get_json()
    tokens = AuthActions(client).login("nora", made["password"])
    nora = bearer(tokens["access_token"])
    refused = client.get("/api/v1/admin/users", headers=nora)
    assert (
        refused.status_code == 403
        and "Choose your own password first" in refused.get_json()["error"]["message"]
    )
    assert client.get("/api/v1/scenarios", headers=nora).status_code == 403
    assert client.get(ME, headers=nora).status_code == 200
    fresh = client.post(
        CHANGE, headers=nora, json={"current_password": made["password"], "new_password": NEW}
    ).get_json()
    assert client.get("/api/v1/admin/users", headers=bearer(fresh["access_token"])).status_code == 200
