"""What the language model's recent generations did, so readiness can say which fault it has."""

from __future__ import annotations

import threading
import time

# A model that writes text the guard refuses this many times in a row is reported as garbage.
# Refusals are ordinary: the guard refused 51 of SmolLM2's 100 coaching replies to graded answers
# (2026-12-05, after it learnt to refuse a changed name, 'you' or 'your' and a keep-note turned
# into something to try), so ten in a row would flag a healthy model about once in 1,000 replies;
# twenty in a row happens to a healthy one about once in 700,000 (0.51 ** 20).
REJECTIONS_FOR_GARBAGE = 20
FAULTS = ("missing", "unreachable", "hanging", "garbage")


class ModelHealth:
    """The outcome of the latest generation and the run of guard refusals before it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._fault: tuple[str, str, float] | None = None  # (fault, detail, when)
        self._rejections = 0

    def record_success(self) -> None:
        """Note a generation whose text was used: any earlier fault is over."""
        with self._lock:
            self._fault, self._rejections = None, 0

    def record_fault(self, fault: str, detail: str) -> None:
        """Note a generation that failed: missing, unreachable, hanging or garbage."""
        if fault not in FAULTS:
            raise ValueError(f"unknown model fault {fault!r}")
        with self._lock:
            self._fault = (fault, detail, time.time())

    def record_rejection(self, detail: str) -> None:
        """Note text the guard refused; a run of refusals counts as garbage."""
        with self._lock:
            self._rejections += 1
            if self._rejections >= REJECTIONS_FOR_GARBAGE:
                detail = f"{self._rejections} replies in a row refused: {detail}"
                self._fault = ("garbage", detail, time.time())

    def report(self) -> dict:
        """Return {"state", "detail", "since"}: "ok" unless the latest generations failed."""
        with self._lock:
            if self._fault is None:
                return {"state": "ok", "detail": "", "since": None}
            fault, detail, when = self._fault
        return {
            "state": fault,
            "detail": detail[:300],
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)),
        }
