"""The job machinery's own rules: embedding ahead in one call, retry waits, heartbeats, error words."""

from __future__ import annotations

import numpy as np

from embeddings.embedder import FakeEmbedder
from practicum import job_queue, job_work
from practicum.batch import PrefetchedEmbedder, chunks, numbered_lines
from practicum.config import Config
from practicum.errors import ValidationFailed
from practicum.job_worker import PracticumWorker


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        self.calls: list[list[str]] = []

    def embed_batch(self, texts):
        self.calls.append(list(texts))
        return super().embed_batch(texts)


def test_texts_embedded_ahead_are_answered_without_another_call_and_unchanged():
    inner = CountingEmbedder()
    ahead = PrefetchedEmbedder(inner, ["one two", "three", "one two"])
    assert inner.calls == [["one two", "three"]]  # one call, each text once
    rows = ahead.embed_batch(["three", "one two"])
    assert inner.calls == [["one two", "three"]]
    assert np.array_equal(rows, FakeEmbedder().embed_batch(["three", "one two"]))
    assert ahead.model_id == inner.model_id


def test_texts_not_seen_ahead_are_embedded_together_in_one_call():
    inner = CountingEmbedder()
    ahead = PrefetchedEmbedder(inner, ["a"])
    rows = ahead.embed_batch(["b", "a", "c", "b"])
    assert inner.calls[1:] == [["b", "c"]]
    assert rows.shape == (4, 384) and np.array_equal(rows[0], rows[3])
    assert ahead.embed_batch([]).shape == (0, 384)


def test_lines_are_numbered_from_one_blank_ones_skipped_and_resumed_after_a_line():
    lines = ["a", "", "b", "  ", "c", "d"]
    assert list(numbered_lines(lines)) == [(1, "a"), (3, "b"), (5, "c"), (6, "d")]
    assert list(numbered_lines(lines, start_after=3)) == [(5, "c"), (6, "d")]
    assert list(chunks(numbered_lines(lines), 3)) == [[(1, "a"), (3, "b"), (5, "c")], [(6, "d")]]


def test_retry_waits_grow_fourfold_and_there_are_as_many_as_retries():
    assert job_queue.retry_waits(Config(environ={"JOB_RETRIES": "3", "JOB_RETRY_WAIT_S": "10"})) == [
        10,
        40,
        160,
    ]
    assert job_queue.retry_waits(Config(environ={"JOB_RETRIES": "0"})) == []


def test_a_job_is_abandoned_after_three_missed_heartbeats():
    worker = PracticumWorker.__new__(PracticumWorker)
    worker.job_monitoring_interval = 7
    assert worker.get_heartbeat_ttl(job=None) == 21


def test_failures_are_described_in_words_an_admin_can_act_on():
    from rq.exceptions import AbandonedJobError

    assert job_work.describe(ValidationFailed("No current scenario.")) == "No current scenario."
    assert "stopped (killed or restarted)" in job_work.describe(AbandonedJobError())
    assert job_work.describe(KeyError("x")) == "KeyError: 'x'"
