"""A conversation through the pages without JavaScript: each form answer goes to the next turn."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURES, import_file

THREAT = "Nobody cares about the time, Jordan. Shut up and give me the phone."
PLAIN = "Jordan, let's get the phone away and make a start on the first question now."


@pytest.fixture
def room(app, trainee):
    import_file(app, FIXTURES / "conversation-set.yaml")
    from practicum import library
    from practicum.db import session

    with app.app_context():
        scenario_id = library.scenario_by_key(session, "phone-standoff").id
    intro = trainee.client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert "This is a conversation: Jordan answers what you say, for 2 to 5 turns" in intro
    session_id = trainee.start(scenario_id)

    def answer(text: str, revise: bool = False) -> str:
        sent = trainee.post(
            f"/rehearsals/{session_id}/attempts", {"response": text, "revise": "1" if revise else "0"}
        )
        assert sent.status_code == 302, sent.get_data(as_text=True)
        return trainee.client.get(f"/rehearsals/{session_id}").get_data(as_text=True)

    return answer, trainee.client.get(f"/rehearsals/{session_id}").get_data(as_text=True)


def revise_value(html: str) -> str:
    return re.search(r'name="revise" id="revise" value="(\d)"', html).group(1)


def test_the_page_is_a_log_and_says_which_turn_is_next(room):
    _, html = room
    assert 'role="log"' in html and 'Turn <span data-slot="turn">1</span> of at most 5.' in html
    assert revise_value(html) == "0" and "What would you say to Jordan?" in html


def test_form_answers_walk_the_conversation_to_an_ending(room):
    answer, _ = room
    html = answer(THREAT)
    assert 'aria-label="Turn 1: your answer and its feedback"' in html
    assert "[stands up] Fine, I&#39;m going then." in html
    assert 'Turn <span data-slot="turn">2</span>' in html
    html = answer("Good, go then. And don't come back, nobody cares.")
    assert 'Ending: <span data-slot="ending-label">Escalated</span>' in html
    assert "Escalated after 2 turns: escalated after the put-down in turn 1." in html
    assert revise_value(html) == "1" and "Revise your last answer to Jordan" in html
    # After the ending, the form revises turn 2: the answer it replaced is marked.
    html = answer(
        "Jordan, sit back down and we'll talk after class. Nobody is sending you anywhere.", revise=True
    )
    assert "Turn 2: replaced by your revision below." in html
    assert 'Turn <span data-slot="turn">3</span>' in html and revise_value(html) == "0"


def test_only_the_last_counted_turn_can_be_revised(room):
    answer, _ = room
    html = answer(PLAIN)
    html = answer("Thanks, Jordan. Question one is on the board when you're ready.")
    shown = html[: html.index('<template id="turn-template">')]  # the template has one for new turns
    assert shown.count('data-action="revise"') == 1
    assert 'aria-label="Revise my answer (turn 2)"' in html
