"""Text PostgreSQL cannot store (NUL, lone surrogates) and absurd nesting get a 422, never a 500."""

import io
import json

import pytest
import yaml
from sqlalchemy import func, select

from practicum.db import session
from practicum.models import AuditEntry, Cohort, ScenarioSet, User
from tests.api.conftest import token_headers
from tests.conftest import FIXTURES, create_account
from tests.errors.test_api_errors import assert_error, attempt_count, started_session
from tests.web.conftest import Browser

NUL, SURROGATE = "\u0000", "\ud800"
MESSAGE = "Text cannot contain NUL characters or unpaired surrogates."


def raw_json(text: str) -> dict:
    """Send JSON text as written (a lone surrogate escape survives only this way)."""
    return {"data": text, "content_type": "application/json"}


def count(app, model) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin_headers(app):
    return token_headers(app, create_account(app, "ada", "admin"))


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_an_answer_with_unstorable_text_is_refused_before_scoring(app, client, trainee_headers, bad):
    session_id = started_session(client, trainee_headers)
    body = json.dumps({"response": f"Tell me{bad} about that."})  # ensure_ascii: "\u0000", "\ud800"
    for path in ("attempts", "attempts/stream"):
        response = client.post(
            f"/api/v1/sessions/{session_id}/{path}", headers=trainee_headers, **raw_json(body)
        )
        error = assert_error(response, 422, "validation_failed")
        assert error["message"] == MESSAGE and "response" in error["details"]
    assert attempt_count(app) == 0


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_sign_in_with_unstorable_text_is_refused_and_not_audited(app, client, bad):
    body = json.dumps({"username": f"a{bad}b", "password": "x"})
    error = assert_error(client.post("/api/v1/auth/login", **raw_json(body)), 422, "validation_failed")
    assert "username" in error["details"]
    assert count(app, AuditEntry) == 0


def test_the_details_name_the_json_path_and_keys_are_checked(client, admin_headers):
    body = {"display_name": "Ada", "extra": [{"note": f"x{NUL}"}]}
    response = client.patch("/api/v1/admin/users/1", json=body, headers=admin_headers)
    assert assert_error(response, 422, "validation_failed")["details"] == {
        "extra[0].note": "contains a NUL character or an unpaired surrogate"
    }
    response = client.post("/api/v1/admin/cohorts", json={f"na{NUL}me": "C"}, headers=admin_headers)
    assert "body" in assert_error(response, 422, "validation_failed")["details"]


def test_admin_names_with_unstorable_text_store_nothing(app, client, admin_headers):
    made = client.post(
        "/api/v1/admin/users",
        json={"username": "nina", "role": "trainee", "display_name": f"Ni{NUL}na"},
        headers=admin_headers,
    )
    assert "display_name" in assert_error(made, 422, "validation_failed")["details"]
    cohort = client.post("/api/v1/admin/cohorts", json={"name": f"C{NUL}"}, headers=admin_headers)
    assert "name" in assert_error(cohort, 422, "validation_failed")["details"]
    assert count(app, User) == 1 and count(app, Cohort) == 0


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/admin/users?q=%00", "q"),
        ("/api/v1/admin/audit?target=%00", "target"),
        ("/api/v1/admin/audit?target=ok&actor=%00", "actor"),
        ("/api/v1/admin/users?%00=1", "query"),
    ],
)
def test_query_arguments_with_nul_are_refused(client, admin_headers, path, field):
    response = client.get(path, headers=admin_headers)
    assert field in assert_error(response, 422, "validation_failed")["details"]


@pytest.mark.parametrize("path", ["/api/v1/sessions", "/api/v1/auth/login"])
def test_deeply_nested_json_is_a_422(client, trainee_headers, path):
    for depth in (100_000, 40):
        body = '{"scenario_id": ' + "[" * depth + "]" * depth + "}"
        response = client.post(path, headers=trainee_headers, **raw_json(body))
        assert "nested" in assert_error(response, 422, "validation_failed")["message"]


def test_deeply_nested_sign_in_is_a_422_with_the_limiter_on(make_app):
    # The limiter keys sign-in by the username in the body, so it parses the body too.
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    body = '{"username": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert_error(client.post("/api/v1/auth/login", **raw_json(body)), 422, "validation_failed")


@pytest.fixture
def admin_page(app, client):
    create_account(app, "ada", "admin")
    browser = Browser(client)
    assert browser.login("ada").status_code == 302
    return browser


def assert_page_422(response):
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert MESSAGE in html and "Traceback" not in html


def test_pages_refuse_forms_and_queries_with_nul(app, admin_page):
    made = admin_page.post(
        "/admin/people", {"username": "nina", "role": "trainee", "display_name": f"N{NUL}"}
    )
    assert_page_422(made)
    assert_page_422(admin_page.post("/admin/cohorts", {"name": f"C{NUL}"}))
    assert_page_422(admin_page.client.get("/admin/audit?target=%00"))
    refused = admin_page.client.get("/admin/people?q=%00")
    assert_page_422(refused)
    # Refused before the pages' own hook ran, the page still knows who is signed in.
    html = refused.get_data(as_text=True)
    assert "Sign out" in html and 'href="/login"' not in html
    assert count(app, User) == 1 and count(app, Cohort) == 0


