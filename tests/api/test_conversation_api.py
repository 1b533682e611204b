"""A rehearsal as a conversation through the API: the student reacts, turns count, endings stick."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from practicum.db import session
from practicum.models import Cohort, User
from tests.api.conftest import recorded, token_headers, web_session_token
from tests.conftest import FIXTURES, create_account, import_file

THREAT = "Nobody cares about the time, Jordan. Shut up and give me the phone."
PLAIN = "Jordan, let's get the phone away and make a start on the first question now."


@pytest.fixture
def walk(app, client, auth):
    import_file(app, FIXTURES / "conversation-set.yaml")
    create_account(app, "tina")
    headers = auth.headers("tina")
    scenario = client.get("/api/v1/scenarios", headers=headers).get_json()["scenarios"][0]
    started = client.post("/api/v1/sessions", json={"scenario_id": scenario["id"]}, headers=headers)
    session_id = started.get_json()["id"]

    def answer(text: str, **extra) -> dict:
        response = client.post(
            f"/api/v1/sessions/{session_id}/attempts",
            json={"response": text, "feedback": False, **extra},
            headers=headers,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def state() -> dict:
        return client.get(f"/api/v1/sessions/{session_id}", headers=headers).get_json()["conversation"]

    return answer, state, started.get_json(), session_id, headers


def test_a_new_session_reports_its_beats_and_the_first_line(walk):
    _, state, started, _, _ = walk
    assert started["scenario"]["beats"] == 4
    now = state()
    assert now["turn"] == 1 and now["beat"] is None and now["ending"] is None
    assert now["student_line"] == "I'm just checking the time. Why is it always me?"
    assert now["turns"] == []


def test_the_calm_branch_runs_three_turns_to_a_resolved_ending(walk):
    answer, state, _, _, _ = walk
    first = answer(PLAIN)
    assert first["turn"] == 1 and first["reply"]["next"] == "phone-away"
    assert first["conversation"]["student_line"] == "I said I was checking the time."
    second = answer("Thanks, Jordan. Question one is on the board when you're ready.")
    assert second["turn"] == 2 and second["reply"]["next"] == "starting"
    third = answer("This one here, about the angles. Read it and tell me what it asks.")
    assert third["turn"] == 3 and third["reply"] == {
        "line": "[starts writing]",
        "end": "resolved",
        "source": "authored",
        "ending_label": "Resolved",
    }
    now = state()
    assert now["ending"] == "resolved" and now["ending_label"] == "Resolved"
    assert [t["turn"] for t in now["turns"]] == [1, 2, 3]
    assert [t["beat"] for t in now["turns"]] == [None, "phone-away", "starting"]
    assert now["summary"].startswith("Resolved after 3 turns: settled once you moved on in turn 2")


def test_a_red_line_takes_the_escalating_branch(walk):
    answer, state, _, _, _ = walk
    first = answer(THREAT)
    assert first["red_lines"], "the put-down is caught as a red line"
    assert first["reply"]["next"] == "at-the-door"
    assert first["reply"]["note"] == "escalated after the put-down"
    second = answer("Good, go then. And don't come back, nobody cares.")
    assert second["reply"]["end"] == "escalated"
    now = state()
    assert now["ending"] == "escalated"
    assert "escalated after the put-down in turn 1" in now["summary"]


def test_revising_a_turn_answers_it_again_and_changes_the_path(walk):
    answer, state, _, _, _ = walk
    answer(THREAT)
    assert state()["beat"] == "at-the-door"
    revised = answer(PLAIN, revise=True)
    assert revised["turn"] == 1 and revised["reply"]["next"] == "phone-away"
    now = state()
    assert now["turn"] == 2 and now["beat"] == "phone-away"
    assert len(now["turns"]) == 1 and now["turns"][0]["attempt_id"] == revised["id"]


def test_after_an_ending_an_answer_revises_the_last_turn(walk):
    answer, state, _, _, _ = walk
    answer(THREAT)
    answer("Good, go then. And don't come back, nobody cares.")
    again = answer("Jordan, sit back down and we'll talk after class. Nobody is sending you anywhere.")
    assert again["turn"] == 2 and again["reply"]["next"] == "starting"
    assert state()["ending"] is None and state()["turn"] == 3


def test_revise_must_be_a_boolean(walk, client):
    _, _, _, session_id, headers = walk
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts", json={"response": PLAIN, "revise": "yes"}, headers=headers
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"revise": "true or false"}


def test_the_stream_sends_score_feedback_then_the_reply(walk, client):
    _, _, _, session_id, headers = walk
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts/stream", json={"response": PLAIN}, headers=headers
    )
    events = [
        (block.split("\n")[0][len("event: ") :], json.loads(block.split("\n")[1][len("data: ") :]))
        for block in response.get_data(as_text=True).strip().split("\n\n")
    ]
    names = [name for name, _ in events if name != "token"]
    assert names == ["scored", "feedback", "reply", "done"]
    scored, reply, done = events[0][1], events[-2][1], events[-1][1]
    assert scored["follow_up"] == "" and scored["turn"] == 1
    assert reply["line"] == "I said I was checking the time." and reply["next"] == "phone-away"
    assert done["conversation"]["turn"] == 2 and done["attempt"]["reply"]["line"] == reply["line"]


def test_the_csv_export_carries_the_turn_and_the_line_answered(walk, client):
    answer, _, _, session_id, headers = walk
    answer(THREAT)
    answer(PLAIN, revise=True)
    answer("Thanks, Jordan. Question one is on the board when you're ready.")
    text = client.get("/api/v1/attempts.csv", headers=headers).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["session_id"], r["turn"]) for r in rows] == [(str(session_id), t) for t in ("1", "1", "2")]
    assert (
        rows[0]["student_line"]
        == rows[1]["student_line"]
        == "I'm just checking the time. Why is it always me?"
    )
    assert rows[2]["student_line"] == "I said I was checking the time."


def test_openapi_describes_turns_replies_and_the_stream(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert {"Conversation", "Turn", "Reply"} <= set(schemas)
    assert schemas["Answer"]["properties"]["revise"]["type"] == "boolean"
    stream = document["paths"]["/sessions/{session_id}/attempts/stream"]["post"]
    assert "`reply`" in stream["responses"]["200"]["description"]


def test_the_trainer_sees_the_transcript_with_turns_replies_and_the_ending(app, client, walk):
    answer, _, _, _, _ = walk
    answer(THREAT)
    answer("Good, go then. And don't come back, nobody cares.")
    terry_id = create_account(app, "terry", "trainer")
    with app.app_context():
        cohort = Cohort(name="Cohort C", trainer_id=terry_id)
        session.add(cohort)
        session.flush()
        tina = session.scalar(select(User).where(User.username == "tina"))
        tina.cohort_id, tina_id = cohort.id, tina.id
        session.commit()
    with client.session_transaction() as cookie:
        cookie["sid"] = web_session_token(app, terry_id)
    html = client.get(f"/trainer/trainees/{tina_id}").get_data(as_text=True)
    assert "· turn 2" in html and "· turn 1" in html
    assert "Jordan replied" in html and "[walks out and slams the door]" in html
    assert "Ending: Escalated" in html
    assert "Escalated after 2 turns: escalated after the put-down in turn 1." in html
    api = client.get(f"/api/v1/trainer/trainees/{tina_id}", headers=token_headers(app, terry_id))
    [talk] = [s["conversation"] for s in api.get_json()["sessions"]]
    assert talk["ending"] == "escalated" and [t["turn"] for t in talk["turns"]] == [1, 2]


def test_an_answer_reads_its_session_once_and_reports_the_change_and_the_turns(app, walk):
    answer, state, _, _, _ = walk
    first = answer(PLAIN)
    with recorded(app) as seen:
        second = answer(THREAT)
    statements = seen["statements"]
    # Sign-in check with its user, session with scenario, attempts, experts, pitfalls, ranking,
    # calibration, other scenarios' experts, the insert, the stored turns (a conversation gives
    # its connection back while the student's reply is worded, so the turns are read again).
    assert len(statements) <= 10, statements
    assert second["score_change"] == second["score"] - first["score"]
    assert [t["turn"] for t in second["conversation"]["turns"]] == [1, 2]
    assert second["conversation"] == state()


def test_a_one_exchange_scenario_answers_a_put_down_with_its_red_line_line(app, client, auth):
    import_file(app, FIXTURES / "mini-set.yaml")
    create_account(app, "tina")
    headers = auth.headers("tina")
    scenarios = client.get("/api/v1/scenarios", headers=headers).get_json()["scenarios"]
    decimals = next(s for s in scenarios if s["title"] == "Which decimal is bigger?")

    def answer(text: str) -> dict:
        started = client.post("/api/v1/sessions", json={"scenario_id": decimals["id"]}, headers=headers)
        url = f"/api/v1/sessions/{started.get_json()['id']}/attempts"
        response = client.post(url, json={"response": text, "feedback": False}, headers=headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    shamed = answer("Shut up, Maya. Nobody cares what you think, 0.3 is bigger.")
    assert shamed["red_lines"] and shamed["band"] == "needs_work"
    assert shamed["reply"]["line"] == "[puts her pencil down and stops writing]"
    thin = answer("0.3 is bigger.")
    assert not thin["red_lines"]
    assert thin["reply"]["line"] != "[puts her pencil down and stops writing]"
