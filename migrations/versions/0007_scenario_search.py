"""Full-text search over the scenario library: a generated tsvector column and its GIN index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10

Written by hand. `scenarios.search_vector` is computed by PostgreSQL from the title (weight A),
the subject and the tags (B) and the context (C) with the English configuration, so "decimals"
finds a scene about comparing decimals and a title match ranks above a passing mention. Being
generated and stored, it can never disagree with the row; the GIN index answers
`search_vector @@ websearch_to_tsquery('english', …)` and prefix queries. Existing rows are
filled when the column is added.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Kept here rather than imported from practicum.models: a migration must not change when the
# model does. practicum.models.SCENARIO_SEARCH_VECTOR holds the same expression.
SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, subject), 'B') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, tags, '[\"string\"]'), 'B') || "
    "setweight(to_tsvector('english'::regconfig, context), 'C')"
)


def upgrade() -> None:
    op.add_column(
        "scenarios",
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(SEARCH_VECTOR, persisted=True),
        ),
    )
    op.create_index(
        "ix_scenarios_search_vector", "scenarios", ["search_vector"], unique=False, postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_scenarios_search_vector", table_name="scenarios")
    op.drop_column("scenarios", "search_vector")
