"""The trainer and admin pages render, act and refuse, through the test client (no browser)."""

import io
import re

import pytest
from sqlalchemy import select

from practicum.db import session
from practicum.models import Attempt, ScenarioSet, User
from tests.api.conftest import STRONG, WEAK, rehearse, set_score, web_session_token
from tests.conftest import FIXTURES

CSRF = "test-csrf-token"


@pytest.fixture
def browse(app, client, people):
    """Sign the test client in as someone (cookie session) and return a poster with CSRF."""

    def as_user(name: str):
        with client.session_transaction() as cookie:
            cookie.clear()
            cookie["sid"] = web_session_token(app, people[name])
            cookie["csrf_token"] = CSRF
        return client

    return as_user


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": CSRF, **(data or {})}, **kwargs)


def test_the_dashboard_shows_rows_flags_and_chart_data(app, browse, people):
    for days in (30, 29, 28):
        set_score(app, rehearse(app, people["tom"], WEAK, days_ago=days), 20)
    rehearse(app, people["tina"], STRONG, days_ago=1)
    rehearse(app, people["otto"], STRONG)
    page = browse("terry").get("/trainer")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-username="tina"' in html and 'data-username="tom"' in html
    assert 'data-username="otto"' not in html  # another trainer's trainee
    assert "No rehearsal for 28 days." in html and "Average 20 (Needs work)" in html
    assert 'id="chart-data"' in html and "<script>" not in html  # data island, no inline code
    assert "How “needs attention” is decided" in html
    sorted_page = browse("terry").get("/trainer?sort=average&order=desc").get_data(as_text=True)
    assert sorted_page.index('data-username="tina"') < sorted_page.index('data-username="tom"')
    flagged = browse("terry").get("/trainer?flag=inactive").get_data(as_text=True)
    assert 'data-username="tom"' in flagged and 'data-username="tina"' not in flagged
    csv = browse("terry").get("/trainer/cohort.csv?flag=inactive")
    assert csv.mimetype == "text/csv" and "tom" in csv.text and "tina" not in csv.text


def test_the_trainee_page_takes_notes_and_overrides(app, browse, people):
    attempt = rehearse(app, people["tina"], STRONG, confidence=(2, 4), reflection="Asked first.")
    client = browse("terry")
    page = client.get(f"/trainer/trainees/{people['tina']}").get_data(as_text=True)
    assert "Asked first." in page and "Automatic score" in page and "2/5" in page
    assert "They wrote: <q>Look at the tenths place first and tell me what you notice.</q>" in page
    back = post(client, f"/trainer/attempts/{attempt}/notes", {"text": "<b>Nice</b> opener"})
    assert back.status_code == 302 and back.location.endswith(f"#attempt-{attempt}")
    post(client, f"/trainer/attempts/{attempt}/override", {"score": "15", "reason": "Told the answer."})
    page = client.get(f"/trainer/trainees/{people['tina']}").get_data(as_text=True)
    assert "&lt;b&gt;Nice&lt;/b&gt; opener" in page  # escaped, shown as text
    assert "Trainer&#39;s score" in page or "Trainer's score" in page
    assert re.search(r'data-slot="override">15<', page) and "Told the answer." in page
    refused = post(client, f"/trainer/attempts/{attempt}/override", {"score": "15", "reason": ""})
    assert refused.status_code == 302
    assert "Nothing was changed" in client.get(refused.location).get_data(as_text=True)
    post(client, f"/trainer/attempts/{attempt}/override/clear")
    with app.app_context():
        assert session.get(Attempt, attempt).override_score is None
    assert browse("olga").get(f"/trainer/trainees/{people['tina']}").status_code == 404


def test_posts_without_the_csrf_token_are_refused(app, browse, people):
    attempt = rehearse(app, people["tina"], STRONG)
    client = browse("terry")
    response = client.post(f"/trainer/attempts/{attempt}/notes", data={"text": "x"})
    assert response.status_code == 400


