"""The scope matrix: every route, with a token of each scope, answers as api/token_scopes.py says.

Beside the role matrix (test_role_matrix.py): a route guarded by a role but missing from the
scope map fails here, so no route is opened to API tokens, or left closed to them, by accident;
routes without a role guard, and every page, must treat a token as if none were sent.
"""

import re

from api.token_scopes import ROUTE_SCOPES, SIGN_IN_ONLY
from practicum import api_tokens
from practicum.db import session
from practicum.models import User
from tests.api.test_role_matrix import routes

TRAINER_SCOPES = ["scenarios:read", "attempts:read", "attempts:write", "reports:read"]


def token_for(app, user_id: int, scopes: list[str]) -> dict:
    with app.app_context():
        made = api_tokens.create(session, session.get(User, user_id), "matrix", scopes, 1, limit=20)
    return {"Authorization": f"Bearer {made.token}"}


def refused(response, url: str, code: str) -> bool:
    """Tell whether the answer is a 403 with this error code (/metrics, outside the API: any 403)."""
    if response.status_code != 403:
        return False
    return not url.startswith("/api/") or response.get_json()["error"]["code"] == code


def needs_a_role(app, endpoint: str) -> bool:
    """Tell whether a route is guarded by require_role (the guard that reads API tokens)."""
    return bool(getattr(app.view_functions[endpoint], "required_roles", None))


def test_every_route_guarded_by_a_role_has_a_scope_or_takes_a_sign_in_only(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app, pages=False)}
    for endpoint in sorted(endpoints):
        if needs_a_role(app, endpoint):
            assert (endpoint in ROUTE_SCOPES) != (endpoint in SIGN_IN_ONLY), (
                f"{endpoint} has a role but no scope in api/token_scopes.py (or is in both lists)"
            )
        else:
            assert endpoint not in ROUTE_SCOPES, f"{endpoint} has a scope but no role guard to check it"
    assert set(ROUTE_SCOPES) | SIGN_IN_ONLY <= endpoints, "the scope map names routes that do not exist"
    assert set(ROUTE_SCOPES.values()) == set(api_tokens.SCOPES)


def call(client, method: str, url: str, headers: dict):
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return client.open(url, method=method, headers=headers, **body)


def test_every_route_answers_a_token_of_each_scope_as_mapped(app, client, people):
    tokens = {scope: token_for(app, people["ada"], [scope]) for scope in api_tokens.SCOPES}
    checked = 0
    for endpoint, method, url in routes(app, pages=False):
        # Where no role guard runs (sign-in, health, other doors), a token must count for nothing.
        unguarded = None if needs_a_role(app, endpoint) else call(client, method, url, {}).status_code
        for scope, headers in tokens.items():
            response = call(client, method, url, headers)
            status, where = response.status_code, f"{scope} {method} {url} → {response.status_code}"
            assert status < 500 or endpoint == "health.readyz", where
            if endpoint in SIGN_IN_ONLY:
                assert refused(response, url, "token_not_accepted"), where
            elif unguarded is not None:
                assert status == unguarded, f"{where}, {unguarded} without the token"
            elif ROUTE_SCOPES[endpoint] == scope:
                assert status not in (401, 403), where
            else:
                assert refused(response, url, "insufficient_scope"), where
            checked += 1
    assert checked > 5 * 45


def test_a_trainers_token_with_every_scope_it_may_hold_stays_out_of_the_admin_area(app, client, people):
    headers = token_for(app, people["terry"], TRAINER_SCOPES)
    for endpoint, method, url in routes(app, pages=False):
        if endpoint in ROUTE_SCOPES:
            response = call(client, method, url, headers)
            where = f"{method} {url} → {response.status_code}"
            if ROUTE_SCOPES[endpoint] == "admin":
                assert response.status_code == 403, where
            else:
                assert response.status_code not in (401, 403), where


def test_no_page_takes_a_token(app, client, people):
    headers = token_for(app, people["ada"], list(api_tokens.SCOPES))
    for _, method, url in routes(app, pages=True):
        without, given = call(client, method, url, {}), call(client, method, url, headers)
        where = f"{method} {url} → {given.status_code} {given.location}"
        assert (given.status_code, given.location) == (without.status_code, without.location), where


def test_the_openapi_document_names_each_operations_scope(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            security = paths[path][method.lower()].get("security", [])
            scope = ROUTE_SCOPES.get(rule.endpoint)
            if scope:
                assert security == [{"bearer": []}, {"apiToken": [scope]}], f"{method} {path}"
            else:  # sign-in, token and public routes: no token offered
                assert not any("apiToken" in option for option in security), f"{method} {path}"
            checked += 1
    assert checked > 45
