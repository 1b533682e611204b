"""The dimensions' three-level heads: the level shown is the likeliest, the value stays in its band."""

import json

import numpy as np
import pytest

from ai.dimensions import level_word
from ai.judge import LEVELS, LevelHead, answer_embedding, shipped_judge
from bench.fit_judge import fit_level_head, versioned


def _clusters(seed=0, levels=(0, 1, 2), per=30):
    """Three separable clouds of points, one per level."""
    rng = np.random.RandomState(seed)
    centres = {0: (-3.0, 0.0), 1: (0.0, 3.0), 2: (3.0, 0.0)}
    x = np.vstack([rng.normal(centres[k], 0.5, size=(per, 2)) for k in levels])
    return x, np.repeat(np.array(levels), per)


@pytest.mark.parametrize("seed", range(5))
def test_the_level_of_a_heads_value_is_its_likeliest_level(seed):
    x, y = _clusters(seed)
    head = fit_level_head(x, y, np.ones(len(y)), 1.0)
    rng = np.random.RandomState(100 + seed)
    for row in rng.normal(0, 3, size=(200, 2)):
        likeliest = LEVELS[int(np.argmax(head.probabilities(row)))]
        value = head.value(row)
        assert 0.0 <= value <= 1.0
        assert level_word(value) == likeliest


def test_a_head_learns_the_levels_it_was_shown():
    x, y = _clusters()
    head = fit_level_head(x, y, np.ones(len(y)), 1.0)
    centres = [np.array(c, dtype=float) for c in [(-3, 0), (0, 3), (3, 0)]]
    assert [LEVELS[int(np.argmax(head.probabilities(c)))] for c in centres] == list(LEVELS)
    # Deeper inside a level's cloud, the value moves towards that level's end of its band.
    assert head.value(np.array([4.0, 0.0])) > head.value(np.array([1.5, 0.4]))


def test_a_level_no_example_has_is_never_predicted():
    x, y = _clusters(levels=(0, 2))
    head = fit_level_head(x, y, np.ones(len(y)), 1.0)
    rows = np.random.RandomState(7).normal(0, 4, size=(300, 2))
    assert all(LEVELS[int(np.argmax(head.probabilities(r)))] != "partly" for r in rows)
    assert {level_word(head.value(r)) for r in rows} == {"missed", "met"}


def test_a_head_survives_its_json_form():
    x, y = _clusters()
    head = fit_level_head(x, y, np.ones(len(y)), 1.0)
    again = LevelHead.from_json(json.loads(json.dumps(head.as_json())))
    row = np.array([0.5, 1.0])
    assert again.value(row) == pytest.approx(head.value(row), abs=1e-5)


def test_the_shipped_judge_has_a_three_level_head_for_every_dimension():
    judge = shipped_judge()
    width = len(judge.features) + 2 * 384  # the answer's vector and its sentences' maximum
    assert judge.dimensions
    for head in judge.dimensions.values():
        assert head.weights.shape == (3, width) and head.intercepts.shape == (3,)
    # The grade's kernel reads the scalars and the answer's vector, not its sentences' maximum.
    assert judge.grade.support.shape[1] == len(judge.features) + 384


def test_the_heads_read_the_strongest_sentence_beside_the_mean():
    sentences = np.array([[1.0, 0.0, 0.2], [0.0, 1.0, -0.4]])
    mean = sentences.mean(axis=0)
    assert answer_embedding(mean, sentences).tolist() == [0.5, 0.5, -0.1, 1.0, 1.0, 0.2]
    assert answer_embedding(mean, np.zeros((0, 3))).tolist() == [0.5, 0.5, -0.1, 0.0, 0.0, 0.0]


def test_a_sentence_leans_as_it_would_as_the_whole_answer():
    judge = shipped_judge()
    rng = np.random.default_rng(0)
    sentence = rng.normal(size=384)
    scalars = dict.fromkeys(judge.features, 0.0)
    head = judge.dimensions["warmth"]
    alone = judge.row(scalars, sentence, sentence[None, :])
    empty = judge.row(scalars, np.zeros(384), np.zeros((0, 384)))
    pushed = head.leaning() @ (alone - empty)
    assert judge.sentence_leaning("warmth", sentence[None, :])[0] == pytest.approx(pushed)


def test_two_different_fits_never_share_a_version():
    first = versioned({"version": "", "grade": {"weights": [1.0], "intercept": 0.0}})
    second = versioned({"version": "", "grade": {"weights": [1.5], "intercept": 0.0}})
    assert first["version"] != second["version"]
    assert versioned({**first, "version": "x"})["version"] == first["version"]
