"""The data the judge learns from and is measured on: the graded set and the shipped pitfalls."""

from collections import Counter, defaultdict

import pytest
import yaml

from bench.check_graded import problems_in
from bench.evaluate_graded import HARD
from bench.fit_judge import OFF_TOPIC_TEXTS, off_topic_answers
from bench.graded import GRADED, load_graded, moments, quoted
from scenarios.loader import SETS_DIR


@pytest.fixture(scope="module")
def graded():
    """The graded set, read once for this module (about 6 s a read)."""
    return load_graded()


def test_the_graded_folder_has_no_problems():
    assert problems_in(GRADED) == []


def test_the_hard_folder_is_well_formed_and_never_fitted(graded):
    # `make eval` scores bench/data/hard with the shipped judge as answers it never saw: none of
    # them may be in the folder `make fit` learns from.
    assert problems_in(HARD) == []
    fitted = {(a.moment.ref, " ".join(a.text.split())) for a in graded}
    hard = load_graded(HARD)
    assert len(hard) >= 200
    assert not [a.text for a in hard if (a.moment.ref, " ".join(a.text.split())) in fitted]


def test_the_graded_set_is_as_large_and_varied_as_the_measure_needs(graded):
    answers = graded
    by_scenario = defaultdict(list)
    for a in answers:
        by_scenario[a.moment.ref].append(a)
    assert len(answers) >= 400 and len(by_scenario) >= 40
    assert all(
        len(group) >= 6 and {a.grade for a in group} == {0, 1, 2, 3, 4} for group in by_scenario.values()
    )
    assert sum(1 for a in answers if a.red_line) >= 60
    both = [
        g
        for g in by_scenario.values()
        if {"expert-words-harmful", "own-words-strong"} <= {a.style for a in g}
    ]
    assert len(both) * 3 >= len(by_scenario)
    for style in ("terse", "rambling", "non-native"):
        assert {a.grade for a in answers if a.style == style} == {0, 1, 2, 3, 4}, style


def test_red_line_answers_are_not_copies_of_the_bank_or_the_pitfalls(graded):
    bank = yaml.safe_load((SETS_DIR.parent / "red_lines.yaml").read_text(encoding="utf-8"))
    phrasings = {p.strip().lower() for line in bank["red_lines"] for p in line["phrasings"]}
    for a in graded:
        pitfalls = {p.text.strip().lower() for p in a.moment.facts.pitfalls}
        assert a.text.strip().lower() not in phrasings | pitfalls, a.text


def test_every_shipped_scenario_has_a_red_line_and_a_weak_pitfall():
    for path in sorted(SETS_DIR.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            severities = Counter(p["severity"] for p in item.get("pitfalls", []))
            assert severities["red_line"] >= 1 and severities["weak"] >= 1, item["key"]
            assert sum(severities.values()) >= 2, item["key"]


def test_every_scenario_trains_on_an_answer_to_another_moment_and_two_about_nothing():
    by_ref = {r: m for r, m in moments(GRADED).items() if not r.startswith("mrbench")}
    pairs = off_topic_answers(list(by_ref.values()))
    per_moment = defaultdict(list)
    for moment, text in pairs:
        per_moment[moment.ref].append(text)
    assert set(per_moment) == set(by_ref)
    for ref, texts in per_moment.items():
        talk = [t for t in texts if t in OFF_TOPIC_TEXTS]
        assert len(talk) == 2 and len(set(talk)) == 2, ref
        assert not {t for t in texts if t not in OFF_TOPIC_TEXTS} & {e.text for e in by_ref[ref].experts}
    assert len({t for texts in per_moment.values() for t in texts if t in OFF_TOPIC_TEXTS}) == len(
        OFF_TOPIC_TEXTS
    )


def test_every_red_line_answer_quotes_the_sentences_that_cross_it(graded):
    for a in graded:
        assert bool(a.harm) == bool(a.red_line), a.text
        assert all(q in a.text for q in a.harm), a.text


def _folder_with(tmp_path, answer: dict):
    answer = {
        "scenario": "promise-not-to-tell",
        "grade": 1,
        "rationale": "Kind, then a jibe.",
        "style": "plain",
        "dimensions": dict.fromkeys(
            ("responsiveness", "next_step", "warmth", "proportionality", "inclusion"), "met"
        ),
        "text": "I'm glad you came to me. Honestly, you're such a drama queen.",
        **answer,
    }
    (tmp_path / "answers.yaml").write_text(
        yaml.safe_dump({"set": "belonging-and-wellbeing", "answers": [answer]}), encoding="utf-8"
    )
    return tmp_path


def test_a_harm_quote_must_be_in_the_text_and_belong_to_a_red_line(tmp_path):
    good = {"red_line": "put-down", "harm": ["Honestly, you're such a drama queen."]}
    assert problems_in(_folder_with(tmp_path, good)) == []
    misquoted = {"red_line": "put-down", "harm": ["You're such a drama queen!"]}
    assert "is not in the text" in problems_in(_folder_with(tmp_path, misquoted))[0]
    unlabelled = {"red_line": None, "harm": ["Honestly, you're such a drama queen."]}
    assert "only with a red_line" in problems_in(_folder_with(tmp_path, unlabelled))[0]
    empty = {"red_line": "put-down", "harm": []}
    assert "list of quoted sentences" in problems_in(_folder_with(tmp_path, empty))[0]


def test_a_sentence_is_quoted_when_it_holds_a_quote_or_lies_inside_one():
    quotes = ["Honestly, you're such a  drama queen.", "[shouts across the room]"]
    assert quoted("honestly, you're such a drama queen.", quotes)
    assert quoted("[shouts across the room] Jade, come here.", quotes)
    assert quoted("Honestly,", ["Honestly, you're such a drama queen."])
    assert not quoted("I'm glad you came to me.", quotes)
