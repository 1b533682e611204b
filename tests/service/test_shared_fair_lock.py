"""Answers start in arrival order across workers: SharedFairLock on a real redis-server.

Two SharedFairLock objects on one Redis stand for two gunicorn workers, each with its own model
(its own local lock); a child process killed with SIGKILL stands for a worker that died waiting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from redis import Redis
from redis.exceptions import RedisError

from ai.fair_lock import SharedFairLock
from tests.unit.test_fair_lock import _wait_until


@pytest.fixture
def redis_url(redis_url):
    """The throwaway redis-server, once it answers (the locks would fall back to local order)."""

    def answers() -> bool:
        try:
            return bool(Redis.from_url(redis_url).ping())
        except RedisError:
            return False

    _wait_until(answers, 10)
    return redis_url


def test_a_free_worker_does_not_overtake_an_earlier_answer_waiting_on_a_busy_one(redis_url):
    first_worker, second_worker = SharedFairLock.from_url(redis_url), SharedFairLock.from_url(redis_url)
    assert first_worker.acquire(timeout=5)  # the first worker's model is writing
    started = []

    def answer(worker: SharedFairLock, name: str) -> None:
        assert worker.acquire(timeout=10)
        started.append(name)
        worker.release()

    earlier = threading.Thread(target=answer, args=(first_worker, "earlier, on the busy worker"))
    earlier.start()
    _wait_until(lambda: first_worker.waiting() == 1)
    later = threading.Thread(target=answer, args=(second_worker, "later, on the free worker"))
    later.start()
    _wait_until(lambda: second_worker.waiting() == 2)
    time.sleep(0.3)
    assert started == []  # the free worker waits for the earlier answer to start
    first_worker.release()
    earlier.join(5)
    later.join(5)
    assert started == ["earlier, on the busy worker", "later, on the free worker"]
    assert first_worker.waiting() == 0


def test_each_worker_still_writes_one_answer_at_a_time_and_all_are_served(redis_url):
    workers = [SharedFairLock.from_url(redis_url) for _ in range(2)]
    busy, most, served = [0, 0], [0, 0], []

    def answer(index: int) -> None:
        w = index % 2
        assert workers[w].acquire(timeout=20)
        busy[w] += 1
        most[w] = max(most[w], busy[w])
        time.sleep(0.01)
        busy[w] -= 1
        served.append(index)
        workers[w].release()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(served) == list(range(16)) and most == [1, 1]


def test_a_worker_killed_while_waiting_does_not_block_the_others(redis_url):
    # A child worker's model is busy and its next answer is the oldest waiting anywhere, when
    # the child is killed with SIGKILL: that answer's ticket must not hold up the other worker.
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, threading, time; from ai.fair_lock import SharedFairLock; "
            "lock = SharedFairLock.from_url(sys.argv[1], lease_s=0.5); lock.acquire(); "
            "threading.Thread(target=lock.acquire, args=(60,), daemon=True).start(); time.sleep(60)",
            redis_url,
        ],
        cwd=os.getcwd(),
    )
    other = SharedFairLock.from_url(redis_url, lease_s=0.5)
    _wait_until(lambda: other.waiting() == 1, 20)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    began = time.monotonic()
    assert other.acquire(timeout=5)  # the dead ticket ahead of it expires with its lease
    assert time.monotonic() - began < 2.0
    other.release()
    assert other.waiting() == 0


def test_a_caller_that_gives_up_leaves_no_ticket_behind(redis_url):
    worker = SharedFairLock.from_url(redis_url)
    assert worker.acquire(timeout=5)
    assert worker.acquire(timeout=0.2) is False
    assert worker.waiting() == 0
    worker.release()
    assert Redis.from_url(redis_url).keys("practicum:llm:alive:*") == []


def test_without_redis_a_worker_still_writes_one_answer_at_a_time():
    worker = SharedFairLock.from_url("redis://127.0.0.1:9/0")  # nothing listens there
    assert worker.acquire(timeout=2)
    assert worker.acquire(timeout=0.1) is False
    worker.release()
    assert worker.acquire(timeout=2)
    worker.release()
