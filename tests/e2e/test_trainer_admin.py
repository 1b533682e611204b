"""Trainers and admins in a real browser: dashboard, trainee review, people, scenario sets."""

from __future__ import annotations

import re
import time

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.e2e.conftest import PHONE, look, open_page, sign_in, unique

pytestmark = pytest.mark.e2e

MINI = (FIXTURES / "mini-set.yaml").read_text()


def chart_drawn(page, canvas_id: str) -> bool:
    """Wait until Chart.js has drawn on the canvas (fails by timeout if it never does)."""
    page.wait_for_function(
        "id => !!(window.Chart && window.Chart.getChart(document.getElementById(id)))", arg=canvas_id
    )
    return True


def test_trainer_sees_the_cohort_flags_and_charts(page, live, cohort):
    sign_in(page, cohort["trainer"])
    page.get_by_role("link", name="Progress").click()
    page.wait_for_url("**/trainer")
    rows = page.locator("#cohort-table tbody tr")
    assert rows.count() == 2
    for canvas in ("chart-distribution", "chart-over-time", "chart-by-category"):
        assert chart_drawn(page, canvas)
    quiet = page.locator(f"tr[data-username={cohort['quiet']}]")
    chip = quiet.locator("[data-flag=inactive]")
    assert chip.get_attribute("title") == "No rehearsal for 38 days."
    assert quiet.locator("[data-flag=low_average]").is_visible()
    assert page.get_by_text("How “needs attention” is decided").is_visible()
    look(page, "20-trainer-dashboard")

    page.get_by_role("link", name="Average").click()  # ascending: the weak trainee first
    page.wait_for_url(re.compile(r"sort=average"))
    assert rows.first.get_attribute("data-username") == cohort["quiet"]
    page.get_by_label("Needs attention", exact=True).select_option("inactive")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"flag=inactive"))
    assert rows.count() == 1

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path()).read()
    assert cohort["quiet"] in text and cohort["keen"] not in text

    rows.first.locator("td").first.click()  # anywhere on the row opens the trainee's page
    page.wait_for_url(re.compile(r"/trainer/trainees/\d+$"))
    assert page.get_by_role("heading", name=cohort["quiet"]).is_visible()


def test_trainer_notes_and_overrides_an_attempt(page, live, cohort):
    sign_in(page, cohort["trainer"])
    page.goto("/trainer")
    page.get_by_role("link", name=cohort["keen"], exact=True).click()
    page.wait_for_url(re.compile(r"/trainer/trainees/\d+$"))
    assert chart_drawn(page, "chart-series")
    assert page.locator("#sessions-table").get_by_text("I asked before telling.").is_visible()
    card = page.locator(f"#attempt-{cohort['attempt']}")
    automatic = card.locator("[data-slot=automatic]").inner_text()
    card.get_by_role("link", name=re.compile("^Add a note or your score")).click()  # opens the forms
    page.wait_for_url(re.compile(rf"review={cohort['attempt']}#attempt-{cohort['attempt']}$"))
    card = page.locator(f"#attempt-{cohort['attempt']}")
    card.get_by_label("Add a note").fill("Lovely opening question.")
    card.get_by_role("button", name="Add note").click()
    page.wait_for_url(re.compile(rf"#attempt-{cohort['attempt']}$"))
    card = page.locator(f"#attempt-{cohort['attempt']}")
    assert card.locator(".note-text").inner_text() == "Lovely opening question."
    card.get_by_label("Your score").fill("35")
    card.get_by_label("Reason (required)").fill("Gave the answer in the second sentence.")
    card.get_by_role("button", name="Override score").click()
    card = page.locator(f"#attempt-{cohort['attempt']}")
    assert card.locator("[data-slot=automatic]").inner_text() == automatic  # both kept
    assert card.locator("[data-slot=override]").inner_text() == "35"
    assert card.locator("[data-slot=reason]").inner_text() == "Gave the answer in the second sentence."
    assert page.get_by_text("Your score is saved beside the automatic one.").is_visible()
    look(page, "21-trainer-trainee")


