"""The embedded PostgreSQL (with pgvector) used when DATABASE_URL is unset."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
import warnings
from pathlib import Path

DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
HANDLES_FILE = ".handle_pids.json"  # pgserver's list of the processes using a server


def embedded_database_url(instance_dir: Path, database: str = "practicum", throwaway: bool = False) -> str:
    """Start (or join) the PostgreSQL server in instance_dir/pgdata and return its URL.

    The server stops when the last process using it exits; its data stays for the next run,
    unless throwaway is set (tests, benchmarks): then the server deletes its data as it stops.
    """
    pgserver = _import_pgserver()
    if not DATABASE_NAME.match(database):
        raise ValueError(f"invalid database name {database!r}")
    instance_dir.mkdir(parents=True, exist_ok=True)
    forget_dead_handles(pgserver, instance_dir / "pgdata")
    server = pgserver.get_server(instance_dir / "pgdata", cleanup_mode="delete" if throwaway else "stop")
    # The name is checked against DATABASE_NAME above; identifiers cannot be bound parameters.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def forget_dead_handles(pgserver, pgdata: Path) -> list[int]:
    """Drop processes that no longer exist from pgserver's list of the server's users; return them.

    pgserver stops the server when the last process on its list exits. A process killed hard
    (kill -9, out of memory) never takes itself off, so without this the server would never be
    stopped again by anyone. Pids are this machine's: a recycled pid still counts as alive (the
    server then outlives its users once more), and an instance folder shared between containers
    would see the other's processes as dead — use DATABASE_URL there.
    """
    import psutil

    handles = pgdata / HANDLES_FILE
    with pgserver.PostgresServer._lock:  # the lock pgserver itself takes around the list
        if not handles.exists():
            return []
        pids = json.loads(handles.read_text() or "[]")
        dead = [pid for pid in pids if not psutil.pid_exists(pid)]
        if dead:
            handles.write_text(json.dumps([pid for pid in pids if pid not in dead]))
    return dead


def _import_pgserver():
    """Import pgserver without platformdirs' warning about an unset XDG_RUNTIME_DIR.

    pgserver asks platformdirs for a runtime folder as it is imported; where XDG_RUNTIME_DIR
    is unset (root in a container, CI) platformdirs warns on every command and falls back to
    /tmp/runtime-<uid>, which is the folder wanted anyway.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pgserver
    return pgserver


def throwaway_database_url(database: str) -> str:
    """Start a server in a new temporary folder; it stops and the folder goes when the process exits.

    For tests, benchmarks and `make eval`. Deleting the folder any earlier would take the
    server's own bookkeeping with it, and the server would be left running.
    """
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    atexit.register(shutil.rmtree, folder, True)  # registered first, so it runs after the server stops
    return embedded_database_url(folder, database, throwaway=True)
