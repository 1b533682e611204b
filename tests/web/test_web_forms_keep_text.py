"""What a person typed survives: line breaks count once, refused forms come back filled, and a
signed-out page hears that it is signed out (not 'reload'), then returns to a page it can show."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from practicum import web_sessions
from practicum.db import session
from practicum.models import Attempt, AttemptNote, PracticeSession, User
from tests.api.conftest import STRONG, people, rehearse  # noqa: F401  (people: a fixture)
from tests.web.conftest import Browser

GOOD = "Walk me through how you compared them. What does the 2 stand for?"
SIGNED_OUT = "You are signed out. Sign in again in a new tab; your answer is still here."


def with_line_breaks(length: int) -> str:
    """Text of `length` characters as a browser counts them, sent with CR+LF line breaks."""
    line = "x" * 49 + "\n"
    return ((line * (length // len(line) + 1))[: length - 1] + ".").replace("\n", "\r\n")


def box(html: str, element_id: str) -> str:
    """Return what a page's textarea holds, unescaped as the browser shows it."""
    found = re.search(rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(found.group(1))


# --- 1. Line breaks count as one character; refused forms keep their text -----------------------


def test_a_2000_character_reflection_with_line_breaks_is_saved(app, trainee, scenario_ids):
    session_id = trainee.start(scenario_ids["wont-change-seats"])
    reflection = with_line_breaks(2000)
    assert len(reflection) > 2000  # what the form sends
    response = trainee.post(
        f"/rehearsals/{session_id}/end", {"confidence_after": "4", "reflection": reflection}
    )
    assert response.status_code == 302
    with app.app_context():
        stored = session.get(PracticeSession, session_id).reflection
    assert "\r" not in stored and len(stored) == 2000


def test_a_refused_end_form_comes_back_with_the_reflection_and_rating(trainee, scenario_ids):
    session_id = trainee.start(scenario_ids["wont-change-seats"])
    typed = "<b>I'd ask</b> first,\r\nthen wait."
    no_rating = trainee.post(f"/rehearsals/{session_id}/end", {"reflection": typed})
    assert no_rating.status_code == 422
    html = no_rating.get_data(as_text=True)
    assert "&lt;b&gt;I&#39;d ask&lt;/b&gt;" in html  # escaped: shown as text, never as markup
    assert box(html, "reflection").replace("\r\n", "\n") == "<b>I'd ask</b> first,\nthen wait."
    too_long = trainee.post(
        f"/rehearsals/{session_id}/end", {"confidence_after": "4", "reflection": "y" * 2001}
    )
    html = too_long.get_data(as_text=True)
    assert too_long.status_code == 422 and "at most 2,000 characters" in html
    assert box(html, "reflection") == "y" * 2001
    assert re.search(r'id="confidence_after-4" value="4"\s+checked', html)


def test_a_5000_character_answer_with_line_breaks_is_scored(app, trainee, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    answer = (GOOD + "\n") * 80
    answer = answer[:4999].replace("\n", "\r\n") + "?"
    response = trainee.post(f"/rehearsals/{session_id}/attempts", {"response": answer})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        stored = session.scalar(select(Attempt.response_text).where(Attempt.session_id == session_id))
    assert "\r" not in stored and len(stored) == 5000


@pytest.fixture
def terry(app, people):  # noqa: F811  (people: the imported fixture)
    """Terry, tina's trainer, signed in through the form; tina has one attempt to review."""
    browser = Browser(app.test_client())
    assert browser.login("terry").status_code == 302
    browser.attempt = rehearse(app, people["tina"], STRONG)
    browser.page = f"/trainer/trainees/{people['tina']}"
    return browser


def test_a_2000_character_note_with_line_breaks_is_added(app, terry):
    response = terry.post(f"/trainer/attempts/{terry.attempt}/notes", {"text": with_line_breaks(2000)})
    assert response.status_code == 302
    with app.app_context():
        stored = session.scalar(select(AttemptNote.text))
    assert "\r" not in stored and len(stored) == 2000


def test_a_refused_note_comes_back_in_its_box(app, terry):
    typed = "<script>alert(1)</script>" + "z" * 1980
    response = terry.post(f"/trainer/attempts/{terry.attempt}/notes", {"text": typed})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write a note of 1 to 2,000 characters" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert box(html, f"note-{terry.attempt}") == typed
    with app.app_context():
        assert session.scalar(select(AttemptNote.id)) is None


def test_a_refused_override_keeps_its_score_and_reason(app, terry):
    refused = terry.post(f"/trainer/attempts/{terry.attempt}/override", {"score": "15", "reason": '"x'})
    assert refused.status_code == 302  # back to the attempt, as before
    html = terry.client.get(refused.location).get_data(as_text=True)
    assert "Nothing was changed" in html
    assert re.search(rf'id="score-{terry.attempt}"[^>]*value="15"', html)
    assert re.search(rf'id="reason-{terry.attempt}"[^>]*value="&#34;x"', html)  # escaped quote
    again = terry.client.get(terry.page).get_data(as_text=True)
    assert 'value="&#34;x"' not in again  # shown once, like the message


# --- 2. A signed-out page is told so; sign-in returns to a page it can show ---------------------


def end_session_elsewhere(app, username: str) -> None:
    """End every web session of an account, as sign-out elsewhere or an admin reset does."""
    with app.app_context():
        user_id = session.scalar(select(User.id).where(User.username == username))
        web_sessions.end_all_for_user(session, user_id)
        session.commit()


def send_from_the_page(browser, session_id: int, token: str):
    """Send an answer as the room's script does, with the token the open page holds."""
    return browser.client.post(
        f"/rehearsals/{session_id}/attempts/stream",
        json={"response": GOOD},
        headers={"Accept": "text/event-stream, application/json", "X-CSRF-Token": token},
    )


@pytest.mark.parametrize("how", ["ended elsewhere", "signed out in another tab"])
def test_the_page_script_hears_it_is_signed_out(app, trainee, scenario_ids, how):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    page_token = trainee.token()
    forged = send_from_the_page(trainee, session_id, "forged")
    assert forged.status_code == 400  # signed in, the token is still checked
    if how == "ended elsewhere":
        end_session_elsewhere(app, "tina")
    else:
        assert trainee.post("/logout").status_code == 302
    response = send_from_the_page(trainee, session_id, page_token)
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == SIGNED_OUT


def next_of(location: str) -> str:
    """Return the page a sign-in redirect will go back to."""
    assert urlsplit(location).path == "/login"
    return parse_qs(urlsplit(location).query)["next"][0]


def test_a_signed_out_form_returns_to_the_room_after_sign_in(app, trainee, client, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    page_token = trainee.token()
    end_session_elsewhere(app, "tina")
    room = f"/rehearsals/{session_id}"
    response = client.post(f"{room}/attempts", data={"csrf_token": page_token, "response": GOOD})
    assert response.status_code == 302 and next_of(response.location) == room
    assert "You were signed out" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(Attempt.id)) is None  # nothing was done while signed out
    no_token = client.post("/login", data={"username": "tina", "password": "correct horse battery"})
    assert no_token.status_code == 400  # signing in still needs the page's token
    signed_in = trainee.login("tina", next=room)
    assert signed_in.location == room and client.get(room).status_code == 200


@pytest.mark.parametrize(
    "referrer, expected",
    [
        ("http://localhost/rehearsals/{id}?from=library", "/rehearsals/{id}?from=library"),
        ("http://localhost/rehearsals/{id}/end", "/rehearsals/{id}"),  # a refused form's page
        ("https://evil.example/rehearsals/{id}", "/rehearsals/{id}"),  # never off-site
        ("", "/rehearsals/{id}"),
    ],
)
def test_sign_in_after_a_signed_out_form_goes_to_a_page_not_a_405(
    app, trainee, client, scenario_ids, referrer, expected
):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    end_session_elsewhere(app, "tina")
    headers = {"Referer": referrer.format(id=session_id)} if referrer else {}
    response = trainee.post(f"/rehearsals/{session_id}/end", {"confidence_after": "3"}, headers=headers)
    assert response.status_code == 302
    landed = trainee.login("tina", next=next_of(response.location)).location
    assert landed == expected.format(id=session_id)
    assert client.get(landed).status_code == 200
