"""Every page, as the role that uses it sees it, audited by axe-core and the AA contrast check,
on a laptop (1280 px) and on a phone (360 px).

The tests in the other files audit the pages at the moments they reach (streamed feedback, the
validation report, ...) through `look`; these walk the whole list of pages, so a page nobody
screenshots is audited too. A test collects every page's findings and fails once, listing them.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, accessibility_problems, open_page, sign_in, unique
from tests.e2e.test_e2e_rehearsal import end_rehearsal, send_with_keyboard, wait_until_saved

pytestmark = pytest.mark.e2e

SCENARIO = "Which decimal is bigger?"
PEOPLE_CSV = "username,role,cohort\n{name},trainee,Cohort A11y\n,trainee,\n"


@pytest.fixture(params=[DESKTOP, PHONE], ids=lambda size: f"{size['width']}px")
def page(request, chromium, live):
    """The conftest's page, at each width in turn, with the same watch."""
    context, page, watch = open_page(chromium, live, request.param)
    yield page
    context.close()
    assert not watch.problems, watch.problems


class Audit:
    """Audit pages one after another; `report` fails listing each page's findings."""

    def __init__(self, page):
        self.page = page
        self.findings: dict[str, list[str]] = {}

    def visit(self, name: str, path: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response.status == status, f"{name}: {path} answered {response.status}"
        self.here(name)

    def here(self, name: str) -> None:
        if problems := accessibility_problems(self.page):
            self.findings[f"{name} ({self.page.url})"] = problems

    def report(self) -> None:
        pages = [f"- {page}:\n    " + "\n    ".join(problems) for page, problems in self.findings.items()]
        if pages:
            pytest.fail("accessibility problems (rule id, impact, selector):\n" + "\n".join(pages))


def test_signed_out_pages(page):
    audit = Audit(page)
    audit.visit("sign-in", "/login")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    audit.here("sign-in with an error")
    audit.visit("not found", "/no-such-page", status=404)
    audit.report()


def test_trainee_pages(page, new_trainee):
    audit = Audit(page)
    sign_in(page, new_trainee())
    audit.visit("library", "/library")
    audit.visit("library, nothing found", "/library?q=no-such-title")
    audit.visit("history, empty", "/history")
    audit.visit("your account", "/account")
    page.goto("/library")
    page.get_by_role("link", name=f"Rehearse “{SCENARIO}”").click()
    page.wait_for_url(re.compile(r"/scenarios/\d+$"))
    audit.here("scenario")
    page.locator("label[for=confidence_before-3]").click()
    page.get_by_role("button", name="Start rehearsal").click()
    page.wait_for_url(re.compile(r"/rehearsals/\d+$"))
    audit.here("rehearsal, no attempt yet")
    send_with_keyboard(page, "Walk me through how you compared them. What does the 2 stand for?")
    wait_until_saved(page)
    audit.here("rehearsal, attempt streamed in")
    page.reload()
    audit.here("rehearsal, attempt from the server")
    end_rehearsal(page)
    audit.here("rehearsal, ended")
    audit.visit("history", "/history")
    page.locator("#attempts-table tbody tr").first.get_by_role("link", name=re.compile("^View")).click()
    page.wait_for_url(re.compile(r"/history/\d+$"))
    audit.here("attempt detail")
    audit.visit("not allowed", "/trainer", status=403)
    audit.visit("not found, signed in", "/history/999999", status=404)
    audit.report()


def test_trainer_pages(page, cohort):
    audit = Audit(page)
    sign_in(page, cohort["trainer"])
    audit.visit("trainer dashboard", "/trainer")
    audit.visit("trainer dashboard, filtered", "/trainer?flag=inactive")
    page.goto("/trainer")
    page.get_by_role("link", name=cohort["keen"], exact=True).click()
    page.wait_for_url(re.compile(r"/trainer/trainees/\d+$"))
    audit.here("trainee")
    page.get_by_role("link", name=re.compile("^Add a note or your score")).first.click()
    page.wait_for_url(re.compile(r"review=\d+"))
    audit.here("trainee, review forms open")
    audit.report()


def test_admin_pages(page, admin, cohort):
    audit = Audit(page)
    sign_in(page, admin)
    audit.visit("people", "/admin/people")
    page.get_by_role("link", name=cohort["keen"], exact=True).click()
    page.wait_for_url(re.compile(r"/admin/people/\d+$"))
    audit.here("person")
    page.goto("/admin/people")
    csv = PEOPLE_CSV.format(name=unique("csv")).encode()
    page.get_by_label("CSV file", exact=True).set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/admin/people/import")
    audit.here("people import report")
    audit.visit("cohorts", "/admin/cohorts")
    audit.visit("audit log", "/admin/audit")
    audit.visit("jobs", "/admin/jobs")
    assert page.get_by_label(re.compile("^Update the lists every 5 seconds")).is_visible()  # its script ran
    for lines in (b"not json\n", b'{"scenario": "decimal-compare", "response": "What do you notice?"}\n'):
        page.get_by_label("JSONL file", exact=True).set_input_files(
            files=[{"name": "answers.jsonl", "mimeType": "application/x-ndjson", "buffer": lines}]
        )
        page.get_by_role("button", name="Queue for scoring").click()
        page.wait_for_load_state()
        audit.here("jobs, with a refused file" if lines.startswith(b"not") else "jobs, with a job")
    audit.visit("scenario sets", "/admin/scenario-sets")
    page.locator("#sets-table tbody tr").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/admin/scenario-sets/\d+$"))
    audit.here("scenario set")
    audit.report()


def test_the_trainees_view_of_their_trainers_review(page, live, cohort):
    """The attempt page with a trainer's score, reason and note, and the history marking it."""
    from practicum import review
    from practicum.db import session
    from practicum.models import User

    with live.app.app_context():
        trainer = session.query(User).filter_by(username=cohort["trainer"]).one()
        review.override_score(session, trainer, cohort["attempt"], 88, "You asked before telling.")
        review.add_note(session, trainer, cohort["attempt"], "Try the same move with a harder case.")
        session.remove()
    audit = Audit(page)
    sign_in(page, cohort["keen"])
    audit.visit("history, with a trainer's score", "/history")
    assert page.locator("[data-slot=trainer-score]").inner_text() == "trainer: 88"
    audit.visit("attempt, with the trainer's review", f"/history/{cohort['attempt']}")
    card = page.locator("#trainer-review")
    assert card.get_by_role("heading", name="From your trainer").is_visible()
    assert "Try the same move with a harder case." in card.inner_text()
    audit.report()
