"""The coaching sentence's shape, as GBNF for servers and as token masks in process."""

import numpy as np
import pytest

from ai.feedback import NEXT_STEP, FeedbackFacts, FeedbackWriter
from ai.llm import FakeLLM
from ai.sentence_shape import SentenceShape, ShapeMasks, token_text

SHAPE = SentenceShape("Go, ", "a-z", "a-z ,")
VOCAB = ["", "Go", ",", " ", "Go,", " run", "run", " Run", "fast", " fast.", ".", "fast!", "7", "\n", "<eos>"]


def allowed(masks: ShapeMasks, written: str) -> set[str]:
    return {VOCAB[i] for i in np.flatnonzero(masks.allowed(written))}


def test_the_next_step_shape_is_the_grammar_servers_get():
    assert NEXT_STEP.gbnf() == """root ::= "Next time, try " [a-z] [a-zA-ZÀ-ÖØ-öø-ɏḀ-ỿ ,;'-]+ "." """.strip()
    assert NEXT_STEP.fullmatch("Next time, try naming the step Kai got right.")
    for name in ("Tomás", "Lucía", "Zoë", "Łukasz", "Nguyễn", "Ayşe", "Siobhán"):
        assert NEXT_STEP.fullmatch(f"Next time, try asking {name} first.")
    wrong = ("Next time, try 2 things.", "next time, try this.", "Next time, try this", "Next time, try X.")
    wrong += ("Next time, try ✨ this.", "Next time, try × this.", "Next time, try 你好.")
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


def test_a_letter_the_vocabulary_splits_into_bytes_may_be_written_in_pieces():
    fragments = [token_text(bytes([byte])) for byte in "Ł".encode()]  # two tokens of one byte each
    vocab = [*VOCAB, *fragments, "ukasz", " " + fragments[0]]
    masks = ShapeMasks(SentenceShape("Go, ", "a-z", "a-zŁ ,'-"), vocab)  # a class ending in "-"
    body = {vocab[i] for i in np.flatnonzero(masks.allowed("Go, run"))}
    assert {*fragments, "ukasz", " " + fragments[0]} <= body
    assert not {"7", "fast!", "\n", " Run"} & body
    assert not set(fragments) & {vocab[i] for i in np.flatnonzero(masks.allowed("Go, "))}  # not first


def test_the_feedback_writer_refuses_pieces_that_spell_something_off_the_shape():
    note = "Let Zoë explain in her own words what she noticed first."
    facts = FeedbackFacts(50, "developing", [], [], "", "", note)
    for sentence, source in (
        ("Next time, try letting Zoë explain in her own words what she noticed first.", "model"),
        ("Next time, try letting Zoë explain in her own words 🙂 what she noticed first.", "fallback"),
    ):
        feedback = FeedbackWriter(FakeLLM(default=sentence)).write(facts)
        assert feedback.source == source, feedback.rejected_because
