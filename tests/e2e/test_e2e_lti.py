"""An LMS frames Practicum (Chromium): an instructor places a scenario by deep linking, a learner
rehearses it inside the LMS's page, and the score arrives in the LMS's gradebook.

The test platform (tests/lti_platform.py) is served as http://127.0.0.1:PORT and Practicum as
http://localhost:PORT: two sites, so the frame is a cross-site context as in a real LMS, and the
launch is a cross-site POST (state cookie and session cookie are SameSite=None; Secure, which
browsers accept on loopback addresses).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from ai.llm import FakeLLM
from lti import platforms
from practicum import create_app
from practicum.admin import Actor
from practicum.db import session
from practicum.models import User
from tests.conftest import FIXTURES, create_account, import_file
from tests.conftest import test_config as config_for_tests
from tests.e2e.conftest import STRONG, screenshot, unique
from tests.lti_platform import INSTRUCTOR, LEARNER, Served, TestPlatform

ANSWER_BOX = "What would you say to Maya?"


@pytest.fixture
def lms(tmp_path, database_url, engine):
    """The test platform on localhost and Practicum (framable by it) on 127.0.0.1, registered."""
    platform = TestPlatform(tool_url="", host="127.0.0.1")
    app = create_app(config_for_tests(tmp_path, database_url, FRAME_ANCESTORS=platform.url))
    app.extensions["practicum.llm"] = FakeLLM()
    import_file(app, FIXTURES / "mini-set.yaml")
    admin_id = create_account(app, unique("ltiadmin"), "admin")
    with Served(app, host="localhost") as tool, platform.served:
        platform.tool_url = tool.url
        with app.app_context():
            platforms.register(session, Actor(session.get(User, admin_id)), platform.registration())
        yield platform
    session.remove()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1300, "height": 950})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def course_page(platform: TestPlatform, params: dict) -> str:
    return f"{platform.url}/course?{urlencode(params)}"


def test_deep_linking_a_framed_rehearsal_and_the_grade_in_the_lms(lms, browser_page):
    page, teacher, learner = browser_page, unique("teacher"), unique("learner")
    # The instructor adds an activity: the LMS frames Practicum's picker.
    page.goto(
        course_page(
            lms, lms.prepare(subject=teacher, roles=(INSTRUCTOR,), message_type="LtiDeepLinkingRequest")
        )
    )
    frame = page.frame_locator("#tool")
    frame.get_by_label("Which decimal is bigger?").check()
    screenshot(page, "lti-deep-linking-picker")
    frame.get_by_role("button", name="Add to the course").click()
    frame.get_by_role("heading", name="Activity added").wait_for()
    (item,) = lms.deep_links[-1]["items"]
    assert item["custom"] == {"scenario": "mini-set/decimal-compare"}
    # A learner opens the placed activity: the rehearsal, framed, signed in as a new trainee.
    page.goto(course_page(lms, lms.prepare(subject=learner, roles=(LEARNER,), custom=item["custom"])))
    frame = page.frame_locator("#tool")
    box = frame.get_by_label(ANSWER_BOX)
    box.fill(STRONG)
    box.press("Control+Enter")
    score = frame.locator("[data-slot=score]").last.filter(has_text=re.compile(r"\d"))
    score.wait_for()
    shown = int(re.search(r"\d+", score.inner_text()).group())
    frame.locator("label[for=confidence_after-4]").click()
    frame.get_by_role("button", name="End rehearsal").click()
    frame.get_by_role("heading", name="This rehearsal has ended").wait_for()
    screenshot(page, "lti-framed-rehearsal")
    # The LMS's gradebook has the score, once.
    page.goto(f"{lms.url}/gradebook")
    rows = page.locator("#grades tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split() == [learner, str(shown)]  # one answer: its score is the grade
