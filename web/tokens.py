"""Your API tokens: make one (shown once), see when each was last used, revoke it."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for

from practicum import api_tokens, rate_limits
from practicum.db import session as db
from practicum.errors import PracticumError
from practicum.forms import whole_number
from practicum.models import utcnow
from web import bp
from web.access import role_required
from web.auth import cookie_rate_key

# The lifetimes the form offers (the API takes any whole number of hours from 1 to 2160).
LIFETIMES = ((1, "1 hour"), (24, "1 day"), (7 * 24, "7 days"), (30 * 24, "30 days"), (90 * 24, "90 days"))
token_rate_limit = rate_limits.per_person("API_TOKEN_RATE_LIMIT", "api-tokens", cookie_rate_key)


def _tokens_page(status: int = 200, created=None, error: PracticumError | None = None, form=None):
    everyone = api_tokens.tokens_of(db, None) if g.user.role == "admin" else []
    page = render_template(
        "tokens.html",
        tokens=api_tokens.tokens_of(db, g.user.id),
        others=[row for row in everyone if row.user_id != g.user.id],
        scopes=[s for s in api_tokens.SCOPES if s in api_tokens.allowed_scopes(g.user)],
        lifetimes=LIFETIMES,
        meanings=api_tokens.SCOPE_MEANINGS,
        created=created,
        error=error,
        form=form or {},
        chosen=form.getlist("scopes") if form else [],
        now=utcnow(),
    )
    return page, status


@bp.get("/account/tokens")
@role_required("trainer", "admin")
def tokens():
    """Show your API tokens and the form to make one."""
    return _tokens_page()


@bp.post("/account/tokens")
@role_required("trainer", "admin")
@token_rate_limit
def create_token():
    """Make an API token and show it, this once."""
    form = request.form
    hours = whole_number(form.get("expires_in_hours", ""))
    try:
        created = api_tokens.create(
            db,
            g.user,
            form.get("name", ""),
            form.getlist("scopes"),
            hours if hours is not None else form.get("expires_in_hours", ""),
            current_app.config["PRACTICUM"].API_TOKENS_PER_USER,
            request.remote_addr or "",
        )
    except PracticumError as error:
        return _tokens_page(error.status, error=error, form=form)
    return _tokens_page(201, created=created)


@bp.post("/account/tokens/<int:token_id>/revoke")
@role_required("trainer", "admin")
def revoke_token(token_id: int):
    """Revoke a token at once (your own; any, for an admin)."""
    row = api_tokens.revoke(db, g.user, token_id, request.remote_addr or "")
    flash(f"The token “{row.name}” ({row.prefix}…) is revoked: it stopped working at once.", "success")
    return redirect(url_for("web.tokens"))
