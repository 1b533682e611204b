"""Server-side web sessions: signing out, a password reset or deactivation ends a copied cookie."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from practicum.db import session
from practicum.models import User, WebSession, utcnow
from tests.conftest import create_account
from tests.web.conftest import Browser


@pytest.fixture
def sign_in(app):
    """Sign someone in through the form in a browser of their own; return that browser."""

    def as_user(username: str) -> Browser:
        browser = Browser(app.test_client())
        assert browser.login(username).status_code == 302
        return browser

    return as_user


def copy_of_cookie(app, browser: Browser):
    """Another browser holding a copy of this browser's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", browser.client.get_cookie("session").value)
    return thief


def sessions_of(app, username: str) -> list[WebSession]:
    with app.app_context():
        return list(session.scalars(select(WebSession).join(User).where(User.username == username)))


def test_the_cookie_keeps_only_a_token_and_the_table_only_its_hash(app, sign_in):
    create_account(app, "tina")
    browser = sign_in("tina")
    with browser.client.session_transaction() as state:
        token = state["sid"]
        assert "user_id" not in state
    (row,) = sessions_of(app, "tina")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert row.ended_at is None


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, sign_in):
    create_account(app, "tina")
    browser = sign_in("tina")
    thief = copy_of_cookie(app, browser)
    assert thief.get("/library").status_code == 200
    assert browser.post("/logout").status_code == 302
    response = thief.get("/library")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    (row,) = sessions_of(app, "tina")
    assert row.ended_at is not None
    with thief.session_transaction() as state:  # the refused cookie is forgotten too
        assert "sid" not in state


def test_an_admin_password_reset_ends_only_that_persons_sessions(app, sign_in):
    for name, role in (("tina", "trainee"), ("tom", "trainee"), ("ada", "admin")):
        create_account(app, name, role)
    tina_here, tina_there, tom, ada = sign_in("tina"), sign_in("tina"), sign_in("tom"), sign_in("ada")
    tina_id = sessions_of(app, "tina")[0].user_id
    reset = ada.post(f"/admin/people/{tina_id}/password")
    assert 'data-slot="password"' in reset.get_data(as_text=True)
    for browser in (tina_here, tina_there):
        response = browser.client.get("/library")
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert tom.client.get("/library").status_code == 200
    assert ada.client.get("/admin/people").status_code == 200
    assert all(row.ended_at is not None for row in sessions_of(app, "tina"))
    assert all(row.ended_at is None for row in sessions_of(app, "tom"))


def test_reactivating_an_account_does_not_revive_its_old_cookies(app, sign_in):
    create_account(app, "tina")
    create_account(app, "ada", "admin")
    tina, ada = sign_in("tina"), sign_in("ada")
    thief = copy_of_cookie(app, tina)
    tina_id = sessions_of(app, "tina")[0].user_id
    ada.post(f"/admin/people/{tina_id}/active", {"active": "no"})
    ada.post(f"/admin/people/{tina_id}/active", {"active": "yes"})
    assert thief.get("/library").status_code == 302
    assert tina.client.get("/library").status_code == 302
    assert sign_in("tina").client.get("/library").status_code == 200  # a new sign-in works


def test_a_cookie_from_before_server_side_sessions_is_not_accepted(app, client):
    tina_id = create_account(app, "tina")
    with client.session_transaction() as state:
        state["user_id"] = tina_id
    assert client.get("/library").status_code == 302


def test_a_sign_in_ends_after_the_configured_hours(app, sign_in):
    wendy = create_account(app, "wendy", "trainee")
    browser = sign_in("wendy")
    assert browser.client.get("/library").status_code == 200
    hours = app.config["PRACTICUM"].WEB_SESSION_HOURS
    with app.app_context():
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == wendy)
            .values(created_at=utcnow() - timedelta(hours=hours, minutes=1))
        )
        session.commit()
    assert browser.client.get("/library").status_code == 302  # to the sign-in page


def test_a_sign_in_clears_the_accounts_month_old_sessions(app, sign_in):
    xavier = create_account(app, "xavier", "trainee")
    sign_in("xavier")
    with app.app_context():
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == xavier)
            .values(created_at=utcnow() - timedelta(days=31))
        )
        session.commit()
    sign_in("xavier")
    assert len(sessions_of(app, "xavier")) == 1
