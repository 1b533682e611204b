"""The judge's grade, answer-level red lines and namer: numpy scoring agrees with the fit and its JSON."""

import json
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.svm import SVR

from ai.evidence import find_red_lines
from ai.features import Contrast
from ai.judge import (
    GRAM_BUCKETS,
    SENTENCE_WIDTH,
    KernelGrade,
    RedLineNamer,
    nearest_by_key,
    sentence_rows,
    shipped_judge,
    word_grams,
)
from ai.red_lines import shipped_bank
from ai.signals import EmbeddedResponse
from bench.fit_judge import GRADE_C, GRADE_EPSILON, GRADE_VECTOR_BOOST, fit_answer_red_line, fit_grade

SCALARS = 3


def _rows(seed: int, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Judge-shaped rows (3 scalars, a 384-wide vector, its sentences' maximum) and a bent grade."""
    rng = np.random.RandomState(seed)
    rows = rng.normal(0, 1, size=(n, SCALARS + 2 * 384)) * 0.2
    grades = np.clip(2 + 2 * np.tanh(rows[:, 0] * 4) - rows[:, SCALARS] * 3, 0, 4)
    return rows, grades


@pytest.mark.parametrize("seed", range(3))
def test_numpy_scoring_matches_libsvm_on_the_same_inputs(seed):
    rows, grades = _rows(seed)
    grade = fit_grade(rows, grades, np.ones(len(grades)), SCALARS)
    inputs = grade.inputs(rows)
    model = SVR(C=GRADE_C, epsilon=GRADE_EPSILON, gamma=grade.gamma).fit(inputs, grades)
    fresh, _ = _rows(100 + seed, 40)
    assert np.allclose(grade(fresh), model.predict(grade.inputs(fresh)), atol=1e-6)


def test_the_kernel_reads_the_scalars_and_the_boosted_vector_but_not_the_maximum():
    rows, grades = _rows(7)
    grade = fit_grade(rows, grades, np.ones(len(grades)), SCALARS)
    inputs = grade.inputs(rows[:2])
    assert inputs.shape == (2, SCALARS + 384)
    assert np.allclose(inputs[:, SCALARS:], GRADE_VECTOR_BOOST * rows[:2, SCALARS : SCALARS + 384])
    changed = rows[:2].copy()
    changed[:, SCALARS + 384 :] += 5.0  # the sentences' maximum
    assert np.allclose(grade(changed), grade(rows[:2]))


def test_the_json_form_keeps_predictions_within_a_hundredth_of_a_grade():
    rows, grades = _rows(3)
    grade = fit_grade(rows, grades, np.ones(len(grades)), SCALARS)
    again = KernelGrade.from_json(json.loads(json.dumps(grade.as_json())))
    assert again.support.shape == grade.support.shape
    assert np.max(np.abs(again(rows) - grade(rows))) < 0.01


def test_the_shipped_grade_is_a_kernel_over_scalars_and_vector():
    judge = shipped_judge()
    assert isinstance(judge.grade, KernelGrade)
    assert judge.grade.scalars == len(judge.features)
    assert len(judge.grade.dual) == judge.grade.support.shape[0] > 0


def test_the_shipped_judge_reads_red_lines_from_the_whole_answer_too():
    judge = shipped_judge()
    width = len(judge.features) + 2 * 384
    assert judge.answer_red_line.weights.shape == (width,)
    assert 0.5 < judge.answer_red_line_threshold < 1.0
    assert judge.answer_red_line_probability(np.zeros(width)) < judge.answer_red_line_threshold


def test_the_answer_level_threshold_flags_few_held_out_good_answers():
    rng = np.random.RandomState(0)
    refs = [f"set/moment-{i % 20}" for i in range(400)]
    red = rng.rand(400) < 0.3
    x = rng.normal(0, 1, size=(400, 5)) + np.outer(red, [2.0, 0, 0, 0, 0])
    examples = [
        SimpleNamespace(moment=SimpleNamespace(ref=r), red_line=bool(b), grade=0 if b else 4, weight=1.0)
        for r, b in zip(refs, red, strict=True)
    ]
    model, threshold = fit_answer_red_line(x, examples, np.ones(400))
    probabilities = 1 / (1 + np.exp(-model(x)))
    assert (probabilities[~red] >= threshold).mean() <= 0.05
    assert (probabilities[red] >= threshold).mean() > 0.3


def test_the_red_line_namer_names_by_vector_and_survives_its_json_form():
    keys = ("put-down", "secrecy-promise")
    namer = RedLineNamer(keys, np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.0, 0.2]))
    again = RedLineNamer.from_json(json.loads(json.dumps(namer.as_json())))
    for vector, key in [(np.array([1.0, 0.0]), "put-down"), (np.array([0.0, 1.0]), "secrecy-promise")]:
        assert namer(vector) == again(vector) == key


def test_the_shipped_namer_knows_every_red_line_of_the_bank():
    namer = shipped_judge().red_line_names
    assert namer is not None and set(namer.keys) == set(shipped_bank())
    assert namer.weights.shape == (len(namer.keys), 384 + len(namer.keys)) and namer.closeness_scale > 0


