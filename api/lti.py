"""LTI routes: admins register LMS platforms (audited); trainers sync a course roster into its cohort."""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from flask_jwt_extended import current_user

from api import bp
from api.access import json_body, require_role
from api.admin import actor
from practicum import rate_limits
from practicum.db import session
from practicum.extensions import user_rate_key
from practicum.lti import platforms, roster

roster_rate_limit = rate_limits.per_person("LTI_ROSTER_RATE_LIMIT", "lti-roster", user_rate_key)


def tool_urls() -> dict:
    """Return the values a platform's admin copies into the LMS to register Practicum."""
    return {
        "login_url": url_for("lti.login", _external=True),
        "launch_url": url_for("lti.launch_", _external=True),
        "redirect_urls": [url_for("lti.launch_", _external=True)],
        "deep_linking_url": url_for("lti.launch_", _external=True),
        "jwks_url": url_for("lti.jwks", _external=True),
    }


@bp.get("/admin/lti/platforms")
@require_role("admin")
def admin_list_lti_platforms():
    """List registered LMS platforms, and the tool's own URLs to copy into an LMS."""
    return jsonify(
        platforms=[platforms.platform_json(p) for p in platforms.list_platforms(session)], tool=tool_urls()
    )


@bp.post("/admin/lti/platforms")
@require_role("admin")
def admin_register_lti_platform():
    """Register a platform: issuer, client id, deployment ids, its login, token and JWKS URLs."""
    production = current_app.config["PRACTICUM"].is_production
    registered = platforms.register(session, actor(), json_body(), production)
    return jsonify(platforms.platform_json(registered)), 201


@bp.get("/admin/lti/platforms/<int:platform_id>")
@require_role("admin")
def admin_get_lti_platform(platform_id: int):
    """Show one registered platform."""
    return jsonify(platforms.platform_json(platforms.platform(session, platform_id)))


@bp.put("/admin/lti/platforms/<int:platform_id>")
@require_role("admin")
def admin_update_lti_platform(platform_id: int):
    """Replace a platform's registration (every field, as when registering)."""
    production = current_app.config["PRACTICUM"].is_production
    changed = platforms.update(session, actor(), platform_id, json_body(), production)
    return jsonify(platforms.platform_json(changed))


@bp.delete("/admin/lti/platforms/<int:platform_id>")
@require_role("admin")
def admin_remove_lti_platform(platform_id: int):
    """Remove a platform and its links (the accounts and cohorts it made stay)."""
    platforms.remove(session, actor(), platform_id)
    return jsonify(removed=platform_id)


@bp.post("/trainer/cohorts/<int:cohort_id>/lti-roster")
@require_role("trainer", "admin")
@roster_rate_limit
def trainer_sync_lti_roster(cohort_id: int):
    """Read the course's roster from the LMS (NRPS) into the cohort: accounts made, trainees added."""
    report = roster.sync(session, current_user, cohort_id)
    return jsonify(report)
