"""The reasons and tips a trainee reads (ai/rubric_text.yaml): complete, well formed, in plain words."""

import re
from pathlib import Path

import pytest
import yaml

from ai.dimensions import (
    GROUPS,
    LANGUAGE_TIP,
    ScenarioFacts,
    fitting_language,
    nothing_to_judge,
    pick,
    reason_for,
    rubric_text,
    tips_for,
)
from ai.feedback import REPAIR
from ai.red_lines import shipped_bank
from ai.rubric import CATEGORY_WEIGHTS, DIMENSIONS, LEVELS
from tests.scenario_items import scoring_inputs

SETS = Path(__file__).parents[2] / "scenarios" / "sets"
FIRST, LAST = "Zephyrine", "Okoro"
PAIRS = [(c, k) for c, weights in CATEGORY_WEIGHTS.items() for k, w in weights.items() if w > 0]
LEARNING = {"misconception", "questioning", "mindset", "feedback-integrity"}

# Maths talk: these words, and "step" where it means a step of a worked method ("the exact step",
# "each step", "step in Sam's work"). "One clear next step" is every kind of moment's business.
MATHS = re.compile(
    r"\b(working|sums?|digits?|numbers?|answer key|calculations?|equations?)\b"
    r"|\b(exact|each|every|which|wrong|missing|first|second|last) step\b"
    r"|\bstep (by step|in [\w' {}]+ (work|working|method))\b",
    re.IGNORECASE,
)
INTERNALS = re.compile(
    r"\b(similarity|signals?|cues?|models?|rubric|scores?|scoring|features?|tokens?|D[1-8])\b"
    r"|\([^)]*,[^)]*\)",
    re.IGNORECASE,
)


def facts_for(
    category: str, context: str = "A moment in a class where some are new to English."
) -> ScenarioFacts:
    # The default moment is about language, so every tip is in play (tips_for leaves language
    # tips out of moments that are not).
    return ScenarioFacts("moment", category, context, "Opening.", f"{FIRST} {LAST}")


def templates(key: str, category: str) -> dict[str, list[str]]:
    """The raw reason (per level) and tip templates of one dimension in one category's group."""
    text, group = rubric_text(), GROUPS[category]
    return {
        **{level: [text["reasons"][key][level][group]] for level in LEVELS},
        "tips": list(text["tips"][key][group]),
    }


def written(key: str, category: str) -> dict[str, list[str]]:
    """The same, as the trainee reads them."""
    facts = facts_for(category)
    return {**{level: [reason_for(key, level, facts)] for level in LEVELS}, "tips": tips_for(key, facts)}


def pairs_of_written_and_template(category: str, key: str):
    """Each reason and tip as the trainee reads it, beside its template."""
    shown, raw = written(key, category), templates(key, category)
    return [(kind, text, raw[kind][i]) for kind in shown for i, text in enumerate(shown[kind])]


def test_every_category_has_a_group_of_wordings():
    assert set(CATEGORY_WEIGHTS) == set(GROUPS)
    assert set(GROUPS.values()) == {"learning", "behaviour", "harm", "belonging", "care", "family"}


@pytest.mark.parametrize("category, key", PAIRS)
def test_every_weighted_dimension_has_a_reason_for_each_level_and_three_tips(category, key):
    facts = facts_for(category)
    reasons = [reason_for(key, level, facts) for level in LEVELS]
    assert all(reasons) and len(set(reasons)) == len(LEVELS)
    tips = tips_for(key, facts)
    assert len(set(tips)) >= 3 and len(set(tips)) == len(tips)


@pytest.mark.parametrize("category, key", PAIRS)
def test_each_reason_and_tip_is_one_plain_sentence(category, key):
    for kind, text, _ in pairs_of_written_and_template(category, key):
        assert text[0].isupper() and text.endswith("."), text
        assert 4 <= len(text.split()) <= 30, text
        assert "{" not in text and "}" not in text, text
        assert kind == "tips" or ". " not in text, f"a reason is one sentence: {text}"


