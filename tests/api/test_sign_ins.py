"""API sign-ins: refresh tokens rotate, reuse ends the sign-in, sign-out with either token ends it."""

from __future__ import annotations

from sqlalchemy import select

from practicum.db import session
from practicum.models import AuditEntry
from tests.api.test_admin_api import ME, REFRESH, bearer
from tests.conftest import AuthActions

LOGOUT = "/api/v1/auth/logout"


def refreshed(client, token: str):
    return client.post(REFRESH, headers=bearer(token))


def test_a_refresh_gives_a_new_pair_and_the_used_token_stops_working(client, people):
    first = AuthActions(client).login("tina")
    second = refreshed(client, first["refresh_token"])
    assert second.status_code == 200
    pair = second.get_json()
    assert pair["refresh_token"] != first["refresh_token"] and pair["access_token"]
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 200
    third = refreshed(client, pair["refresh_token"])  # the new one works, once
    assert third.status_code == 200


def test_reusing_a_used_refresh_token_ends_the_whole_sign_in(app, client, people):
    first = AuthActions(client).login("tina")
    pair = refreshed(client, first["refresh_token"]).get_json()
    reused = refreshed(client, first["refresh_token"])  # a thief's copy, or a replay
    assert reused.status_code == 401 and reused.get_json()["error"]["code"] == "unauthorized"
    # Everything of that sign-in now fails: the newer refresh token and the newer access token.
    assert refreshed(client, pair["refresh_token"]).status_code == 401
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 401
    assert client.get(ME, headers=bearer(first["access_token"])).status_code == 401
    # Another sign-in of the same person is untouched.
    other = AuthActions(client).login("tina")
    assert client.get(ME, headers=bearer(other["access_token"])).status_code == 200
    with app.app_context():
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("refresh_token_reused") == 1


def test_signing_out_with_the_access_token_ends_the_refresh_token_too(client, people):
    tokens = AuthActions(client).login("tina")
    out = client.post(LOGOUT, headers=bearer(tokens["access_token"]))
    assert out.status_code == 200 and out.get_json() == {"revoked": "sign_in"}
    assert refreshed(client, tokens["refresh_token"]).status_code == 401
    assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 401


def test_signing_out_with_the_refresh_token_ends_the_access_tokens_too(client, people):
    tokens = AuthActions(client).login("tina")
    renewed = refreshed(client, tokens["refresh_token"]).get_json()
    assert client.post(LOGOUT, headers=bearer(renewed["refresh_token"])).status_code == 200
    assert client.get(ME, headers=bearer(renewed["access_token"])).status_code == 401
    assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 401


def test_the_rules_hold_after_a_restart(make_app, app, people):
    tokens = AuthActions(app.test_client()).login("tina")
    pair = refreshed(app.test_client(), tokens["refresh_token"]).get_json()
    out = AuthActions(app.test_client()).login("tina")
    app.test_client().post(LOGOUT, headers=bearer(out["access_token"]))
    restarted = make_app().test_client()  # a new process on the same database
    assert refreshed(restarted, tokens["refresh_token"]).status_code == 401  # reuse, seen after restart
    assert restarted.get(ME, headers=bearer(pair["access_token"])).status_code == 401
    assert refreshed(restarted, out["refresh_token"]).status_code == 401
