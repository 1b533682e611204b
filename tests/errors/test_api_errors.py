"""Every API failure has one JSON shape, a clear message, and leaves nothing half-written."""

import time

import pytest
from sqlalchemy import func, select

from practicum.db import session
from practicum.models import Attempt, RevokedToken
from tests.conftest import PASSWORD, create_account, first_scenario_id


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]


def attempt_count(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count(Attempt.id)))


def started_session(client, headers) -> int:
    response = client.post(
        "/api/v1/sessions", headers=headers, json={"scenario_id": first_scenario_id(client, headers)}
    )
    assert response.status_code == 201
    return response.get_json()["id"]


def test_401_without_a_token(client):
    assert_error(client.get("/api/v1/scenarios"), 401, "unauthorized")


def test_401_with_a_forged_token(client):
    headers = {"Authorization": "Bearer not.a.token"}
    assert_error(client.get("/api/v1/scenarios", headers=headers), 401, "unauthorized")


def test_401_for_wrong_password_and_unknown_account(app, client):
    create_account(app, "tina")
    for username, password in (("tina", "wrong password!"), ("nobody", PASSWORD)):
        response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert_error(response, 401, "authentication_failed")


def test_404_for_unknown_route_and_unknown_session(client, trainee_headers):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/v1/sessions/999999", headers=trainee_headers), 404, "not_found")


def test_405_names_the_allowed_methods(client):
    response = client.delete("/api/v1/auth/login")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_413_for_a_body_over_the_limit(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/api/v1/auth/login", data="x" * 5000, content_type="application/json")
    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "response"),
        ({"response": "   "}, "response"),
        ({"response": 42}, "response"),
        ({"response": "x" * 5001}, "response"),
    ],
)
def test_422_for_bad_answers_stores_nothing(app, client, trainee_headers, body, field):
    session_id = started_session(client, trainee_headers)
    response = client.post(f"/api/v1/sessions/{session_id}/attempts", json=body, headers=trainee_headers)
    error = assert_error(response, 422, "validation_failed")
    assert field in error["details"]
    assert attempt_count(app) == 0


def test_an_answer_over_5000_characters_says_so(client, trainee_headers):
    session_id = started_session(client, trainee_headers)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts", json={"response": "word " * 1200}, headers=trainee_headers
    )
    assert "limit is 5,000" in assert_error(response, 422, "validation_failed")["message"]


def test_422_for_a_body_that_is_not_a_json_object(client, trainee_headers):
    response = client.post(
        "/api/v1/sessions", data="[1, 2]", headers=trainee_headers, content_type="application/json"
    )
    assert_error(response, 422, "validation_failed")


def test_500_is_json_rolls_back_and_hides_the_traceback(app, client, trainee_headers, monkeypatch):
    from practicum import practice

    session_id = started_session(client, trainee_headers)

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(practice, "store_attempt", explode)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts",
        json={"response": "Tell me how you compared them."},
        headers=trainee_headers,
    )
    error = assert_error(response, 500, "internal_error")
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Nothing was saved" in error["message"]
    # The reference in the answer is the one in the header and in the server's log line.
    reference = response.headers["X-Request-ID"]
    assert error["details"] == {"request_id": reference} and f"(reference {reference})" in error["message"]
    assert attempt_count(app) == 0


def test_429_on_sign_in_after_five_tries_with_retry_after(make_app, monkeypatch):
    clock = [1_800_000_000.25]
    monkeypatch.setattr(time, "time", lambda: clock[0])  # the limiter and the handler read it
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    create_account(app, "tina")
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"username": "tina", "password": "wrong pass!"})
    clock[0] += 12.5
    response = client.post("/api/v1/auth/login", json={"username": "tina", "password": PASSWORD})
    error = assert_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "48"
    assert "Try again in 48 s." in error["message"]  # the message tells the same wait
    # Another account from the same address is not locked out by tina's limit.
    create_account(app, "tom")
    other = client.post("/api/v1/auth/login", json={"username": "tom", "password": PASSWORD})
    assert other.status_code == 200