@pytest.mark.parametrize("category, key", PAIRS)
def test_the_students_first_name_replaces_the_placeholder(category, key):
    # In a family moment the trainee talks to the parent; the texts speak of "their child".
    name = "their child" if category == "family-communication" else FIRST
    for _, text, template in pairs_of_written_and_template(category, key):
        assert (name in text) == ("{name}" in template), text
        assert LAST not in text and text == template.replace("{name}", name), text


@pytest.mark.parametrize("category, key", [(c, k) for c, k in PAIRS if c not in LEARNING])
def test_outside_learning_moments_nothing_talks_maths(category, key):
    for _, text, _ in pairs_of_written_and_template(category, key):
        assert not MATHS.search(text), text


def test_the_maths_check_would_catch_maths_talk():
    learning = " ".join(
        t for c, k in PAIRS if c == "misconception" for ts in written(k, c).values() for t in ts
    )
    assert len(MATHS.findall(learning)) >= 2
    assert MATHS.search("Point to the exact step in Sam's working.")


# A belonging moment (a newcomer answers in Spanish, a student asks to be called "Sean") often
# has no one who did harm: its wording must not presume an incident, a victim or a target.
PRESUMED_HARM = re.compile(r"\b(incident|hurt student|who was hurt|targeted|the harm|bully)\b", re.IGNORECASE)


@pytest.mark.parametrize("key", [k for c, k in PAIRS if c == "identity-belonging"])
def test_a_belonging_moment_is_not_worded_as_an_incident_of_harm(key):
    for _, text, _ in pairs_of_written_and_template("identity-belonging", key):
        assert not PRESUMED_HARM.search(text), text


def test_the_harm_check_would_catch_harm_wording():
    harm = " ".join(t for k in DIMENSIONS for ts in written(k, "peer-conflict").values() for t in ts)
    assert len(PRESUMED_HARM.findall(harm)) >= 5


# A cold-called "I don't know" or "I'm not a maths person" is no mistake: learning wording, shared
# with misconceptions, must not presume one.
PRESUMED_MISTAKE = re.compile(r"\b(mistake|error|wrong|off track|the problem lies)\b", re.IGNORECASE)


@pytest.mark.parametrize("category, key", [(c, k) for c, k in PAIRS if c in LEARNING])
def test_a_learning_moment_is_not_worded_as_a_mistake(category, key):
    for _, text, _ in pairs_of_written_and_template(category, key):
        assert not PRESUMED_MISTAKE.search(text), text


def test_the_mistake_check_would_catch_mistake_wording():
    assert PRESUMED_MISTAKE.search("You pinpointed the exact step where Sam's thinking went off track.")


