"""Every route, with every role: anonymous, trainee, trainer, admin each get what they should.

The walk covers app.url_map, so a new route that nobody classified fails here. API tokens get the
same walk, scope by scope, in test_token_scopes.py.
"""

import re

import pytest
from flask_jwt_extended import create_access_token, create_refresh_token

from practicum.db import session
from practicum.models import User
from tests.api.conftest import web_session_token

ROLES = ("anonymous", "trainee", "trainer", "admin")
ANY = ("trainee", "trainer", "admin")
# Routes without require_role, and who may use them.
PUBLIC = {"api.login", "api.openapi_document", "health.healthz", "health.readyz", "static"}
# LTI: the platform's browser calls these; the id_token and the state cookie are the credentials.
PUBLIC |= {"lti.login", "lti.launch_", "lti.jwks"}
SIGNED_IN = {"api.refresh": ANY, "api.logout": ANY, "api.me": ANY, "api.change_password": ANY}
ACCOUNTS = {"trainee": "tina", "trainer": "terry", "admin": "ada"}
MISSING_ID = "999999"


WEB_PUBLIC = {"web.login", "web.home", "web.logout"}
CSRF = "matrix-csrf"


def routes(app, pages: bool):
    """Yield (endpoint, method, url) for every page route, or every other route."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("web.") != pages:
            continue
        url = re.sub(r"<(?:\w+:)?\w+>", MISSING_ID, rule.rule)
        if rule.endpoint == "static":
            url = rule.rule.replace("<path:filename>", "does-not-exist.css")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def allowed_roles(app, endpoint: str):
    """Return the roles allowed on an endpoint (None: public); fail for unclassified routes."""
    if endpoint in PUBLIC:
        return None
    if endpoint in SIGNED_IN:
        return SIGNED_IN[endpoint]
    roles = getattr(app.view_functions[endpoint], "required_roles", None)
    assert roles, f"{endpoint} has no role requirement and is not listed as public"
    return roles


def bearer(app, people, role: str, refresh: bool) -> dict:
    if role == "anonymous":
        return {}
    with app.app_context():
        user = session.get(User, people[ACCOUNTS[role]])
        make = create_refresh_token if refresh else create_access_token
        token = make(identity=user, additional_claims={"role": user.role})
    return {"Authorization": f"Bearer {token}"}


def test_every_route_answers_each_role_as_expected(app, client, people):
    checked = 0
    for endpoint, method, url in routes(app, pages=False):
        roles = allowed_roles(app, endpoint)
        for role in ROLES:
            headers = bearer(app, people, role, refresh=endpoint == "api.refresh")
            body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            response = client.open(url, method=method, headers=headers, **body)
            status = response.status_code
            where = f"{role} {method} {url} → {status}"
            assert status < 500 or endpoint == "health.readyz", where  # 503: models cold
            if roles is None:
                assert status not in (401, 403), where
            elif role == "anonymous":
                assert status == 401, where
            elif role in roles:
                assert status not in (401, 403), where
            else:
                assert status == 403, where
            if url.startswith("/api/") and status >= 400:
                assert set(response.get_json()) == {"error"}, where
            checked += 1
    assert checked > 150


def sign_in_page(app, client, people, role: str) -> None:
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie["csrf_token"] = CSRF
        if role != "anonymous":
            cookie["sid"] = web_session_token(app, people[ACCOUNTS[role]])


def test_every_page_answers_each_role_as_expected(app, client, people):
    """Pages: anonymous visitors go to sign-in, wrong roles get 403, right roles get through.

    A page without role_required counts as 'any signed-in account': if it forgot its guard,
    the anonymous check below fails.
    """
    checked = 0
    for endpoint, method, url in routes(app, pages=True):
        roles = getattr(app.view_functions[endpoint], "required_roles", None) or ANY
        for role in ROLES:
            sign_in_page(app, client, people, role)
            response = client.open(
                url, method=method, data={} if method == "POST" else None, headers={"X-CSRF-Token": CSRF}
            )
            status = response.status_code
            to_login = status == 302 and "/login" in response.location
            where = f"{role} {method} {url} → {status} {response.location or ''}"
            assert status < 500, where
            if endpoint in WEB_PUBLIC:  # (a sign-in with no password is a 401, not a guard)
                assert status != 403, where
            elif role == "anonymous":
                assert to_login, where
            elif role in roles:
                assert status not in (401, 403) and not to_login, where
            else:
                assert status == 403, where
            checked += 1
    assert checked > 80


@pytest.mark.parametrize(
    "prefix, roles",
    [
        ("/api/v1/admin/", {"admin"}),
        ("/api/v1/scenario-sets", {"admin"}),
        ("/api/v1/trainer/", {"trainer", "admin"}),
        ("/admin/", {"admin"}),
        ("/trainer", {"trainer", "admin"}),
        ("/api/v1/tokens", {"trainer", "admin"}),
        ("/account/tokens", {"trainer", "admin"}),
    ],
)
def test_trainer_and_admin_areas_have_the_expected_roles(app, prefix, roles):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(prefix)]
    assert rules
    for rule in rules:
        assert set(app.view_functions[rule.endpoint].required_roles) == roles, rule.rule
