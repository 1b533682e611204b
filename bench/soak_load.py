"""`make soak`, part two: 30 simulated trainees against gunicorn while PostgreSQL is killed (-9).

Everything is real: `practicum serve` (gunicorn, default settings) with MiniLM and SmolLM2,
on a PostgreSQL the soak starts itself (pgserver) so that it can kill and restart it. Each
trainee signs in, then repeatedly starts a rehearsal and answers it (full attempts, coaching
included), thinking a random while (mean THINK_S) between answers. Halfway through, the
database is killed with SIGKILL and started again OUTAGE_S later. Afterwards every attempt
the server acknowledged (201) is looked up in the database.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.soak import free_port, redis_server, wait_until_answering

TRAINEES = int(os.environ.get("SOAK_TRAINEES", 30))
MINUTES = float(os.environ.get("SOAK_MINUTES", 5))
THINK_S = float(os.environ.get("SOAK_THINK_S", 20))
OUTAGE_S = 5
REQUEST_TIMEOUT_S = 120
REUSE_IDLE_S = 2.0  # reuse a kept connection only if it was used this recently
ANSWERS = [
    "I can see this matters to you. Tell me what happened, and then we'll decide the next step together.",
    "Walk me through how you got that. What does each part stand for?",
    "Thank you for telling me. You're not in trouble. Let's take it one step at a time.",
    "Stop that now.",
]


class Api:
    """A JSON client for one trainee, recording every answer's status and time.

    Like a browser or an integration client's HTTP session, it keeps its connection open between
    requests (HTTP/1.1 keep-alive). A new TCP connection for every request cost the server about
    3 ms of CPU a request on this machine (`make bench-load`, README), which no real client pays.
    """

    def __init__(self, base: str, log: list, lock: threading.Lock):
        self.base, self.log, self.lock, self.token = base, log, lock, ""
        self._target = urllib.parse.urlsplit(base)
        self._connection: http.client.HTTPConnection | None = None
        self._last_used = 0.0

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """Send one request; return its status and JSON body (never raises for HTTP errors)."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        started = time.monotonic()
        try:
            connection = self._connected(started)
            connection.request(method, self._target.path + path, data, headers)
            response = connection.getresponse()
            status, text = response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            # Not sent again: a POST the server may have stored counts as failed, never twice.
            self.close()
            status, text = 0, json.dumps({"transport": str(error) or type(error).__name__}).encode()
        self._last_used = time.monotonic()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = {"not_json": text[:200].decode(errors="replace")}
        with self.lock:
            self.log.append(
                (started, time.monotonic() - started, method, path.split("/")[1], status, payload)
            )
        return status, payload

    def close(self) -> None:
        """Close the kept connection (the next request opens a new one)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connected(self, now: float) -> http.client.HTTPConnection:
        # A connection idle longer than the server keeps one (gunicorn's keepalive, 5 s) may be
        # closing as a request goes out: start afresh well before that.
        if self._connection is not None and now - self._last_used > REUSE_IDLE_S:
            self.close()
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self._target.hostname, self._target.port, timeout=REQUEST_TIMEOUT_S
            )
        return self._connection


def signed_in(api: Api, username: str, password: str) -> bool:
    """Sign in as a trainee an admin made, choosing their own password; tell whether it worked."""
    status, tokens = api.call("POST", "/auth/login", {"username": username, "password": password})
    if status != 200:
        return False
    api.token = tokens["access_token"]
    mine = f"{username} keeps practising hard moments"
    status, tokens = api.call("POST", "/auth/password", {"current_password": password, "new_password": mine})
    api.token = tokens.get("access_token", "")
    return status == 200


def trainee(base: str, username: str, password: str, stop_at: float, log, acked, lock, scenarios) -> None:
    """Sign in, choose a password, then rehearse until stop_at."""
    api, rng = Api(base, log, lock), random.Random(username)
    if not signed_in(api, username, password):
        return
    time.sleep(rng.uniform(0, THINK_S))  # trainees do not all arrive in the same second
    while time.monotonic() < stop_at:
        status, started = api.call("POST", "/sessions", {"scenario_id": rng.choice(scenarios)})
        if status == 201:
            status, attempt = api.call(
                "POST", f"/sessions/{started['id']}/attempts", {"response": rng.choice(ANSWERS)}
            )
            if status == 201:
                with lock:
                    acked.append(attempt["id"])
        time.sleep(min(rng.expovariate(1 / THINK_S), 3 * THINK_S))


@dataclass
class Deployment:
    """A running `practicum serve` on its own database, with trainee accounts made by its admin."""

    base: str
    folder: Path
    url: str
    server: subprocess.Popen
    cold_start_s: float
    people: list
    scenarios: list


@contextmanager
def deployment(trainees: int, **settings: str) -> Iterator[Deployment]:
    """Bootstrap a database this process owns, serve it with the real models, make trainees."""
    from practicum.embedded_db import embedded_database_url

    folder = Path(tempfile.mkdtemp(prefix="soakdb-"))
    url = embedded_database_url(folder, "practicum")  # this process owns it: it can kill it
    env = {**os.environ, "DATABASE_URL": url, "PRACTICUM_INSTANCE_DIR": str(folder / "instance"), **settings}
    practicum = str(Path(sys.executable).with_name("practicum"))
    booted = subprocess.run([practicum, "bootstrap"], env=env, capture_output=True, text=True, timeout=900)
    if booted.returncode != 0:
        raise RuntimeError(booted.stderr)
    first = (folder / "instance" / "first-accounts.txt").read_text()
    admin_password = (
        next(line for line in first.splitlines() if "admin" in line).rsplit("password: ", 1)[1].strip()
    )
    port = free_port()
    server = subprocess.Popen(
        [practicum, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        started_at = time.monotonic()
        wait_until_answering(f"http://127.0.0.1:{port}/readyz", server, 300)
        cold = time.monotonic() - started_at
        admin = Api(base, [], threading.Lock())
        _, tokens = admin.call("POST", "/auth/login", {"username": "admin", "password": admin_password})
        admin.token = tokens["access_token"]
        chosen = {"current_password": admin_password, "new_password": "the admin of the soak test"}
        admin.token = admin.call("POST", "/auth/password", chosen)[1]["access_token"]
        people = []
        for number in range(trainees):
            password = f"first password of trainee {number}"
            account = {"username": f"soak{number}", "role": "trainee", "password": password}
            made = admin.call("POST", "/admin/users", account)
            assert made[0] == 201, made
            people.append((f"soak{number}", password))
        _, listing = admin.call("GET", "/scenarios?per_page=100")
        scenarios = [s["id"] for s in listing["scenarios"]]
        yield Deployment(base, folder, url, server, cold, people, scenarios)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)


def main() -> None:
    """Run the load, kill the database halfway, and print what held."""
    # Rate limits in Redis, as deployed: the workers then default to one a core (practicum/config.py).
    with redis_server() as redis_url, deployment(TRAINEES, RATELIMIT_STORAGE_URI=redis_url) as running:
        log, acked, lock = [], [], threading.Lock()
        warming = library_warmup(running.base)
        load_began = time.monotonic()
        stop_at = load_began + MINUTES * 60
        threads = [
            threading.Thread(
                target=trainee, args=(running.base, name, pw, stop_at, log, acked, lock, running.scenarios)
            )
            for name, pw in running.people
        ]
        for thread in threads:
            thread.start()
        time.sleep(MINUTES * 30)
        killed_at = time.monotonic()
        postmaster = int((running.folder / "pgdata" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)
        time.sleep(OUTAGE_S)
        restart_database(running.folder / "pgdata")
        back_at = time.monotonic()
        for thread in threads:
            thread.join()
        print_report(
            log, acked, running.url, killed_at, back_at, running.cold_start_s, running.server, load_began + 60
        )
        print(f"the library's warm-up when the trainees began, as /readyz said: {warming}")


def library_warmup(base: str) -> dict:
    """Return how far the answering worker's library warm-up has gone (/readyz)."""
    root = base.removesuffix("/api/v1")
    with urllib.request.urlopen(f"{root}/readyz", timeout=5) as answer:
        return json.loads(answer.read()).get("library_warmup", {})


