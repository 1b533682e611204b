"""A lock handed over in arrival order, with a bound on the wait."""

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
