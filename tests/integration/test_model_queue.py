"""The real SmolLM2 GGUF behind the shared model queue (redis-server): two in-process models stand
for two workers, and a queued reply is word for word the one the model writes without the queue."""

from __future__ import annotations

import threading

import pytest

from ai.feedback import NEXT_STEP, FeedbackFacts, coaching_messages
from ai.llm import LlamaCppLLM
from practicum.config import default_llm_model_path
from tests.service.test_shared_model_queue import redis_url  # noqa: F401 — the fixture, once Redis answers

pytestmark = pytest.mark.integration

TIPS = [
    "Ask Tomás to explain how they got their answer.",
    "Name the feeling you see before you give the next instruction.",
    "Give Kai a choice of two ways to start the task.",
]


def test_queued_replies_are_the_models_own_whichever_worker_writes_them(redis_url):  # noqa: F811
    workers = [LlamaCppLLM(default_llm_model_path(), threads=1, order_url=redis_url) for _ in range(2)]
    alone = LlamaCppLLM(default_llm_model_path(), threads=1)  # no queue: this process's model
    for worker in workers:
        worker.load()  # each takes its share of the queue, as gunicorn's workers do after forking
    try:
        _ask_both(workers, alone)
    finally:
        for worker in workers:  # as gunicorn's worker_exit does: no thread outlives this Redis
            worker.stop_serving(30)


def _ask_both(workers: list[LlamaCppLLM], alone: LlamaCppLLM) -> None:
    requests = [coaching_messages(FeedbackFacts(45, "developing", [], [], "", "", tip)) for tip in TIPS]
    expected = ["".join(alone.stream_chat(messages, 60, NEXT_STEP)) for messages in requests]
    assert all(NEXT_STEP.fullmatch(sentence) for sentence in expected)

    written: dict[int, str] = {}

    def ask(index: int) -> None:  # all at once, asked through either worker
        written[index] = "".join(workers[index % 2].stream_chat(requests[index], 60, NEXT_STEP))

    threads = [threading.Thread(target=ask, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [written.get(index) for index in range(len(requests))] == expected
