"""A trainee rehearses in a real browser: sign in, answer, read streamed feedback, revise, review."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import look, sign_in

pytestmark = pytest.mark.e2e

FIRST = "What does the 2 in 0.25 stand for?"
BETTER = (
    " I can see why 25 feels bigger, Maya. Walk me through how you compared them,"
    " then let's look at the tenths first together."
)
LAST_TURN = "#chat .turn >> nth=-1"
COACH_STREAMING = """() => {
  const turn = [...document.querySelectorAll('#chat .turn')].pop();
  if (!turn) return false;
  const coach = turn.querySelector('[data-slot=coach]');
  const working = turn.querySelector('[data-slot=coach-working]');
  return coach.textContent.length > 0 && !working.hidden;
}"""


def open_scenario(page, title: str, confidence: int = 3) -> None:
    """From the library, open a scenario and start with a confidence rating."""
    page.get_by_role("link", name=f"Rehearse “{title}”").click()
    page.locator(f"label[for=confidence_before-{confidence}]").click()
    page.get_by_role("button", name=re.compile(r"^Start (a new )?rehearsal$")).click()
    page.wait_for_url(re.compile(r"/rehearsals/\d+$"))


def send_with_keyboard(page, text: str) -> float:
    """Type an answer, send it with Ctrl+Enter; return seconds until the score shows."""
    box = page.get_by_label("What would you say to Maya?")
    box.fill(text)
    started = time.perf_counter()
    box.press("Control+Enter")
    page.locator(LAST_TURN).locator("[data-slot=score]").filter(has_text=re.compile(r"\d")).wait_for()
    return time.perf_counter() - started


def wait_until_saved(page) -> None:
    page.locator(LAST_TURN).get_by_role("link", name="Details").wait_for()


def test_trainee_rehearses_revises_ends_and_reviews(page, new_trainee, record_property):
    username = new_trainee()
    sign_in(page, username)
    expect_library(page)
    open_scenario(page, "Which decimal is bigger?")
    expect_scene(page)
    look(page, "03-rehearsal-start")

    first_score_s = send_with_keyboard(page, FIRST)
    page.wait_for_function(COACH_STREAMING)  # tokens arrive while the coach is still writing
    turn = page.locator(LAST_TURN)
    assert turn.locator("[data-slot=band]").inner_text() in {
        "Needs work",
        "Developing",
        "Proficient",
        "Exemplary",
    }
    wait_until_saved(page)
    first = int(turn.locator("[data-slot=score]").inner_text())
    expect_understandable_feedback(turn)
    assert page.get_by_label("What would you say to Maya?").input_value() == ""
    look(page, "04-rehearsal-feedback")

    revise_with_keyboard(page)
    box = page.get_by_label("What would you say to Maya?")
    assert box.input_value() == FIRST
    box.press("End")
    box.type(BETTER)
    page.get_by_role("button", name="Send").click()
    wait_until_saved(page)
    second = page.locator(LAST_TURN)
    change = int(second.locator("[data-slot=score]").inner_text()) - first
    expected = (
        "Same as your last try"
        if change == 0
        else f"{'+' if change > 0 else '−'}{abs(change)} since your last try"
    )
    assert second.locator("[data-slot=change]").inner_text() == expected
    assert change > 0, "the revision adds the moves the first answer missed"
    look(page, "05-rehearsal-revised")

    end_rehearsal(page)
    review_history(page)
    page.goto("/library")
    assert page.get_by_text("2 attempts").is_visible()
    look(page, "08-library-with-progress")
    record_property("first_score_s", round(first_score_s, 3))
    print(f"\ntime to first score in the browser: {first_score_s * 1000:.0f} ms")


def expect_library(page) -> None:
    assert page.get_by_role("heading", name="Choose a moment to rehearse").is_visible()
    page.get_by_label("Category").select_option("misconception")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile("category=misconception"))
    assert page.get_by_role("link", name="Rehearse “Which decimal is bigger?”").is_visible()
    assert page.get_by_role("link", name="Rehearse “Won't change seats”").count() == 0
    page.get_by_label("Category").select_option("")
    page.get_by_label("Search").fill("seats")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("q=seats"))
    # Other modules add scenarios to the shared app (a conversation set): count only the match.
    assert page.get_by_text(re.compile(r"^Showing 1 of \d+ scenarios\.$")).is_visible()
    page.goto("/library")
    look(page, "02-library")


def expect_scene(page) -> None:
    assert page.get_by_text("Maya compared 0.25 and 0.3").is_visible()
    assert page.get_by_text("Confident and quick; likes to be first to answer.").is_visible()
    assert (
        page.locator(".bubble-student")
        .first.inner_text()
        .endswith("0.25 is bigger than 0.3 because 25 is bigger than 3.")
    )
    assert page.get_by_text("0 / 5,000 characters").is_visible()


def expect_understandable_feedback(turn) -> None:
    headings = turn.get_by_role("heading").all_inner_texts()
    assert {"What worked", "What to work on"} & set(headings)
    assert {"Closest expert responses", "Coach"} <= set(headings)
    levels = turn.locator("[data-slot=level]").all_inner_texts()
    assert levels and set(levels) <= {"met", "partly", "missed"}
    assert turn.locator("[data-slot=reason]").first.inner_text()
    # The trainee's own question comes back as the evidence of a dimension it shows.
    quoted = turn.locator("[data-slot=evidence-line]:visible [data-slot=evidence]").all_inner_texts()
    assert FIRST in quoted and "" not in quoted  # a dimension with nothing to quote shows no line
    assert turn.locator(".expert-strategy").first.inner_text()
    assert turn.locator("[data-slot=coach]").inner_text().startswith("Next time")
    follow_up = turn.locator("[data-slot=follow-up]")
    assert follow_up.is_visible() and follow_up.inner_text()


def revise_with_keyboard(page) -> None:
    """Reach "Revise my answer" with Shift+Tab from the answer box and press Enter."""
    page.get_by_label("What would you say to Maya?").focus()
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.dataset.action") == "revise":
            break
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "response"


def end_rehearsal(page) -> None:
    page.locator("label[for=confidence_after-4]").click()
    page.get_by_label("Reflection").fill("Ask about the tenths sooner.")
    page.get_by_role("button", name="End rehearsal").click()
    assert page.get_by_role("heading", name="This rehearsal has ended").is_visible()
    assert page.get_by_text("Ask about the tenths sooner.").is_visible()


def review_history(page) -> None:
    page.get_by_role("link", name="History").click()
    rows = page.locator("#attempts-table tbody tr")
    assert rows.count() == 2
    assert rows.first.locator(".band-pill").inner_text()
    # The chart's script comes after the table: wait for it rather than race it on a busy machine.
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('score-chart'))")
    points = page.evaluate(
        "Chart.getChart(document.getElementById('score-chart')).data.datasets[0].data.length"
    )
    assert points == 2
    look(page, "06-history")
    rows.first.get_by_role("link", name=re.compile("^View")).click()
    page.wait_for_url(re.compile(r"/history/\d+$"))
    assert BETTER.strip() in page.locator("[data-slot=response]").inner_text()
    assert page.get_by_text("Confidence after:").is_visible()
    look(page, "07-attempt-detail")


def test_sign_in_page_and_skip_link_work_from_the_keyboard(page, new_trainee):
    page.goto("/login")
    assert page.evaluate("document.activeElement.id") == "username"
    look(page, "01-sign-in")
    sign_in(page, new_trainee())
    page.goto("/history")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_red_line_is_named_with_the_trainees_sentence_and_marked_in_history(page, new_trainee):
    username = new_trainee()
    sign_in(page, username)
    open_scenario(page, "Which decimal is bigger?")
    harmful = "Shut up and listen, Maya."
    send_with_keyboard(page, f"What does the 2 in 0.25 stand for? {harmful}")
    turn = page.locator(LAST_TURN)
    box = turn.locator("[data-slot=red-lines-box]")
    box.wait_for()
    assert "Crossed a red line" in box.inner_text() and harmful in box.locator("q").inner_text()
    assert int(turn.locator("[data-slot=score]").inner_text()) <= 39
    wait_until_saved(page)
    look(page, "09-red-line")
    page.goto(page.url.split("/rehearsals/")[0] + "/history")
    assert page.locator("[data-slot=red-line-mark]").first.is_visible()
