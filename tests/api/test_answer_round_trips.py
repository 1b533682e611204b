"""What one answer costs the database: statements and connection checkouts (scoring-only load)."""

from __future__ import annotations

from sqlalchemy import text

from practicum.db import HNSW_EF_SEARCH, session
from tests.api.conftest import STRONG, recorded


def started_rehearsal(client, tina) -> int:
    scenario_id = client.get("/api/v1/scenarios", headers=tina).get_json()["scenarios"][0]["id"]
    started = client.post("/api/v1/sessions", json={"scenario_id": scenario_id}, headers=tina)
    assert started.status_code == 201, started.get_json()
    return started.get_json()["id"]


def test_a_request_checks_its_token_and_reads_its_account_in_one_statement(app, client, people, headers):
    tina = headers("tina")
    with recorded(app) as seen:
        assert client.get("/api/v1/auth/me", headers=tina).status_code == 200
    [read] = [s for s in seen["statements"] if "FROM users" in s or "FROM revoked_tokens" in s]
    assert "FROM revoked_tokens" in read and "FROM users" in read


def test_a_scoring_only_answer_is_scored_and_stored_on_one_connection(app, client, people, headers):
    tina = headers("tina")
    session_id = started_rehearsal(client, tina)
    with recorded(app) as seen:
        answered = client.post(
            f"/api/v1/sessions/{session_id}/attempts",
            json={"response": STRONG, "feedback": False},
            headers=tina,
        )
    assert answered.status_code == 201, answered.get_json()
    # The template's feedback is ready at once: no connection is given back before storing,
    # and the stored turn is added to the session scoring loaded instead of reading it again.
    assert seen["checkouts"] == 1, seen
    assert not any(s.startswith("SET") for s in seen["statements"]), seen["statements"]
    assert sum(s.startswith("SELECT practice_sessions") for s in seen["statements"]) == 1
    assert len(seen["statements"]) <= 9, seen["statements"]
    body = answered.get_json()
    assert [turn["turn"] for turn in body["conversation"]["turns"]] == [1]
    again = client.get(f"/api/v1/sessions/{session_id}", headers=tina).get_json()
    assert again["conversation"] == body["conversation"]


def test_every_connection_widens_the_hnsw_search(app):
    with app.app_context():
        assert session.scalar(text("SHOW hnsw.ef_search")) == str(HNSW_EF_SEARCH)
