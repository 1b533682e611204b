"""Pitfalls beside expert responses; attempts keep the red lines they crossed and their flags.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Written by hand. `pitfalls` holds each scenario's typical poor answers with their embeddings,
so one pgvector query ranks an attempt against the experts and the pitfalls together.
`attempts.red_lines` keeps the red lines an answer crossed (title, reason, the sentence) and
`attempts.flags` what the cleaner and the scorer noticed (e.g. `copied_expert`); attempts made
before this revision get empty lists.
"""

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pitfalls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.vector.VECTOR(dim=384), nullable=False),
        sa.CheckConstraint("severity IN ('red_line', 'weak')", name="pitfalls_severity_valid"),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pitfalls_scenario_id"), "pitfalls", ["scenario_id"], unique=False)
    empty = sa.text("'[]'::jsonb")
    op.add_column("attempts", sa.Column("red_lines", postgresql.JSONB(), nullable=False, server_default=empty))
    op.add_column("attempts", sa.Column("flags", postgresql.JSONB(), nullable=False, server_default=empty))


def downgrade() -> None:
    op.drop_column("attempts", "flags")
    op.drop_column("attempts", "red_lines")
    op.drop_index(op.f("ix_pitfalls_scenario_id"), table_name="pitfalls")
    op.drop_table("pitfalls")
