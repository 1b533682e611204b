"""Rule detectors: each dimension reads its documented cues and explains itself."""

import pytest

from ai.dimensions import (
    CATEGORY_WEIGHTS,
    DIMENSIONS,
    TIPS,
    ScenarioFacts,
    assess_dimensions,
    level_word,
    nothing_to_judge,
)
from ai.sanitize import sanitize_response

FACTS = ScenarioFacts(
    "seats",
    "defiance",
    "You asked Jordan to move seats after he talked.",
    "You can't make me move. I wasn't even doing anything.",
    "Jordan",
)
SIGNALS = {"sim_best": 0.3, "align_coverage": 0.3}


def value(key: str, text: str, signals=None, heads=None, facts=FACTS) -> tuple[float, str]:
    result = next(d for d in assess_dimensions(text, facts, signals or SIGNALS, heads) if d.key == key)
    return result.value, result.reason


@pytest.mark.parametrize(
    "text",
    [
        "Calm down, you always do this.",
        "Move now or you'll get detention.",
        "Obviously you weren't listening.",
        "THAT IS ENOUGH, SIT DOWN NOW.",
    ],
)
def test_harsh_threatening_or_shouted_words_miss_tone(text):
    assert value("tone", text)[0] == 0.0


def test_warm_words_meet_tone_and_neutral_ones_are_partly():
    assert value("tone", "Let's sort it out together after class.")[0] == 1.0
    assert value("tone", "Move to seat four.")[0] == 0.5


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It sounds like that felt unfair.", 1.0),
        ("Jordan, move to seat four.", 0.5),
        ("Move to seat four.", 0.0),
    ],
)
def test_feelings_are_named_or_the_student_at_least_addressed(text, expected):
    assert value("acknowledges_feelings", text)[0] == expected


def test_try_again_is_not_a_next_step_but_a_concrete_one_is():
    assert value("next_step", "Try again.")[0] == 0.0
    assert value("next_step", "Start question one now, please.")[0] == 1.0


def test_telling_the_answer_misses_guidance_even_when_a_head_says_otherwise():
    facts = ScenarioFacts("d", "misconception", "Compare 0.25 and 0.3.", "0.25 is bigger.", "Maya")
    signals = {"tell_cues": 1, "numbers_new": 1, "ask_cues": 0, "sim_best": 0.5}
    heads = {"recognises_issue": 0.9, "specific": 0.9, "guides_not_tells": 0.95, "next_step": 0.2}
    guides, reason = value("guides_not_tells", "The answer is 0.30, so 0.3 is bigger.", signals, heads, facts)
    assert guides <= 0.4 and "gave the answer away" in reason


def test_head_values_are_rounded_probabilities_with_level_reasons():
    facts = ScenarioFacts("d", "misconception", "Compare 0.25 and 0.3.", "0.25 is bigger.", "Maya")
    heads = {"recognises_issue": 0.912, "specific": 0.5, "guides_not_tells": 0.1, "next_step": 0.3}
    results = {d.key: d for d in assess_dimensions("Which is bigger, Maya?", facts, {"ask_cues": 1}, heads)}
    assert results["recognises_issue"].value == 0.91
    assert results["recognises_issue"].reason.startswith("You made clear")
    assert level_word(results["specific"].value) == "partly"


def test_every_category_weights_only_known_dimensions():
    for weights in CATEGORY_WEIGHTS.values():
        assert set(weights) == set(DIMENSIONS) == set(TIPS)


def test_nothing_to_judge_lists_every_scored_dimension_at_zero():
    results = nothing_to_judge(FACTS)
    assert {r.key for r in results} == {k for k, w in CATEGORY_WEIGHTS["defiance"].items() if w}
    assert all(r.value == 0 for r in results)


@pytest.mark.parametrize(
    "text, kept",
    [
        ("[quietly] Pens down on question one, thanks.", True),
        ("15, 14, 13, 12, 11, 10, 9, so 15 - 6 is actually 9.", True),
        ("So you think 0.25 is bigger because 25 is bigger than 3, did I get that right?", True),
        ("I know you can do this.", True),
        ("I can't give you full marks yet, because the evidence in paragraph 3 is thin.", True),
        ("Your grade: B, and here is what would make it an A.", True),
        ("Let's ignore the noise from the corridor and look at the step above.", True),
        ("The solar system: which planet is closest to the sun?", True),
    ],
)
def test_ordinary_teacher_talk_survives_cleaning(text, kept):
    cleaned = sanitize_response(text, ["Maya says 0.25 is bigger than 0.3 because 25 is bigger than 3."])
    assert (cleaned.text == text) is kept, cleaned
