"""The account page: change your own password; other sign-ins end, this one carries on."""

from sqlalchemy import select

from practicum.db import session
from practicum.models import AuditEntry
from tests.conftest import PASSWORD, create_account
from tests.web.conftest import Browser

NEW = "a sentence I will remember"


def change(browser: Browser, current: str, new: str, confirm: str | None = None):
    data = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }
    return browser.post("/account/password", data)


def test_the_account_page_shows_who_you_are(trainee):
    page = trainee.client.get("/account").get_data(as_text=True)
    assert "Your account" in page and "tina" in page and "Cohort T" in page
    assert 'autocomplete="new-password"' in page


def test_changing_the_password_keeps_this_browser_and_signs_out_the_others(app, trainee):
    other = Browser(app.test_client())
    assert other.login("tina").status_code == 302
    assert other.client.get("/library").status_code == 200
    done = change(trainee, PASSWORD, NEW)
    assert done.status_code == 302 and done.location.endswith("/account")
    page = trainee.client.get("/account").get_data(as_text=True)
    assert "Your password has changed" in page
    assert trainee.client.get("/library").status_code == 200
    assert other.client.get("/library").status_code == 302  # the other browser is signed out
    fresh = Browser(app.test_client())
    assert fresh.login("tina").status_code == 401
    assert fresh.login("tina", NEW).status_code == 302


def test_a_refused_change_is_a_readable_page_and_changes_nothing(app, trainee):
    for current, new, confirm, says in (
        ("wrong password", NEW, None, "Your current password is not right"),
        (PASSWORD, NEW, NEW + "!", "differ"),
        (PASSWORD, "short", None, "at least 12 characters"),
        (PASSWORD, "password1234", None, "common and leaked passwords"),
        (PASSWORD, PASSWORD, None, "the password you have now"),
    ):
        refused = change(trainee, current, new, confirm)
        assert refused.status_code == 422
        assert refused.mimetype == "text/html" and says in refused.get_data(as_text=True)
    assert trainee.client.get("/library").status_code == 200
    assert Browser(app.test_client()).login("tina").status_code == 302
    with app.app_context():
        assert "password_changed" not in set(session.scalars(select(AuditEntry.action)))


def test_the_change_needs_the_pages_csrf_token(trainee):
    data = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    assert trainee.client.post("/account/password", data=data).status_code in (400, 403)


def test_password_changes_are_rate_limited_per_account(make_app, mini_set):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    create_account(app, "tina")
    browser = Browser(app.test_client())
    assert browser.login("tina").status_code == 302
    for _ in range(2):
        assert change(browser, "wrong password", NEW).status_code == 422
    limited = change(browser, PASSWORD, NEW)
    assert limited.status_code == 429 and limited.mimetype == "text/html"


def test_a_password_an_admin_set_must_be_replaced_before_the_pages_open(app, mini_set):
    from practicum import admin
    from practicum.admin import Actor
    from practicum.models import User

    create_account(app, "ada", "admin")
    with app.app_context():
        ada = session.scalar(select(User).where(User.username == "ada"))
        _, generated = admin.create_person(session, Actor(ada, ""), "nina", "trainee")
    nina = Browser(app.test_client())
    arrived = nina.login("nina", generated)
    assert arrived.status_code == 302
    library = nina.client.get("/library")
    assert library.status_code == 302 and library.location == "/account?next=/library"
    page = nina.client.get("/account").get_data(as_text=True)
    assert "Choose your own password to go on" in page
    fetch = nina.client.get("/history", headers={"Accept": "application/json"})
    assert fetch.status_code == 403 and "Choose your own password" in fetch.get_json()["error"]["message"]
    assert change(nina, generated, NEW).status_code == 302
    assert nina.client.get("/library").status_code == 200
    assert "Choose your own password" not in nina.client.get("/account").get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(User.must_change_password).where(User.username == "nina")) is False
        # An admin's reset hands over a password the admin knows: the holder replaces it again.
        user = session.scalar(select(User).where(User.username == "nina"))
        admin.reset_password(session, Actor(ada, ""), user.id)
        assert session.scalar(select(User.must_change_password).where(User.username == "nina")) is True
