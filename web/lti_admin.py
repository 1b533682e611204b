"""Admin pages for LTI: register the LMS platforms that launch Practicum, and show what to copy."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from api.lti import tool_urls
from practicum.db import session as db
from practicum.errors import PracticumError
from practicum.lti import platforms
from web import bp
from web.access import role_required
from web.admin import actor

FIELDS = ("name", "issuer", "client_id", "auth_login_url", "auth_token_url", "jwks_url", "deployment_ids")


def _form() -> dict:
    return {name: request.form.get(name, "") for name in FIELDS}


def _page(status: int = 200, **extra):
    return render_template(
        "admin/lti_platforms.html", platforms=platforms.list_platforms(db), tool=tool_urls(), **extra
    ), status


@bp.get("/admin/lti", endpoint="admin_lti_platforms")
@role_required("admin")
def lti_platforms():
    """List registered LMS platforms, the form to register one, and the tool's URLs to copy."""
    return _page()


@bp.post("/admin/lti", endpoint="admin_register_lti_platform")
@role_required("admin")
def register_lti_platform():
    """Register an LMS platform from the form (audited)."""
    production = current_app.config["PRACTICUM"].is_production
    try:
        registered = platforms.register(db, actor(), _form(), production)
    except PracticumError as error:
        return _page(error.status, error=error, form=_form())
    flash(f"{registered.name} is registered: launches from it are accepted now.", "success")
    return redirect(url_for("web.admin_lti_platforms"))


@bp.get("/admin/lti/<int:platform_id>", endpoint="admin_lti_platform")
@role_required("admin")
def lti_platform(platform_id: int, status: int = 200, **extra):
    """Show one platform's registration to change it."""
    shown = platforms.platform(db, platform_id)
    form = extra.pop("form", None) or {**platforms.platform_json(shown)}
    if isinstance(form.get("deployment_ids"), list):
        form["deployment_ids"] = "\n".join(form["deployment_ids"])
    return render_template("admin/lti_platform.html", platform=shown, form=form, **extra), status


@bp.post("/admin/lti/<int:platform_id>", endpoint="admin_update_lti_platform")
@role_required("admin")
def update_lti_platform(platform_id: int):
    """Save a platform's changed registration (audited)."""
    production = current_app.config["PRACTICUM"].is_production
    try:
        platforms.update(db, actor(), platform_id, _form(), production)
    except PracticumError as error:
        return lti_platform(platform_id, error.status, error=error, form=_form())
    flash("Saved.", "success")
    return redirect(url_for("web.admin_lti_platforms"))


@bp.post("/admin/lti/<int:platform_id>/remove", endpoint="admin_remove_lti_platform")
@role_required("admin")
def remove_lti_platform(platform_id: int):
    """Remove a platform and its links; the accounts and cohorts it made stay (audited)."""
    platforms.remove(db, actor(), platform_id)
    flash("The platform is removed: its launches are refused from now on.", "success")
    return redirect(url_for("web.admin_lti_platforms"))
