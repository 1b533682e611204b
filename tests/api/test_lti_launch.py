"""LTI 1.3 launches driven through a real test platform on loopback (tests/lti_platform.py).

Practicum fetches the platform's JWKS over HTTP; the platform signs with its own key. Forged or
replayed launches are refused with a readable page and leave nothing behind.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from practicum.db import session
from practicum.lti.models import ContextLink, Platform, UsedNonce, UserLink
from practicum.models import Cohort, PracticeSession, User, WebSession
from tests.conftest import free_port
from tests.lti_platform import INSTRUCTOR, lti_world


def count(app, model) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def lti(make_app):
    with lti_world(make_app()) as world:
        yield world


def test_a_learners_first_launch_signs_in_a_new_trainee_in_the_courses_cohort(lti):
    params = lti.platform.prepare(subject="learner-1", custom={"scenario": "mini-set/decimal-compare"})
    response, _ = lti.launch(params)
    assert response.status_code == 303
    assert re.fullmatch(r"/rehearsals/\d+", urlsplit(response.headers["Location"]).path)
    room = lti.client.get(response.headers["Location"], base_url=lti.tool_url)
    assert room.status_code == 200
    assert "Lee Learner" in room.get_data(as_text=True)  # signed in as the new account
    with lti.app.app_context():
        link = session.scalar(select(UserLink))
        assert link.subject == "learner-1" and link.user.role == "trainee"
        course = session.scalar(select(ContextLink))
        assert course.context_id == "course-42" and link.user.cohort_id == course.cohort_id
        assert course.memberships_url.endswith("/contexts/course-42/memberships")
        assert session.scalar(select(PracticeSession)).user_id == link.user_id


def test_an_instructors_launch_makes_a_trainer_who_leads_the_cohort_and_a_second_launch_reuses_them(lti):
    for _ in range(2):
        params = lti.platform.prepare(
            subject="teacher-1",
            roles=(INSTRUCTOR,),
            name="Tess Teacher",
            custom={"scenario": "mini-set/decimal-compare"},
        )
        response, _ = lti.launch(params)
        assert response.status_code == 303
        assert re.fullmatch(r"/scenarios/\d+", urlsplit(response.headers["Location"]).path)
    with lti.app.app_context():
        trainer = session.scalar(select(User).where(User.role == "trainer"))
        assert trainer.display_name == "Tess Teacher"
        assert session.scalar(select(Cohort)).trainer_id == trainer.id
        assert session.scalar(select(func.count()).select_from(UserLink)) == 1
    assert count(lti.app, PracticeSession) == 0  # an instructor previews; no rehearsal is opened


def test_the_platforms_key_rotation_is_followed(make_app):
    """A token signed with a key the cached JWKS lacks makes Practicum fetch the keys again."""
    with lti_world(make_app(LTI_JWKS_REFETCH_S=0)) as lti:
        assert lti.launch(lti.platform.prepare(subject="a"))[0].status_code == 303
        lti.platform.rotate_key()
        assert lti.launch(lti.platform.prepare(subject="b"))[0].status_code == 303


REFUSALS = {
    "wrong signature": ({"spoil": {"foreign_key": True}}, "signature does not match"),
    "unpublished key": ({"spoil": {"unknown_kid": True}}, "a key the LMS does not publish"),
    "wrong audience": ({"spoil": {"aud": "someone-else"}}, "not registered here"),
    "expired token": ({"spoil": {"age": -3600}}, "expired"),
    "unknown deployment": ({"spoil": {"deployment_id": "deployment-x"}}, "deployment"),
    "unrecognised role": ({"roles": ("http://purl.imsglobal.org/vocab/lis/v2/membership#Observer",)}, "role"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_forged_launch_is_refused_with_a_readable_page_and_nothing_written(lti, case):
    overrides, words = REFUSALS[case]
    response, _ = lti.launch(lti.platform.prepare(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code in (401, 403)
    assert words in page and "Traceback" not in page
    for model in (User, UserLink, ContextLink, Cohort, WebSession, UsedNonce, PracticeSession):
        assert count(lti.app, model) == 1 if model is User else count(lti.app, model) == 0, model


def test_a_replayed_launch_is_refused_even_with_its_state_cookie(lti):
    kept = {}

    def keep_state_cookie(form):
        name = "lti_state_" + form["state"][:16]
        kept["cookie"] = (name, lti.client.get_cookie(name, domain="127.0.0.1", path="/lti/").value)

    response, form = lti.launch(
        lti.platform.prepare(custom={"scenario": "mini-set/decimal-compare"}), tamper=keep_state_cookie
    )
    assert response.status_code == 303
    name, value = kept["cookie"]
    lti.client.set_cookie(name, value, domain="127.0.0.1", path="/lti/")  # the attacker has it too
    again = lti.client.post("/lti/launch", data=form, base_url=lti.tool_url)
    assert again.status_code == 401 and "used already" in again.get_data(as_text=True)
    assert count(lti.app, PracticeSession) == 1 and count(lti.app, WebSession) == 1


def test_a_launch_this_browser_did_not_begin_is_refused(lti):
    def other_state(form):
        form["state"] = "not-the-state-we-gave"

    response, _ = lti.launch(lti.platform.prepare(), tamper=other_state)
    assert response.status_code == 400 and "did not begin in this browser" in response.get_data(as_text=True)
    assert count(lti.app, UserLink) == 0


def test_a_login_from_an_unregistered_platform_is_refused(lti):
    response = lti.login({**lti.platform.prepare(), "iss": "https://elsewhere.example"})
    assert response.status_code == 401 and "not registered" in response.get_data(as_text=True)


def test_the_tools_jwks_publishes_public_keys_only(lti):
    keys = lti.client.get("/lti/jwks").get_json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])


def test_refused_launches_from_one_address_are_rate_limited(make_app):
    with lti_world(make_app(RATELIMIT_ENABLED=True, LTI_LAUNCH_RATE_LIMIT="2 per minute")) as lti:
        forged = lti.platform.prepare(spoil={"aud": "someone-else"})
        statuses = [lti.client.post("/lti/launch", data={"state": "x"}).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        assert lti.login(forged).status_code == 429


def test_rotate_key_adds_a_signing_key_and_keeps_the_old_one_published(lti):
    before = [k["kid"] for k in lti.client.get("/lti/jwks").get_json()["keys"]]
    output = lti.app.test_cli_runner().invoke(args=["lti", "rotate-key"]).output
    after = [k["kid"] for k in lti.client.get("/lti/jwks").get_json()["keys"]]
    assert output.startswith("New signing key") and after[0] == before[0] and len(after) == 2


def test_a_launch_whose_platform_keys_cannot_be_fetched_is_refused_readably(lti):
    with lti.app.app_context():
        platform = session.scalar(select(Platform))
        platform.jwks_url = f"http://127.0.0.1:{free_port()}/jwks"  # nothing listens there
        session.commit()
    response, _ = lti.launch(lti.platform.prepare())
    assert response.status_code == 401 and "could not fetch the LMS" in response.get_data(as_text=True)
    assert count(lti.app, UserLink) == 0 and count(lti.app, UsedNonce) == 0


def test_framing_settings_allow_the_lms_and_make_the_session_cookie_cross_site(make_app):
    framed = make_app(FRAME_ANCESTORS="https://lms.example.edu").test_client()
    page = framed.get("/login")
    assert "frame-ancestors https://lms.example.edu;" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    cookie = page.headers["Set-Cookie"]  # the CSRF token's session
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    plain = make_app().test_client().get("/login")
    assert plain.headers["X-Frame-Options"] == "DENY" and "SameSite=Lax" in plain.headers["Set-Cookie"]
