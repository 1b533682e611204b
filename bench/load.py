"""`make bench-load`: attempts per second and latency at 1, 8 and 30 clients with no think time.

Real parts throughout (`practicum serve` with MiniLM and SmolLM2, PostgreSQL), measured from the
client: each client starts a rehearsal and answers it, again and again, for LOAD_SECONDS, on one
kept HTTP connection (bench/soak_load.Api); only the answer's request is timed. "scoring only"
sends `"feedback": false` (batch and integration clients); "full" includes the coaching text.
The per-person limits on rehearsals and answers are raised for the run, so every client is
limited only by the server.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
import urllib.request
from collections import Counter

import psutil

from bench.soak import redis_server
from bench.soak_load import ANSWERS, Api, deployment, signed_in

CLIENTS = tuple(int(n) for n in os.environ.get("LOAD_CLIENTS", "1,8,30").split(","))
MODES = os.environ.get("LOAD_MODES", "scoring,full,paced").split(",")
SECONDS = float(os.environ.get("LOAD_SECONDS", 30))
# "paced": every client is a trainee who thinks between answers (exponential, this mean, at most
# three times it), as in the soak, for PACED_SECONDS: the latency a cohort meets at 9 a.m.
THINK_S = float(os.environ.get("LOAD_THINK_S", 20))
PACED_SECONDS = float(os.environ.get("LOAD_PACED_SECONDS", 180))
WARM_SECONDS = float(os.environ.get("LOAD_WARM_SECONDS", 10))


def run(
    apis: list[Api], scenarios: list[int], with_feedback: bool, seconds: float = SECONDS, think_s: float = 0
) -> tuple[int, list[float], int, Counter]:
    """Drive the clients for seconds; return attempts stored, their latencies, failed requests
    and who wrote the coaching (model, or the template when the model failed or ran out of time)."""
    stop_at = time.monotonic() + seconds
    latencies, failures, lock, sources = [], [0], threading.Lock(), Counter()

    def client(api: Api, seed: int) -> None:
        rng = random.Random(seed)
        if think_s:
            time.sleep(rng.uniform(0, think_s))  # trainees do not all start on the same second
        while time.monotonic() < stop_at:
            status, started = api.call("POST", "/sessions", {"scenario_id": rng.choice(scenarios)})
            if status != 201:
                with lock:
                    failures[0] += 1
                continue
            begun = time.monotonic()
            answer = {"response": rng.choice(ANSWERS), "feedback": with_feedback}
            status, attempt = api.call("POST", f"/sessions/{started['id']}/attempts", answer)
            with lock:
                if status == 201:
                    latencies.append(time.monotonic() - begun)
                    sources[attempt.get("feedback_source")] += 1
                else:
                    failures[0] += 1
            if think_s:
                time.sleep(min(rng.expovariate(1 / think_s), 3 * think_s))

    threads = [threading.Thread(target=client, args=(api, n)) for n, api in enumerate(apis)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies, failures[0], sources


def row(
    name: str,
    clients: int,
    stored: int,
    latencies: list[float],
    failures: int,
    sources: Counter,
    seconds: float = SECONDS,
) -> str:
    """Format one line of the table."""
    ordered = sorted(latencies) or [0.0]
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name:13} {clients:3} clients: {stored / seconds:6.1f} attempts/s "
        f"({stored / seconds * 3600:8,.0f}/h), p50 {statistics.median(ordered) * 1000:6.0f} ms, "
        f"p95 {p95 * 1000:6.0f} ms, max {ordered[-1] * 1000:6.0f} ms, failed requests {failures}"
        + (f", template coaching {sources['fallback']}/{stored}" if "none" not in sources else "")
    )


def main() -> None:
    """Start the server once, then measure each mode at each client count."""
    limits = {"SESSION_RATE_LIMIT": "100000 per minute", "ATTEMPT_RATE_LIMIT": "100000 per minute"}
    # Rate limits in Redis, as deployed: the workers then default to one a core (practicum/config.py).
    with (
        redis_server() as redis_url,
        deployment(max(CLIENTS), RATELIMIT_STORAGE_URI=redis_url, **limits) as running,
    ):
        lock = threading.Lock()
        apis = []
        for name, password in running.people:
            api = Api(running.base, [], lock)
            if not signed_in(api, name, password):
                raise RuntimeError(f"{name} could not sign in")
            apis.append(api)
        cold = running.cold_start_s
        workers = len(psutil.Process(running.server.pid).children())
        waited = library_warmed(running.base.replace("/api/v1", "/readyz"))
        print(
            f"Load ({SECONDS:g} s a case, gunicorn defaults with rate limits in Redis: {workers} worker(s); "
            f"cold start to ready {cold:.1f} s, library warm in every worker after {waited:.0f} s more)"
        )
        for with_feedback, name in ((False, "scoring only"), (True, "full attempt")):
            if ("full" if with_feedback else "scoring") not in MODES:
                continue
            # The library is warm (library_warmed); the first answers still open each worker's
            # database connections and fill the model's prompt cache: not timed.
            run(apis[:8], running.scenarios, with_feedback, WARM_SECONDS)
            for clients in CLIENTS:
                print(row(name, clients, *run(apis[:clients], running.scenarios, with_feedback)), flush=True)
        if "paced" in MODES:
            paced = run(apis[: max(CLIENTS)], running.scenarios, True, PACED_SECONDS, THINK_S)
            print(row(f"full, think {THINK_S:g} s", max(CLIENTS), *paced, seconds=PACED_SECONDS), flush=True)
        rss = _resident_mb(running.server.pid)
        print(f"resident memory: {rss}")


def library_warmed(readyz: str, seconds: float = 600) -> float:
    """Wait until every worker has warmed the library (20 answers running say so); return the wait."""
    started = time.monotonic()
    done_in_a_row = 0
    while done_in_a_row < 20:
        if time.monotonic() - started > seconds:
            raise RuntimeError(f"the library warm-up did not finish within {seconds:g} s")
        with urllib.request.urlopen(readyz, timeout=10) as answer:
            state = json.load(answer).get("library_warmup", {}).get("state")
        if state == "failed":
            raise RuntimeError("a worker's library warm-up failed")
        done_in_a_row = done_in_a_row + 1 if state == "done" else 0
        time.sleep(0.05 if state == "done" else 0.5)
    return time.monotonic() - started


def _resident_mb(master_pid: int) -> str:
    """Return the resident memory of gunicorn's master and workers, in MB."""
    master = psutil.Process(master_pid)
    parts = [("master", master)] + [("worker", child) for child in master.children()]
    return ", ".join(f"{kind} {process.memory_info().rss / 2**20:.0f} MB" for kind, process in parts)


if __name__ == "__main__":
    main()