def test_the_sign_in_form_refuses_nul(app, client):
    browser = Browser(client)
    assert_page_422(browser.login(f"a{NUL}b"))
    assert count(app, AuditEntry) == 0


def test_a_set_with_nul_is_reported_and_not_published(app, client, admin_headers):
    document = yaml.safe_load((FIXTURES / "mini-set.yaml").read_bytes())
    document["scenarios"][0]["title"] = f"Bad{NUL}title"
    data = json.dumps(document).encode()
    for path in ("/api/v1/scenario-sets/validate", "/api/v1/scenario-sets"):
        upload = {"file": (io.BytesIO(data), "set.json")}
        error = assert_error(client.post(path, headers=admin_headers, data=upload), 422, "validation_failed")
        assert {
            "path": "scenarios[0].title",
            "line": None,
            "message": "contains a NUL character or an unpaired surrogate",
        } in error["details"]["problems"]
    assert count(app, ScenarioSet) == 0


def test_a_yaml_body_with_a_nul_byte_is_reported(app, client, admin_headers):
    response = client.post(
        "/api/v1/scenario-sets/validate",
        headers=admin_headers,
        data=b"key: a\x00b",
        content_type="application/yaml",
    )
    problems = assert_error(response, 422, "validation_failed")["details"]["problems"]
    assert problems[0]["message"].startswith("invalid YAML: unacceptable character #x0000")


def test_a_csv_row_with_nul_fails_alone(app, client, admin_headers):
    csv = (
        "username,role,display_name,cohort\n"
        "amy,trainee,Amy,Cohort A\n"
        f"ben,trainee,Be{NUL}n,Cohort A\n"
        f"cal,trainee,Cal,Cohort{NUL}\n"
        "dee,trainee,Dee,\n"
    ).encode()
    upload = {"file": (io.BytesIO(csv), "people.csv")}
    response = client.post("/api/v1/admin/users/import", headers=admin_headers, data=upload)
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = {row["username"]: row for row in response.get_json()["rows"]}
    assert [rows[name]["status"] for name in ("amy", "ben", "cal", "dee")] == [
        "created",
        "failed",
        "failed",
        "created",
    ]
    assert rows["ben"]["message"].startswith(MESSAGE) and rows["cal"]["message"].startswith(MESSAGE)
    with app.app_context():
        names = set(session.scalars(select(User.username)))
    assert names == {"ada", "amy", "dee"}


def test_the_stream_sends_an_error_event_when_storing_fails(app, client, trainee_headers, monkeypatch):
    from practicum import practice

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    session_id = started_session(client, trainee_headers)
    monkeypatch.setattr(practice, "store_attempt", explode)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts/stream",
        json={"response": "Tell me how you compared them."},
        headers=trainee_headers,
    )
    body = response.get_data(as_text=True)
    last = body.strip().split("\n\n")[-1].splitlines()
    assert last[0] == "event: error" and "secret internal detail" not in body
    reference = response.headers["X-Request-ID"]
    assert json.loads(last[1].removeprefix("data: ")) == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side. Nothing was saved; try again "
            f"(reference {reference}).",
            "details": {"request_id": reference},
        }
    }
    assert attempt_count(app) == 0


def test_a_nul_in_a_multipart_form_is_refused_like_in_any_form(app, mini_set):
    from practicum import library
    from practicum.db import session
    from tests.conftest import create_account
    from tests.web.conftest import Browser

    create_account(app, "tina")
    browser = Browser(app.test_client())
    assert browser.login("tina").status_code == 302
    with app.app_context():
        scenario_id = library.current_scenarios(session)[0].id
    session_id = browser.start(scenario_id)
    for path, fields in (
        (f"/rehearsals/{session_id}/end", {"confidence_after": "3", "reflection": "bad\x00text"}),
        (f"/rehearsals/{session_id}/attempts", {"response": "What do you \x00 think we could try?"}),
    ):
        sent = browser.client.post(
            path, data={"csrf_token": browser.token(), **fields}, content_type="multipart/form-data"
        )
        assert sent.status_code == 422, path
        assert "NUL" in sent.get_data(as_text=True)


def test_the_stream_says_so_when_the_database_goes_away_while_storing(
    app, client, trainee_headers, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from practicum import practice

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    session_id = started_session(client, trainee_headers)
    monkeypatch.setattr(practice, "store_attempt", down)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts/stream",
        json={"response": "Tell me how you compared them."},
        headers=trainee_headers,
    )
    body = response.get_data(as_text=True)
    last = body.strip().split("\n\n")[-1].splitlines()
    error = json.loads(last[1].removeprefix("data: "))["error"]
    assert last[0] == "event: error" and error["code"] == "database_unavailable"
    assert (
        error["details"] == {"request_id": response.headers["X-Request-ID"]} and "server closed" not in body
    )
    assert attempt_count(app) == 0


def test_a_multipart_part_without_a_name_is_no_server_error(client, admin_headers):
    # Found by schemathesis: Content-Disposition with no name= reached the text check as None.
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n"
    headers = {**admin_headers, "Content-Type": "multipart/form-data; boundary=b"}
    answer = client.post("/api/v1/admin/users/import", data=body, headers=headers)
    assert answer.status_code < 500 and "error" in answer.get_json()
