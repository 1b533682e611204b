"""Two app processes on one database and one Redis share limits, sign-ins and rehearsals."""

import json
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.service.servers import (
    PRACTICUM,
    bootstrap_trainee_password,
    environment,
    start_serve,
    stop,
    wait_for,
)

LIMIT = "2 per minute"


def sign_in(port: int, password: str) -> int:
    """Try to sign in as nobody-in-particular; return the HTTP status."""
    body = json.dumps({"username": "someone", "password": password}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login", body, {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_sign_in_limits_count_across_processes_only_with_shared_storage(redis_url, storage):
    folder = Path(tempfile.mkdtemp(prefix="rl-"))
    settings = {
        "RATELIMIT_STORAGE_URI": redis_url if storage == "redis" else "memory://",
        "LOGIN_RATE_LIMIT": LIMIT,
    }
    migrated = subprocess.run(
        [str(PRACTICUM), "db", "upgrade"],
        env=environment(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrated.returncode == 0, migrated.stderr
    ports = [free_port(), free_port()]
    servers = [start_serve(folder, port, **settings) for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_for(f"http://127.0.0.1:{port}/healthz", server)
        assert [sign_in(ports[0], "wrong password") for _ in range(2)] == [401, 401]
        # The second process has seen no sign-in yet: only shared storage knows of the first two.
        assert sign_in(ports[1], "wrong password") == (429 if storage == "redis" else 401)
    finally:
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def call(port: int, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
    """Send a JSON request to one app process; return its status and JSON answer."""
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_rehearsal_and_its_sign_in_carry_on_across_two_app_processes(redis_url):
    """Two processes, one database and one Redis: a trainee may reach either at any request."""
    folder = Path(tempfile.mkdtemp(prefix="sh-"))
    password = bootstrap_trainee_password(folder)
    a, b = free_port(), free_port()
    servers = [start_serve(folder, port, RATELIMIT_STORAGE_URI=redis_url) for port in (a, b)]
    try:
        for port, server in zip((a, b), servers, strict=True):
            wait_for(f"http://127.0.0.1:{port}/healthz", server)
        _, tokens = call(a, "POST", "/auth/login", {"username": "trainee", "password": password})
        mine = "a walk by the river at dusk"
        status, tokens = call(
            b,
            "POST",
            "/auth/password",
            {"current_password": password, "new_password": mine},
            tokens["access_token"],
        )
        assert status == 200, tokens
        _, listing = call(a, "GET", "/scenarios?per_page=1", token=tokens["access_token"])
        scenario = listing["scenarios"][0]["id"]
        status, started = call(b, "POST", "/sessions", {"scenario_id": scenario}, tokens["access_token"])
        assert status == 201, started
        answer = {
            "response": "Thank you for telling me. What would help you most right now?",
            "feedback": False,
        }
        status, scored = call(
            a, "POST", f"/sessions/{started['id']}/attempts", answer, tokens["access_token"]
        )
        assert status == 201, scored
        status, session = call(b, "GET", f"/sessions/{started['id']}", token=tokens["access_token"])
        assert status == 200 and [t["id"] for t in session["attempts"]] == [scored["id"]]
        # Refreshed on one process; the used refresh token is refused on the other (reuse ends it all).
        status, renewed = call(b, "POST", "/auth/refresh", token=tokens["refresh_token"])
        assert status == 200
        assert call(a, "POST", "/auth/refresh", token=tokens["refresh_token"])[0] == 401
        assert call(b, "GET", "/auth/me", token=renewed["access_token"])[0] == 401
    finally:
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)
