"""The library, the rehearsal room and history through the pages (no browser)."""

from __future__ import annotations

import json

from tests.conftest import create_account
from tests.web.conftest import Browser
from tests.web.hostile import HostileLLM

GOOD = "Walk me through how you compared them. What does the 2 stand for?"


def events_of(response) -> list[tuple[str, dict]]:
    """Parse a Server-Sent Events body into (event, data) pairs."""
    pairs = []
    for block in response.get_data(as_text=True).strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        pairs.append((lines["event"], json.loads(lines["data"])))
    return pairs


def stream(trainee, session_id, text, **headers):
    """Send an answer as the page's script does, and read the whole stream."""
    response = trainee.client.post(
        f"/rehearsals/{session_id}/attempts/stream",
        json={"response": text},
        headers={"Accept": "text/event-stream, application/json", "X-CSRF-Token": trainee.token(), **headers},
    )
    response.get_data()  # the attempt is stored at the end of the stream
    return response


def test_library_groups_filters_and_searches(trainee, client):
    html = client.get("/library").get_data(as_text=True)
    assert "Misconception" in html and "Defiance" in html
    assert html.count("Not tried yet") == 2
    filtered = client.get("/library?category=defiance").get_data(as_text=True)
    assert "Won&#39;t change seats" in filtered and "Which decimal" not in filtered
    searched = client.get("/library?q=DECIMAL").get_data(as_text=True)
    assert "Which decimal" in searched and "change seats" not in searched
    assert "Showing 0 of 2" in client.get("/library?grade_band=K-2").get_data(as_text=True)


