"""`practicum serve` on the embedded database: a SIGTERM stops the server and its PostgreSQL."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_sigterm_stops_the_embedded_postgresql_too():
    folder = Path(tempfile.mkdtemp(prefix="ps-"))  # short: the socket lives in pgdata
    port = free_port()
    env = {
        **os.environ,
        "PRACTICUM_INSTANCE_DIR": str(folder),
        "EMBEDDING_BACKEND": "fake",
        "LLM_BACKEND": "fake",
        "WARM_MODELS": "0",
    }
    env.pop("DATABASE_URL", None)
    practicum = Path(sys.executable).with_name("practicum")
    server = subprocess.Popen(
        [str(practicum), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        assert (folder / "pgdata" / "postmaster.pid").exists()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        # Stopping PostgreSQL removes its pid file; a server left running keeps it.
        assert not (folder / "pgdata" / "postmaster.pid").exists()
    finally:
        if server.poll() is None:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)
