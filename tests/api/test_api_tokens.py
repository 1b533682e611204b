"""Personal access tokens through the API: made, checked, used as their owner, refused, revoked."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from practicum import api_tokens
from practicum.db import session
from practicum.models import ApiToken, AuditEntry, PracticeSession
from tests.api.conftest import STRONG, rehearse, token_headers
from tests.conftest import PASSWORD

NEW = {"name": "Moodle sync", "scopes": ["scenarios:read", "attempts:read"], "expires_in_hours": 24}


def make_token(client, headers, **changes):
    response = client.post("/api/v1/tokens", json={**NEW, **changes}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def row(app, token_id: int) -> ApiToken:
    with app.app_context():
        found = session.get(ApiToken, token_id)
        session.expunge(found)
        return found


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_a_token_is_shown_once_and_only_its_hash_is_stored(app, client, headers):
    made = make_token(client, headers("terry"))
    token = made["token"]
    assert token.startswith("pat_") and len(token) >= 40
    shown = made["api_token"]
    assert shown["prefix"] == token[:12] and shown["scopes"] == ["scenarios:read", "attempts:read"]
    assert "token" not in shown and shown["owner"]["username"] == "terry"
    with app.app_context():
        # Nothing in the database holds the token: not its row, not the audit log.
        dump = session.execute(text("SELECT row_to_json(t)::text FROM api_tokens t")).scalars().all()
        audit = session.execute(text("SELECT row_to_json(a)::text FROM audit_log a")).scalars().all()
        assert dump and not any(token in line for line in dump + audit)
        assert session.scalar(select(ApiToken.token_hash)) == api_tokens.digest(token)
    listed = client.get("/api/v1/tokens", headers=headers("terry")).get_json()["api_tokens"]
    assert [t["id"] for t in listed] == [shown["id"]] and token not in str(listed)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"scopes": ["scenarios:write"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "admin"}, "scopes"),
        ({"scopes": [7]}, "scopes"),
        ({"expires_in_hours": 0}, "expires_in_hours"),
        ({"expires_in_hours": 90 * 24 + 1}, "expires_in_hours"),
        ({"expires_in_hours": "24"}, "expires_in_hours"),
        ({"expires_in_hours": True}, "expires_in_hours"),
        ({"expires_in_hours": 1.5}, "expires_in_hours"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 81}, "name"),
    ],
)
def test_a_bad_request_makes_no_token_and_names_the_field(app, client, headers, changes, field):
    response = client.post("/api/v1/tokens", json={**NEW, **changes}, headers=headers("terry"))
    assert response.status_code == 422
    assert field in error_of(response)["details"]
    with app.app_context():
        assert session.scalar(select(ApiToken.id)) is None


def test_the_bounds_of_expiry_are_allowed(client, headers):
    for hours in (1, 90 * 24):
        assert make_token(client, headers("terry"), expires_in_hours=hours)


def test_a_trainer_cannot_make_an_admin_token_and_a_trainee_none(app, client, headers):
    refused = client.post("/api/v1/tokens", json={**NEW, "scopes": ["admin"]}, headers=headers("terry"))
    assert refused.status_code == 403
    assert "admin" in error_of(refused)["message"] and "trainer" in error_of(refused)["message"]
    trainee = client.post("/api/v1/tokens", json=NEW, headers=headers("tina"))
    assert trainee.status_code == 403
    with app.app_context():
        assert session.scalar(select(ApiToken.id)) is None
    assert make_token(client, headers("ada"), scopes=["admin"])["api_token"]["scopes"] == ["admin"]


def test_a_token_acts_as_its_owner_within_its_scopes(app, client, headers, people):
    rehearse(app, people["tina"], "Tell me how you compared them.")
    reports = make_token(client, headers("terry"), scopes=["reports:read"])["token"]
    dashboard = client.get("/api/v1/trainer/dashboard", headers=bearer(reports))
    assert dashboard.status_code == 200
    assert "tina" in dashboard.text and "otto" not in dashboard.text  # terry's cohort only
    refused = client.get("/api/v1/scenarios", headers=bearer(reports))
    assert refused.status_code == 403
    error = error_of(refused)
    assert error["code"] == "insufficient_scope"
    assert error["details"] == {"required_scope": "scenarios:read", "token_scopes": ["reports:read"]}
    writes = make_token(client, headers("ada"), scopes=["attempts:write", "scenarios:read"])["token"]
    scenario = client.get("/api/v1/scenarios", headers=bearer(writes)).get_json()["scenarios"][0]["id"]
    started = client.post("/api/v1/sessions", json={"scenario_id": scenario}, headers=bearer(writes))
    assert started.status_code == 201
    answers = f"/api/v1/sessions/{started.get_json()['id']}/attempts"
    answered = client.post(answers, json={"response": STRONG}, headers=bearer(writes))
    streamed = client.post(f"{answers}/stream", json={"response": STRONG}, headers=bearer(writes))
    assert answered.status_code == 201 and streamed.status_code == 200
    assert "event: done" in streamed.get_data(as_text=True)
    with app.app_context():
        started_row = session.get(PracticeSession, started.get_json()["id"])
        assert started_row.user_id == people["ada"]
        assert {a.user_id for a in started_row.attempts} == {people["ada"]} and len(started_row.attempts) == 2


def test_the_role_still_limits_a_token(client, headers, people):
    token = make_token(client, headers("terry"), scopes=["reports:read", "attempts:write"])["token"]
    # reports:read is a trainer's scope, but the admin area stays closed to a trainer's token.
    assert client.get("/api/v1/admin/users", headers=bearer(token)).status_code == 403
    other = client.get(f"/api/v1/trainer/trainees/{people['otto']}", headers=bearer(token))
    assert other.status_code in (403, 404)  # olga's trainee, not terry's


def test_last_use_is_recorded_at_most_once_a_minute(app, client, headers):
    made = make_token(client, headers("terry"))
    assert made["api_token"]["last_used_at"] is None
    client.get("/api/v1/scenarios", headers=bearer(made["token"]))
    first = row(app, made["api_token"]["id"]).last_used_at
    assert first is not None and row(app, made["api_token"]["id"]).last_used_ip == "127.0.0.1"
    client.get("/api/v1/scenarios", headers=bearer(made["token"]))
    assert row(app, made["api_token"]["id"]).last_used_at == first  # no write within the minute
    with app.app_context():
        session.execute(update(ApiToken).values(last_used_at=ApiToken.last_used_at - timedelta(minutes=2)))
        session.commit()
    client.get("/api/v1/scenarios", headers=bearer(made["token"]))
    assert row(app, made["api_token"]["id"]).last_used_at > first  # written again after a minute


def test_revoking_works_at_once_and_is_audited(app, client, headers):
    made = make_token(client, headers("terry"))
    assert client.get("/api/v1/scenarios", headers=bearer(made["token"])).status_code == 200
    revoked = client.delete(f"/api/v1/tokens/{made['api_token']['id']}", headers=headers("terry"))
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    refused = client.get("/api/v1/scenarios", headers=bearer(made["token"]))
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "unauthorized" and "revoked" in error_of(refused)["message"]
    again = client.delete(f"/api/v1/tokens/{made['api_token']['id']}", headers=headers("terry"))
    assert again.status_code == 200  # revoking twice is harmless
    with app.app_context():
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("api_token_created") == 1 and actions.count("api_token_revoked") == 1


def test_an_expired_or_unknown_token_is_refused_saying_why(app, client, headers):
    made = make_token(client, headers("terry"))
    with app.app_context():
        session.execute(update(ApiToken).values(expires_at=ApiToken.created_at))
        session.commit()
    expired = client.get("/api/v1/scenarios", headers=bearer(made["token"]))
    assert expired.status_code == 401 and "expired" in error_of(expired)["message"]
    unknown = client.get("/api/v1/scenarios", headers=bearer("pat_" + "x" * 43))
    assert unknown.status_code == 401 and "not valid" in error_of(unknown)["message"]


def test_deactivating_the_owner_ends_their_tokens_for_good(app, client, headers, people):
    token = make_token(client, headers("terry"))["token"]
    client.post(f"/api/v1/admin/users/{people['terry']}/deactivate", headers=headers("ada"))
    refused = client.get("/api/v1/scenarios", headers=bearer(token))
    assert refused.status_code == 401
    client.post(f"/api/v1/admin/users/{people['terry']}/activate", headers=headers("ada"))
    assert client.get("/api/v1/scenarios", headers=bearer(token)).status_code == 401
    with app.app_context():
        assert session.scalar(select(ApiToken.revoked_by_id)) == people["ada"]
        reasons = session.scalars(select(AuditEntry.details).where(AuditEntry.action == "api_tokens_revoked"))
        assert [r["reason"] for r in reasons] == ["deactivated"]


def test_an_inactive_owner_is_refused_even_before_any_revocation(app, client, headers, people):
    token = make_token(client, headers("terry"))["token"]
    with app.app_context():  # deactivated behind the service's back: the check itself refuses
        session.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": people["terry"]})
        session.commit()
    refused = client.get("/api/v1/scenarios", headers=bearer(token))
    assert refused.status_code == 401 and "inactive" in error_of(refused)["message"]


def test_a_role_change_ends_the_tokens_that_no_longer_fit(app, client, headers, people):
    admin_token = make_token(client, headers("ada"), scopes=["admin"])["token"]
    read_token = make_token(client, headers("ada"), scopes=["scenarios:read"])["token"]
    # Another admin is needed to change ada's role: she cannot change her own.
    client.post("/api/v1/admin/users", json={"username": "alan", "role": "admin"}, headers=headers("ada"))
    with app.app_context():
        alan = session.scalar(text("SELECT id FROM users WHERE username = 'alan'"))
        session.execute(text("UPDATE users SET must_change_password = false WHERE id = :id"), {"id": alan})
        session.commit()
    changed = client.patch(
        f"/api/v1/admin/users/{people['ada']}", json={"role": "trainer"}, headers=token_headers(app, alan)
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/admin/users", headers=bearer(admin_token)).status_code == 401
    assert client.get("/api/v1/scenarios", headers=bearer(read_token)).status_code == 200
    client.patch(
        f"/api/v1/admin/users/{people['ada']}", json={"role": "trainee"}, headers=token_headers(app, alan)
    )
    assert client.get("/api/v1/scenarios", headers=bearer(read_token)).status_code == 401


def test_a_password_reset_pauses_tokens_until_the_owner_chooses_one_and_a_change_keeps_them(
    client, headers, people, auth
):
    token = make_token(client, headers("terry"))["token"]
    reset = client.post(
        f"/api/v1/admin/users/{people['terry']}/password", json={"password": PASSWORD}, headers=headers("ada")
    )
    assert reset.status_code == 200
    paused = client.get("/api/v1/scenarios", headers=bearer(token))
    assert paused.status_code == 403 and "Choose your own password" in error_of(paused)["message"]
    chosen = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new sentence of mine"},
        headers=auth.headers("terry"),
    )
    assert chosen.status_code == 200
    assert client.get("/api/v1/scenarios", headers=bearer(token)).status_code == 200


def test_erasing_the_owner_takes_their_tokens(app, client, headers, people):
    token = make_token(client, headers("terry"))["token"]
    erased = client.delete(
        f"/api/v1/admin/users/{people['terry']}", json={"confirm": "terry"}, headers=headers("ada")
    )
    assert erased.status_code == 200
    with app.app_context():
        assert session.scalar(select(ApiToken.id)) is None
    assert client.get("/api/v1/scenarios", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "method, url",
    [
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/auth/logout"),
        ("GET", "/api/v1/auth/me"),
        ("POST", "/api/v1/auth/password"),
        ("POST", "/api/v1/tokens"),
        ("GET", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/1"),
    ],
)
def test_a_token_cannot_sign_in_refresh_or_make_tokens(app, client, headers, method, url):
    token = make_token(client, headers("ada"), scopes=list(api_tokens.SCOPES))["token"]
    response = client.open(url, method=method, headers=bearer(token), json=NEW)
    assert response.status_code == 403
    assert error_of(response)["code"] == "token_not_accepted"
    with app.app_context():
        assert session.scalar(select(text("count(*)")).select_from(ApiToken)) == 1


def test_pages_ignore_tokens(client, headers):
    token = make_token(client, headers("ada"), scopes=list(api_tokens.SCOPES))["token"]
    for page in ("/library", "/admin/people", "/account/tokens"):
        response = client.get(page, headers=bearer(token))
        assert response.status_code == 302 and "/login" in response.location, page


def test_people_see_and_revoke_only_their_own_and_admins_anyones(app, client, headers, people):
    terrys = make_token(client, headers("terry"))["api_token"]["id"]
    olgas = make_token(client, headers("olga"))["api_token"]["id"]
    mine = client.get("/api/v1/tokens", headers=headers("terry")).get_json()["api_tokens"]
    assert [t["id"] for t in mine] == [terrys]
    assert client.get(f"/api/v1/tokens?user_id={people['olga']}", headers=headers("terry")).status_code == 403
    assert client.get("/api/v1/tokens?all=true", headers=headers("terry")).status_code == 403
    assert client.delete(f"/api/v1/tokens/{olgas}", headers=headers("terry")).status_code == 404
    everyone = client.get("/api/v1/tokens?all=true", headers=headers("ada")).get_json()["api_tokens"]
    assert {t["id"] for t in everyone} == {terrys, olgas}
    hers = client.get(f"/api/v1/tokens?user_id={people['olga']}", headers=headers("ada")).get_json()
    assert [t["id"] for t in hers["api_tokens"]] == [olgas]
    assert client.delete(f"/api/v1/tokens/{olgas}", headers=headers("ada")).status_code == 200
    with app.app_context():
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token_revoked"))
        assert entry.actor_id == people["ada"] and entry.target == "olga"


def test_each_person_holds_a_limited_number_of_live_tokens(people_in):
    app, client, headers = people_in(API_TOKENS_PER_USER=2)
    first = make_token(client, headers("terry"))["api_token"]["id"]
    make_token(client, headers("terry"))
    full = client.post("/api/v1/tokens", json=NEW, headers=headers("terry"))
    assert full.status_code == 409 and "revoke" in error_of(full)["message"]
    client.delete(f"/api/v1/tokens/{first}", headers=headers("terry"))
    assert make_token(client, headers("terry"))  # a revoked token no longer counts


def test_making_tokens_is_rate_limited(people_in):
    app, client, headers = people_in(RATELIMIT_ENABLED=True, API_TOKEN_RATE_LIMIT="2 per hour")
    for _ in range(2):
        make_token(client, headers("terry"))
    limited = client.post("/api/v1/tokens", json=NEW, headers=headers("terry"))
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert error_of(limited)["code"] == "rate_limited"


def test_a_token_and_its_owners_sign_in_share_one_rate_limit(people_in):
    app, client, headers = people_in(RATELIMIT_ENABLED=True, SESSION_RATE_LIMIT="1 per minute")
    token = make_token(client, headers("terry"), scopes=["attempts:write"])["token"]
    assert client.post("/api/v1/sessions", json={}, headers=bearer(token)).status_code == 422
    assert client.post("/api/v1/sessions", json={}, headers=headers("terry")).status_code == 429
    assert client.post("/api/v1/sessions", json={}, headers=headers("olga")).status_code == 422


@pytest.fixture
def people_in(make_app):
    """Build an app with settings, with the people fixture's accounts in it."""
    from practicum.models import User
    from tests.api.conftest import PEOPLE, password_hash

    def build(**settings):
        app = make_app(**settings)
        with app.app_context():
            ids = {}
            for name, role, _ in PEOPLE:
                user = User(username=name, display_name=name, role=role, password_hash=password_hash())
                session.add(user)
                session.flush()
                ids[name] = user.id
            session.commit()
        return app, app.test_client(), lambda name: token_headers(app, ids[name])

    return build
