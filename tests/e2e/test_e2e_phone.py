"""At 360 px wide: nothing scrolls sideways, the menu opens, and a rehearsal still works."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import look, sign_in
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
