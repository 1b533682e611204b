"""Which scope an API token needs on each route: the one map, checked by api.access.

A route protected by require_role that is missing here refuses every API token (and
tests/api/test_token_scopes.py fails), so a new route cannot be opened to tokens by accident.
Sign-in and token management take a password sign-in (JWT) only: a token cannot refresh itself
into a full sign-in, nor make more tokens that outlive it.
"""

from __future__ import annotations

from practicum.errors import PracticumError

READ_SCENARIOS, READ_ATTEMPTS, WRITE_ATTEMPTS = "scenarios:read", "attempts:read", "attempts:write"
READ_REPORTS, ADMIN = "reports:read", "admin"

ROUTE_SCOPES = {
    "api.list_scenarios": READ_SCENARIOS,
    "api.get_scenario": READ_SCENARIOS,
    "api.list_attempts": READ_ATTEMPTS,
    "api.export_attempts": READ_ATTEMPTS,
    "api.get_attempt": READ_ATTEMPTS,
    "api.get_session": READ_ATTEMPTS,
    "api.start_session": WRITE_ATTEMPTS,
    "api.submit_attempt": WRITE_ATTEMPTS,
    "api.stream_attempt": WRITE_ATTEMPTS,
    "api.end_session": WRITE_ATTEMPTS,
    "api.trainer_dashboard": READ_REPORTS,
    "api.trainer_dashboard_csv": READ_REPORTS,
    "api.trainer_trainee": READ_REPORTS,
    "api.trainer_trainee_csv": READ_REPORTS,
    # A trainer's notes and score overrides are writes on attempts.
    "api.trainer_add_note": WRITE_ATTEMPTS,
    "api.trainer_override": WRITE_ATTEMPTS,
    "api.trainer_clear_override": WRITE_ATTEMPTS,
    "api.list_scenario_sets": ADMIN,
    "api.get_scenario_set": ADMIN,
    "api.publish_scenario_set": ADMIN,
    "api.publish_scenario_set_stream": ADMIN,
    "api.validate_scenario_set": ADMIN,
    "api.archive_scenario_set": ADMIN,
    "api.restore_scenario_set": ADMIN,
    "api.admin_audit_log": ADMIN,
    "api.admin_list_cohorts": ADMIN,
    "api.admin_create_cohort": ADMIN,
    "api.admin_update_cohort": ADMIN,
    "api.admin_list_users": ADMIN,
    "api.admin_create_user": ADMIN,
    "api.admin_get_user": ADMIN,
    "api.admin_update_user": ADMIN,
    "api.admin_erase_user": ADMIN,
    "api.admin_activate_user": ADMIN,
    "api.admin_deactivate_user": ADMIN,
    "api.admin_reset_password": ADMIN,
    "api.admin_import_users": ADMIN,
    "api.queue_batch_score": ADMIN,
    "api.list_jobs": ADMIN,
    "api.get_job": ADMIN,
    "api.job_result": ADMIN,
    "api.retry_job": ADMIN,
    "metrics.metrics": ADMIN,
    "api.admin_list_lti_platforms": ADMIN,
    "api.admin_register_lti_platform": ADMIN,
    "api.admin_get_lti_platform": ADMIN,
    "api.admin_update_lti_platform": ADMIN,
    "api.admin_remove_lti_platform": ADMIN,
    # Reading the roster makes accounts and puts trainees in the cohort: a report-reader's token may not.
    "api.trainer_sync_lti_roster": ADMIN,
}

# Routes that take a password sign-in only: an API token sent to them is refused outright.
SIGN_IN_ONLY = frozenset(
    {
        "api.refresh",
        "api.logout",
        "api.me",
        "api.change_password",
        "api.create_api_token",
        "api.list_api_tokens",
        "api.revoke_api_token",
    }
)


class TokenNotAccepted(PracticumError):
    code, status = "token_not_accepted", 403


class InsufficientScope(PracticumError):
    code, status = "insufficient_scope", 403


def required_scope(endpoint: str | None) -> str:
    """Return the scope a token needs on this route; raise TokenNotAccepted where none will do."""
    scope = ROUTE_SCOPES.get(endpoint or "")
    if scope is None:
        raise TokenNotAccepted(
            "API tokens are not accepted on this route; sign in with your password (POST /api/v1/auth/login)."
        )
    return scope


def check_scope(scope: str, granted: list[str]) -> None:
    """Raise InsufficientScope unless the token was granted the scope this route needs."""
    if scope not in granted:
        raise InsufficientScope(
            f"This API token lacks the '{scope}' scope this route needs.",
            {"required_scope": scope, "token_scopes": list(granted)},
        )
