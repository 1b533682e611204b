"""Password change time: API tokens issued before an account's last password change stop working.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-17

Written by hand and checked against autogenerate (no differences). The column is nullable and
left empty for existing accounts, so every token issued before this revision keeps working until
that account's password next changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("credentials_changed_at", sa.DateTime(timezone=True),
                                     nullable=True))


def downgrade() -> None:
    op.drop_column("users", "credentials_changed_at")
