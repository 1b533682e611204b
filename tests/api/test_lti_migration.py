"""Migration 0012 adds the LTI tables to a database with data; links go with their owners; it downgrades."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from practicum.migrate import alembic_config, upgrade
from tests.api.test_migration import one_account_across, scratch_url  # noqa: F401  (fixture)

LTI_TABLES = {
    "lti_platforms",
    "lti_deployments",
    "lti_user_links",
    "lti_context_links",
    "lti_nonces",
    "lti_resource_links",
    "lti_session_links",
    "lti_grade_outbox",
}


def test_0012_adds_the_lti_tables_links_go_with_their_platform_and_account_and_it_downgrades(scratch_url):  # noqa: F811
    scratch = one_account_across(scratch_url, "0011", "0012")
    try:
        assert LTI_TABLES <= set(inspect(scratch).get_table_names())
        with scratch.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO lti_platforms (id, name, issuer, client_id, auth_login_url, auth_token_url, "
                    "jwks_url, created_at) VALUES (1, 'LMS', 'https://lms', 'c', 'https://lms/a', "
                    "'https://lms/t', 'https://lms/k', now())"
                )
            )
            connection.execute(
                text("INSERT INTO lti_deployments (platform_id, deployment_id) VALUES (1, 'd')")
            )
            connection.execute(
                text("INSERT INTO lti_user_links (platform_id, subject, user_id) VALUES (1, 's', 1)")
            )
        with scratch.begin() as connection:
            connection.execute(text("DELETE FROM users"))  # an account's link goes with it
            assert connection.execute(text("SELECT count(*) FROM lti_user_links")).scalar() == 0
            connection.execute(text("DELETE FROM lti_platforms"))  # and a platform's deployments
            assert connection.execute(text("SELECT count(*) FROM lti_deployments")).scalar() == 0
        command.downgrade(alembic_config(scratch_url), "0011")
        assert not LTI_TABLES & set(inspect(scratch).get_table_names())
        upgrade(scratch_url, "0012")
        assert LTI_TABLES <= set(inspect(scratch).get_table_names())
    finally:
        scratch.dispose()
