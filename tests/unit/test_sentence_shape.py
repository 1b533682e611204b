"""The coaching sentence's shape, as GBNF for servers and as token masks in process."""

import numpy as np
import pytest

from ai.feedback import NEXT_STEP
from ai.sentence_shape import SentenceShape, ShapeMasks

SHAPE = SentenceShape("Go, ", "a-z", "a-z ,")
VOCAB = ["", "Go", ",", " ", "Go,", " run", "run", " Run", "fast", " fast.", ".", "fast!", "7", "\n", "<eos>"]


def allowed(masks: ShapeMasks, written: str) -> set[str]:
    return {VOCAB[i] for i in np.flatnonzero(masks.allowed(written))}


def test_the_next_step_shape_is_the_grammar_servers_get():
    assert NEXT_STEP.gbnf() == """root ::= "Next time, try " [a-z] [a-zA-Z ,;'-]+ "." """.strip()
    assert NEXT_STEP.fullmatch("Next time, try naming the step Kai got right.")
    wrong = ("Next time, try 2 things.", "next time, try this.", "Next time, try this", "Next time, try X.")
    for text in wrong:
        assert not NEXT_STEP.fullmatch(text)


def test_the_opening_is_written_as_is_in_any_split_of_tokens():
    masks = ShapeMasks(SHAPE, VOCAB)
    assert allowed(masks, "") == {"Go", "Go,"}
    assert allowed(masks, "Go") == {","}
    assert allowed(masks, "Go,") == {" ", " run", " fast."}  # the opening's space, alone or leading a word


def test_after_the_opening_only_the_alphabet_and_one_full_stop_may_follow():
    masks = ShapeMasks(SHAPE, VOCAB)
    assert allowed(masks, "Go, ") == {"run", "fast"}  # a lower-case first letter, no stop yet
    assert allowed(masks, "Go, run") == {",", " ", " run", "run", "fast", " fast.", "."}
    assert not masks.finished("Go, run")
    assert masks.finished("Go, run fast.")


@pytest.mark.parametrize("written", ["", "Go", "Go, ", "Go, run"])
def test_empty_and_special_tokens_never_come_next(written):
    masks = ShapeMasks(SHAPE, VOCAB)
    assert not {"", "7", "\n", "fast!", "<eos>", " Run"} & allowed(masks, written)
