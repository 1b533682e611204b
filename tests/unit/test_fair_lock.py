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


class _RedisFailingOnDrop:
    """A Redis stand-in: tickets and the queue work, taking a ticket out fails (Redis gone)."""

    def __init__(self):
        self.calls = 0

    def incr(self, key):
        return 1

    def pipeline(self, transaction=True):
        client = self

        class Pipeline:
            def __init__(self):
                self.commands = []

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def set(self, *args, **kwargs):
                self.commands.append("set")

            def zadd(self, *args, **kwargs):
                self.commands.append("zadd")

            def zrange(self, *args):
                self.commands.append("zrange")

            def zrem(self, *args):
                self.commands.append("zrem")

            def delete(self, *args):
                self.commands.append("delete")

            def execute(self):
                from redis.exceptions import ConnectionError as RedisConnectionError

                client.calls += 1
                if "zrem" in self.commands:
                    raise RedisConnectionError("Redis went away")
                return [True] * (len(self.commands) - 1) + ([[b"1"]] if "zrange" in self.commands else [True])

        return Pipeline()


def test_a_shared_lock_whose_redis_fails_after_the_turn_still_holds_its_model():
    from ai.fair_lock import SharedFairLock

    lock = SharedFairLock(_RedisFailingOnDrop())
    assert lock.acquire(timeout=1) is True  # the ticket is left to expire with its lease
    assert lock.acquire(timeout=0.05) is False  # the model is still held: one generation at a time
    lock.release()
