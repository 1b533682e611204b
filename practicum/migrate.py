"""Apply the Alembic migrations in migrations/ to the app's database."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from practicum.config import PROJECT_ROOT
from practicum.db import sqlalchemy_url


def alembic_config(database_url: str) -> AlembicConfig:
    """Build Alembic's configuration in code (no alembic.ini to keep in step)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to a revision (the newest by default)."""
    command.upgrade(alembic_config(database_url), revision)
