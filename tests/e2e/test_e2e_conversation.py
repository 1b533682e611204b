"""A three-turn conversation in Chromium, down two branches, at 1280 and 360 px, with axe checks."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURES, import_file
from tests.e2e.conftest import accessibility_problems, look, sign_in

pytestmark = pytest.mark.e2e

TITLE = "The phone that will not go away"
THREAT = "Nobody cares about the time, Jordan. Shut up and give me the phone."
PLAIN = "Jordan, let's get the phone away and make a start on the first question now."
THANKS = "Thanks, Jordan. Question one is on the board when you're ready."
POINT = "This one here, about the angles. Read it and tell me what it asks."
COME_BACK = "Jordan, sit back down and we'll talk after class. Nobody is sending you anywhere."
LAST_TURN = "#chat .turn >> nth=-1"


@pytest.fixture(scope="module", autouse=True)
def conversation_set(live):
    import_file(live.app, FIXTURES / "conversation-set.yaml")


def start(page) -> None:
    page.goto("/library?q=phone")
    page.get_by_role("link", name=f"Rehearse “{TITLE}”").click()
    page.locator("label[for=confidence_before-3]").click()
    page.get_by_role("button", name=re.compile(r"^Start (a new )?rehearsal$")).click()
    page.wait_for_url(re.compile(r"/rehearsals/\d+$"))


def answer(page, text: str, turn: int) -> str:
    """Send an answer as turn `turn`; return the student's reply once the attempt is saved."""
    assert page.locator("#turn-status").inner_text().startswith(f"Turn {turn} of at most 5")
    page.get_by_label("What would you say to Jordan?").fill(text)
    page.get_by_role("button", name="Send").click()
    last = page.locator(LAST_TURN)
    last.get_by_role("link", name="Details").wait_for()
    assert last.get_attribute("aria-label") == f"Turn {turn}: your answer and its feedback"
    return last.locator("[data-slot=follow-up]").inner_text()


def expect_ending(page, label: str, summary: str) -> None:
    ending = page.locator("#conversation-ending")
    ending.wait_for()
    assert label in ending.inner_text() and summary in ending.inner_text()
    assert page.get_by_label("Revise your last answer to Jordan").is_visible()


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_the_calm_branch_resolves_in_three_turns(request, viewport, new_trainee):
    page = request.getfixturevalue(viewport)
    sign_in(page, new_trainee())
    start(page)
    assert page.locator("#chat").get_attribute("role") == "log"
    assert answer(page, PLAIN, 1) == "I said I was checking the time."
    assert answer(page, THANKS, 2) == "[opens the book] Which one is question one?"
    assert answer(page, POINT, 3) == "[starts writing]"
    expect_ending(page, "Resolved", "Resolved after 3 turns: settled once you moved on in turn 2.")
    scores = page.locator("#conversation-ending [data-slot=turn-scores] li").all_inner_texts()
    assert [s.split(":")[0] for s in scores] == ["Turn 1", "Turn 2", "Turn 3"]
    look(page, f"conversation-resolved-{viewport}")
    assert accessibility_problems(page) == []
    page.reload()  # the server draws the same conversation
    expect_ending(page, "Resolved", "settled once you moved on in turn 2")
    assert page.locator("#chat .turn").count() == 3


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_a_red_line_escalates_and_a_revision_takes_another_branch(request, viewport, new_trainee):
    page = request.getfixturevalue(viewport)
    sign_in(page, new_trainee())
    start(page)
    assert answer(page, THREAT, 1) == "[stands up] Fine, I'm going then."
    assert page.locator(LAST_TURN).locator(".red-lines").is_visible()
    assert answer(page, COME_BACK, 2) == "[sits down slowly] ...after class, then."
    assert answer(page, POINT, 3) == "[starts writing]"
    expect_ending(page, "Resolved", "escalated after the put-down in turn 1")
    # Revise the last turn: the form says so, and the new answer replaces turn 3.
    page.locator(LAST_TURN).get_by_role("button", name="Revise my answer (turn 3)").click()
    box = page.get_by_label("Revise your last answer to Jordan")
    assert box.input_value() == POINT
    box.fill("Whatever. Do it or don't, I don't care.")
    page.get_by_role("button", name="Send").click()
    page.locator(LAST_TURN).get_by_role("link", name="Details").wait_for()
    assert page.locator("#chat .turn.turn-replaced").count() == 1
    assert "Replaced by your revision" in page.locator("#chat .turn.turn-replaced").inner_text()
    look(page, f"conversation-revised-{viewport}")
    assert accessibility_problems(page) == []