# A tip that answers a harm the answer did not do ("instead of an ultimatum" to an answer with
# none) tells the trainee they did it. Such tips are repairs (ai/feedback.REPAIR), kept for a
# dimension missed outright or broken by a red line; every other tip must fit an answer that
# merely did too little. Read in the graded set: "Treat Leila the way you would treat any other
# student" to an exemplary answer; "Avoid promising secrecy" to an answer that promised none;
# "missed assignments or quiz results" to a parent's worry about friendships.
# Jade, who asked "Can I tell you something?" and has told nothing yet, was to be thanked "for
# telling you" (a walk-through on 2026-12-07 (night)); Maya, who says the marks were the cat,
# has not shared anything either.
PRESUMED_ACT = re.compile(
    r"\b(any other student|not quite|calling them smart|cannot keep it secret|missed assignments"
    r"|homework|ultimatum|public punishment|help them focus"
    r"|for having told you|promis\w* (secrecy|to keep it secret)|assuming what"
    r"|for telling you|told you|to share this|they shared)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("category, key", PAIRS)
def test_a_tip_for_an_answer_that_did_too_little_presumes_no_harm_it_did(category, key):
    for tip in tips_for(key, facts_for(category)):
        if not REPAIR.search(tip):
            assert not PRESUMED_ACT.search(tip), tip


@pytest.mark.parametrize("category, key", PAIRS)
def test_a_met_or_partly_met_reason_presumes_nothing_the_moment_may_not_have(category, key):
    # A teacher who noticed marks on an arm was not told anything; a hungry pupil asked no secrecy.
    for level in ("met", "partly"):
        reason = reason_for(key, level, facts_for(category))
        assert not PRESUMED_ACT.search(reason), reason


def test_the_presumption_check_would_catch_the_old_wording():
    for old in (
        # Given to 13 of 94 good answers of bench/data/hard, 2 of 40 of the unseen set.
        "Build on what Sam already knows from outside school rather than assuming what they lack.",
        "Treat Sam the way you would treat any other student in the same moment.",
        "Tell Sam honestly that you cannot keep it secret, and say who you will share it with.",
        "Agree one concrete step with the parent, such as a weekly note home about Sam's homework.",
        "You stayed calm and kind, and made Sam feel safe for having told you.",
        "You followed safe procedure, saying who you will tell instead of promising to keep it secret.",
        "Thank Sam calmly for telling you, and say they did the right thing.",
        "Acknowledge in one gentle sentence how hard it was for Sam to share this.",
        "Say back the main thing Sam told you, calmly and without adding anything to it.",
    ):
        assert PRESUMED_ACT.search(old), old


@pytest.mark.parametrize("category, key", PAIRS)
def test_no_reason_or_tip_leaks_how_the_scorer_works(category, key):
    for _, text, _ in pairs_of_written_and_template(category, key):
        assert not INTERNALS.search(text), text


@pytest.mark.parametrize("key", sorted(shipped_bank()))
def test_no_red_line_title_or_reason_leaks_how_the_scorer_works(key):
    line = shipped_bank()[key]
    assert not INTERNALS.search(line.title) and not INTERNALS.search(line.reason)


@pytest.mark.parametrize(
    "text",
    [
        "Your similarity to the experts was low.",
        "The D4 signal was weak.",
        "Your rubric score on this feature is low.",
        "Use more cues (empathy, validation, next step).",
    ],
)
def test_the_leak_check_would_catch_internals(text):
    assert INTERNALS.search(text)


def test_the_same_answer_always_gets_the_same_wording():
    tips = tips_for("warmth", facts_for("defiance"))
    assert pick(tips, "an answer") == pick(tips, "an answer") and pick(tips, "an answer") in tips
    assert {pick(tips, f"answer {i}") for i in range(40)} == set(tips)
    assert pick([], "an answer") == ""


def shipped_items():
    return [
        pytest.param(item, id=item["key"])
        for path in sorted(SETS.glob("*.yaml"))
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]
    ]


def family_moments():
    return [p for p in shipped_items() if p.values[0]["category"] == "family-communication"]


@pytest.mark.parametrize("item", family_moments())
def test_in_a_family_moment_the_name_in_the_wording_is_not_a_title(item):
    facts, _ = scoring_inputs(item)
    assert facts.first_name.rstrip(".") not in {"Mr", "Mrs", "Ms", "Miss", "Dr"}


# Words that belong to some moments of a group only. Tips are shared by every scenario of a group
# (a mindset tip reaches a questioning moment, a slur tip a mocked wrong answer); read in
# `practicum score` output: "add the word yet when Nadia says they can't do it" to a quiet student
# with half an idea, "the second line or the evidence sentence" to a science prediction, "the
# targeted student's name is welcome here" to a laughed-at calculus answer, "checking one example
# against their rule" to copied homework.
SCENE_SPECIFIC = re.compile(
    r"\b(slurs?|background|language and background|food|snacks?|hungry|evidence sentence|first sentence"
    r"|second line|can'?t do it|is their own|page \d+|phones?|calling out|talking over|homework"
    r"|worksheets?|essays?|drafts?|experiments?|rules?|own work)\b",
    re.IGNORECASE,
)