def test_people_pages_create_import_deactivate_and_reset(app, browse, people):
    client = browse("ada")
    assert client.get("/admin/people").status_code == 200
    made = post(
        client,
        "/admin/people",
        {"username": "nina", "role": "trainee", "display_name": "Nina", "cohort": "Cohort T"},
    )
    html = made.get_data(as_text=True)
    assert made.status_code == 201 and 'data-slot="password"' in html
    bad = post(client, "/admin/people", {"username": "x", "role": "trainee"})
    assert bad.status_code == 422 and "username" in bad.get_data(as_text=True)
    report = post(
        client,
        "/admin/people/import",
        {"file": (io.BytesIO(b"username,role\namy,trainee\ntina,trainee\n"), "people.csv")},
    )
    html = report.get_data(as_text=True)
    assert 'data-status="created"' in html and "already exists" in html
    toms_session = web_session_token(app, people["tom"])
    with client.session_transaction() as cookie:
        cookie["sid"] = toms_session
    tom_page = client.get("/library")
    assert tom_page.status_code == 200
    browse("ada")
    post(client, f"/admin/people/{people['tom']}/active", {"active": "no"})
    with client.session_transaction() as cookie:  # tom's web session is refused at once
        cookie["sid"] = toms_session
    assert client.get("/library").status_code == 302
    browse("ada")
    reset = post(client, f"/admin/people/{people['tina']}/password")
    assert 'data-slot="password"' in reset.get_data(as_text=True)
    own = post(client, f"/admin/people/{people['ada']}/active", {"active": "no"})
    assert own.status_code == 409


def test_cohort_and_audit_pages(app, browse, people):
    client = browse("ada")
    assert (
        post(client, "/admin/cohorts", {"name": "Cohort N", "trainer_id": str(people["olga"])}).status_code
        == 302
    )
    assert "Cohort N" in client.get("/admin/cohorts").get_data(as_text=True)
    log = client.get("/admin/audit?action=cohort_created").get_data(as_text=True)
    assert 'data-action="cohort_created"' in log and "Cohort N" in log
    bad = client.get("/admin/audit?since=never")
    assert bad.status_code == 200
    assert "must be a date" in bad.get_data(as_text=True)


