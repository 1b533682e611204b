"""Where people land: each role on its own start page, and a forced password change goes on."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from practicum.db import session
from practicum.models import User
from tests.conftest import PASSWORD, create_account
from tests.web.conftest import Browser

NEW = "a sentence of my own choosing"
HOMES = {"trainee": "/library", "trainer": "/trainer", "admin": "/admin/people"}


def must_change(app, username: str) -> None:
    """Flag an account as holding a password someone else chose."""
    with app.app_context():
        session.execute(update(User).where(User.username == username).values(must_change_password=True))
        session.commit()


def choose_own(browser: Browser, next_path: str | None = None):
    data = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    if next_path is not None:
        data["next"] = next_path
    return browser.post("/account/password", data)


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_own_start_page(app, mini_set, client, browser, role):
    create_account(app, "pat", role)
    signed_in = browser.login("pat")
    assert signed_in.status_code == 302 and signed_in.location == HOMES[role]
    assert client.get(HOMES[role]).status_code == 200
    assert client.get("/").location == HOMES[role]  # the brand link goes home too
    assert client.get("/login").location == HOMES[role]  # already signed in


def test_the_front_door_sends_a_visitor_to_sign_in_without_a_fixed_destination(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/login"


@pytest.mark.parametrize("role", sorted(HOMES))
def test_a_page_asked_for_still_comes_first(app, mini_set, browser, role):
    create_account(app, "pat", role)
    assert browser.login("pat", next="/account").location == "/account"


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "history"]
)
def test_a_next_that_leaves_the_site_goes_to_the_roles_start_page(app, mini_set, browser, target):
    create_account(app, "terry", "trainer")
    assert browser.login("terry", next=target).location == "/trainer"


def test_a_forced_change_returns_to_the_page_that_was_asked_for(app, mini_set, browser, client):
    create_account(app, "terry", "trainer")
    must_change(app, "terry")
    assert browser.login("terry", next="/trainer?flag=inactive").location == "/trainer?flag=inactive"
    stopped = client.get("/trainer?flag=inactive")
    assert stopped.status_code == 302
    assert stopped.location.startswith("/account?next=")
    page = client.get(stopped.location).get_data(as_text=True)
    assert 'name="next" value="/trainer?flag=inactive"' in page
    done = choose_own(browser, "/trainer?flag=inactive")
    assert done.status_code == 302 and done.location == "/trainer?flag=inactive"
    assert "Your password has changed" in client.get(done.location).get_data(as_text=True)


@pytest.mark.parametrize("role", sorted(HOMES))
def test_a_forced_change_with_nowhere_asked_goes_to_the_roles_start_page(app, mini_set, browser, role):
    create_account(app, "pat", role)
    must_change(app, "pat")
    browser.login("pat")
    done = choose_own(browser)
    assert done.status_code == 302 and done.location == HOMES[role]


def test_a_forced_change_never_goes_off_site(app, mini_set, browser, client):
    create_account(app, "ada", "admin")
    must_change(app, "ada")
    browser.login("ada")
    page = client.get("/account?next=//evil.example/").get_data(as_text=True)
    assert "evil.example" not in page
    assert choose_own(browser, "https://evil.example/").location == "/admin/people"


def test_a_chosen_change_stays_on_the_account_page(app, mini_set, browser):
    create_account(app, "tina")
    browser.login("tina")
    done = choose_own(browser)
    assert done.status_code == 302 and done.location == "/account"


def test_a_refused_forced_change_keeps_where_it_was_going(app, mini_set, browser):
    create_account(app, "tina")
    must_change(app, "tina")
    browser.login("tina")
    typed = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW + "!"}
    refused = browser.post("/account/password", {**typed, "next": "/history"})
    assert refused.status_code == 422
    assert 'name="next" value="/history"' in refused.get_data(as_text=True)


def test_the_error_page_links_to_the_roles_own_start_page(app, mini_set, browser, client):
    create_account(app, "terry", "trainer")
    browser.login("terry")
    page = client.get("/history/999999").get_data(as_text=True)
    assert 'href="/trainer"' in page and "Go to your cohort&#39;s progress" in page
