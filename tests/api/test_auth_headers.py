"""Sign-in answers carry tokens: never cached; production tells browsers to keep to HTTPS."""

from __future__ import annotations

from practicum.config import Config
from tests.conftest import PASSWORD


def test_sign_in_and_refresh_answers_are_never_stored(client, people):
    login = client.post("/api/v1/auth/login", json={"username": "tina", "password": PASSWORD})
    assert login.status_code == 200 and login.headers["Cache-Control"] == "no-store"
    refresh_token = login.get_json()["refresh_token"]
    refreshed = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {refresh_token}"})
    assert refreshed.status_code == 200 and refreshed.headers["Cache-Control"] == "no-store"


def test_a_refused_sign_in_is_not_stored_either(client, people):
    refused = client.post("/api/v1/auth/login", json={"username": "tina", "password": "not it at all"})
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"


def test_production_asks_for_hsts_and_development_does_not():
    production = Config(environ={"PRACTICUM_ENV": "production"}).flask_settings()
    assert production["HSTS_SECONDS"] >= 31_536_000
    assert Config(environ={}).flask_settings()["HSTS_SECONDS"] == 0


def test_hsts_is_sent_on_pages_and_api_when_set(make_app):
    app = make_app()
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    app.config["HSTS_SECONDS"] = 31_536_000
    for path in ("/login", "/api/v1/scenarios", "/healthz"):
        header = app.test_client().get(path).headers["Strict-Transport-Security"]
        assert header == "max-age=31536000; includeSubDomains"


def test_behind_a_trusted_proxy_the_clients_address_is_used(make_app):
    from flask import request

    for proxies, seen in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = make_app(PROXIES=proxies)

        @app.get("/whoami")
        def whoami():
            return request.remote_addr or ""

        answer = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"})
        assert answer.get_data(as_text=True) == seen
