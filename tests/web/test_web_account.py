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
        (PASSWORD, "short", None, "at least 10 characters"),
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
