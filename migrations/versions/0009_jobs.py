"""Background jobs: batch scoring of uploaded responses and the embedding of large scenario sets.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Written by hand. `jobs` is the record the pages and the API read (kind, owner, status, progress,
attempts, the last error, a summary of the result); RQ on Redis, or a thread of the web process
without Redis, only runs the work. `job_results` holds one output line per input line of a batch
job, written in the same transaction as the progress it counts, so a retried job continues after
the last committed line and never scores a line twice (the primary key refuses a second row).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KINDS = "('batch_score', 'embed_set')"
STATUSES = "('queued', 'running', 'finished', 'failed')"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, server_default="queued"),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("options", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.Column("summary", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"kind IN {KINDS}", name="jobs_kind_valid"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="jobs_status_valid"),
        sa.CheckConstraint("done >= 0 AND done <= total", name="jobs_progress_range"),
    )
    op.create_index("jobs_status_created", "jobs", ["status", "created_at"])
    op.create_table(
        "job_results",
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("line", sa.Integer(), primary_key=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("output", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_results")
    op.drop_index("jobs_status_created", table_name="jobs")
    op.drop_table("jobs")
