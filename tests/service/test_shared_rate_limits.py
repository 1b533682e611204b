"""Two app processes on one Redis share their rate limits, as docker/compose.yaml runs them."""

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
from tests.service.servers import PRACTICUM, environment, start_serve, stop, wait_for

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


@pytest.fixture
def redis_url():
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    yield f"redis://127.0.0.1:{port}/0"
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


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
