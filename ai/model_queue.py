"""One queue of model replies for every worker: the oldest waiting reply goes to whichever model is free."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator

from practicum.errors import ModelUnavailable

log = logging.getLogger(__name__)

Writer = Callable[[dict], Iterator[str]]  # a job's reply, written by this process's model


class SharedModelQueue:
    """Replies in arrival order across every worker, each written by the first model that is free.

    Each gunicorn worker holds its own model. Ordering replies by arrival while each model writes
    only its own worker's replies left a free model idle whenever the oldest reply waited for
    the other, busy one. Here a request pushes its job onto one Redis list and reads the reply
    from a Redis stream; one thread in every worker takes the oldest job whenever its model is
    free and streams the pieces back. The requester holds a lease on its job while it waits and
    reads, so a job whose requester gave up, stopped reading or died is dropped or stopped at
    its next piece; a writer that stops for stall_s seconds (a killed worker) fails the reply.
    """

    def __init__(self, url: str, name: str = "practicum:llm", lease_s: float = 5.0, stall_s: float = 10.0):
        from redis import Redis

        # Short timeouts for requests (a trainee waits on them); the serving loop blocks longer.
        self._client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        self._serving_client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        self._jobs = f"{name}:jobs"
        self._name = name
        self._lease_ms, self._stall_s = int(lease_s * 1000), stall_s

    def submit(self, request: dict, wait_s: float) -> Iterator[str]:
        """Queue a reply now and return its pieces, as some worker's model writes them.

        Raises redis' RedisError at once if Redis does not answer (nothing is queued then).
        Reading the pieces raises ModelUnavailable: "busy" if no model starts within wait_s,
        "hanging" if the writer stops, or the model's own failure.
        """
        job = {"id": uuid.uuid4().hex, **request}
        payload = json.dumps(job)
        with self._client.pipeline(transaction=True) as both:  # never queued without its lease
            both.set(self._wanted(job["id"]), 1, px=self._lease_ms)
            both.rpush(self._jobs, payload)
            both.execute()
        return self._read(job["id"], payload, wait_s)

    def waiting(self) -> int:
        """How many replies of every worker wait for a model now."""
        from redis.exceptions import RedisError

        try:
            return int(self._client.llen(self._jobs))
        except RedisError:
            return 0

    def serve(self, write: Writer, stop: threading.Event) -> None:
        """Take the oldest job whenever write is free and stream its pieces back, until stop is set."""
        from redis.exceptions import RedisError

        while not stop.is_set():
            try:
                self._serve_one(write, stop)
            except RedisError as error:
                log.warning("the model queue's Redis failed (%s); trying again in 1 s", error)
                stop.wait(1)

    def _read(self, job_id: str, payload: str, wait_s: float) -> Iterator[str]:
        from redis.exceptions import RedisError

        out, wanted = self._out(job_id), self._wanted(job_id)
        deadline = time.monotonic() + wait_s
        started, heard, last = False, time.monotonic(), "0-0"
        try:
            while True:
                now = time.monotonic()
                if not started and now >= deadline:
                    if self._client.lrem(self._jobs, 1, payload):  # still queued: give up its place
                        ahead = self.waiting()
                        raise ModelUnavailable(
                            f"the model is busy ({ahead} replies ahead); waited {wait_s:g} s", "busy"
                        )
                    started, heard = True, now  # a model took it this moment: read on
                if started and now - heard > self._stall_s:
                    raise ModelUnavailable(
                        f"the worker writing this reply fell silent for {self._stall_s:g} s", "hanging"
                    )
                self._client.set(wanted, 1, px=self._lease_ms)
                block_ms = max(1, int(min(0.5, deadline - now if not started else 0.5) * 1000))
                for _stream, entries in self._client.xread({out: last}, count=100, block=block_ms) or []:
                    for entry_id, fields in entries:
                        last, heard = entry_id, time.monotonic()
                        kind, text = fields[b"kind"].decode(), fields.get(b"text", b"").decode()
                        if kind == "start":
                            started = True
                        elif kind == "piece":
                            yield text
                        elif kind == "end":
                            return
                        else:  # "error": the fault, then the message
                            fault, _, message = text.partition(" ")
                            raise ModelUnavailable(message, fault)
        except RedisError as error:
            raise ModelUnavailable(f"the model queue's Redis failed: {error}", "unreachable") from error
        finally:
            try:
                with self._client.pipeline(transaction=False) as tidy:
                    tidy.delete(wanted, out)
                    tidy.lrem(self._jobs, 1, payload)
                    tidy.execute()
            except RedisError:
                pass  # the lease lapses and the stream expires on their own

    def _serve_one(self, write: Writer, stop: threading.Event) -> None:
        from redis.exceptions import RedisError

        popped = self._serving_client.blpop([self._jobs], timeout=1)
        if popped is None:
            return
        if stop.is_set():  # stopped while waiting: the job goes back first in line for another
            self._client.lpush(self._jobs, popped[1])
            return
        job = json.loads(popped[1])
        out, wanted = self._out(job["id"]), self._wanted(job["id"])
        if not self._client.exists(wanted):
            return  # its requester gave up or died
        self._send(out, "start")
        pieces = write(job)
        try:
            for piece in pieces:
                if not self._send(out, "piece", piece, wanted):
                    return  # nobody reads on: stop writing
            self._send(out, "end")
        except ModelUnavailable as error:
            self._send(out, "error", f"{error.fault} {error.message}")
        except RedisError:
            raise
        except Exception as error:  # the reply fails, the worker's loop goes on
            log.exception("writing a queued reply failed")
            self._send(out, "error", f"garbage the model failed: {type(error).__name__}")
        finally:
            pieces.close()

    def _send(self, out: str, kind: str, text: str = "", wanted: str = "") -> bool:
        """Add one entry to a reply's stream; with wanted, tell whether its requester still reads."""
        with self._client.pipeline(transaction=False) as step:
            step.xadd(out, {"kind": kind, "text": text})
            step.expire(out, 120)  # a stream nobody reads does not stay
            if wanted:
                step.exists(wanted)
            answers = step.execute()
        return bool(answers[-1]) if wanted else True

    def _out(self, job_id: str) -> str:
        return f"{self._name}:out:{job_id}"

    def _wanted(self, job_id: str) -> str:
        return f"{self._name}:wanted:{job_id}"
