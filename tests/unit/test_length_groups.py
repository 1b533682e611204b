"""Texts go to MiniLM in batches of similar length, so short sentences are not padded to long ones."""

from __future__ import annotations

from embeddings.onnx_embedder import length_groups


def test_a_short_text_does_not_join_a_batch_of_long_ones():
    lengths = [400, 40, 380, 35, 120]  # an answer, its sentences, another answer
    assert length_groups(lengths, 64, share=0.7) == [[0, 2], [4], [1, 3]]


def test_every_text_is_in_exactly_one_batch_longest_first():
    lengths = [5, 90, 7, 60, 61, 3, 100, 100]
    groups = length_groups(lengths, 64, share=0.7)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    firsts = [lengths[g[0]] for g in groups]
    assert firsts == sorted(firsts, reverse=True)
    assert all(lengths[i] >= 0.7 * lengths[g[0]] for g in groups for i in g)


def test_batches_keep_to_the_batch_size():
    assert [len(g) for g in length_groups([10] * 5, 2)] == [2, 2, 1]
    assert length_groups([], 64) == []