def test_a_trainee_cannot_open_staff_pages(page, live, new_trainee):
    sign_in(page, new_trainee())
    assert page.get_by_role("link", name="Progress").count() == 0
    response = page.goto("/trainer")
    assert response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    assert page.goto("/admin/scenario-sets").status == 403


def choose_file(page, name: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    page.get_by_label("Drop a YAML or JSON file here").set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}]
    )


def test_admin_checks_previews_and_publishes_a_set(page, live, admin):
    sign_in(page, admin)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Scenario sets").click()
    page.wait_for_url("**/admin/scenario-sets")
    document = yaml.safe_load(MINI)
    key = unique("browser-set-")
    document["key"] = key
    del document["scenarios"][0]["expert_responses"][0]["text"]
    document["scenarios"][1]["student"]["name"] = ""
    choose_file(page, "broken.yaml", yaml.safe_dump(document, sort_keys=False))
    problems = page.locator("#problems li")
    problems.first.wait_for()
    assert problems.count() == 2
    listed = problems.all_inner_texts()
    assert any(t.startswith("scenarios[0].expert_responses[0].text (line ") for t in listed)
    assert page.evaluate("document.activeElement === document.querySelector('#problems li')")
    look(page, "22-admin-set-problems")

    document = yaml.safe_load(MINI)
    document["key"], document["title"] = key, "Browser set"
    for scenario in document["scenarios"]:
        for response in scenario["expert_responses"]:
            response["text"] += " (browser wording)"
    choose_file(page, "good.yaml", yaml.safe_dump(document, sort_keys=False))
    page.locator("#preview details").first.wait_for()
    assert page.locator("#preview details").count() == 2
    assert "Publishing makes version 1" in page.locator("#preview-summary").inner_text()
    look(page, "23-admin-set-preview")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url(re.compile(r"published="))
    assert page.get_by_text(f"Published {key} version 1.").is_visible()
    row = page.locator(f"#sets-table tr[data-key='{key}']")
    assert row.get_by_role("cell").nth(2).inner_text() == "2"
    row.get_by_role("button", name="Archive").click()
    page.locator(f"#sets-table tr[data-key='{key}']").get_by_text("Archived").wait_for()


def test_hostile_and_oversized_files_are_refused_quickly(page, live, admin):
    sign_in(page, admin)
    page.goto("/admin/scenario-sets")
    anchors = "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]\n" for i in range(1, 10)
    )
    laughs = MINI.replace("scenarios:\n", anchors + "scenarios:\n", 1).replace(
        "    key_moves:\n", "    tags: *x9\n    key_moves:\n", 1
    )
    for name, text, expected in (
        ("laughs.yaml", laughs, "aliases expand to more than"),
        ("object.yaml", "key: !!python/object/apply:os.system ['id']\n", "invalid YAML"),
        ("deep.yaml", "key: " + "[" * 500 + "]" * 500, "nesting deeper than"),
    ):
        started = time.perf_counter()
        choose_file(page, name, text)
        page.locator("#problems li", has_text=expected).wait_for()
        assert time.perf_counter() - started < 2.0, name  # includes the browser round trip
    choose_file(page, "huge.yaml", b"#" * (2 * 1024 * 1024 + 10))
    page.get_by_text("the limit is 2.0 MB").wait_for()


def test_admin_adds_a_person_and_deactivation_signs_them_out(chromium, page, live, admin, new_trainee):
    trainee = new_trainee()
    other, their_page, _watch = open_page(chromium, live, PHONE)
    try:
        sign_in(their_page, trainee)
        sign_in(page, admin)
        page.goto("/admin/people")
        page.get_by_label("Username").fill(unique("newbie"))
        page.locator("#new-role").select_option("trainer")
        page.get_by_role("button", name="Add person").click()
        assert len(page.locator("#created [data-slot=password]").inner_text()) >= 12
        look(page, "24-admin-people")
        page.get_by_label("Search").fill(trainee)
        page.get_by_role("button", name="Filter").click()
        page.get_by_role("link", name=trainee, exact=True).click()
        page.get_by_role("button", name="Deactivate account").click()
        assert page.get_by_text("signed out everywhere").is_visible()
        their_page.goto("/history")
        their_page.wait_for_url(re.compile(r"/login"))
    finally:
        other.close()
