"""A password someone else chose must be replaced: users.must_change_password.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Written by hand. Set when an admin (or `practicum bootstrap`) gives an account a password, so
its holder is asked to choose their own before using the pages; cleared when they do. Existing
accounts get false: nobody is locked out by the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("users", "must_change_password")
