"""Scenarios as short conversations: beats, their own experts and pitfalls, attempts per turn.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

Written by hand. `scenarios.beats` keeps a scenario's conversation as authored (its beats and
the student's reactions); the expert responses and pitfalls of every beat after the opening
are rows like the opening's, marked with their beat, so one pgvector query still ranks an
answer against the moment it answers. An attempt records the turn and beat it answered and
the student's reply it drew (the reaction chosen, the next beat or the ending). Rows from
before this revision belong to the opening (`beat` NULL) and to turn 1.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    empty = sa.text("'[]'::jsonb")
    op.add_column("scenarios", sa.Column("beats", postgresql.JSONB(), nullable=False, server_default=empty))
    op.add_column("expert_responses", sa.Column("beat", sa.String(length=80), nullable=True))
    op.add_column("pitfalls", sa.Column("beat", sa.String(length=80), nullable=True))
    op.add_column("attempts", sa.Column("turn", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("attempts", sa.Column("beat", sa.String(length=80), nullable=True))
    op.add_column("attempts", sa.Column("reply", postgresql.JSONB(), nullable=True))
    op.create_check_constraint("attempts_turn_range", "attempts", "turn BETWEEN 1 AND 5")


def downgrade() -> None:
    op.drop_constraint("attempts_turn_range", "attempts", type_="check")
    op.drop_column("attempts", "reply")
    op.drop_column("attempts", "beat")
    op.drop_column("attempts", "turn")
    op.drop_column("pitfalls", "beat")
    op.drop_column("expert_responses", "beat")
    op.drop_column("scenarios", "beats")
