"""Page tests with Flask's test client: signing in through the form, CSRF tokens included."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, create_account

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """A test client that signs in through the form and sends the page's CSRF token."""

    def __init__(self, client):
        self.client = client

    def token(self) -> str:
        """Return the session's CSRF token, as a page would show it."""
        with self.client.session_transaction() as state:
            if state.get("csrf_token"):
                return state["csrf_token"]
        page = self.client.get("/login", follow_redirects=True).get_data(as_text=True)
        return TOKEN.search(page).group(1)

    def login(self, username: str, password: str = PASSWORD, **extra):
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": self.token(), **extra}
        )

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.token(), **(data or {})}, **kwargs)

    def start(self, scenario_id: int, confidence: int = 3) -> int:
        self.client.get(f"/scenarios/{scenario_id}")
        response = self.post(f"/scenarios/{scenario_id}/start", {"confidence_before": str(confidence)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def trainee(app, mini_set, browser):
    """Tina, a trainee, signed in through the sign-in form."""
    create_account(app, "tina", "trainee", "Cohort T")
    assert browser.login("tina").status_code == 302
    return browser


@pytest.fixture
def scenario_ids(app, mini_set):
    from practicum import library
    from practicum.db import session

    with app.app_context():
        return {s.key: s.id for s in library.current_scenarios(session)}
