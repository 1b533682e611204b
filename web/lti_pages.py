"""LTI pages: the deep-linking picker an instructor sees, and the trainer's roster sync button."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from practicum import rate_limits
from practicum.db import session as db
from practicum.errors import Conflict
from practicum.lti import deep_linking, platforms, roster
from practicum.lti.deep_linking import DEEP_LINK_KEY
from practicum.lti.launch import LaunchMalformed
from practicum.lti.services import PlatformUnavailable
from web import bp
from web.access import role_required
from web.auth import cookie_rate_key
from web.security import content_security_policy


def _request_kept() -> dict:
    kept = session.get(DEEP_LINK_KEY)
    if not isinstance(kept, dict):
        raise LaunchMalformed(
            "Choosing an activity starts in your LMS: use its 'add activity' for Practicum."
        )
    return kept


roster_rate_limit = rate_limits.per_person("LTI_ROSTER_RATE_LIMIT", "lti-roster", cookie_rate_key)


@bp.get("/lti/deep-link", endpoint="lti_deep_link")
@role_required("trainer", "admin")
def pick():
    """Show the scenarios and sets an instructor can place in the course."""
    _request_kept()
    return render_template("lti/pick.html", choices=deep_linking.choices(db))


@bp.post("/lti/deep-link", endpoint="lti_deep_link_choose")
@role_required("trainer", "admin")
def choose():
    """Return the chosen activity to the LMS as a signed deep-linking response."""
    kept = _request_kept()
    platform = platforms.platform(db, kept["platform_id"])
    item = deep_linking.chosen_item(
        db, request.form.get("choice", ""), url_for("lti.launch_", _external=True)
    )
    token = deep_linking.response_token(
        current_app.config["PRACTICUM"].INSTANCE_DIR, platform, kept["deployment_id"], kept["data"], item
    )
    session.pop(DEEP_LINK_KEY)
    response = current_app.make_response(
        render_template("lti/return.html", return_url=kept["return_url"], token=token, title=item["title"])
    )
    # This one form posts to the LMS: allow its origin as the form's target.
    target = urlsplit(kept["return_url"])
    response.headers["Content-Security-Policy"] = content_security_policy(
        f"{target.scheme}://{target.netloc}"
    )
    return response


@bp.app_context_processor
def lms_courses_helper() -> dict:
    """Let the trainer's page list the viewer's cohorts that come from an LMS course with a roster."""
    return {"lms_courses": lambda: roster.courses_of(db, g.user) if g.get("user") else []}


@bp.post("/trainer/cohorts/<int:cohort_id>/lti-roster", endpoint="trainer_sync_lti_roster")
@role_required("trainer", "admin")
@roster_rate_limit
def sync_roster(cohort_id: int):
    """Read the course's roster from the LMS into the cohort, then say what changed."""
    try:
        report = roster.sync(db, g.user, cohort_id)
    except (Conflict, PlatformUnavailable) as error:
        db.rollback()
        flash(error.message, "danger")
    else:
        flash(
            f"Roster read: {report['members']} members, {report['created']} new accounts, "
            f"{report['joined']} trainees added to the cohort, {report['skipped']} left out.",
            "success",
        )
    return redirect(url_for("web.trainer_dashboard", cohort_id=cohort_id))
