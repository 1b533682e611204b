"""A throwaway app on a temporary embedded PostgreSQL with the real models and the shipped library."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from practicum import create_app, runtime
from practicum.config import Config
from practicum.db import session, transaction
from practicum.embedded_db import throwaway_database_url
from practicum.migrate import upgrade


@contextmanager
def real_app(import_library: bool = True, **overrides):
    """Yield an app on a fresh database with MiniLM and SmolLM2 loaded."""
    folder = Path(tempfile.mkdtemp(prefix="pb-"))
    try:
        url = throwaway_database_url("practicum_bench")
        upgrade(url)
        settings = dict(
            DATABASE_URL=url,
            INSTANCE_DIR=folder,
            RATELIMIT_ENABLED=False,
            SECRET_KEY="b" * 40,
            JWT_SECRET_KEY="b" * 40,
            **overrides,
        )
        app = create_app(Config(**settings))
        runtime.warm(app)
        if import_library:
            _import_shipped(app)
        yield app
        session.remove()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _import_shipped(app) -> None:
    from practicum import library
    from scenarios.loader import load_scenario_set, shipped_set_files

    with app.app_context():
        for path in shipped_set_files():
            with transaction():
                library.import_scenario_set(
                    session, load_scenario_set(path.read_bytes()), runtime.embedder(app)
                )
