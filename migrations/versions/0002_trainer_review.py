"""Trainer review: notes on attempts and a trainer's score kept beside the automatic one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Written by hand and checked against autogenerate (no differences). The override columns are
nullable, so existing attempts are untouched; the check constraint makes a score without a
reason (or a reason without a score) impossible.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attempts", sa.Column("override_score", sa.Integer(), nullable=True))
    op.add_column("attempts", sa.Column("override_reason", sa.Text(), nullable=True))
    op.add_column("attempts", sa.Column("overridden_by_id", sa.Integer(), nullable=True))
    op.add_column("attempts", sa.Column("overridden_at", sa.DateTime(timezone=True),
                                        nullable=True))
    op.create_foreign_key("attempts_overridden_by_id_fkey", "attempts", "users",
                          ["overridden_by_id"], ["id"], ondelete="SET NULL")
    op.create_check_constraint("attempts_override_range", "attempts",
                               "override_score BETWEEN 0 AND 100")
    op.create_check_constraint("attempts_override_has_reason", "attempts",
                               "(override_score IS NULL) = (override_reason IS NULL)")
    op.create_table(
        "attempt_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_attempt_notes_attempt_id"), "attempt_notes", ["attempt_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_attempt_notes_attempt_id"), table_name="attempt_notes")
    op.drop_table("attempt_notes")
    op.drop_constraint("attempts_override_has_reason", "attempts", type_="check")
    op.drop_constraint("attempts_override_range", "attempts", type_="check")
    op.drop_constraint("attempts_overridden_by_id_fkey", "attempts", type_="foreignkey")
    op.drop_column("attempts", "overridden_at")
    op.drop_column("attempts", "overridden_by_id")
    op.drop_column("attempts", "override_reason")
    op.drop_column("attempts", "override_score")
