"""The in-process model is taken first come, first served, and a wait can be bounded."""

from __future__ import annotations

import threading
import time

from ai.fair_lock import FairLock
from ai.feedback import FeedbackWriter
from ai.llm import FakeLLM
from tests.unit.test_feedback import facts


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.001)


def test_waiters_are_served_in_the_order_they_arrived():
    lock, served = FairLock(), []
    lock.acquire()

    def wait_for_turn(number: int) -> None:
        with lock:
            served.append(number)

    threads = []
    for number in range(12):
        thread = threading.Thread(target=wait_for_turn, args=(number,))
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=number: lock.waiting() == n + 2)  # the holder and every waiter so far
    lock.release()
    for thread in threads:
        thread.join(5)
    assert served == list(range(12))


def test_a_caller_that_gives_up_is_skipped_and_the_next_one_served():
    lock = FairLock()
    lock.acquire()
    assert lock.acquire(timeout=0.05) is False
    got = []
    waiter = threading.Thread(target=lambda: got.append(lock.acquire(timeout=5)))
    waiter.start()
    _wait_until(lambda: lock.waiting() == 2)
    lock.release()
    waiter.join(5)
    assert got == [True] and lock.waiting() == 1
    lock.release()
    assert lock.waiting() == 0 and lock.acquire(timeout=0)


def test_a_busy_model_is_not_a_faulty_one():
    from practicum.errors import ModelUnavailable

    class Busy(FakeLLM):
        def stream_chat(self, messages, max_tokens, grammar=None):
            raise ModelUnavailable("the model is busy (9 replies ahead)", "busy")
            yield ""

    model = Busy()
    feedback = FeedbackWriter(model).write(facts())
    assert feedback.source == "fallback" and "busy" in feedback.rejected_because
    assert model.health.report()["state"] == "ok"


def test_the_model_counts_the_replies_it_has_not_started(tmp_path):
    from ai.llm import LlamaCppLLM

    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF")  # never loaded: only the lock is used
    model = LlamaCppLLM(str(weights))
    assert model.waiting() == (0, "worker")
    model._lock.acquire()  # a reply being written is not waiting
    assert model.waiting() == (0, "worker")
    waiters = [threading.Thread(target=lambda: model._lock.acquire(timeout=0.3)) for _ in range(2)]
    for waiter in waiters:
        waiter.start()
    _wait_until(lambda: model.waiting() == (2, "worker"))
    for waiter in waiters:
        waiter.join(5)
    model._lock.release()
