"""schemathesis over /api/v1/openapi.json, as each role and with an API token: no 5xx, answers
as the document says."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from practicum import api_tokens
from practicum.db import session
from practicum.models import User

ACCOUNTS = {"trainee": "tina", "trainer": "terry", "admin": "ada"}
EXAMPLES = 8  # per operation, each sent as all three roles; derandomized: the same every run


def test_no_server_errors_and_answers_that_match_the_document(app, people, headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def call_as_each_role(case):
            for role, username in ACCOUNTS.items():
                # A fresh token each call: a fuzzed POST /auth/logout ends the one it was sent with.
                case.headers = {**(case.headers or {}), **headers(username)}
                response = case.call()
                where = f"{role}: {case.method} {case.formatted_path} → {response.status_code}"
                assert response.status_code < 500, where
                case.validate_response(response, checks=[response_schema_conformance])

        call_as_each_role()


def test_an_api_token_of_every_scope_gets_no_server_errors_either(app, people):
    """An admin's token holding every scope: the token path (scope checks, refusals) as documented."""
    with app.app_context():
        ada = session.get(User, people["ada"])
        made = api_tokens.create(session, ada, "fuzz", list(api_tokens.SCOPES), 1, limit=20)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    for operation in [result.ok() for result in schema.get_all_operations()]:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def call_with_the_token(case):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {made.token}"}
            response = case.call()
            assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}"
            case.validate_response(response, checks=[response_schema_conformance])

        call_with_the_token()