def test_scenario_set_pages_check_publish_and_archive(app, browse, people):
    client = browse("ada")
    assert client.get("/admin/scenario-sets").status_code == 200
    source = (FIXTURES / "mini-set.yaml").read_bytes().replace(b"key: mini-set", b"key: page-set")
    checked = post(client, "/admin/scenario-sets/check", {"file": (io.BytesIO(source), "s.yaml")})
    assert checked.status_code == 200 and 'id="preview"' in checked.get_data(as_text=True)
    invalid = source.replace(b"    student:\n      name: Maya\n", b"    student:\n      name: ''\n")
    refused = post(client, "/admin/scenario-sets/check", {"file": (io.BytesIO(invalid), "s.yaml")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "scenarios[0].student.name" in html and "(line " in html
    as_json = post(
        client,
        "/admin/scenario-sets/check",
        {"file": (io.BytesIO(invalid), "s.yaml")},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 422 and as_json.get_json()["error"]["details"]["problems"]
    streamed = post(
        client,
        "/admin/scenario-sets/publish/stream",
        {"file": (io.BytesIO(source), "s.yaml")},
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert streamed.mimetype == "text/event-stream" and "event: done" in streamed.text
    with app.app_context():
        set_id = session.scalar(select(ScenarioSet.id).where(ScenarioSet.key == "page-set"))
    assert client.get(f"/admin/scenario-sets/{set_id}").status_code == 200
    post(client, f"/admin/scenario-sets/{set_id}/status", {"status": "archived"})
    with app.app_context():
        assert session.get(ScenarioSet, set_id).status == "archived"
    published = client.get("/admin/scenario-sets?published=page-set&version=1&changed=1")
    assert "Published page-set version 1." in published.get_data(as_text=True)
    # The address cannot put other words on the page: unknown sets and versions are ignored.
    forged = client.get("/admin/scenario-sets?published=Call+0800+now&changed=0").get_data(as_text=True)
    assert "Call 0800 now" not in forged
    claimed = client.get("/admin/scenario-sets?published=page-set&version=99&changed=1").get_data(
        as_text=True
    )
    assert "version 99" not in claimed and "Published page-set version 1." in claimed


def test_the_set_preview_shows_each_pitfall_with_its_reason_and_severity(app, browse, people):
    client = browse("ada")
    source = (FIXTURES / "mini-set.yaml").read_bytes().replace(b"key: mini-set", b"key: pitfall-page")
    source = source.replace(b"Were you even listening?", b"Were you <b>even</b> listening?")
    checked = post(client, "/admin/scenario-sets/check", {"file": (io.BytesIO(source), "s.yaml")})
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "2 pitfalls." in html
    preview = html[html.index('id="preview"') : html.index('id="publish-status"')]
    assert "Seriously? Everyone knows 0.3 is bigger. Were you &lt;b&gt;even&lt;/b&gt; listening?" in preview
    assert "<b>even</b>" not in preview  # escaped like the rest of the file's text
    assert "Sarcasm tells Maya that being wrong is shameful, so she stops offering her thinking." in preview
    assert "It gives the answer and the method, so Maya does none of the thinking." in preview
    badge = r'data-severity="{}">\s*<span class="badge text-bg-{}">{}</span>'
    assert re.search(badge.format("red_line", "danger", "Red line"), preview)
    assert re.search(badge.format("weak", "warning", "Weak answer"), preview)
    with app.app_context():  # a preview saves nothing
        assert session.scalar(select(ScenarioSet).where(ScenarioSet.key == "pitfall-page")) is None


def test_a_set_file_just_under_the_limit_reaches_the_checker(app, browse, people):
    client = browse("ada")
    limit = 2 * 1024 * 1024
    url = "/admin/scenario-sets/check"
    near = post(client, url, {"file": (io.BytesIO(b"#" * (limit - 100)), "s.yaml")})
    assert near.status_code == 422  # checked (and found wanting), not refused as too large
    assert "the limit is" not in near.get_data(as_text=True)
    over = post(client, url, {"file": (io.BytesIO(b"#" * (limit + 99_000)), "s.yaml")})
    assert over.status_code == 413 and "the limit is 2 MB" in over.get_data(as_text=True)


def test_staff_pages_refuse_other_roles(app, browse, client, people):
    assert browse("tina").get("/trainer").status_code == 403
    assert browse("terry").get("/admin/people").status_code == 403
    with client.session_transaction() as cookie:
        cookie.clear()
    anonymous = client.get("/admin/people")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    with app.app_context():
        assert session.scalar(select(User).where(User.username == "ada")).active


def test_an_admin_erases_a_person_from_their_page(app, browse, people):
    rehearse(app, people["tom"], STRONG)
    client = browse("ada")
    page = client.get(f"/admin/people/{people['tom']}").get_data(as_text=True)
    assert "Erase account and data" in page
    assert "Erase account and data" not in client.get(f"/admin/people/{people['ada']}").get_data(as_text=True)
    refused = post(client, f"/admin/people/{people['tom']}/erase", {"confirm": "nope"})
    assert refused.status_code == 422 and "Type the username (tom)" in refused.get_data(as_text=True)
    done = post(client, f"/admin/people/{people['tom']}/erase", {"confirm": "tom"})
    assert done.status_code == 302
    assert "Erased tom: 1 attempt in 1 rehearsal." in client.get(done.location).get_data(as_text=True)
    with app.app_context():
        assert session.get(User, people["tom"]) is None


def test_the_set_preview_shows_a_conversation_as_a_readable_tree(app, browse, people):
    client = browse("ada")
    source = (FIXTURES / "conversation-set.yaml").read_bytes().replace(b"Whatever.", b"<i>Whatever.</i>")
    checked = post(client, "/admin/scenario-sets/check", {"file": (io.BytesIO(source), "c.yaml")})
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200
    tree = html[html.index('class="conversation-tree') : html.index('id="publish-status"')]
    assert "If the answer crosses a red line" in tree and "Otherwise" in tree
    assert "If the answer makes the move “offer a face-saving choice”" in tree
    assert "Ends: Resolved" in tree and "Ends: Escalated" in tree
    assert tree.index("at-the-door") < tree.index("[walks out and slams the door]")
    assert "&lt;i&gt;Whatever.&lt;/i&gt;" in tree and "<i>" not in tree  # escaped like the rest
