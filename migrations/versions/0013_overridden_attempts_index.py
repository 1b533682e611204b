"""An index of the attempts a trainer has re-scored, by scenario (issue 14).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Written by hand. Every scored answer looks up the trainers' re-scored attempts of its scenario
(practicum/calibration.py). Without an index that was a scan of the whole attempts table, which
grows with every answer: 9 ms a lookup at 20,000 attempts, 50 ms at 100,000, 67 ms at 200,000.
The partial index holds only re-scored attempts, so the lookup stays under a millisecond however
many answers are stored, and costs nothing when an answer is written.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_attempts_overridden_by_scenario",
        "attempts",
        ["scenario_id", "beat"],
        postgresql_where=sa.text("override_score IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_attempts_overridden_by_scenario", table_name="attempts")
