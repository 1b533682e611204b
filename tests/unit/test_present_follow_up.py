"""A stored attempt's page shows the student's reply, or for older attempts the scenario's line."""

from datetime import UTC, datetime
from types import SimpleNamespace

from web.present import attempt_view

LINES = {
    "needs_work": "So what do I write then?",
    "proficient": "Oh, so it needs a claim?",
    "red_line": "[puts her pencil down and stops writing]",
}
PUT_DOWN = [{"key": "put-down", "title": "A put-down", "sentence": "Shut up, Maya."}]


def stored(band="needs_work", red_lines=None, reply=None, follow_ups=LINES):
    return SimpleNamespace(
        id=1, session_id=1, scenario_id=1, response_text="Shut up, Maya. It's 0.3.", score=20, band=band,
        dimensions=[], red_lines=red_lines, flags=["red_line"] if red_lines else [], matches=[],
        feedback_text="", feedback_source="none", model_id="", scorer_version="", timings={},
        created_at=datetime(2026, 12, 7, tzinfo=UTC), turn=1, beat=None, reply=reply,
        scenario=SimpleNamespace(follow_ups=follow_ups, key="decimal-comparison"),
    )  # fmt: skip


def test_an_attempt_stored_without_a_reply_answers_a_red_line_with_the_red_line_line():
    assert attempt_view(stored(red_lines=PUT_DOWN), None)["follow_up"] == LINES["red_line"]


def test_an_attempt_stored_without_a_reply_otherwise_gets_its_band_line():
    assert attempt_view(stored(), None)["follow_up"] == LINES["needs_work"]
    assert attempt_view(stored("proficient"), None)["follow_up"] == LINES["proficient"]
    without = {k: v for k, v in LINES.items() if k != "red_line"}
    assert (
        attempt_view(stored(red_lines=PUT_DOWN, follow_ups=without), None)["follow_up"] == LINES["needs_work"]
    )


def test_the_stored_reply_wins_over_the_scenario_lines():
    reply = {"line": "Fine. Whatever.", "source": "authored"}
    assert attempt_view(stored(red_lines=PUT_DOWN, reply=reply), None)["follow_up"] == "Fine. Whatever."
