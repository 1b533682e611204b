"""`practicum serve` runs gunicorn: threaded workers, graceful reload, no software named in answers."""

import shutil
import signal
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port
from tests.service.servers import start_serve, stop, wait_for


def answer(url: str):
    with urllib.request.urlopen(url, timeout=30) as reply:
        return reply.status, dict(reply.headers)


def test_serve_runs_gunicorn_workers_that_name_no_software():
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    port = free_port()
    server = start_serve(folder, port, WEB_THREADS="4")
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        status, headers = answer(f"http://127.0.0.1:{port}/login")
        assert status == 200 and headers["Server"] == "practicum"
        assert not any(word in " ".join(headers.values()) for word in ("Werkzeug", "gunicorn", "Python/"))
        # SIGHUP replaces the workers gracefully; the embedded database stays up for the new one.
        server.send_signal(signal.SIGHUP)
        time.sleep(3)
        status, _ = answer(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and (folder / "pgdata" / "postmaster.pid").exists()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        log = server.stdout.read()
        assert "Using worker: gthread" in log and "Hang up: Master" in log
        assert not (folder / "pgdata" / "postmaster.pid").exists()
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_development_server_only_behind_dev():
    folder = Path(tempfile.mkdtemp(prefix="pd-"))
    port = free_port()
    server = start_serve(folder, port, "--dev")
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        _, headers = answer(f"http://127.0.0.1:{port}/healthz")
        assert headers["Server"].startswith("Werkzeug/")
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert "(development server)" in server.stdout.read()
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)
