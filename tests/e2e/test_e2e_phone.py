"""On a phone: nothing scrolls sideways, the menu opens, a rehearsal still works, and what each
page is for (the way into an attempt, a trainee's flags, a reflection) stays on screen."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PHONE, look, open_page, sign_in
from tests.e2e.test_e2e_rehearsal import open_scenario, send_with_keyboard, wait_until_saved

pytestmark = pytest.mark.e2e

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_pages_fit_a_360_px_phone(phone, new_trainee):
    phone.goto("/login")
    assert phone.evaluate(FITS)
    sign_in(phone, new_trainee())
    assert phone.evaluate(FITS)
    look(phone, "phone-library")
    phone.get_by_role("button", name="Show the menu").click()
    phone.get_by_role("link", name="History").wait_for(state="visible")
    phone.get_by_role("button", name="Show the menu").click()

    open_scenario(phone, "Which decimal is bigger?")
    send_with_keyboard(phone, "Walk me through how you compared them. What does the 2 stand for?")
    wait_until_saved(phone)
    assert phone.evaluate(FITS)
    assert not phone.locator("#scene").evaluate("details => details.open")  # a drawer now
    look(phone, "phone-rehearsal")
    phone.goto("/history")
    assert phone.evaluate(FITS)
    look(phone, "phone-history")


# What a page must keep inside a phone's width: the way into each attempt, each trainee's name
# and flags, each reflection. Checked at 360 px (small Android) and 390 px (recent iPhone).
PHONES = [PHONE, {"width": 390, "height": 844}]
INSIDE = """element => {
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.left >= 0 && box.right <= document.documentElement.clientWidth;
}"""
NO_SIDEWAYS_SCROLL = "box => box.scrollWidth <= box.clientWidth"


@pytest.fixture(params=PHONES, ids=lambda size: f"{size['width']}px")
def narrow(request, chromium, live):
    """A phone-sized page (each width in PHONES), with the same watch as `phone`."""
    context, page, watch = open_page(chromium, live, request.param)
    yield page
    context.close()
    assert not watch.problems, watch.problems


def inside(locator) -> bool:
    """Whether the element is drawn and lies wholly inside the page's width."""
    return locator.is_visible() and locator.evaluate(INSIDE)


def fits(table) -> bool:
    """Whether the table fits its scrolling box: no column hides off to the right."""
    return table.evaluate(f"t => ({NO_SIDEWAYS_SCROLL})(t.parentElement)")


def test_history_rows_open_their_attempt_on_a_phone(narrow, cohort):
    sign_in(narrow, cohort["keen"])
    narrow.goto("/history")
    rows = narrow.locator("#attempts-table tbody tr")
    assert rows.count() == 2
    assert fits(narrow.locator("#attempts-table"))
    for index in range(rows.count()):
        link = rows.nth(index).get_by_role("link")
        assert "Which decimal is bigger?" in link.inner_text()  # the title itself is the link
        assert inside(link), f"row {index}: the link into the attempt is cut off"
    rows.first.get_by_role("link").click()
    narrow.wait_for_url(re.compile(r"/history/\d+$"))


def test_trainer_sees_the_table_and_flags_first_on_a_phone(narrow, cohort):
    sign_in(narrow, cohort["trainer"])
    narrow.goto("/trainer")
    table = narrow.locator("#cohort-table")
    assert fits(table)
    top = table.evaluate("t => t.getBoundingClientRect().top")
    assert top < narrow.viewport_size["height"], "the trainee table starts below the first screen"
    charts = narrow.locator("#chart-distribution").evaluate("c => c.getBoundingClientRect().top")
    assert top < charts, "the charts come before the trainee table on a phone"
    quiet = narrow.locator(f"tr[data-username={cohort['quiet']}]")
    assert inside(quiet.get_by_role("link", name=cohort["quiet"], exact=True))
    for flag in ("inactive", "low_average"):
        assert inside(quiet.locator(f"[data-flag={flag}]")), f"the {flag} flag is off-screen"
    look(narrow, f"phone-trainer-dashboard-{narrow.viewport_size['width']}")

    narrow.get_by_role("link", name=cohort["keen"], exact=True).click()
    narrow.wait_for_url(re.compile(r"/trainer/trainees/\d+$"))
    sessions = narrow.locator("#sessions-table")
    assert fits(sessions)
    assert inside(sessions.get_by_text("I asked before telling."))
    look(narrow, f"phone-trainee-{narrow.viewport_size['width']}")


def test_the_keyboard_hint_is_hidden_on_a_phone(narrow, new_trainee):
    sign_in(narrow, new_trainee())
    open_scenario(narrow, "Which decimal is bigger?")
    assert narrow.get_by_label("What would you say to Maya?").is_visible()
    assert not narrow.locator("#response-help").is_visible()  # "Ctrl+Enter" means nothing here
