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
from practicum import create_app
from practicum.admin import Actor
from practicum.db import session
from practicum.lti import platforms
from practicum.models import User
from tests.conftest import FIXTURES, create_account, import_file
from tests.conftest import test_config as config_for_tests
from tests.e2e.conftest import STRONG, look, screenshot, sign_in, unique
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
        platform.practicum = app
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


def lms_app(platform: TestPlatform):
    """Return the Practicum app the LMS fixture serves."""
    return platform.practicum


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


def test_the_lti_pages_pass_the_accessibility_checks_and_launch_outside_a_frame(lms, chromium):
    """The admin's LMS page and the picker, as their users see them, in a window of their own."""
    context = chromium.new_context(base_url=lms.tool_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        admin = unique("ltiadmin")
        create_account(lms_app(lms), admin, "admin")
        sign_in(page, admin)
        page.goto("/admin/lti")
        assert page.get_by_text(f"{lms.tool_url}/lti/jwks").is_visible()
        look(page, "lti-admin-platforms")
        page.locator("#lti-platforms tr", has_text=lms.url).get_by_role("link").click()
        look(page, "lti-admin-platform")
        # A deep-linking launch in a window (a top-level cross-site POST back from the LMS).
        page.goto(
            f"{lms.tool_url}/lti/login?"
            + urlencode(
                lms.prepare(subject=unique("t"), roles=(INSTRUCTOR,), message_type="LtiDeepLinkingRequest")
            )
        )
        page.get_by_role("heading", name="Choose what to add to your course").wait_for()
        look(page, "lti-deep-linking-picker-window")
        page.get_by_label("The whole set (2 scenarios)").check()
        page.get_by_role("button", name="Add to the course").click()
        page.get_by_role("heading", name="Activity added").wait_for()
        assert lms.deep_links[-1]["items"][0]["custom"] == {"set": "mini-set"}
    finally:
        context.close()
