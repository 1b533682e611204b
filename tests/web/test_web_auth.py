"""Signing in and out of the pages: cookie session, CSRF, rate limit, deactivation, redirects."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from practicum.db import session
from practicum.models import User
from tests.conftest import create_account

PROTECTED = ["/library", "/history", "/history/1", "/scenarios/1", "/rehearsals/1"]


def test_login_page_has_a_labelled_form_with_a_csrf_field(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="username"' in html and '<label for="password"' in html
    assert 'name="csrf_token"' in html
    assert "localStorage" not in html


def test_sign_in_lands_on_the_library_and_sign_out_ends_it(app, mini_set, browser, client):
    create_account(app, "tina")
    response = browser.login("tina")
    assert response.status_code == 302 and response.headers["Location"] == "/library"
    assert "Which decimal is bigger?" in client.get("/library").get_data(as_text=True)
    response = browser.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/library").status_code == 302


def test_wrong_password_is_refused_with_a_readable_message(app, browser):
    create_account(app, "tina")
    response = browser.login("tina", "not the password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/login", "/logout"])
def test_a_post_without_the_csrf_token_is_refused(app, client, path):
    create_account(app, "tina")
    client.get("/login")
    response = client.post(path, data={"username": "tina", "password": "x" * 12})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Reload it and try again" in response.get_data(as_text=True)


def test_a_wrong_csrf_token_is_refused(app, browser, client):
    create_account(app, "tina")
    browser.login("tina")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/library").status_code == 200  # still signed in


@pytest.mark.parametrize("path", PROTECTED)
def test_pages_need_a_signed_in_account(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(app, browser):
    create_account(app, "tina")
    assert browser.login("tina", next="/history").headers["Location"] == "/history"
    browser.post("/logout")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert browser.login("tina", next=target).headers["Location"] == "/library"
        browser.post("/logout")


def test_a_deactivated_account_is_signed_out_at_once(app, trainee, client):
    assert client.get("/library").status_code == 200
    with app.app_context():
        session.execute(update(User).where(User.username == "tina").values(active=False))
        session.commit()
    assert client.get("/library").status_code == 302
    with client.session_transaction() as state:
        assert "sid" not in state


def test_sign_in_is_rate_limited_with_a_readable_page(make_app, mini_set):
    from tests.web.conftest import Browser

    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    create_account(app, "tina")
    browser = Browser(app.test_client())
    for _ in range(2):
        assert browser.login("tina", "wrong password!").status_code == 401
    response = browser.login("tina", "wrong password!")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "Too many tries" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


def test_the_page_script_is_told_in_json_when_signed_out(browser, client):
    response = client.post(
        "/rehearsals/1/attempts/stream",
        json={"response": "hi"},
        headers={"Accept": "text/event-stream, application/json", "X-CSRF-Token": browser.token()},
    )
    assert response.status_code == 401
    assert "signed out" in response.get_json()["error"]["message"]
