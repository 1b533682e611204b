"""The conversation validator: every broken graph is refused with the path of its problem."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from scenarios.loader import InvalidScenarioSet, load_scenario_set, shipped_set_files

FIXTURE = Path(__file__).parent.parent / "fixtures" / "conversation-set.yaml"


def document() -> dict:
    return yaml.safe_load(FIXTURE.read_text())


def problems_of(doc: dict) -> dict[str, str]:
    try:
        load_scenario_set(yaml.safe_dump(doc, sort_keys=False).encode(), "set.yaml")
    except InvalidScenarioSet as error:
        return {p.path: p.message for p in error.problems}
    return {}


def beats(doc: dict) -> list[dict]:
    return doc["scenarios"][0]["beats"]


def test_the_fixture_conversation_is_valid():
    assert problems_of(document()) == {}


def test_a_next_that_names_no_beat_is_refused_with_its_path():
    doc = document()
    beats(doc)[1]["reactions"][1]["next"] = "nowhere"
    found = problems_of(doc)
    assert "names no beat" in found["scenarios[0].beats[1].reactions[1].next"]


def test_a_beat_no_path_reaches_is_refused():
    doc = document()
    beats(doc)[0]["reactions"][0]["next"] = "phone-away"  # nothing leads to at-the-door now
    assert "never be reached" in problems_of(doc)["scenarios[0].beats[3]"]


def test_a_loop_without_an_exit_is_refused():
    doc = document()
    beats(doc)[2]["reactions"] = [{"line": "What?", "next": "phone-away"}]
    beats(doc)[1]["reactions"] = [{"line": "Hm.", "next": "starting"}]
    found = problems_of(doc)
    assert "loop with no way out" in found["scenarios[0].beats[1]"]
    assert "loop with no way out" in found["scenarios[0].beats[2]"]


def test_a_loop_with_an_exit_is_allowed():
    doc = document()
    beats(doc)[2]["reactions"].insert(
        0, {"when": {"band": ["needs_work"]}, "line": "Eh?", "next": "phone-away"}
    )
    assert problems_of(doc) == {}


def test_a_later_beat_without_expert_responses_is_refused():
    doc = document()
    del beats(doc)[2]["expert_responses"]
    assert "at least one expert response" in problems_of(doc)["scenarios[0].beats[2].expert_responses"]


def test_the_opening_cannot_end_the_conversation_or_repeat_the_scenario():
    doc = document()
    opening = beats(doc)[0]
    opening["reactions"][2] = {"line": "OK.", "end": "resolved"}
    opening["line"] = "Hello."
    found = problems_of(doc)
    assert "cannot end the conversation" in found["scenarios[0].beats[0].reactions[2].end"]
    assert "leave this out" in found["scenarios[0].beats[0].line"]


def test_a_strategy_none_of_the_experts_has_is_refused():
    doc = document()
    beats(doc)[0]["reactions"][1]["when"]["strategy"] = "bribe with sweets"
    assert "has the strategy" in problems_of(doc)["scenarios[0].beats[0].reactions[1].when.strategy"]


def test_the_fallback_must_be_last_and_present():
    doc = document()
    reactions = beats(doc)[1]["reactions"]
    reactions.reverse()
    found = problems_of(doc)
    assert "must come last" in found["scenarios[0].beats[1].reactions[0]"]
    assert "needs a fallback" in found["scenarios[0].beats[1].reactions"]


def test_a_path_longer_than_five_turns_is_refused():
    doc = document()
    chain = beats(doc)
    template = chain[2]
    chain[2] = {**copy.deepcopy(template), "reactions": [{"line": "go on", "next": "more-1"}]}
    for n in range(1, 4):
        following = (
            {"line": "go on", "next": f"more-{n + 1}"} if n < 3 else {"line": "done", "end": "resolved"}
        )
        chain.append({**copy.deepcopy(template), "key": f"more-{n}", "reactions": [following]})
    assert "at most 5" in problems_of(doc)["scenarios[0].beats"]


def test_a_reaction_must_go_on_or_end_not_both():
    doc = document()
    beats(doc)[2]["reactions"][0]["next"] = "phone-away"
    assert problems_of(doc)  # oneOf: next or end


@pytest.mark.parametrize("path", shipped_set_files(), ids=lambda p: p.name)
def test_every_shipped_set_validates(path):
    load_scenario_set(path.read_bytes(), path.name)


def shipped_conversations() -> list[dict]:
    return [
        s
        for path in shipped_set_files()
        for s in load_scenario_set(path.read_bytes(), path.name)["scenarios"]
        if s.get("beats")
    ]


def test_at_least_twenty_shipped_scenarios_are_conversations_of_three_or_more_beats():
    conversations = shipped_conversations()
    assert len([s for s in conversations if len(s["beats"]) >= 3]) >= 20


def test_every_shipped_conversation_has_strong_middling_poor_and_escalating_paths():
    for scenario in shipped_conversations():
        opening = scenario["beats"][0]["reactions"]
        conditions = [r.get("when") or {} for r in opening]
        assert any(c.get("red_line") for c in conditions), scenario["key"]
        assert any("strategy" in c or "band" in c for c in conditions), scenario["key"]
        assert conditions[-1] == {}, scenario["key"]  # the middling and poor answers' fallback
        endings = {r.get("end") for b in scenario["beats"] for r in b["reactions"]}
        assert "escalated" in endings, scenario["key"]
        assert {"resolved", "partly_resolved"} & endings, scenario["key"]


def test_every_later_beat_says_what_the_student_knows_believes_and_feels():
    for scenario in shipped_conversations():
        for beat in scenario["beats"]:
            assert all(beat["student"][k].strip() for k in ("knows", "believes", "feels")), beat["key"]


def test_every_shipped_one_exchange_scenario_answers_a_red_line_apart_from_a_thin_attempt():
    one_exchange = [
        s
        for path in shipped_set_files()
        for s in load_scenario_set(path.read_bytes(), path.name)["scenarios"]
        if not s.get("beats")
    ]
    assert len(one_exchange) >= 20
    for scenario in one_exchange:
        lines = scenario["follow_ups"]
        assert lines.get("red_line") and lines["red_line"] != lines["needs_work"], scenario["key"]


def test_a_follow_up_key_that_is_neither_a_band_nor_red_line_is_refused():
    doc = yaml.safe_load((FIXTURE.parent / "mini-set.yaml").read_text())
    doc["scenarios"][0]["follow_ups"]["red_lines"] = "Whatever."
    assert any("follow_ups" in path for path in problems_of(doc))
    doc["scenarios"][0]["follow_ups"] = {"red_line": "[looks away]"}
    assert not problems_of(doc)
