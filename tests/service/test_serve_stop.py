"""`practicum serve` on the embedded database: a SIGTERM stops the server and its PostgreSQL."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import free_port
from tests.service.servers import start_serve, stop, wait_for


def test_sigterm_stops_the_embedded_postgresql_too():
    folder = Path(tempfile.mkdtemp(prefix="ps-"))  # short: the socket lives in pgdata
    port = free_port()
    server = start_serve(folder, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        assert (folder / "pgdata" / "postmaster.pid").exists()
        with contextlib.suppress(urllib.error.HTTPError):  # werkzeug colours a 404's log line
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page", timeout=30)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        # Stopping PostgreSQL removes its pid file; a server left running keeps it.
        assert not (folder / "pgdata" / "postmaster.pid").exists()
        log = server.stdout.read()
        assert '"GET /no-such-page HTTP/1.1" 404' in log and "\x1b[" not in log  # a log file: no colours
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def test_after_a_hard_kill_the_next_run_still_stops_postgresql():
    folder = Path(tempfile.mkdtemp(prefix="pk-"))
    port = free_port()
    killed = start_serve(folder, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", killed)
        killed.kill()  # SIGKILL: no exit hook runs, PostgreSQL is left with a dead user on its list
        killed.wait()
        assert (folder / "pgdata" / "postmaster.pid").exists()
        again = start_serve(folder, port)
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", again)
            again.send_signal(signal.SIGTERM)
            assert again.wait(timeout=60) == 0
            assert not (folder / "pgdata" / "postmaster.pid").exists()
        finally:
            stop(again)
    finally:
        stop(killed)
        pid_file = folder / "pgdata" / "postmaster.pid"
        if pid_file.exists():  # the failure this test is about: stop the orphan by hand
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_port_in_use_is_said_before_anything_else_starts():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        folder = Path(tempfile.mkdtemp(prefix="pp-"))
        server = start_serve(folder, taken.getsockname()[1])
        try:
            output, _ = server.communicate(timeout=120)
        finally:
            stop(server)
            shutil.rmtree(folder, ignore_errors=True)
    assert server.returncode != 0
    assert "is in use" in output and "running" not in output
    assert "Traceback" not in output


def test_help_lists_the_commands_without_starting_the_database(tmp_path):
    from tests.service.servers import PRACTICUM, environment

    shown = subprocess.run(
        [str(PRACTICUM), "--help"], env=environment(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0 and shown.stderr == ""
    assert {"bootstrap", "db", "score", "serve", "users"} <= set(shown.stdout.split())
    assert not (tmp_path / "pgdata").exists()
