"""The API tokens page in Chromium: made, shown once, used against the API, revoked; axe-audited."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import accessibility_problems, screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_a_trainer_makes_uses_and_revokes_a_token(page, cohort):
    sign_in(page, cohort["trainer"])
    page.goto("/account")
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/account/tokens")
    assert accessibility_problems(page) == []
    page.get_by_label("What it is for").fill("Gradebook script")
    page.get_by_label("reports:read").check()
    page.get_by_label("Expires after").select_option(label="7 days")
    page.get_by_role("button", name="Make token").click()
    shown = page.locator("[data-slot=token]")
    token = shown.inner_text().strip()
    assert re.fullmatch(r"pat_[\w-]{43}", token)
    assert accessibility_problems(page) == []
    screenshot(page, "api-token-made")
    api = page.request.get("/api/v1/trainer/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert api.status == 200 and cohort["keen"] in api.text()
    page.goto("/account/tokens")  # the token is gone from the page once left
    assert page.locator("[data-slot=token]").count() == 0 and token not in page.content()
    row = page.locator("tr", has_text="Gradebook script")
    assert "reports:read" in row.inner_text() and "from 127.0.0.1" in row.inner_text()
    row.get_by_role("button", name="Revoke Gradebook script").click()
    page.get_by_text("is revoked: it stopped working at once").wait_for()
    assert accessibility_problems(page) == []
    refused = page.request.get("/api/v1/trainer/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401 and "revoked" in refused.json()["error"]["message"]
