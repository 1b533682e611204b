"""Learning from trainers (ai/calibration.py): the nearest graded answers pull a score towards theirs."""

import math

import numpy as np
import pytest

from ai.calibration import CLOSE_FROM, MIN_EXAMPLES, NEIGHBOURS, GradedExample, calibrated

ANSWER = np.array([1.0, 0.0, 0.0])


def at(cosine: float) -> np.ndarray:
    """A unit vector at the given cosine from ANSWER."""
    return np.array([cosine, math.sqrt(max(0.0, 1 - cosine**2)), 0.0])


def examples(n: int, cosine: float, correction: float, automatic: float = 50.0) -> list[GradedExample]:
    return [GradedExample(at(cosine), automatic, automatic + correction) for _ in range(n)]


def test_the_constants_make_sense():
    assert 1 <= MIN_EXAMPLES <= NEIGHBOURS and 0 < CLOSE_FROM < 1


@pytest.mark.parametrize("n", range(MIN_EXAMPLES))
def test_fewer_than_the_minimum_examples_change_nothing(n):
    assert calibrated(60.0, ANSWER, examples(n, 1.0, 30)) == 60.0


def test_the_minimum_number_of_examples_is_enough():
    assert calibrated(60.0, ANSWER, examples(MIN_EXAMPLES, 1.0, 30)) > 60.0


@pytest.mark.parametrize("cosine", [1.0, 0.9, 0.6])
def test_near_examples_the_trainer_scored_higher_raise_the_points(cosine):
    assert calibrated(50.0, ANSWER, examples(MIN_EXAMPLES, cosine, 20)) > 50.0


@pytest.mark.parametrize("cosine", [1.0, 0.9, 0.6])
def test_near_examples_the_trainer_scored_lower_lower_the_points(cosine):
    assert calibrated(50.0, ANSWER, examples(MIN_EXAMPLES, cosine, -20)) < 50.0


def test_identical_examples_move_the_points_by_the_whole_correction():
    assert calibrated(50.0, ANSWER, examples(NEIGHBOURS, 1.0, 12)) == pytest.approx(62.0)


def test_a_closer_neighbourhood_pulls_harder():
    moves = [calibrated(50.0, ANSWER, examples(MIN_EXAMPLES, c, 20)) - 50.0 for c in (0.5, 0.7, 0.9, 1.0)]
    assert moves == sorted(moves) and moves[0] > 0


@pytest.mark.parametrize("cosine", [CLOSE_FROM - 0.01, 0.1, 0.0, -0.5])
def test_far_examples_change_nothing(cosine):
    assert calibrated(50.0, ANSWER, examples(NEIGHBOURS + 2, cosine, 40)) == 50.0


def test_far_examples_do_not_dilute_near_ones():
    near = examples(MIN_EXAMPLES, 1.0, 12)
    far = examples(NEIGHBOURS - MIN_EXAMPLES, 0.0, -40)
    assert calibrated(50.0, ANSWER, near + far) == pytest.approx(62.0)


def test_only_the_nearest_neighbours_have_a_say():
    nearest = examples(NEIGHBOURS, 1.0, 0)
    further = examples(3, 0.9, 40)
    assert calibrated(50.0, ANSWER, further + nearest) == pytest.approx(50.0)


@pytest.mark.parametrize("points, correction", [(95.0, 40), (100.0, 100), (5.0, -40), (0.0, -100)])
def test_the_result_stays_within_0_and_100(points, correction):
    result = calibrated(points, ANSWER, examples(NEIGHBOURS, 1.0, correction))
    assert 0.0 <= result <= 100.0
    assert result == (100.0 if correction > 0 else 0.0)
