"""The scope matrix: every API route, with a token of each scope, answers as api/token_scopes.py says.

Beside the role matrix (test_role_matrix.py): a route protected by a role but missing from the
scope map fails here, so no route is opened to API tokens, or left closed to them, by accident.
"""

from api.token_scopes import ROUTE_SCOPES, SIGN_IN_ONLY
from practicum import api_tokens
from practicum.db import session
from practicum.models import User
from tests.api.test_role_matrix import PUBLIC, routes

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


def test_every_protected_route_has_a_scope_or_takes_a_sign_in_only(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app, pages=False)}
    for endpoint in endpoints - PUBLIC:
        protected = getattr(app.view_functions[endpoint], "required_roles", None)
        assert (endpoint in ROUTE_SCOPES) != (endpoint in SIGN_IN_ONLY), endpoint
        if protected and endpoint not in SIGN_IN_ONLY:
            assert endpoint in ROUTE_SCOPES, f"{endpoint} has a role but no scope in api/token_scopes.py"
    assert set(ROUTE_SCOPES) | SIGN_IN_ONLY <= endpoints, "the scope map names routes that do not exist"
    assert set(ROUTE_SCOPES.values()) == set(api_tokens.SCOPES)


def test_every_route_answers_a_token_of_each_scope_as_mapped(app, client, people):
    tokens = {scope: token_for(app, people["ada"], [scope]) for scope in api_tokens.SCOPES}
    checked = 0
    for endpoint, method, url in routes(app, pages=False):
        for scope, headers in tokens.items():
            body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            response = client.open(url, method=method, headers=headers, **body)
            status, where = response.status_code, f"{scope} {method} {url} → {response.status_code}"
            assert status < 500 or endpoint == "health.readyz", where
            if endpoint in PUBLIC:
                assert status not in (401, 403), where
            elif endpoint in SIGN_IN_ONLY:
                assert refused(response, url, "token_not_accepted"), where
            elif ROUTE_SCOPES[endpoint] == scope:
                assert status not in (401, 403), where
            else:
                assert refused(response, url, "insufficient_scope"), where
            checked += 1
    assert checked > 5 * 45


def test_a_trainers_token_with_every_scope_it_may_hold_stays_out_of_the_admin_area(app, client, people):
    headers = token_for(app, people["terry"], TRAINER_SCOPES)
    for endpoint, method, url in routes(app, pages=False):
        if endpoint in PUBLIC or endpoint in SIGN_IN_ONLY:
            continue
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        response = client.open(url, method=method, headers=headers, **body)
        where = f"{method} {url} → {response.status_code}"
        if ROUTE_SCOPES[endpoint] == "admin":
            assert response.status_code == 403, where
        else:
            assert response.status_code not in (401, 403), where
