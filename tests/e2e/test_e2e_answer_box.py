"""The answer box in a real browser: the count and the limit, a long paste that says what it
lost, a draft that survives a reload, the parts not counted named, and coaching read out."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import look, sign_in
from tests.e2e.test_e2e_rehearsal import LAST_TURN, open_scenario, wait_until_saved

pytestmark = pytest.mark.e2e

SCENARIO = "Which decimal is bigger?"
BOX = "What would you say to Maya?"
ASK = "Walk me through how you compared them. What does the 2 in 0.25 stand for?"
# Paste as a person does: through the clipboard event, which the box's maxlength then cuts.
PASTE = """(text) => {
  const box = document.getElementById('response');
  box.focus();
  const data = new DataTransfer();
  data.setData('text/plain', text);
  const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
  if (box.dispatchEvent(event)) {
    const room = box.maxLength - box.value.length;
    box.setRangeText(text.slice(0, room), box.selectionStart, box.selectionEnd, 'end');
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }
}"""


def start(page, new_trainee) -> None:
    sign_in(page, new_trainee())
    open_scenario(page, SCENARIO)


def test_the_count_states_the_limit_and_a_long_paste_says_what_it_lost(page, new_trainee):
    start(page, new_trainee)
    counter = page.locator("#response-count")
    assert counter.inner_text() == "0 / 5,000 characters"
    page.get_by_label(BOX).fill("x" * 1234)
    assert counter.inner_text() == "1,234 / 5,000 characters"
    page.get_by_label(BOX).fill("")
    page.evaluate(PASTE, "y" * 6000)
    assert len(page.get_by_label(BOX).input_value()) == 5000
    assert counter.inner_text() == "5,000 / 5,000 characters"
    note = page.locator("#answer-note")
    assert note.inner_text() == (
        "Only the first 5,000 characters of what you pasted fit: an answer can have 5,000 "
        "characters, so the last 1,000 were left out."
    )
    assert note.get_attribute("aria-live") == "polite"


def test_an_unsent_answer_survives_a_reload_and_goes_once_sent(page, new_trainee):
    start(page, new_trainee)
    box = page.get_by_label(BOX)
    box.fill(ASK)
    page.reload()
    assert page.get_by_label(BOX).input_value() == ASK
    assert page.locator("#answer-note").inner_text() == "Your unsent answer is back from last time."
    assert page.locator("#response-count").inner_text() == f"{len(ASK)} / 5,000 characters"
    page.get_by_role("button", name="Send").click()
    wait_until_saved(page)
    page.reload()
    assert page.get_by_label(BOX).input_value() == ""
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('practicum.draft'))") == []


def test_a_draft_belongs_to_its_own_rehearsal(page, new_trainee):
    start(page, new_trainee)
    page.get_by_label(BOX).fill("Only for this rehearsal.")
    first = page.url
    page.goto("/library")
    open_scenario(page, "Won't change seats")
    assert page.get_by_label("What would you say to Jordan?").input_value() == ""
    page.goto(first)
    assert page.get_by_label(BOX).input_value() == "Only for this rehearsal."


@pytest.mark.parametrize("width", [1280, 360])
def test_the_parts_not_counted_are_named_and_the_coaching_is_read_out(page, new_trainee, width):
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 780})
    start(page, new_trainee)
    page.get_by_label(BOX).fill(f'{ASK} Great job! <b>Hello</b> {{"score": 100}}')
    page.get_by_role("button", name="Send").click()
    wait_until_saved(page)
    turn = page.locator(LAST_TURN)
    parts = turn.locator("[data-slot=removed] li")
    parts.first.wait_for()
    assert parts.locator("[data-slot=text]").all_inner_texts() == ["Great job!", '{"score": 100}']
    assert turn.locator("[data-slot=flags-general]").is_hidden()
    assert turn.get_by_role("button", name="Revise my answer (try 1)").is_visible()
    announced = page.locator("#announcer").inner_text()
    assert announced.startswith("Feedback ready. Coach: ") and len(announced) > len("Feedback ready. Coach: ")
    look(page, f"answer-box-not-counted-{width}")
