"""Browser tests: the app on a real port in a thread, driven by Debian's chromium via Playwright."""

from __future__ import annotations

import itertools
import logging
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ai.llm import FakeLLM
from practicum import create_app
from practicum.db import session
from tests.conftest import (
    FIXTURES,
    PASSWORD,
    clear_database,
    create_account,
    import_file,
    test_config,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
# Slow enough per word that the coaching visibly streams in.
STREAM_DELAY_S = 0.04
_usernames = itertools.count(1)


class LiveServer:
    """A Flask app served on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """One headless chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is not installed: run `make browser`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory, database_url, engine):
    """The app with the fake embedder and a slow fake LLM, the mini set, on a real port."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the output
    clear_database(engine)
    app = create_app(test_config(tmp_path_factory.mktemp("e2e"), database_url))
    app.extensions["practicum.llm"] = FakeLLM(delay_s=STREAM_DELAY_S)
    import_file(app, FIXTURES / "mini-set.yaml")
    with LiveServer(app) as server:
        yield server
    session.remove()


@pytest.fixture
def new_trainee(live):
    """Create a fresh trainee account (each test its own person) and return its username."""

    def create(prefix: str = "trainee") -> str:
        username = f"{prefix}{next(_usernames)}"
        create_account(live.app, username, "trainee", "Cohort E")
        return username

    return create


class Watch:
    """What a page did that it must not: script errors, CSP violations, other hosts."""

    def __init__(self, page, base_url: str):
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._console)
        page.on("request", lambda request: self._request(request.url, base_url))

    def _console(self, message):
        # A failed load is how some tests probe errors; CSP refusals and script errors are not.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def _request(self, url: str, base_url: str):
        if not (url.startswith(base_url) or url.startswith("data:")):
            self.problems.append(f"request to another host: {url}")


def open_page(chromium, live, viewport):
    context = chromium.new_context(base_url=live.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page, Watch(page, live.url)


@pytest.fixture
def page(chromium, live):
    """A desktop-sized page; the test fails if the page errs, breaks the CSP or calls out."""
    context, page, watch = open_page(chromium, live, DESKTOP)
    yield page
    context.close()
    assert not watch.problems, watch.problems


@pytest.fixture
def phone(chromium, live):
    """A 360 px wide page, with the same watch."""
    context, page, watch = open_page(chromium, live, PHONE)
    yield page
    context.close()
    assert not watch.problems, watch.problems


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot for reviewers under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in with the keyboard only: the username field has focus on arrival."""
    page.goto("/login")
    page.wait_for_function("document.activeElement.id === 'username'")  # autofocus is async
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/library")


LOW_CONTRAST = (Path(__file__).parent / "low_contrast.js").read_text()


def low_contrast(page) -> list[str]:
    """Return the visible text on the page below WCAG AA contrast against its background."""
    problems = page.evaluate(LOW_CONTRAST)
    assert isinstance(problems, list), "the contrast check did not run"
    return problems


def look(page, name: str) -> None:
    """Screenshot a page for reviewers and check its text contrast (WCAG AA)."""
    screenshot(page, name)
    problems = low_contrast(page)
    assert not problems, f"{name}: text below AA contrast: {problems}"
