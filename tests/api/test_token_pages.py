"""The API tokens page: made and shown once, listed with scopes and last use, revoked, refused."""

import re

from sqlalchemy import select

from practicum.db import session
from practicum.models import ApiToken, AuditEntry
from tests.api.conftest import web_session_token

CSRF = "token-page-csrf"
FORM = {"name": "Canvas reports", "scopes": ["reports:read", "scenarios:read"], "expires_in_hours": "168"}


def signed_in(app, client, user_id: int):
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie["sid"] = web_session_token(app, user_id)
        cookie["csrf_token"] = CSRF
    return client


def post(client, url, data):
    return client.post(url, data={"csrf_token": CSRF, **data})


def shown_token(html: str) -> str:
    return re.search(r'data-slot="token">(pat_[\w-]+)<', html).group(1)


def test_a_trainer_makes_a_token_sees_it_once_and_uses_it(app, client, people):
    browser = signed_in(app, client, people["terry"])
    page = browser.get("/account/tokens").get_data(as_text=True)
    assert 'value="reports:read"' in page and 'value="admin"' not in page  # only what the role allows
    made = post(browser, "/account/tokens", FORM)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    token = shown_token(made.get_data(as_text=True))
    assert "cannot be shown again" in made.get_data(as_text=True)
    again = browser.get("/account/tokens").get_data(as_text=True)
    assert token not in again and token[:12] + "…" in again and "Canvas reports" in again
    assert "never" in again  # not used yet
    api = client.get("/api/v1/trainer/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    listed = signed_in(app, client, people["terry"]).get("/account/tokens").get_data(as_text=True)
    assert "from 127.0.0.1" in listed  # last use shown


def test_a_bad_form_keeps_its_values_and_says_what_is_wrong(app, client, people):
    browser = signed_in(app, client, people["terry"])
    bad = post(browser, "/account/tokens", {**FORM, "scopes": []})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "no token was made" in html and 'value="Canvas reports"' in html
    forged = post(browser, "/account/tokens", {**FORM, "scopes": ["admin"]})
    assert forged.status_code == 403 and "cannot give a token the scope admin" in forged.get_data(
        as_text=True
    )
    odd = post(browser, "/account/tokens", {**FORM, "expires_in_hours": "9999"})
    assert odd.status_code == 422
    with app.app_context():
        assert session.scalar(select(ApiToken.id)) is None


def test_revoking_from_the_page_needs_the_form_token_and_works_at_once(app, client, people):
    browser = signed_in(app, client, people["terry"])
    token = shown_token(post(browser, "/account/tokens", FORM).get_data(as_text=True))
    with app.app_context():
        token_id = session.scalar(select(ApiToken.id))
    no_csrf = browser.post(f"/account/tokens/{token_id}/revoke")
    assert no_csrf.status_code == 400
    revoked = post(browser, f"/account/tokens/{token_id}/revoke", {})
    assert revoked.status_code == 302 and revoked.location.endswith("/account/tokens")
    assert "is revoked" in browser.get("/account/tokens").get_data(as_text=True)
    refused = client.get("/api/v1/scenarios", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    with app.app_context():
        assert (
            session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "api_token_revoked"))
            == (people["terry"])
        )


def test_others_tokens_are_hidden_from_trainers_and_revocable_by_admins(app, client, people):
    olga = signed_in(app, client, people["olga"])
    post(olga, "/account/tokens", {**FORM, "name": "Olga's script"})
    with app.app_context():
        token_id = session.scalar(select(ApiToken.id))
    terry = signed_in(app, client, people["terry"])
    assert "Olga's script" not in terry.get("/account/tokens").get_data(as_text=True)
    assert post(terry, f"/account/tokens/{token_id}/revoke", {}).status_code == 404
    ada = signed_in(app, client, people["ada"])
    page = ada.get("/account/tokens").get_data(as_text=True)
    assert "Everyone else" in page and "Olga&#39;s script" in page and 'value="admin"' in page
    assert post(ada, f"/account/tokens/{token_id}/revoke", {}).status_code == 302
    with app.app_context():
        assert session.get(ApiToken, token_id).revoked_by_id == people["ada"]


def test_trainees_have_no_tokens_page(app, client, people):
    trainee = signed_in(app, client, people["tina"])
    assert trainee.get("/account/tokens").status_code == 403
    assert post(trainee, "/account/tokens", FORM).status_code == 403
    assert "API tokens" not in trainee.get("/account").get_data(as_text=True)
    assert "API tokens" in signed_in(app, client, people["terry"]).get("/account").get_data(as_text=True)
