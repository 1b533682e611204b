"""The walk-through files (bench/data/walkthroughs) can be scored, and their summary adds up."""

import json
from pathlib import Path

import pytest

from ai.red_lines import shipped_bank
from bench.graded import moments
from bench.walkthrough import problems_in, style_summary

FOLDER = Path(__file__).resolve().parents[2] / "bench" / "data" / "walkthroughs"
FILES = sorted(FOLDER.glob("*.json"))


def good_answer(**changes) -> dict:
    answer = {
        "set": "s",
        "key": "k",
        "style": "polite-harm",
        "grade": 1,
        "red_line": "put-down",
        "harm": "Nobody wants to hear it.",
        "text": "Thanks, Sam. Nobody wants to hear it. Sit down.",
    }
    return {**answer, **changes}


def test_there_is_a_walkthrough_file():
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_walkthrough_answer_names_a_shipped_scenario_a_known_red_line_and_its_harm(path):
    answers = json.loads(path.read_text(encoding="utf-8"))
    assert problems_in(answers, set(moments()), set(shipped_bank())) == []


def test_a_sound_answer_passes():
    sound = good_answer(style="plain-sound", grade=4, red_line=None, harm=None)
    assert problems_in([sound], {"s/k"}, {"put-down"}) == []
    assert problems_in([good_answer()], {"s/k"}, {"put-down"}) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"key": "nowhere"}, "no shipped scenario s/nowhere"),
        ({"grade": 5}, "grade 5 is not 0–4"),
        ({"red_line": "rudeness"}, "unknown red line 'rudeness'"),
        ({"harm": None}, "a red line and its quoted harm come together"),
        ({"red_line": None}, "a red line and its quoted harm come together"),
        ({"harm": "Nobody wants to hear that."}, "the quoted harm is not in the text"),
    ],
)
def test_each_problem_is_named(changes, problem):
    assert problems_in([good_answer(**changes)], {"s/k"}, {"put-down"}) == [f"answer 1: {problem}"]


def test_an_answer_with_a_missing_field_is_refused():
    answer = good_answer()
    del answer["harm"]
    assert problems_in([answer], {"s/k"}, {"put-down"})[0].startswith("answer 1: fields")


def test_the_summary_counts_flags_right_names_and_scores_above_the_cap():
    rows = [(30, ["put-down"], "put-down"), (55, [], "put-down"), (20, ["threat"], "put-down")]
    line = style_summary("polite-harm", rows)
    assert "3 answers, mean 35.0 (20–55)" in line
    assert "flagged 2, named right 1, above 39: 1" in line