def test_the_namer_reads_how_close_a_sentence_is_to_each_red_line_and_keeps_it_in_json():
    keys = ("put-down", "secrecy-promise")
    # The vector leans to a put-down; the bank's phrasings say secrecy.
    weights = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]])
    namer = RedLineNamer(keys, weights, np.zeros(2), closeness_scale=1.0)
    again = RedLineNamer.from_json(json.loads(json.dumps(namer.as_json())))
    vector, bank_keys = np.array([0.6, 0.0]), ("put-down", "secrecy-promise", "secrecy-promise")
    assert list(nearest_by_key(namer.keys, np.array([0.2, 0.1, 0.7]), bank_keys)) == [0.2, 0.7]
    for reader in (namer, again):
        assert reader(vector, np.array([0.2, 0.1, 0.7]), bank_keys) == "secrecy-promise"
        assert reader(vector, np.array([0.2, 0.1, 0.1]), bank_keys) == "put-down"
        assert reader(vector) == "put-down"  # no closeness given: the vector alone


def _one_sentence(text: str, vector: np.ndarray) -> EmbeddedResponse:
    return EmbeddedResponse(vector, (text,), vector[None, :])


def test_a_flagged_sentence_is_named_by_the_namer_and_by_its_nearest_phrasing_without_one():
    contrast = Contrast(
        (),
        np.zeros((0, 2)),
        (),
        np.array([[1.0, 0.0], [0.0, 1.0]]),
        ("put-down", "gives-up"),
        np.zeros((0, 2)),
    )
    embedded = _one_sentence("You will never manage this, so why bother.", np.array([0.9, 0.1]))
    odds = np.array([0.99])
    assert [h.key for h in find_red_lines(embedded, odds, 0.5, contrast)] == ["put-down"]
    named = find_red_lines(embedded, odds, 0.5, contrast, namer=lambda vector, *closeness: "gives-up")
    assert [h.key for h in named] == ["gives-up"]
    # A key the bank no longer has (a judge older than the bank) falls back to the nearest phrasing.
    unknown = find_red_lines(embedded, odds, 0.5, contrast, namer=lambda vector, *closeness: "retired-line")
    assert [h.key for h in unknown] == ["put-down"]


def test_a_sentence_closer_to_sound_words_counts_only_when_the_classifier_is_sure():
    # The sentence lies nearer a near miss than any phrasing of the bank.
    contrast = Contrast(
        (), np.zeros((0, 2)), (), np.array([[1.0, 0.0]]), ("secrecy-promise",), np.array([[0.0, 1.0]])
    )
    embedded = _one_sentence("I won't mention it to anyone.", np.array([0.3, 0.95]))
    assert find_red_lines(embedded, np.array([0.8]), 0.7, contrast, sure=0.9) == []
    hits = find_red_lines(embedded, np.array([0.95]), 0.7, contrast, sure=0.9)
    assert [(h.key, h.sentence) for h in hits] == [("secrecy-promise", "I won't mention it to anyone.")]


def test_the_shipped_sure_threshold_lies_above_the_red_line_threshold():
    judge = shipped_judge()
    assert judge.red_line_threshold <= judge.red_line_sure_threshold < 1.0


def test_the_sentence_classifier_reads_the_trainees_words_not_a_students_quoted_in_a_stage_direction():
    # "[Jade: 'promise you won't tell anyone?" is Jade asking; the words that tell a promise of
    # secrecy apart from a refusal must not count as the trainee's.
    assert np.array_equal(word_grams("[Jade: 'promise you won't tell anyone?"), word_grams("[Jade: "))
    # The trainee's own stage direction is theirs: "[laughs along]" laughs off what was said.
    assert not np.array_equal(word_grams("[laughs along] Ha, cheeky."), word_grams("Ha, cheeky."))
    assert not np.array_equal(word_grams("I promise I won't tell."), word_grams("I can't promise that."))


def test_word_grams_fall_in_every_bucket_of_the_classifier():
    buckets = {int(np.argmax(word_grams(f"word{i}"))) for i in range(2000)}
    assert max(buckets) >= GRAM_BUCKETS // 2 and len(word_grams("a")) == GRAM_BUCKETS
    assert shipped_judge().red_line.weights.shape == (SENTENCE_WIDTH,)


def test_the_sentence_classifier_reads_a_sentence_against_its_moment():
    judge = shipped_judge()
    against = judge.red_line.weights[384 + GRAM_BUCKETS :]
    assert len(against) == 384 and np.linalg.norm(against) > 0.1
    rng = np.random.default_rng(0)
    vector = rng.normal(size=(1, 384))
    vector /= np.linalg.norm(vector)
    centres = rng.normal(size=(2, 384))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    odds = [judge.red_line_probabilities(["Can it wait?"], vector, c)[0] for c in (*centres, None)]
    assert odds[0] != odds[1]  # two moments, two readings of one sentence
    # No moment (the bank's phrasings) reads the sentence alone.
    rows = sentence_rows(["Can it wait?"], vector)
    assert not rows[:, 384 + GRAM_BUCKETS :].any()
    assert odds[2] == pytest.approx(float(1 / (1 + np.exp(-judge.red_line(rows)[0]))))
