"""One queue of replies for every worker, each to whichever model is free: SharedModelQueue on redis-server.

Two SharedModelQueue objects on one Redis stand for two gunicorn workers. Their "models" here are
writers that record which job they took and yield pieces when told to: these tests check the
queue (order, hand-over, leases, failures), not a model; tests/integration/test_model_queue.py
runs the real GGUF through it. A child process killed with SIGKILL stands for a worker that
died while writing.
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

from ai.model_queue import SharedModelQueue
from practicum.errors import ModelUnavailable
from tests.unit.test_fair_lock import _wait_until


@pytest.fixture
def redis_url(redis_url):
    """The throwaway redis-server, once it answers."""

    def answers() -> bool:
        try:
            return bool(Redis.from_url(redis_url).ping())
        except RedisError:
            return False

    _wait_until(answers, 10)
    return redis_url


class Worker:
    """One worker's serving thread and its stand-in model: each job waits for its release, then writes."""

    def __init__(self, url: str, name: str, **options):
        self.name, self.queue = name, SharedModelQueue(url, **options)
        self.started: list[str] = []
        self.released: dict[str, threading.Event] = {}
        self.pieces_written = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.queue.serve, args=(self.write, self.stop), daemon=True)

    def write(self, job: dict):
        text = job["messages"][0]["content"]
        self.started.append(text)
        self.released.setdefault(text, threading.Event()).wait(10)
        for piece in job.get("pieces", [text]):
            self.pieces_written += 1
            yield piece
            time.sleep(job.get("piece_s", 0))

    def __enter__(self) -> Worker:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for event in self.released.values():
            event.set()
        self.stop.set()
        self.thread.join(5)


def job(text: str, **extra) -> dict:
    return {"messages": [{"role": "user", "content": text}], "max_tokens": 10, **extra}


def read_in_thread(queue: SharedModelQueue, request: dict, into: dict, wait_s: float = 20):
    """Read a reply in a thread (a trainee's request): its text, or the failure, lands in into."""

    def read():
        try:
            into[request["messages"][0]["content"]] = "".join(queue.submit(request, wait_s))
        except ModelUnavailable as error:
            into[request["messages"][0]["content"]] = error

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_a_free_model_takes_the_oldest_reply_while_the_other_writes(redis_url):
    with Worker(redis_url, "a") as a, Worker(redis_url, "b") as b:
        replies: dict = {}
        asking = read_in_thread(a.queue, job("first"), replies)
        _wait_until(lambda: "first" in a.started + b.started)
        first_writer, other = (a, b) if "first" in a.started else (b, a)
        # Asked in the busy worker: the free one writes it at once, no wait for the first.
        second = read_in_thread(first_writer.queue, job("second"), replies)
        _wait_until(lambda: other.started == ["second"])
        third = read_in_thread(a.queue, job("third"), replies)
        _wait_until(lambda: a.queue.waiting() == 1)
        time.sleep(0.3)
        assert "third" not in a.started + b.started  # both models are writing: it waits its turn
        other.released.setdefault("second", threading.Event()).set()
        _wait_until(lambda: other.started == ["second", "third"])
        for name in ("first", "third"):
            for worker in (a, b):
                worker.released.setdefault(name, threading.Event()).set()
        for thread in (asking, second, third):
            thread.join(10)
        assert replies == {"first": "first", "second": "second", "third": "third"}
        assert a.queue.waiting() == 0


def test_replies_start_in_the_order_they_were_asked_whichever_worker_asked(redis_url):
    askers = [SharedModelQueue(redis_url) for _ in range(3)]
    replies: dict = {}
    threads = []
    for index in range(9):
        threads.append(read_in_thread(askers[index % 3], job(f"reply {index}"), replies))
        _wait_until(lambda index=index: askers[0].waiting() == index + 1)
    worker = Worker(redis_url, "the only free model")
    for index in range(9):
        worker.released[f"reply {index}"] = threading.Event()
        worker.released[f"reply {index}"].set()
    with worker:
        for thread in threads:
            thread.join(10)
    assert worker.started == [f"reply {index}" for index in range(9)]
    assert replies == {f"reply {index}": f"reply {index}" for index in range(9)}


