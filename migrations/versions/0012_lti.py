"""LTI 1.3 platforms, deployments, links and nonces (issue 15).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

Written by hand. `lti_platforms` are the LMSs an admin registered (issuer + client id, their
login, token and JWKS URLs) with their `lti_deployments`. A launch links the platform's user to
an account (`lti_user_links`) and its course to a cohort (`lti_context_links`, with the roster
URL); `lti_nonces` keeps each launch's nonce until its token expires, so a token launches once.
`lti_resource_links` are activities placed in a course (the scenario, the gradebook line item);
`lti_session_links` ties a rehearsal to one, and `lti_grade_outbox` holds its score until the
platform accepts it. Everything goes with its platform, account or rehearsal (CASCADE). The
tool's own keys are not here: they are files in the instance folder (lti/tool_keys.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID, URL = sa.String(length=255), sa.String(length=500)


def _fk(table: str, column: str = "id", ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.{column}", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("issuer", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("auth_login_url", URL, nullable=False),
        sa.Column("auth_token_url", URL, nullable=False),
        sa.Column("jwks_url", URL, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("issuer", "client_id"),
    )
    op.create_table(
        "lti_deployments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), _fk("lti_platforms"), nullable=False),
        sa.Column("deployment_id", ID, nullable=False),
        sa.UniqueConstraint("platform_id", "deployment_id"),
    )
    op.create_table(
        "lti_user_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), _fk("lti_platforms"), nullable=False),
        sa.Column("subject", ID, nullable=False),
        sa.Column("user_id", sa.Integer(), _fk("users"), nullable=False, index=True),
        sa.UniqueConstraint("platform_id", "subject"),
    )
    op.create_table(
        "lti_context_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), _fk("lti_platforms"), nullable=False),
        sa.Column("context_id", ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("cohort_id", sa.Integer(), _fk("cohorts"), nullable=False, index=True),
        sa.Column("memberships_url", URL, nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("platform_id", "context_id"),
    )
    op.create_table(
        "lti_nonces",
        sa.Column("platform_id", sa.Integer(), _fk("lti_platforms"), primary_key=True),
        sa.Column("nonce", ID, primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "lti_resource_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), _fk("lti_platforms"), nullable=False),
        sa.Column("resource_link_id", ID, nullable=False),
        sa.Column("scenario_ref", sa.String(length=200), nullable=False),
        sa.Column("lineitem_url", URL, nullable=True),
        sa.UniqueConstraint("platform_id", "resource_link_id"),
    )
    op.create_table(
        "lti_session_links",
        sa.Column("practice_session_id", sa.Integer(), _fk("practice_sessions"), primary_key=True),
        sa.Column("resource_link_id", sa.Integer(), _fk("lti_resource_links"), nullable=False),
        sa.Column("user_link_id", sa.Integer(), _fk("lti_user_links"), nullable=False),
    )
    op.create_table(
        "lti_grade_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "practice_session_id",
            sa.Integer(),
            _fk("lti_session_links", "practice_session_id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for table in (
        "lti_grade_outbox",
        "lti_session_links",
        "lti_resource_links",
        "lti_nonces",
        "lti_context_links",
        "lti_user_links",
        "lti_deployments",
        "lti_platforms",
    ):
        op.drop_table(table)
