"""The LTI endpoints a platform calls: login initiation, the launch, and the tool's JWKS."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from practicum import library, rate_limits, web_sessions
from practicum.db import session as db
from practicum.errors import NotFound
from practicum.extensions import limiter
from practicum.lti import launch, people, services, tool_keys
from practicum.lti.deep_linking import DEEP_LINK_KEY
from practicum.lti.models import ResourceLink, SessionLink
from practicum.models import PracticeSession
from practicum.xapi import outbox as xapi
from web.auth import SESSION_KEY

bp = Blueprint("lti", __name__)
# Refused logins and launches per address: a forged token costs an RSA check and may make us
# fetch the LMS's keys again. Only refusals count, so a class launching at once is never slowed.
refused_launch_limit = limiter.shared_limit(
    rate_limits.setting("LTI_LAUNCH_RATE_LIMIT"),
    scope="lti-launch",
    key_func=rate_limits.address_key,
    deduct_when=lambda response: response.status_code >= 400,
)
STATE_COOKIE = "lti_state_"  # + the state's first characters: launches in two frames at once each keep theirs
STATE_MAX_AGE_S = 600


def _state_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-state")


@bp.route("/lti/login", methods=["GET", "POST"])
@refused_launch_limit
def login():
    """Answer the platform's OIDC login initiation: remember state and nonce, go to its auth URL."""
    target, state, nonce = launch.login_redirect(db, request.values, url_for("lti.launch_", _external=True))
    response = redirect(target)
    # The launch comes back as a cross-site POST (often inside the LMS's frame): only a
    # SameSite=None cookie, which browsers take only when Secure, is sent with it. Partitioned
    # (CHIPS): framed, it is kept for the LMS's site even where third-party cookies are blocked.
    response.set_cookie(
        STATE_COOKIE + state[:16],
        _state_signer().dumps({"state": state, "nonce": nonce}),
        max_age=STATE_MAX_AGE_S,
        path="/lti/",
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
    )
    return response


def _expected_nonce(state: str) -> str:
    """Return the nonce this browser's login began with for this state, or refuse the launch."""
    cookie = request.cookies.get(STATE_COOKIE + state[:16], "")
    try:
        kept = _state_signer().loads(cookie, max_age=STATE_MAX_AGE_S)
    except BadSignature:
        kept = None
    if not isinstance(kept, dict) or kept.get("state") != state or not state:
        raise launch.LaunchMalformed(
            "This launch did not begin in this browser, or took too long. If your browser blocks "
            "third-party cookies, open the activity in a new window." + launch.AGAIN
        )
    return kept["nonce"]


@bp.post("/lti/launch")
@refused_launch_limit
def launch_():
    """Verify a launch, sign its user in (created at first), and open what it points to."""
    state = request.form.get("state", "")
    verified = launch.verify(db, request.form.get("id_token"), _expected_nonce(state))
    claims = verified.claims
    user, user_link = people.linked_account(
        db, verified.platform, verified.subject, verified.claim("roles"), claims
    )
    nrps = claims.get(launch.NRPS_CLAIM) or {}
    course = people.course_cohort(
        db, verified.platform, verified.claim("context"), nrps.get("context_memberships_url")
    )
    people.join_cohort(user, course)
    if verified.message_type == launch.DEEP_LINKING:
        target, deep_link = _deep_linking(verified, user)
    else:
        target, deep_link = _resource_link(verified, user, user_link), None
    session.clear()  # a fresh browser session for the launched account
    session[SESSION_KEY] = web_sessions.start(db, user)  # commits the launch's writes together
    if deep_link:
        session[DEEP_LINK_KEY] = deep_link
    response = redirect(target, 303)
    response.delete_cookie(
        STATE_COOKIE + state[:16], path="/lti/", secure=True, samesite="None", partitioned=True
    )
    return response


def _resource_link(verified: launch.Launch, user, user_link):
    """Record the activity and open its scenario: a rehearsal for a trainee, the scene for others."""
    resource = verified.claim("resource_link") or {}
    custom = verified.claim("custom") or {}
    if not isinstance(resource.get("id"), str) or not isinstance(custom, dict):
        raise launch.LaunchRefused("The launch names no activity (resource link)." + launch.AGAIN)
    link = db.scalar(
        select(ResourceLink).where(
            ResourceLink.platform_id == verified.platform.id, ResourceLink.resource_link_id == resource["id"]
        )
    ) or ResourceLink(platform_id=verified.platform.id, resource_link_id=resource["id"][:255])
    db.add(link)
    if isinstance(custom.get("scenario"), str):
        link.scenario_ref = custom["scenario"][:200]
    grades = verified.claims.get(launch.AGS_CLAIM) or {}
    # Only a line item we may post scores to: without the score scope a grade could never go.
    if services.SCORE_SCOPE in (grades.get("scope") or []) and isinstance(grades.get("lineitem"), str):
        link.lineitem_url = grades["lineitem"][:500]
    if not link.scenario_ref:
        return url_for("web.library")
    try:
        scenario = library.scenario_by_key(db, link.scenario_ref)
    except NotFound:
        raise launch.LaunchRefused(
            "The scenario this activity names is no longer in the library. "
            "Ask your trainer to choose another."
        ) from None
    if user.role != "trainee":
        return url_for("web.scenario", scenario_id=scenario.id)
    return _rehearsal_for(scenario, user, user_link, link)


def _rehearsal_for(scenario, user, user_link, link):
    """Return the rehearsal page of the trainee's open rehearsal from this activity, opening one if none."""
    open_one = db.scalar(
        select(PracticeSession)
        .join(SessionLink, SessionLink.practice_session_id == PracticeSession.id)
        .where(
            PracticeSession.user_id == user.id,
            PracticeSession.scenario_id == scenario.id,
            PracticeSession.ended_at.is_(None),
            SessionLink.resource_link_id == link.id,
        )
        .limit(1)
    )
    if open_one is None:
        open_one = PracticeSession(user_id=user.id, scenario_id=scenario.id)
        db.add(open_one)
        xapi.record_launched(db, open_one)  # a rehearsal opened from the LMS is launched too
        db.flush()
        db.add(
            SessionLink(practice_session_id=open_one.id, resource_link_id=link.id, user_link_id=user_link.id)
        )
    return url_for("web.rehearsal", session_id=open_one.id)


def _deep_linking(verified: launch.Launch, user):
    """Keep the deep-linking request's settings for the picker page; only instructors place activities."""
    if user.role == "trainee":
        raise people.NotAllowedHere("Only the course's instructors choose Practicum activities.")
    settings = verified.claims.get(launch.DEEP_LINKING_CLAIM) or {}
    return_url = settings.get("deep_link_return_url")
    if not isinstance(return_url, str) or urlsplit(return_url).scheme not in ("https", "http"):
        raise launch.LaunchRefused("The deep-linking launch names no return address." + launch.AGAIN)
    kept = {
        "platform_id": verified.platform.id,
        "deployment_id": verified.claim("deployment_id"),
        "return_url": return_url,
        "data": settings.get("data") if isinstance(settings.get("data"), str) else None,
        "multiple": settings.get("accept_multiple") is True,
    }
    return url_for("web.lti_deep_link"), kept


@bp.get("/lti/jwks")
def jwks():
    """Publish the tool's public keys (the newest signs; replaced ones stay a while)."""
    config = current_app.config["PRACTICUM"]
    keys = tool_keys.jwks(config.INSTANCE_DIR, timedelta(days=config.LTI_KEY_OVERLAP_DAYS))
    response = jsonify(keys)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
