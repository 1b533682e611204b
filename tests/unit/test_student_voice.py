"""The generated student: a line is shown only if it stays in character, on the plan and short."""

from __future__ import annotations

from ai.llm import FakeLLM
from ai.student import Brief, StudentVoice, cleaned, line_problems
from embeddings.embedder import FakeEmbedder

BRIEF = Brief(
    name="Maya",
    persona="Confident and quick; likes to be first to answer.",
    knows="She compared 0.25 and 0.3 by the digits after the point.",
    believes="0.25 is bigger than 0.3 because 25 is bigger than 3.",
    feels="Sure of herself, a little impatient.",
    conversation=("Maya: 0.25 is bigger than 0.3 because 25 is bigger than 3.",),
    answer="Walk me through how you compared them.",
    plan="I looked at 25 and 3 and 25 is bigger, so 0.25 is bigger.",
    expert_texts=(
        "Look at the tenths place first: 0.3 has three tenths and 0.25 has two tenths, so 0.3 is bigger.",
    ),
)
AUTHORED = {"line": BRIEF.plan, "next": "explains", "source": "authored", "reaction": 0}


def test_a_reworded_line_on_the_plan_passes():
    line = "Well, I looked at 25 and 3, and 25 is bigger, so 0.25 is bigger."
    assert line_problems(line, BRIEF, FakeEmbedder()) == []


def test_talk_of_scores_feedback_or_ai_is_out_of_character():
    for line in (
        "That was great feedback, 25 is bigger.",
        "As an AI I think 0.25 is bigger.",
        "Good job, teacher.",
    ):
        assert "out of character" in line_problems(line, BRIEF, FakeEmbedder())


def test_a_student_who_suddenly_explains_place_value_sounds_like_the_teacher():
    line = "Oh, the tenths place first: 0.3 has three tenths and 0.25 has two tenths, so 0.3 is bigger."
    assert "sounds like the teacher, not the student" in line_problems(line, BRIEF, FakeEmbedder())


def test_a_long_or_off_plan_line_is_refused():
    assert "too long" in line_problems("I " + "really " * 40 + "think so.", BRIEF, FakeEmbedder())
    assert "off the plan" in line_problems("Can I go to the toilet?", BRIEF, FakeEmbedder())


def test_unsafe_words_are_refused():
    assert "unsafe" in line_problems("This is shit, 25 is bigger.", BRIEF, FakeEmbedder())


def test_speaker_prefixes_and_quotes_are_cleaned():
    assert cleaned('Maya: "I looked at 25."\nTeacher: ok') == "I looked at 25."
    assert cleaned("[shrugs] I looked at 25.") == "[shrugs] I looked at 25."


def test_the_voice_shows_the_models_line_only_when_it_passes():
    good = StudentVoice(
        FakeLLM(default="Maya: I looked at 25 and 3 and 25 is bigger, so 0.25 is bigger!"), FakeEmbedder()
    )
    said = good.say(BRIEF, AUTHORED)
    assert said["source"] == "model" and said["authored_line"] == BRIEF.plan
    assert said["line"] == "I looked at 25 and 3 and 25 is bigger, so 0.25 is bigger!"
    bad = StudentVoice(FakeLLM(default="Great feedback! Your score is 90 points."), FakeEmbedder())
    refused = bad.say(BRIEF, AUTHORED)
    assert refused["line"] == BRIEF.plan and refused["source"] == "authored"
    assert "out of character" in refused["rejected"]


def test_without_a_model_the_authored_line_is_said():
    assert StudentVoice(None, FakeEmbedder()).say(BRIEF, AUTHORED) is AUTHORED