def restart_database(pgdata: Path) -> None:
    """Start the killed PostgreSQL again, as its supervisor would (same folder, same socket)."""
    from practicum.embedded_db import _import_pgserver

    # pgserver reads the stale postmaster.pid, sees no process and starts a new server.
    _import_pgserver().get_server(pgdata).ensure_postgres_running()


def _percentiles(times: list[float]) -> str:
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({len(times)})"


def print_report(log, acked, url, killed_at, back_at, cold, server, first_minute_end) -> None:
    """Print the load, the outage and the bookkeeping."""
    from sqlalchemy import create_engine, text

    from practicum.db import sqlalchemy_url

    with create_engine(sqlalchemy_url(url)).connect() as connection:
        stored = set(connection.execute(text("SELECT id FROM attempts")).scalars())
    # A request belongs to the outage if any part of it fell between the kill and 10 s after restart.
    outage = [e for e in log if e[0] <= back_at + 10 and e[0] + e[1] >= killed_at]
    steady = [e for e in log if e not in outage]
    errors = [e for e in steady if e[4] >= 500 or e[4] == 0]
    shaped = [e for e in outage if e[4] == 503 and set(e[5]) == {"error"}]
    unclean = [e for e in outage if e[4] >= 500 and e not in shaped or e[4] == 0]
    after = [e for e in log if e[0] >= back_at and e[4] in (200, 201)]
    attempts = [e for e in log if e[3] == "sessions" and e[2] == "POST" and e[4] == 201 and "score" in e[5]]
    times = sorted(e[1] for e in attempts)
    print(f"\nLoad: {TRAINEES} trainees, {MINUTES:g} min, think time mean {THINK_S:g} s")
    print(f"cold start to /readyz ready: {cold:.1f} s")
    print(
        f"requests {len(log)}, attempts acknowledged {len(acked)}, "
        f"found in the database {len(set(acked) & stored)}"
    )
    if times:
        print(f"full attempts: {_percentiles(times)}")
    signing_in = sorted(e[1] for e in log if e[3] == "auth" and e[4] == 200)
    if signing_in:
        print(f"  signing in and choosing a password (all at once at the start): {_percentiles(signing_in)}")
    calm = sorted(e[1] for e in attempts if e not in outage and e[0] >= first_minute_end)
    if calm:  # without the first minute (everyone signs in at once) and the outage
        print(f"  after the first minute, outside the outage: {_percentiles(calm)}")
    for started, took, *_, attempt in sorted(attempts, key=lambda e: -e[1])[:5]:
        print(
            f"  slow: {took * 1000:.0f} ms, sent at {started - killed_at:+.1f} s from the kill; "
            f"{attempt.get('feedback_source')}, {attempt.get('timings')}"
        )
    rate = len(errors) / max(len(steady), 1)
    print(f"outside the outage: {len(errors)} errors of {len(steady)} requests ({rate:.2%})")
    for started, took, method, where, status, payload in errors[:5]:
        print(
            f"  {method} /{where} → {status} after {took:.1f} s, at {started - killed_at:+.1f} s: {payload}"
        )
    print(
        f"database killed (-9) for {OUTAGE_S} s: {len(outage)} requests then, {len(shaped)} clean JSON 503s, "
        f"{len(unclean)} other failures"
    )
    if after:
        print(f"first success {after[0][0] - back_at:.1f} s after the database accepted connections again")
    print(f"server still running: {server.poll() is None}")


if __name__ == "__main__":
    main()
