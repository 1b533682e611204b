"""The library in a browser: searching, filtering and turning pages, audited at every step."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete

from practicum.db import session
from practicum.models import ScenarioSet
from tests.e2e.conftest import look, sign_in
from tests.library_rows import add_scenarios

pytestmark = pytest.mark.e2e


@pytest.fixture
def pizza_library(live):
    """30 more scenarios about pizza fractions (after the mini set's in category order), then gone."""
    about = {
        "category": "wellbeing-disclosure",
        "subject": "Maths",
        "context": "Sharing fractions of a pizza.",
    }
    rows = [{"key": f"p{n}", "title": f"Pizza slices {n:02d}", **about} for n in range(30)]
    add_scenarios(live.app, rows, set_key="e2e-pizza")
    yield
    with live.app.app_context():
        session.execute(delete(ScenarioSet).where(ScenarioSet.key == "e2e-pizza"))
        session.commit()


def test_search_filter_and_turn_pages(page, new_trainee, pizza_library):
    sign_in(page, new_trainee())
    page.goto("/library")
    assert re.fullmatch(r"Showing 1–24 of \d+ scenarios\.", page.get_by_role("status").inner_text())
    look(page, "library-paged")
    page.get_by_label("Search").fill("fractions")
    page.get_by_label("Subject").select_option("Maths")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"q=fractions"))
    assert "30 matching" in page.get_by_role("status").inner_text()
    page.get_by_role("navigation", name="Library pages").get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["fractions"], "subject": ["Maths"], "page": ["2"]}
    assert page.get_by_label("Search").input_value() == "fractions"
    assert page.locator(".scenario-card").count() == 6
    look(page, "library-searched-page-2")
    page.get_by_role("link", name="Page 1").click()
    assert page.locator(".scenario-card").count() == 24
