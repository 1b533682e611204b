"""Every limit in Config answers 429 with Retry-After, and the pages and the API share its count."""

from __future__ import annotations

import io

import pytest

from tests.api.conftest import STRONG, recorded, rehearse, web_session_token
from tests.conftest import FIXTURES, PASSWORD

CSRF = "test-csrf-token"


@pytest.fixture
def app(make_app):
    return make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        LOGIN_ADDRESS_RATE_LIMIT="3 per minute",
        SESSION_RATE_LIMIT="2 per minute",
        NOTE_RATE_LIMIT="2 per minute",
        OVERRIDE_RATE_LIMIT="2 per minute",
        UPLOAD_RATE_LIMIT="1 per minute",
        ATTEMPT_RATE_LIMIT="100 per minute",
    )


def api_login(client, username: str, password: str = "not the password!"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def web_login(client, username: str, password: str = "not the password!"):
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = CSRF
    return client.post("/login", data={"username": username, "password": password, "csrf_token": CSRF})


def refused(response, json: bool = True) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0
    if json:
        assert response.get_json()["error"]["code"] == "rate_limited"
    else:
        assert response.mimetype == "text/html" and "Too many" in response.get_data(as_text=True)


def test_failed_sign_ins_from_one_address_are_limited_across_every_account(client, people):
    for username in ("tina", "tom", "otto"):
        assert api_login(client, username).status_code == 401
    refused(api_login(client, "ada"))
    refused(web_login(client, "terry"), json=False)  # the pages count with the API


def test_the_per_account_limit_is_shared_by_the_pages_and_the_api(client, people):
    assert api_login(client, "tina").status_code == 401
    assert web_login(client, "tina").status_code == 401
    refused(api_login(client, "tina"))


def test_successful_sign_ins_do_not_count(client, people):
    for _ in range(5):  # a class signing in from one school address
        assert api_login(client, "tina", PASSWORD).status_code == 200


def test_starting_sessions_is_limited_per_person_across_pages_and_api(app, client, people, headers):
    tina = headers("tina")
    scenario_id = client.get("/api/v1/scenarios", headers=tina).get_json()["scenarios"][0]["id"]
    for _ in range(2):
        assert (
            client.post("/api/v1/sessions", json={"scenario_id": scenario_id}, headers=tina).status_code
            == 201
        )
    refused(client.post("/api/v1/sessions", json={"scenario_id": scenario_id}, headers=tina))
    with client.session_transaction() as cookie:
        cookie["sid"], cookie["csrf_token"] = web_session_token(app, people["tina"]), CSRF
    started = client.post(
        f"/scenarios/{scenario_id}/start", data={"csrf_token": CSRF, "confidence_before": "3"}
    )
    refused(started, json=False)
    # Another trainee has a budget of their own.
    tom = headers("tom")
    assert client.post("/api/v1/sessions", json={"scenario_id": scenario_id}, headers=tom).status_code == 201


def test_notes_and_overrides_are_limited_per_trainer(app, client, people, headers):
    attempt = rehearse(app, people["tina"], STRONG)
    terry = headers("terry")
    base = f"/api/v1/trainer/attempts/{attempt}"
    for n in range(2):
        assert client.post(f"{base}/notes", json={"text": f"note {n}"}, headers=terry).status_code == 201
    refused(client.post(f"{base}/notes", json={"text": "one too many"}, headers=terry))
    body = {"score": 40, "reason": "Gave the answer."}
    assert client.put(f"{base}/override", json=body, headers=terry).status_code == 200
    assert client.delete(f"{base}/override", headers=terry).status_code == 200
    refused(client.put(f"{base}/override", json=body, headers=terry))


def test_uploads_are_limited_per_admin(client, people, headers):
    ada = headers("ada")
    data = (FIXTURES / "mini-set.yaml").read_bytes()

    def check():
        return client.post(
            "/api/v1/scenario-sets/validate", headers=ada, data={"file": (io.BytesIO(data), "s.yaml")}
        )

    assert check().status_code == 200
    refused(check())


def test_a_limited_request_checks_its_sign_in_once(app, client, people, headers):
    # The per-person key reads the sign-in the route already verified; checking it again cost
    # a second decode and a second query on the revoked tokens in every limited request.
    tina = headers("tina")
    scenario_id = client.get("/api/v1/scenarios", headers=tina).get_json()["scenarios"][0]["id"]
    with recorded(app) as seen:
        started = client.post("/api/v1/sessions", json={"scenario_id": scenario_id}, headers=tina)
        to_start = len(seen["statements"])
        answered = client.post(
            f"/api/v1/sessions/{started.get_json()['id']}/attempts",
            json={"response": STRONG, "feedback": False},
            headers=tina,
        )
    statements = seen["statements"]
    assert started.status_code == 201 and answered.status_code == 201
    assert int(answered.headers["X-RateLimit-Remaining"]) == 99  # the limit was checked
    assert sum("FROM revoked_tokens" in s for s in statements) == 2, statements
    # Starting: sign-in check with its user, scenario, its experts, the insert (its pitfalls wait for
    # the answer that scores against them). It took 7 before.
    assert to_start <= 5, statements[:to_start]