def test_429_on_attempts_is_per_user_and_configurable(make_app):
    from tests.conftest import FIXTURES, AuthActions, import_file

    app = make_app(RATELIMIT_ENABLED=True, ATTEMPT_RATE_LIMIT="2 per minute")
    import_file(app, FIXTURES / "mini-set.yaml")
    client = app.test_client()
    create_account(app, "tina")
    headers = AuthActions(client).headers("tina")
    session_id = started_session(client, headers)
    url = f"/api/v1/sessions/{session_id}/attempts"
    for _ in range(2):
        ok = client.post(url, json={"response": "What do you notice?"}, headers=headers)
        assert ok.status_code == 201
    response = client.post(url, json={"response": "What do you notice?"}, headers=headers)
    assert_error(response, 429, "rate_limited")
    assert "Retry-After" in response.headers
    assert attempt_count(app) == 2


def test_logout_revokes_the_token_in_the_database_across_restarts(app, client, trainee_headers):
    from practicum import create_app

    assert client.post("/api/v1/auth/logout", headers=trainee_headers).status_code == 200
    assert_error(client.get("/api/v1/scenarios", headers=trainee_headers), 401, "unauthorized")
    restarted = create_app(app.config["PRACTICUM"])  # a new process's app, same database
    response = restarted.test_client().get("/api/v1/scenarios", headers=trainee_headers)
    assert_error(response, 401, "unauthorized")
    with restarted.app_context():
        assert session.scalar(select(func.count(RevokedToken.jti))) == 1


def test_refresh_gives_a_new_access_token_and_access_tokens_cannot_refresh(app, client, auth):
    create_account(app, "tina")
    tokens = auth.login("tina")
    refreshed = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refreshed.status_code == 200 and refreshed.get_json()["access_token"]
    wrong = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert_error(wrong, 401, "unauthorized")


def test_deactivated_account_tokens_stop_working_at_once(app, client, trainee_headers):
    from practicum.models import User

    with app.app_context():
        session.scalar(select(User).where(User.username == "tina")).active = False
        session.commit()
    assert_error(client.get("/api/v1/scenarios", headers=trainee_headers), 401, "unauthorized")


def test_a_trainee_never_sees_another_trainees_session_or_attempt(app, client, auth, trainee_headers):
    session_id = started_session(client, trainee_headers)
    attempt = client.post(
        f"/api/v1/sessions/{session_id}/attempts",
        json={"response": "Walk me through your thinking."},
        headers=trainee_headers,
    ).get_json()
    create_account(app, "otto")
    other = auth.headers("otto")
    assert_error(client.get(f"/api/v1/sessions/{session_id}", headers=other), 404, "not_found")
    assert_error(client.get(f"/api/v1/attempts/{attempt['id']}", headers=other), 404, "not_found")
    posted = client.post(f"/api/v1/sessions/{session_id}/attempts", json={"response": "Hello"}, headers=other)
    assert_error(posted, 404, "not_found")
    assert client.get("/api/v1/attempts", headers=other).get_json()["attempts"] == []


@pytest.mark.parametrize("value", ["²", "١", "-1", "1.5", "99999999999999999999", "9223372036854775807"])
def test_page_numbers_are_ascii_digits_below_a_billion(client, trainee_headers, value):
    response = client.get(f"/api/v1/attempts?page={value}", headers=trainee_headers)
    assert_error(response, 422, "validation_failed")
    assert client.get(f"/api/v1/attempts?per_page={value}", headers=trainee_headers).status_code == 422


def test_a_database_outage_is_a_clean_503_not_a_crash(app, client, trainee_headers, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from practicum import library_search

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(library_search, "search_scenarios", down)
    answer = client.get("/api/v1/scenarios", headers=trainee_headers)
    error = assert_error(answer, 503, "database_unavailable")
    assert answer.headers["Retry-After"] == "5" and "server closed" not in answer.get_data(as_text=True)
    assert error["details"] == {"request_id": answer.headers["X-Request-ID"]}


def test_a_database_outage_on_a_page_is_a_readable_503(make_app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    app = make_app()

    @app.get("/db-down")
    def db_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    answer = app.test_client().get("/db-down")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 503 and answer.mimetype == "text/html" and "connection refused" not in body
    assert "cannot reach its database" in body and answer.headers["Retry-After"] == "5"
