"""xAPI statements waiting for the LRS (issue 15).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Written by hand. `xapi_outbox` holds each xAPI statement a rehearsal event produced, written in
the event's own transaction (a statement exists if and only if its event committed): the
statement's UUID and JSON, whose trainee it is about, and its delivery state (pending, sent,
rejected), how often sending failed, when to try next and the last error. The partial index
serves the sender's one query: pending rows that are due, oldest first.

`xapi_actors` and `xapi_registrations` give a trainee and a practice session a random UUID the
LRS knows them by, so no username, email or database id leaves the instance. All three go with
the trainee's account (ON DELETE CASCADE): an erased person's pending statements are never sent,
and the statements already sent can no longer be tied back to anyone.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STATUSES = "('pending', 'sent', 'rejected')"


def upgrade() -> None:
    op.create_table(
        "xapi_outbox",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("statement_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("verb", sa.String(length=20), nullable=False),
        sa.Column("statement", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False, server_default="pending"),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("statement_id", name="xapi_outbox_statement_id_key"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="xapi_outbox_status_valid"),
    )
    op.create_index("ix_xapi_outbox_user_id", "xapi_outbox", ["user_id"])
    op.create_index(
        "ix_xapi_outbox_due",
        "xapi_outbox",
        ["next_try_at", "id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "xapi_actors",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("uuid", postgresql.UUID(as_uuid=True), nullable=False, unique=True),
    )
    op.create_table(
        "xapi_registrations",
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("practice_sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("uuid", postgresql.UUID(as_uuid=True), nullable=False, unique=True),
    )


def downgrade() -> None:
    op.drop_table("xapi_registrations")
    op.drop_table("xapi_actors")
    op.drop_index("ix_xapi_outbox_due", table_name="xapi_outbox")
    op.drop_index("ix_xapi_outbox_user_id", table_name="xapi_outbox")
    op.drop_table("xapi_outbox")
