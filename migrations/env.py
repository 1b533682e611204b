"""Alembic environment: runs migrations against the app's DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine, pool

from practicum import models  # noqa: F401  (registers every table on Base.metadata)
from practicum.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations in one transaction on a fresh connection."""
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
