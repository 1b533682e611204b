"""LTI Advantage against the test platform: registration, grades (AGS), deep linking, rosters (NRPS)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from practicum.db import session
from practicum.lti import grades
from practicum.lti.models import GradeOutbox, Platform, ResourceLink
from practicum.models import Attempt, AuditEntry, Cohort, User, utcnow
from tests.api.conftest import token_headers
from tests.lti_platform import AGS, INSTRUCTOR, LEARNER, form_fields, lti_world

STRONG = (
    "Walk me through how you compared 0.25 and 0.3. What does the 2 in 0.25 stand for? "
    "Look at the tenths place first and tell me what you notice."
)


@pytest.fixture
def lti(make_app):
    with lti_world(make_app(LTI_GRADE_RETRY_S=60)) as world:
        yield world


def csrf(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def rehearse_and_end(lti, subject: str = "learner-1") -> int:
    """Launch as a learner into the decimal scenario, answer once, end; return the practice session id."""
    params = lti.platform.prepare(subject=subject, custom={"scenario": "mini-set/decimal-compare"})
    response, _ = lti.launch(params)
    room_url = response.headers["Location"]
    session_id = int(room_url.rsplit("/", 1)[1])
    token = csrf(lti.client.get(room_url, base_url=lti.tool_url).get_data(as_text=True))
    answered = lti.client.post(
        f"{room_url}/attempts", data={"response": STRONG, "csrf_token": token}, base_url=lti.tool_url
    )
    assert answered.status_code == 302, answered.get_data(as_text=True)
    ended = lti.client.post(
        f"{room_url}/end", data={"confidence_after": "4", "csrf_token": token}, base_url=lti.tool_url
    )
    assert ended.status_code == 302
    return session_id


def make_due(app) -> None:
    with app.app_context():
        session.execute(update(GradeOutbox).values(next_try_at=utcnow() - timedelta(seconds=1)))
        session.commit()


# Registration ---------------------------------------------------------------------------


def test_an_admin_registers_changes_and_removes_a_platform_through_the_api_audited(app, people):
    client, admin = app.test_client(), token_headers(app, people["ada"])
    body = {
        "name": "Moodle",
        "issuer": "https://moodle.example.edu",
        "client_id": "abc123",
        "deployment_ids": ["1"],
        "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
        "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
        "jwks_url": "https://moodle.example.edu/mod/lti/certs.php",
    }
    created = client.post("/api/v1/admin/lti/platforms", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    platform_id = created.get_json()["id"]
    assert client.post("/api/v1/admin/lti/platforms", json=body, headers=admin).status_code == 409
    changed = client.put(
        f"/api/v1/admin/lti/platforms/{platform_id}",
        json={**body, "deployment_ids": ["1", "2"]},
        headers=admin,
    )
    assert changed.get_json()["deployment_ids"] == ["1", "2"]
    listed = client.get("/api/v1/admin/lti/platforms", headers=admin).get_json()
    assert listed["tool"]["jwks_url"].endswith("/lti/jwks") and len(listed["platforms"]) == 1
    assert client.delete(f"/api/v1/admin/lti/platforms/{platform_id}", headers=admin).status_code == 200
    with app.app_context():
        actions = list(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.startswith("lti_")).order_by(AuditEntry.id)
            )
        )
        assert session.scalar(select(func.count()).select_from(Platform)) == 0
    assert actions == ["lti_platform_registered", "lti_platform_changed", "lti_platform_removed"]


def test_an_incomplete_registration_names_every_problem_and_saves_nothing(app, people):
    response = app.test_client().post(
        "/api/v1/admin/lti/platforms",
        json={"name": "x", "issuer": "i", "jwks_url": "not a url", "deployment_ids": []},
        headers=token_headers(app, people["ada"]),
    )
    assert response.status_code == 422
    problems = response.get_json()["error"]["details"]
    assert {"client_id", "auth_login_url", "auth_token_url", "jwks_url", "deployment_ids"} <= set(problems)
    with app.app_context():
        assert session.scalar(select(func.count()).where(AuditEntry.action.startswith("lti_"))) == 0


def test_the_admin_page_registers_a_platform_and_shows_what_to_copy(app, people):
    from tests.api.conftest import web_session_token

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["sid"], cookie["csrf_token"] = web_session_token(app, people["ada"]), "t"
    page = client.get("/admin/lti").get_data(as_text=True)
    assert "http://localhost/lti/login" in page and "http://localhost/lti/jwks" in page
    form = {
        "csrf_token": "t",
        "name": "Canvas",
        "issuer": "https://canvas.instructure.com",
        "client_id": "10000000000001",
        "deployment_ids": "1:abc\n2:def",
        "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
        "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
    }
    assert client.post("/admin/lti", data=form).status_code == 302
    listed = client.get("/admin/lti").get_data(as_text=True)
    assert "Canvas" in listed and "1:abc, 2:def" in listed


# Grades ---------------------------------------------------------------------------------


def test_a_finished_rehearsals_score_reaches_the_gradebook_once_after_two_refusals(lti):
    lti.platform.refuse_scores = 2
    rehearse_and_end(lti)
    assert lti.platform.score_posts == 1 and lti.platform.gradebook == []  # refused at once, kept
    with lti.app.app_context():
        queued = session.scalar(select(GradeOutbox))
        assert queued.sent_at is None and queued.tries == 1 and "503" in queued.last_error
        assert queued.next_try_at > utcnow()
    runner = lti.app.test_cli_runner()
    assert "accepted: 0; refused, to be retried: 0" in runner.invoke(args=["lti", "send-grades"]).output
    make_due(lti.app)
    assert "refused, to be retried: 1" in runner.invoke(args=["lti", "send-grades"]).output
    make_due(lti.app)
    assert "Grades accepted: 1" in runner.invoke(args=["lti", "send-grades"]).output
    make_due(lti.app)
    assert "accepted: 0; refused, to be retried: 0" in runner.invoke(args=["lti", "send-grades"]).output
    assert len(lti.platform.gradebook) == 1 and lti.platform.score_posts == 3
    grade = lti.platform.gradebook[0]
    assert grade["userId"] == "learner-1" and grade["scoreMaximum"] == 100
    assert grade["activityProgress"] == "Completed" and grade["gradingProgress"] == "FullyGraded"
    with lti.app.app_context():
        queued = session.scalar(select(GradeOutbox))
        assert queued.sent_at is not None and queued.tries == 3 and grade["scoreGiven"] == queued.score


def test_a_rehearsal_without_a_line_item_queues_no_grade(lti):
    params = lti.platform.prepare(custom={"scenario": "mini-set/decimal-compare"}, lineitem=None)
    lti.launch(params)
    with lti.app.app_context():
        assert session.scalar(select(ResourceLink)).lineitem_url is None
        assert session.scalar(select(func.count()).select_from(GradeOutbox)) == 0


# Deep linking ---------------------------------------------------------------------------


def test_an_instructor_picks_a_scenario_and_the_platform_gets_a_signed_resource_link(lti):
    response, _ = lti.launch(
        lti.platform.prepare(subject="teacher-1", roles=(INSTRUCTOR,), message_type="LtiDeepLinkingRequest")
    )
    assert response.headers["Location"].endswith("/lti/deep-link")
    picker = lti.client.get("/lti/deep-link", base_url=lti.tool_url).get_data(as_text=True)
    assert "scenario:mini-set/decimal-compare" in picker and "set:mini-set" in picker
    chosen = lti.client.post(
        "/lti/deep-link",
        data={"choice": "scenario:mini-set/decimal-compare", "csrf_token": csrf(picker)},
        base_url=lti.tool_url,
    )
    assert chosen.status_code == 200
    assert f"form-action 'self' {lti.platform.url}" in chosen.headers["Content-Security-Policy"]
    returned = lti.browser_of_platform.post(
        "/deep_link_return", data=form_fields(chosen.get_data(as_text=True))
    )
    assert returned.status_code == 200  # the platform checked the signature against /lti/jwks
    claims = lti.platform.deep_links[0]["claims"]
    assert claims["aud"] == lti.platform.url and claims["iss"] == lti.platform.client_id
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    (item,) = lti.platform.deep_links[0]["items"]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"scenario": "mini-set/decimal-compare"}
    # The placed activity, launched by a learner, opens that scenario's rehearsal.
    learner, _ = lti.launch(lti.platform.prepare(subject="learner-9", custom=item["custom"]))
    room = lti.client.get(learner.headers["Location"], base_url=lti.tool_url).get_data(as_text=True)
    assert "0.25" in room


def test_a_learner_cannot_open_the_picker(lti):
    response, _ = lti.launch(lti.platform.prepare(roles=(LEARNER,), message_type="LtiDeepLinkingRequest"))
    assert response.status_code == 403 and "instructors" in response.get_data(as_text=True)


# Rosters --------------------------------------------------------------------------------


def test_a_trainer_syncs_the_course_roster_into_the_cohort(lti):
    lti.launch(lti.platform.prepare(subject="teacher-1", roles=(INSTRUCTOR,), name="Tess"))
    lti.platform.members = [
        {"user_id": "teacher-1", "name": "Tess", "roles": [INSTRUCTOR], "status": "Active"},
        {"user_id": "s1", "name": "Sam One", "roles": [LEARNER], "status": "Active"},
        {"user_id": "s2", "name": "Sue Two", "roles": [LEARNER]},
        {"user_id": "s3", "name": "Gone", "roles": [LEARNER], "status": "Inactive"},
    ]
    with lti.app.app_context():
        trainer = session.scalar(select(User).where(User.role == "trainer"))
        cohort_id = session.scalar(select(Cohort.id))
    headers = token_headers(lti.app, trainer.id)
    synced = lti.client.post(f"/api/v1/trainer/cohorts/{cohort_id}/lti-roster", headers=headers)
    assert synced.status_code == 200, synced.get_json()
    assert synced.get_json() == {"members": 3, "created": 2, "joined": 2, "skipped": 1}
    again = lti.client.post(f"/api/v1/trainer/cohorts/{cohort_id}/lti-roster", headers=headers).get_json()
    assert again == {"members": 3, "created": 0, "joined": 0, "skipped": 1}
    with lti.app.app_context():
        names = set(session.scalars(select(User.display_name).where(User.cohort_id == cohort_id)))
        assert names == {"Sam One", "Sue Two"}
        assert session.scalar(select(func.count()).where(AuditEntry.action == "lti_roster_synced")) == 2


def test_another_trainers_cohort_cannot_be_synced(lti):
    lti.launch(lti.platform.prepare(subject="teacher-1", roles=(INSTRUCTOR,)))
    lti.launch(lti.platform.prepare(subject="teacher-2", roles=(INSTRUCTOR,)))  # the cohort has its trainer
    with lti.app.app_context():
        second = session.scalar(select(User).where(User.role == "trainer").order_by(User.id.desc()))
        cohort_id = session.scalar(select(Cohort.id))
    response = lti.client.post(
        f"/api/v1/trainer/cohorts/{cohort_id}/lti-roster", headers=token_headers(lti.app, second.id)
    )
    assert response.status_code == 404


def test_the_trainers_page_offers_the_roster_sync_and_reports_it(lti):
    launched, _ = lti.launch(lti.platform.prepare(subject="teacher-1", roles=(INSTRUCTOR,)))
    lti.platform.members = [{"user_id": "s1", "name": "Sam One", "roles": [LEARNER]}]
    page = lti.client.get("/trainer", base_url=lti.tool_url, follow_redirects=True).get_data(as_text=True)
    action = re.search(r'action="(/trainer/cohorts/\d+/lti-roster)"', page).group(1)
    synced = lti.client.post(
        action, data={"csrf_token": csrf(page)}, base_url=lti.tool_url, follow_redirects=True
    )
    assert "Roster read: 1 members, 1 new accounts, 1 trainees added" in synced.get_data(as_text=True)
    assert "Sam One" in synced.get_data(as_text=True)


def test_the_background_sender_delivers_a_refused_grade_when_it_falls_due(make_app):
    with lti_world(make_app(LTI_GRADE_RETRY_S=1, LTI_GRADE_SEND_INTERVAL_S=0.2)) as lti:
        lti.platform.refuse_scores = 1
        rehearse_and_end(lti)
        assert lti.platform.gradebook == []
        stop = grades.start_background_sender(lti.app)
        try:
            for _ in range(100):  # the retry falls due after a second; the thread then sends it
                if lti.platform.gradebook:
                    break
                time.sleep(0.1)
        finally:
            stop.set()
        assert len(lti.platform.gradebook) == 1 and lti.platform.gradebook[0]["userId"] == "learner-1"


def test_a_line_item_without_the_score_scope_is_not_used(lti):
    params = lti.platform.prepare(custom={"scenario": "mini-set/decimal-compare"})
    lti.platform.messages[params["lti_message_hint"]]["claims"][AGS]["scope"] = []
    lti.launch(params)
    with lti.app.app_context():
        assert session.scalar(select(ResourceLink)).lineitem_url is None


def test_a_trainers_changed_score_is_sent_to_the_gradebook_again(lti):
    session_id = rehearse_and_end(lti)
    assert len(lti.platform.gradebook) == 1
    first = lti.platform.gradebook[0]
    with lti.app.app_context():
        trainer = session.scalar(select(User).where(User.role == "admin"))  # admins review every attempt
        attempt_id = session.scalar(select(Attempt.id).where(Attempt.session_id == session_id))
    headers = token_headers(lti.app, trainer.id)
    new_score = 100 if first["scoreGiven"] != 100 else 0
    changed = lti.client.put(
        f"/api/v1/trainer/attempts/{attempt_id}/override",
        json={"score": new_score, "reason": "Read the whole conversation"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.get_json()
    assert (
        lti.app.test_cli_runner().invoke(args=["lti", "send-grades"]).output.startswith("Grades accepted: 1")
    )
    assert [g["scoreGiven"] for g in lti.platform.gradebook] == [first["scoreGiven"], new_score]
    assert lti.platform.gradebook[1]["timestamp"] > first["timestamp"]  # the LMS keeps the newest


def test_a_rehearsal_opened_from_the_lms_is_a_launched_learning_record_too(make_app):
    from practicum.xapi.models import OutboxStatement

    lrs = {"XAPI_LRS_URL": "http://127.0.0.1:9/xAPI", "BASE_URL": "https://practicum.test"}
    with lti_world(make_app(LTI_GRADE_RETRY_S=60, **lrs)) as world:
        rehearse_and_end(world)
        with world.app.app_context():
            verbs = session.scalars(select(OutboxStatement.verb).order_by(OutboxStatement.id)).all()
    assert verbs == ["launched", "answered", "completed"]


def test_ending_a_rehearsal_waits_on_a_slow_lms_only_briefly_and_the_grade_is_retried_later(lti):
    # The LMS answers in 4 s: past grades.WHILE_WAITING_S, within LTI_HTTP_TIMEOUT_S (10 s). Had
    # the page waited the full timeout, the grade would have been accepted; it gave up instead.
    lti.platform.stall_scores_s = 4
    rehearse_and_end(lti)
    with lti.app.app_context():
        queued = session.scalar(select(GradeOutbox))
        assert queued.sent_at is None and queued.tries == 1 and "could not be reached" in queued.last_error