def what_the_scenario_says(item: dict) -> str:
    """Everything a scenario's own text says: scene, student, moves, experts and pitfalls."""
    student = item["student"]
    parts = [item["context"], student["opening_line"], student.get("persona", ""), *item.get("key_moves", ())]
    parts += [e["text"] for e in item["expert_responses"]] + [p["text"] for p in item.get("pitfalls", ())]
    return " ".join(parts).lower()


@pytest.mark.parametrize("item", shipped_items())
def test_every_tip_a_scenario_can_get_speaks_of_nothing_the_scenario_lacks(item):
    facts, _ = scoring_inputs(item)
    said = what_the_scenario_says(item)
    for key, weight in facts.weights().items():
        for tip in tips_for(key, facts) if weight > 0 else ():
            if REPAIR.search(tip):  # "avoid phrases like kids like you": only for the harm itself
                continue
            for word in SCENE_SPECIFIC.findall(tip):
                assert word.lower().rstrip("s") in said, f"{item['key']}: {tip}"


def test_the_scene_check_would_catch_the_old_tips():
    for old in (
        "Keep the task just as demanding, and add the word yet when Nadia says they can't do it.",
        "Describe the specific part of Zainab's answer that needs work, such as the second line.",
        "Affirm in plain words that the targeted student's name, language and background are welcome here.",
        "Offer Arjun one practical thing right now, such as a snack or a quiet place.",
        # Given in a walk-through on 2026-12-07 to copied homework and to a Gatsby seminar.
        "End with a single, doable task for Ravi, such as checking one example against their rule.",
        "Praise the strategy Ravi used, such as checking their own work, so the praise is about what "
        "they did.",
    ):
        assert SCENE_SPECIFIC.search(old), old


# "ok" has no tone to fault: an answer too short to judge is not told its tone "may have felt
# sharp or shaming" or that it "lowered the bar".
MAY_HAVE = re.compile(r"\bmay have\b", re.IGNORECASE)


@pytest.mark.parametrize("category", sorted(CATEGORY_WEIGHTS))
def test_an_answer_too_short_to_judge_is_told_so_not_what_it_may_have_done(category):
    dimensions = nothing_to_judge(facts_for(category))
    assert dimensions and all(d.value == 0.0 for d in dimensions)
    for d in dimensions:
        assert not MAY_HAVE.search(d.reason), d.reason
        assert "{" not in d.reason and d.reason.endswith("."), d.reason


def test_the_may_have_check_would_catch_a_missed_reason_that_presumes_harm():
    facts = facts_for("defiance")
    assert any(MAY_HAVE.search(reason_for(key, "missed", facts)) for key in CATEGORY_WEIGHTS["defiance"])


@pytest.mark.parametrize("category", sorted(GROUPS))
def test_a_moment_not_about_language_gets_no_tip_about_language(category):
    # A walk-through on 2026-12-07 told a trainee to offer an interpreter to a parent who had
    # written a fluent email about a grade.
    plain = facts_for(category, "A parent emails about a grade before university applications.")
    for key in CATEGORY_WEIGHTS[category]:
        tips = tips_for(key, plain)
        assert len(tips) >= 3 and not any(LANGUAGE_TIP.search(tip) for tip in tips), tips
    language_tips = [tip for key in CATEGORY_WEIGHTS[category] for tip in tips_for(key, facts_for(category))]
    assert any(LANGUAGE_TIP.search(tip) for tip in language_tips) == (
        GROUPS[category] in ("learning", "family")
    )


def test_what_the_trainee_said_about_language_brings_the_language_steps_back():
    plain = facts_for("identity-belonging", "A name is mispronounced during the register.")
    steps = ["Let Amir answer in any language first.", "Ask Amir how to say their name properly."]
    assert fitting_language(steps, plain) == steps[1:]
    assert fitting_language(steps, plain, "We only speak English in this room.") == steps
