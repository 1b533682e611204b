"""Browser tests: the app on a real port in a thread, driven by Debian's chromium via Playwright."""

from __future__ import annotations

import itertools
import logging
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select, update

from ai.feedback import FeedbackWriter
from ai.llm import FakeLLM
from practicum import create_app, library, practice, runtime
from practicum.db import session
from practicum.models import Attempt, Cohort, User, utcnow
from tests.conftest import (
    FIXTURES,
    PASSWORD,
    Served,
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
STRONG = (
    "Walk me through how you compared 0.25 and 0.3. What does the 2 in 0.25 stand for? "
    "Look at the tenths place first and tell me what you notice."
)
WEAK = "No, that is wrong. The answer is 0.3."
_usernames = itertools.count(1)


class LiveServer(Served):
    """A Flask app served on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, app):
        super().__init__(app)
        self.app = app


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


def unique(prefix: str) -> str:
    """A name no other test in this run uses."""
    return f"{prefix}{next(_usernames)}"


@pytest.fixture
def new_trainee(live):
    """Create a fresh trainee account (each test its own person) and return its username."""

    def create(prefix: str = "trainee") -> str:
        username = unique(prefix)
        create_account(live.app, username, "trainee", "Cohort E")
        return username

    return create


def rehearse(
    app,
    username: str,
    response: str,
    days_ago: float,
    reflection: str = "",
    scenario_key: str = "decimal-compare",
) -> int:
    """Store a scored attempt for a trainee through the service, dated days_ago."""
    with app.app_context():
        user = session.scalar(select(User).where(User.username == username))
        scenario = library.scenario_by_key(session, scenario_key)
        started = practice.start_session(session, user, scenario.id, 2)
        scored = practice.score_attempt(session, user, started.id, response, runtime.embedder(app))
        attempt = practice.store_attempt(session, scored, FeedbackWriter(None).write(scored.facts))
        practice.end_session(session, user, started.id, 4, reflection or None)
        session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id)
            .values(created_at=utcnow() - timedelta(days=days_ago))
        )
        session.commit()
        return attempt.id


@pytest.fixture
def cohort(live):
    """A trainer with a cohort of two trainees: one improving, one gone quiet and weak."""
    names = {"trainer": unique("coach"), "keen": unique("keen"), "quiet": unique("quiet")}
    cohort_name = unique("Cohort ")
    create_account(live.app, names["trainer"], "trainer")
    for key in ("keen", "quiet"):
        create_account(live.app, names[key], "trainee", cohort_name)
    with live.app.app_context():
        trainer = session.scalar(select(User).where(User.username == names["trainer"]))
        session.execute(update(Cohort).where(Cohort.name == cohort_name).values(trainer_id=trainer.id))
        session.commit()
    rehearse(live.app, names["keen"], WEAK, 10)
    names["attempt"] = rehearse(live.app, names["keen"], STRONG, 1, "I asked before telling.")
    for days in (40, 39, 38):
        rehearse(live.app, names["quiet"], WEAK, days)
    return names


@pytest.fixture
def admin(live):
    """Create an admin account and return its username."""
    username = unique("admin")
    create_account(live.app, username, "admin")
    return username


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
    """Sign in with the keyboard only: the username field has focus on arrival.

    Each role lands on its own start page (library, trainer dashboard, admin people).
    """
    page.goto("/login")
    page.wait_for_function("document.activeElement.id === 'username'")  # autofocus is async
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")


LOW_CONTRAST = (Path(__file__).parent / "low_contrast.js").read_text()
AXE = Axe()  # axe-core's script, read from the wheel once
FAILING_IMPACTS = {"serious", "critical"}
# (axe rule id, element selector) -> why axe is wrong there. One rule on one element, never a
# rule everywhere; add an entry only for a finding shown to be a false positive.
AXE_FALSE_POSITIVES: dict[tuple[str, str], str] = {}


def low_contrast(page) -> list[str]:
    """Return the visible text on the page below WCAG AA contrast against its background."""
    problems = page.evaluate(LOW_CONTRAST)
    assert isinstance(problems, list), "the contrast check did not run"
    return problems


def axe_violations(page) -> list[str]:
    """Run axe-core (bundled in the wheel, nothing fetched) and list serious or critical findings."""
    found = []
    for rule in AXE.run(page).response["violations"]:
        for node in rule["nodes"]:
            target = " >> ".join(node["target"])
            impact = node.get("impact") or rule["impact"]
            if impact in FAILING_IMPACTS and (rule["id"], target) not in AXE_FALSE_POSITIVES:
                found.append(f"{rule['id']} ({impact}) at {target}: {rule['help']} [{node['html'][:120]}]")
    return found


def accessibility_problems(page) -> list[str]:
    """Text below WCAG AA contrast and axe's serious or critical findings on the page."""
    return [f"contrast: {text}" for text in low_contrast(page)] + axe_violations(page)


def look(page, name: str) -> None:
    """Screenshot a page for reviewers and audit it: AA text contrast and an axe run."""
    screenshot(page, name)
    problems = accessibility_problems(page)
    assert not problems, f"{name}: accessibility problems:\n" + "\n".join(problems)