def test_pieces_arrive_in_order_and_a_models_failure_is_the_replys(redis_url):
    class Failing(Worker):
        def write(self, job):
            if job["messages"][0]["content"] == "fail":
                raise ModelUnavailable("the model wrote nonsense", "garbage")
            yield from job["pieces"]

    with Failing(redis_url, "a") as worker:
        pieces = ["Next", " time", ",", " try", " this", "."]
        assert list(worker.queue.submit(job("fine", pieces=pieces), 10)) == pieces
        with pytest.raises(ModelUnavailable) as failed:
            "".join(worker.queue.submit(job("fail"), 10))
        assert failed.value.fault == "garbage" and failed.value.message == "the model wrote nonsense"


def test_a_reply_no_model_starts_in_time_is_busy_and_leaves_the_queue(redis_url):
    queue = SharedModelQueue(redis_url)
    began = time.monotonic()
    with pytest.raises(ModelUnavailable) as waited:
        "".join(queue.submit(job("too late"), 0.3))
    assert waited.value.fault == "busy" and time.monotonic() - began < 2
    assert queue.waiting() == 0
    with Worker(redis_url, "a") as worker:
        time.sleep(1.5)  # a model freed afterwards never writes it
        assert worker.started == []


def test_a_reader_that_stops_reading_stops_the_writer(redis_url):
    worker = Worker(redis_url, "a")
    worker.released["long"] = threading.Event()
    worker.released["long"].set()
    with worker:
        reply = worker.queue.submit(job("long", pieces=[f" word{n}" for n in range(200)], piece_s=0.01), 10)
        assert [next(reply), next(reply)] == [" word0", " word1"]
        reply.close()  # the feedback's time limit, or a trainee who left
        _wait_until(lambda: worker.started == ["long"])
        time.sleep(0.5)
        assert worker.pieces_written < 10
        assert Redis.from_url(redis_url).keys("practicum:llm:wanted:*") == []


def test_a_worker_that_stops_finishes_its_reply_and_leaves_the_next_to_another(redis_url):
    with Worker(redis_url, "stopping") as stopping:
        replies: dict = {}
        asking = read_in_thread(stopping.queue, job("in hand"), replies)
        _wait_until(lambda: stopping.started == ["in hand"])
        stopping.stop.set()  # gunicorn's worker_exit: no new job, finish this one
        stopping.released["in hand"].set()
        asking.join(10)
        assert replies == {"in hand": "in hand"}
        stopping.thread.join(5)
        assert not stopping.thread.is_alive()
        later = read_in_thread(stopping.queue, job("later"), replies)
        _wait_until(lambda: stopping.queue.waiting() == 1)
        other = Worker(redis_url, "still running")
        other.released["later"] = threading.Event()
        other.released["later"].set()
        with other:
            later.join(10)
        assert replies["later"] == "later" and stopping.started == ["in hand"]


def test_a_worker_killed_while_writing_fails_that_reply_and_the_next_goes_to_another(redis_url):
    # The child takes the first reply, writes one piece and hangs, as a worker whose process dies
    # mid-sentence: SIGKILL, then the reply must fail within stall_s and the queue go on.
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, threading, time; from ai.model_queue import SharedModelQueue\n"
            "def write(job):\n    yield 'one piece'\n    time.sleep(60)\n"
            "SharedModelQueue(sys.argv[1]).serve(write, threading.Event())",
            redis_url,
        ],
        cwd=os.getcwd(),
    )
    try:
        asker = SharedModelQueue(redis_url, stall_s=1.0)
        reply = asker.submit(job("doomed"), 30)
        assert next(reply) == "one piece"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        began = time.monotonic()
        with pytest.raises(ModelUnavailable) as silent:
            next(reply)
        assert silent.value.fault == "hanging" and time.monotonic() - began < 3
        survivor = Worker(redis_url, "survivor")
        survivor.released["next"] = threading.Event()
        survivor.released["next"].set()
        with survivor:
            assert "".join(asker.submit(job("next"), 10)) == "next"
    finally:
        child.kill()
        child.wait(10)


def test_without_redis_nothing_is_queued_and_the_caller_is_told_at_once():
    queue = SharedModelQueue("redis://127.0.0.1:9/0")  # nothing listens there
    began = time.monotonic()
    with pytest.raises(RedisError):
        queue.submit(job("nowhere"), 10)
    assert time.monotonic() - began < 3
    assert queue.waiting() == 0