def test_library_cards_show_best_score_and_attempts(trainee, client, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    for text in ("I don't know.", GOOD):
        assert stream(trainee, session_id, text).status_code == 200
    html = client.get("/library").get_data(as_text=True)
    assert "2 attempts" in html and html.count("Not tried yet") == 1


def test_scenario_page_sets_the_scene_and_asks_for_confidence(trainee, client, scenario_ids):
    html = client.get(f"/scenarios/{scenario_ids['decimal-compare']}").get_data(as_text=True)
    assert "Maya compared 0.25 and 0.3" in html
    assert "0.25 is bigger than 0.3 because 25 is bigger than 3." in html
    assert 'name="confidence_before"' in html


def test_stream_sends_score_then_tokens_then_stored_attempt(trainee, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"], confidence=2)
    response = stream(trainee, session_id, GOOD)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    names = [name for name, _ in events_of(response)]
    assert names[0] == "scored" and names[-2:] == ["feedback", "done"]
    assert "token" in names
    scored = events_of(response)[0][1]
    assert {"score", "band", "band_label", "dimensions", "matches", "follow_up"} <= scored.keys()
    second = events_of(stream(trainee, session_id, GOOD + " Let's check it together."))
    done = second[-1][1]
    assert done["attempt"]["score_change"] == done["attempt"]["score"] - scored["score"]


def test_stream_needs_the_csrf_header_and_answers_in_json(trainee, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    response = stream(trainee, session_id, GOOD, **{"X-CSRF-Token": "wrong"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_the_5000_character_limit_is_enforced_by_the_server(trainee, client, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    response = stream(trainee, session_id, "x" * 5001)
    assert response.status_code == 422
    assert "the limit is 5,000" in response.get_json()["error"]["message"]
    page = trainee.post(f"/rehearsals/{session_id}/attempts", {"response": "y" * 5001})
    assert page.status_code == 422 and "the limit is 5,000" in page.get_data(as_text=True)
    assert "y" * 5001 in page.get_data(as_text=True)  # the text stays in the box
    assert 'maxlength="5000"' in client.get(f"/rehearsals/{session_id}").get_data(as_text=True)


def test_form_fallback_stores_the_attempt_and_shows_it(trainee, client, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    response = trainee.post(f"/rehearsals/{session_id}/attempts", {"response": GOOD})
    assert response.status_code == 302 and "#turn-1" in response.headers["Location"]
    html = client.get(f"/rehearsals/{session_id}").get_data(as_text=True)
    assert "What worked" in html and "Closest expert responses" in html
    assert "elicit thinking" in html


def test_ending_stores_confidence_and_reflection(app, trainee, client, scenario_ids):
    from practicum.db import session
    from practicum.models import PracticeSession

    session_id = trainee.start(scenario_ids["wont-change-seats"], confidence=2)
    assert trainee.post(f"/rehearsals/{session_id}/end", {}).status_code == 422
    response = trainee.post(
        f"/rehearsals/{session_id}/end", {"confidence_after": "4", "reflection": "Offer the choice sooner."}
    )
    assert response.status_code == 302
    with app.app_context():
        stored = session.get(PracticeSession, session_id)
        assert (stored.confidence_before, stored.confidence_after) == (2, 4)
        assert stored.reflection == "Offer the choice sooner."
    # The form sent again (back button, double click) changes nothing and is no error page.
    again = trainee.post(f"/rehearsals/{session_id}/end", {"confidence_after": "1", "reflection": ""})
    assert again.status_code == 302
    assert "already ended" in client.get(again.location).get_data(as_text=True)
    with app.app_context():
        stored = session.get(PracticeSession, session_id)
        assert (stored.confidence_after, stored.reflection) == (4, "Offer the choice sooner.")
    html = client.get(f"/rehearsals/{session_id}").get_data(as_text=True)
    assert "This rehearsal has ended" in html and 'id="answer-form"' not in html
    assert stream(trainee, session_id, GOOD).status_code == 409


def test_history_lists_attempts_and_shows_one(trainee, client, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    attempt_id = events_of(stream(trainee, session_id, GOOD))[-1][1]["attempt_id"]
    html = client.get("/history").get_data(as_text=True)
    assert "Which decimal is bigger?" in html and f"/history/{attempt_id}" in html
    assert 'id="score-chart"' in html
    detail = client.get(f"/history/{attempt_id}").get_data(as_text=True)
    assert GOOD.replace("'", "&#39;") in detail and "Coach" in detail


def test_another_trainees_attempt_and_rehearsal_are_not_found(app, trainee, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    attempt_id = events_of(stream(trainee, session_id, GOOD))[-1][1]["attempt_id"]
    create_account(app, "omar")
    other = Browser(app.test_client())
    other.login("omar")
    for path in (f"/history/{attempt_id}", f"/rehearsals/{session_id}"):
        response = other.client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert GOOD not in response.get_data(as_text=True)
    assert stream(other, session_id, GOOD).status_code == 404


def test_answers_and_model_text_are_escaped_in_pages(app, trainee, client, scenario_ids):
    app.extensions["practicum.llm"] = HostileLLM()
    session_id = trainee.start(scenario_ids["decimal-compare"])
    attack = "<script>window.xssAnswer=true</script> What does the 2 stand for?"
    done = events_of(stream(trainee, session_id, attack))[-1][1]
    # The markup leaves the coaching sentence's shape: the template is stored in its place, so
    # the model's markup reaches no page, escaped or not, while the answer's is shown escaped.
    assert done["attempt"]["feedback_source"] == "fallback"
    for path in (f"/history/{done['attempt_id']}", f"/rehearsals/{session_id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>window.xss" not in html and "&lt;script&gt;" in html
        assert "src=x" not in html and "javascript:" not in html
        assert "Next time, try this:" in html


def test_history_takes_any_page_argument_without_failing(trainee):
    for value in ("²", "99999999999999999999", "-3", "abc"):
        assert trainee.client.get(f"/history?page={value}").status_code == 200


def test_the_answer_limit_is_per_trainee_not_per_address(make_app, mini_set):
    from practicum import library
    from practicum.db import session

    app = make_app(RATELIMIT_ENABLED=True, ATTEMPT_RATE_LIMIT="2 per minute")
    with app.app_context():
        scenario_id = library.current_scenarios(session)[0].id
    people = {}
    for name in ("tina", "tom"):  # the test client sends every request from one address
        create_account(app, name)
        people[name] = Browser(app.test_client())
        assert people[name].login(name).status_code == 302
    tina_room = people["tina"].start(scenario_id)
    for _ in range(2):
        assert stream(people["tina"], tina_room, GOOD).status_code == 200
    assert stream(people["tina"], tina_room, GOOD).status_code == 429
    tom_room = people["tom"].start(scenario_id)
    assert stream(people["tom"], tom_room, GOOD).status_code == 200


def test_the_trainees_own_sentence_is_quoted_back_as_text(trainee, client, scenario_ids):
    session_id = trainee.start(scenario_ids["decimal-compare"])
    # One sentence that shows a move (the greeting cannot be quoted), so every quote is it.
    answer = "Morning, Priya. <b>Which</b> number has more tenths, and how do you know?"
    events = events_of(stream(trainee, session_id, answer))
    quoted = {d["evidence"] for d in events[0][1]["dimensions"] if d["level"] != "missed"}
    assert quoted == {"<b>Which</b> number has more tenths, and how do you know?"}
    html = client.get(f"/history/{events[-1][1]['attempt_id']}").get_data(as_text=True)
    assert (
        'You wrote: <q data-slot="evidence">&lt;b&gt;Which&lt;/b&gt; number has more tenths, '
        "and how do you know?</q>" in html
    )


def test_an_unfinished_rehearsal_is_offered_again(trainee, client, scenario_ids):
    scenario_id = scenario_ids["decimal-compare"]
    assert "Continue that rehearsal" not in client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    session_id = trainee.start(scenario_id)
    stream(trainee, session_id, GOOD)
    html = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert f'href="/rehearsals/{session_id}">Continue that rehearsal' in html and "(1 answer so far)" in html
    assert "Start a new rehearsal" in html
    trainee.post(f"/rehearsals/{session_id}/end", {"confidence_after": "4"})
    assert "Continue that rehearsal" not in client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
