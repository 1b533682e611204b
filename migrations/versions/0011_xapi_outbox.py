"""xAPI statements waiting for the LRS (issue 15).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Reserved: no schema change yet.
"""

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
