"""Choosing the student's reaction from what the answer did, and counting turns."""

from __future__ import annotations

from types import SimpleNamespace

from embeddings.search import ExpertMatch, PitfallMatch
from practicum.conversation import counted_turns, follow_up_line, holds, summary


def result(band="proficient", red_lines=(), met=()):
    dims = [SimpleNamespace(key=k, level="met") for k in met]
    return SimpleNamespace(band=band, red_lines=list(red_lines), dimensions=dims)


CHOICE = [ExpertMatch(1, 1, "Phone in the bag or on my desk.", "offer a choice", 0.8)]
NEAR_THREAT = [PitfallMatch("Give me the phone or go.", "Ultimatum.", "red_line", 0.9)]


def test_a_strategy_counts_only_for_a_sound_answer_without_red_lines():
    when = {"strategy": "offer a choice"}
    assert holds(when, result("developing"), CHOICE, [])
    assert not holds(when, result("needs_work"), CHOICE, []), "the expert's words in a poor answer"
    assert not holds(when, result("exemplary", red_lines=["x"]), CHOICE, [])
    assert not holds({"strategy": "another move"}, result(), CHOICE, [])


def test_a_pitfall_counts_when_nearer_than_every_expert():
    assert holds({"pitfall": "red_line"}, result(), CHOICE, NEAR_THREAT)
    assert holds({"pitfall": "any"}, result(), CHOICE, NEAR_THREAT)
    assert not holds({"pitfall": "weak"}, result(), CHOICE, NEAR_THREAT)
    far = [PitfallMatch("Give me the phone or go.", "Ultimatum.", "red_line", 0.5)]
    assert not holds({"pitfall": "red_line"}, result(), CHOICE, far)


def test_every_condition_of_a_when_must_hold():
    when = {"band": ["proficient", "exemplary"], "met": ["warmth"]}
    assert holds(when, result("exemplary", met=["warmth", "next_step"]), [], [])
    assert not holds(when, result("exemplary", met=["next_step"]), [], [])
    assert not holds(when, result("developing", met=["warmth"]), [], [])
    assert holds(None, result("needs_work"), [], [])


def attempt(id_, turn, reply=None):
    return SimpleNamespace(id=id_, turn=turn, reply=reply)


def test_a_revision_replaces_its_turn_and_everything_after_it():
    answers = [attempt(1, 1), attempt(2, 2), attempt(3, 3), attempt(4, 2)]
    assert [a.id for a in counted_turns(answers)] == [1, 4]


def test_the_summary_names_the_ending_and_the_moves_that_moved_it():
    path = [
        attempt(1, 1, {"note": "calmed down when you offered a choice"}),
        attempt(2, 2, {}),
        attempt(3, 3, {"note": "started work once you pointed to question one", "end": "resolved"}),
    ]
    assert summary(path, "resolved") == (
        "Resolved after 3 turns: calmed down when you offered a choice in turn 1; "
        "then started work once you pointed to question one in turn 3."
    )
    assert summary(path[:1], None) == ""
    assert summary([attempt(1, 1, {})], "escalated") == "Escalated after 1 turn."


def test_a_one_exchange_scenario_answers_a_red_line_with_its_own_line():
    lines = {"needs_work": "So what do I write then?", "proficient": "Oh, so it needs a claim?"}
    shamed = result("needs_work", red_lines=["sarcasm"])
    assert follow_up_line(lines, shamed) == "So what do I write then?", "no red-line line: the band's"
    lines["red_line"] = "[crosses it out] Fine. Just tell me what to put."
    assert follow_up_line(lines, shamed) == "[crosses it out] Fine. Just tell me what to put."
    assert follow_up_line(lines, result("needs_work")) == "So what do I write then?"
    assert follow_up_line(lines, result("proficient")) == "Oh, so it needs a claim?"
    assert follow_up_line({}, shamed) == ""
