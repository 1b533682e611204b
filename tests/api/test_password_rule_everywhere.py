"""One password rule for the API, the pages, admin resets and imports (the CLI: test_bootstrap_and_cli)."""

from __future__ import annotations

import io

from tests.api.test_admin_api import USERS
from tests.conftest import PASSWORD, AuthActions
from tests.web.conftest import Browser

WEAK = "aaaaaaaaaaaa"
LEAKED = "qwerty123456"


def test_the_api_refuses_weak_own_passwords(client, people):
    tokens = AuthActions(client).login("tina")
    for weak in (WEAK, LEAKED, " " * 14):
        refused = client.post(
            "/api/v1/auth/password",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            json={"current_password": PASSWORD, "new_password": weak},
        )
        assert refused.status_code == 422
        assert "new_password" in refused.get_json()["error"]["details"]


def test_admin_creation_reset_and_import_refuse_weak_passwords(client, people, headers):
    ada = headers("ada")
    made = client.post(USERS, headers=ada, json={"username": "nina", "role": "trainee", "password": LEAKED})
    assert made.status_code == 422 and "common and leaked" in made.get_json()["error"]["details"]["password"]
    reset = client.post(f"{USERS}/{people['tom']}/password", headers=ada, json={"password": WEAK})
    assert reset.status_code == 422 and "too easy to guess" in reset.get_json()["error"]["message"]
    AuthActions(client).login("tom")  # nothing changed
    rows = f"username,role,password\nnora,trainee,{LEAKED}\nned,trainee,a sentence I will remember\n"
    imported = client.post(
        f"{USERS}/import", headers=ada, data={"file": (io.BytesIO(rows.encode()), "people.csv")}
    )
    report = imported.get_json()
    assert (report["created"], report["failed"]) == (1, 1)
    assert "common and leaked" in report["rows"][0]["message"] and report["rows"][1]["status"] == "created"


def test_the_admin_page_refuses_a_weak_chosen_password(client, people):
    browser = Browser(client)
    assert browser.login("ada").status_code == 302
    page = browser.post(
        "/admin/people", {"username": "nina", "role": "trainee", "password": WEAK, "display_name": ""}
    )
    assert page.status_code == 422 and "too easy to guess" in page.get_data(as_text=True)
