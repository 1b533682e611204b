"""The embedded PostgreSQL (with pgvector) used when DATABASE_URL is unset."""

from __future__ import annotations

import re
from pathlib import Path

DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def embedded_database_url(instance_dir: Path, database: str = "practicum") -> str:
    """Start (or join) the PostgreSQL server in instance_dir/pgdata and return its URL.

    The server stops when the last process using it exits; its data stays for the next run.
    """
    import pgserver

    if not DATABASE_NAME.match(database):
        raise ValueError(f"invalid database name {database!r}")
    instance_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(instance_dir / "pgdata", cleanup_mode="stop")
    # The name is checked against DATABASE_NAME above; identifiers cannot be bound parameters.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)
