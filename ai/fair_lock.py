"""Locks handed over in arrival order, with a bound on the wait: in one process, or across workers."""

from __future__ import annotations

import threading
import time


class FairLock:
    """Ticket lock: threads get it in the order they asked (threading.Lock promises no order).

    The in-process model writes one reply at a time; under load, a plain lock lets a late
    request overtake earlier ones again and again, so some trainees wait far longer than
    others. Tickets make the wait first come, first served.
    """

    def __init__(self):
        self._turns = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._given_up: set[int] = set()

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait for this caller's turn; False if timeout seconds pass first (the turn is given up)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._turns:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    self._given_up.add(ticket)
                    return False
                self._turns.wait(left)
            return True

    def release(self) -> None:
        """Hand the lock to the next caller still waiting."""
        with self._turns:
            self._serving += 1
            while self._serving in self._given_up:
                self._given_up.discard(self._serving)
                self._serving += 1
            self._turns.notify_all()

    def waiting(self) -> int:
        """How many callers hold a ticket now (the one served included)."""
        with self._turns:
            return self._next_ticket - self._serving - len(self._given_up)

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class SharedFairLock:
    """FairLock across processes: callers in every worker start in the order they arrived.

    Each gunicorn worker has its own model, and a FairLock orders only its own callers, so an
    answer that reached a busy worker could start after later answers to the other one. Here
    every caller takes a ticket from one Redis counter and starts only when it is the oldest
    ticket still waiting and its own process's model is free. A waiting ticket carries a lease
    it renews while it waits, so a killed worker's tickets expire instead of blocking the rest.
    If Redis stops answering, callers fall back to this process's lock alone (no order across
    workers, but no request hangs on it).
    """

    def __init__(self, client, name: str = "practicum:llm", lease_s: float = 3.0, poll_s: float = 0.01):
        self._client, self._name = client, name
        self._lease_ms, self._poll_s = int(lease_s * 1000), poll_s
        self._local = threading.Lock()  # this process's model: one generation at a time

    @classmethod
    def from_url(cls, url: str, **options) -> SharedFairLock:
        """Connect to the Redis at url (short timeouts: a request waits on it)."""
        from redis import Redis

        return cls(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1), **options)

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait until every earlier caller in any process has started and this process's model is free."""
        from redis.exceptions import RedisError

        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            ticket = self._take()
        except RedisError:
            return self._local.acquire(timeout=-1 if timeout is None else timeout)
        try:
            while True:
                if self._is_oldest(ticket) and self._local.acquire(blocking=False):
                    self._drop(ticket)  # started: the next ticket may start on another worker
                    return True
                if deadline is not None and time.monotonic() >= deadline:
                    self._drop(ticket)
                    return False
                time.sleep(self._poll_s)
        except RedisError:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            return self._local.acquire(timeout=-1 if left is None else left)

    def release(self) -> None:
        """Free this process's model for the oldest caller."""
        self._local.release()

    def waiting(self) -> int:
        """How many callers of every process wait for a model now."""
        from redis.exceptions import RedisError

        try:
            return int(self._client.zcard(f"{self._name}:waiting"))
        except RedisError:
            return 0

    def _take(self) -> int:
        ticket = int(self._client.incr(f"{self._name}:ticket"))
        with self._client.pipeline(transaction=True) as both:  # never seen without its lease
            both.set(f"{self._name}:alive:{ticket}", 1, px=self._lease_ms)
            both.zadd(f"{self._name}:waiting", {str(ticket): ticket})
            both.execute()
        return ticket

    def _is_oldest(self, ticket: int) -> bool:
        """Renew this ticket's lease; drop expired tickets ahead of it; tell whether it is first."""
        while True:
            with self._client.pipeline(transaction=False) as step:
                step.set(f"{self._name}:alive:{ticket}", 1, px=self._lease_ms)
                # Back in its place if a stall let its lease lapse and another worker dropped it.
                step.zadd(f"{self._name}:waiting", {str(ticket): ticket}, nx=True)
                step.zrange(f"{self._name}:waiting", 0, 0)
                *_, first = step.execute()
            if int(first[0]) == ticket:
                return True
            head = int(first[0])
            if self._client.exists(f"{self._name}:alive:{head}"):
                return False
            self._client.zrem(f"{self._name}:waiting", str(head))  # its process died waiting

    def _drop(self, ticket: int) -> None:
        """Take a ticket out of the queue; if Redis fails here, its lease lets it expire."""
        from redis.exceptions import RedisError

        try:
            with self._client.pipeline(transaction=False) as both:
                both.zrem(f"{self._name}:waiting", str(ticket))
                both.delete(f"{self._name}:alive:{ticket}")
                both.execute()
        except RedisError:
            pass

    def __enter__(self) -> SharedFairLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
