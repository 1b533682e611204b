"""Hostile text runs no script, failures keep the answer, and nobody sees another's attempts."""

from __future__ import annotations

import re

import pytest

from practicum import library, practice
from practicum.db import session
from practicum.models import User
from tests.e2e.conftest import STREAM_DELAY_S, look, sign_in
from tests.e2e.test_e2e_rehearsal import LAST_TURN, open_scenario, wait_until_saved
from tests.web.hostile import HostileLLM

pytestmark = pytest.mark.e2e

HOSTILE_ANSWER = '<img src=x onerror="window.xssAnswer=true"> What does the 2 in 0.25 stand for?'
NO_SCRIPT_RAN = """() => !window.xssImg && !window.xssLink && !window.xssAnswer
  && document.querySelectorAll('main img, main a[href^="javascript:"]').length === 0"""


@pytest.fixture
def hostile_model(live):
    """Make the app's model answer with markup, then put the usual fake back."""
    usual = live.app.extensions["practicum.llm"]
    live.app.extensions["practicum.llm"] = HostileLLM(delay_s=STREAM_DELAY_S)
    yield
    live.app.extensions["practicum.llm"] = usual


def test_markup_in_the_answer_and_in_model_output_runs_no_script(page, new_trainee, hostile_model):
    sign_in(page, new_trainee())
    open_scenario(page, "Which decimal is bigger?")
    page.get_by_label("What would you say to Maya?").fill(HOSTILE_ANSWER)
    page.get_by_role("button", name="Send").click()
    # The model's markup streams to the page as text while it is written...
    page.wait_for_function(
        """() => [...document.querySelectorAll('#chat .turn')].pop()
          ?.querySelector('[data-slot=coach]')?.textContent.includes('<img src=x onerror=')"""
    )
    assert page.evaluate(NO_SCRIPT_RAN)
    wait_until_saved(page)
    turn = page.locator(LAST_TURN)
    assert turn.locator("[data-slot=response]").inner_text() == HOSTILE_ANSWER
    # ...then leaves the sentence's shape, so the template replaces it.
    coaching = turn.locator("[data-slot=coach]").inner_text()
    assert coaching.startswith("Next time, try this:") and "<img" not in coaching
    assert page.evaluate(NO_SCRIPT_RAN)
    page.reload()  # the stored attempt, rendered by the server this time
    assert page.locator(LAST_TURN).locator("[data-slot=coach]").inner_text() == coaching
    assert page.evaluate(NO_SCRIPT_RAN)
    page.locator(LAST_TURN).get_by_role("link", name="Details").click()
    page.wait_for_url(re.compile(r"/history/\d+$"))
    assert page.get_by_text(HOSTILE_ANSWER).first.is_visible()
    # Quoted back as evidence too, as text: the dimensions show it, no element is made of it.
    assert HOSTILE_ANSWER in page.locator("[data-slot=evidence]").all_inner_texts()
    assert page.evaluate(NO_SCRIPT_RAN)


def test_another_trainees_attempt_is_not_found_by_url(page, live, new_trainee):
    owner = new_trainee("owner")
    with live.app.app_context():
        user = session.query(User).filter_by(username=owner).one()
        scenario = library.scenario_by_key(session, "decimal-compare")
        started = practice.start_session(session, user, scenario.id, 3)
        scored = practice.score_attempt(session, user, started.id, "A private answer.", _embedder(live.app))
        attempt = practice.store_attempt(session, scored, _no_feedback(scored))
        attempt_id, session_id = attempt.id, started.id
        session.remove()
    sign_in(page, new_trainee("snoop"))
    for path in (f"/history/{attempt_id}", f"/rehearsals/{session_id}"):
        response = page.goto(path)
        assert response.status == 404
        assert page.get_by_role("heading", name="Page not found").is_visible()
        assert "A private answer." not in page.content()
    look(page, "09-not-found")


def test_a_failure_shows_a_message_and_keeps_the_answer(page, live, new_trainee):
    sign_in(page, new_trainee())
    open_scenario(page, "Won't change seats")
    box = page.get_by_label("What would you say to Jordan?")
    box.fill("Let's talk after class; for now, pens on question one, please.")
    page.route("**/attempts/stream", lambda route: route.abort())
    page.get_by_role("button", name="Send").click()
    error = page.get_by_role("alert")
    error.wait_for()
    assert "Could not reach Practicum" in error.inner_text()
    assert box.input_value().startswith("Let's talk after class")
    assert page.locator("#chat .turn").count() == 0
    page.unroute("**/attempts/stream")

    session_id = int(page.url.rsplit("/", 1)[1])
    with live.app.app_context():  # the rehearsal ends elsewhere (another tab) meanwhile
        user = session.query(User).filter_by(id=_owner_of(session_id)).one()
        practice.end_session(session, user, session_id, 3)
        session.remove()
    box.press("Control+Enter")
    page.locator("#answer-error", has_text="This rehearsal has ended").wait_for()
    assert box.input_value().startswith("Let's talk after class")
    assert page.get_by_role("button", name="Send").is_enabled()


def _embedder(app):
    from practicum import runtime

    return runtime.embedder(app)


def _no_feedback(scored):
    from ai.feedback import FeedbackWriter

    return FeedbackWriter(None).write(scored.facts)


def _owner_of(session_id: int) -> int:
    from practicum.models import PracticeSession

    return session.get(PracticeSession, session_id).user_id


def test_signing_in_again_in_another_tab_does_not_cost_the_answer(page, new_trainee):
    username = new_trainee()
    sign_in(page, username)
    open_scenario(page, "Which decimal is bigger?")
    room = page.url
    box = page.get_by_label("What would you say to Maya?")
    box.fill("What does the 2 in 0.25 stand for?")
    other = page.context.new_page()  # the same browser: signing out and in renews the session
    other.goto("/library")
    other.get_by_role("button", name="Sign out").click()
    sign_in(other, username)
    other.close()
    page.get_by_role("button", name="Send").click()
    wait_until_saved(page)  # sent with the new session's token, fetched by the page itself
    assert page.url == room and page.locator("#chat .turn").count() == 1
    page.get_by_role("button", name="End rehearsal").wait_for()


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_a_red_line_hidden_in_a_keyword_list_is_named_and_quoted(viewport, request, new_trainee):
    # The list never counts for the score, but it was said to Maya: the red line quotes it, and
    # the banner of removed parts does not call it unsaid.
    page = request.getfixturevalue(viewport)
    said = "Shut up, sit, stop, listen, now."
    sign_in(page, new_trainee())
    open_scenario(page, "Which decimal is bigger?")
    page.get_by_label("What would you say to Maya?").fill(f"What does the 2 in 0.25 stand for? {said}")
    page.get_by_role("button", name="Send").click()
    wait_until_saved(page)
    turn = page.locator(LAST_TURN)
    box = turn.locator("[data-slot=red-lines-box]")
    assert box.is_visible() and said in box.locator("[data-slot=evidence]").all_inner_texts()
    assert int(turn.locator("[data-slot=score]").inner_text()) <= 39
    removed = turn.locator("[data-slot=removed] li")
    assert removed.count() == 1 and "crosses the red line above" in removed.inner_text()
    # Maya answers the put-down as a shamed child would, not with the line for a thin attempt.
    assert turn.locator("[data-slot=follow-up]").inner_text() == "[puts her pencil down and stops writing]"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    look(page, f"red-line-in-a-keyword-list-{viewport}")
