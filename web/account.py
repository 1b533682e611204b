"""Your account: who you are signed in as, and changing your own password."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for

from practicum import accounts, web_sessions
from practicum.db import session as db
from practicum.errors import ValidationFailed
from practicum.extensions import limiter
from web import bp
from web.auth import CHOOSE_OWN, SESSION_KEY, login_limit, login_required


def _account_key() -> str:
    # Per account, not per address: a school's trainees often share one address.
    return f"password:{g.user.id}"


def _account_page(problem: ValidationFailed | None = None):
    page = render_template(
        "account.html", min_length=accounts.MIN_PASSWORD_LENGTH, choose_own=CHOOSE_OWN, error=problem
    )
    return page, problem.status if problem else 200


@bp.get("/account")
@login_required
def account():
    """Show your account and the form to change your password."""
    return _account_page()


@bp.post("/account/password")
@login_required
@limiter.limit(login_limit, key_func=_account_key)
def change_password():
    """Change your password; every other sign-in of yours ends, this one carries on."""
    form = request.form
    problem = None
    if form.get("new_password", "") != form.get("confirm_password", ""):
        problem = ValidationFailed(
            "The new password and its confirmation differ, so nothing was changed.",
            {"confirm_password": "type the new password again, exactly"},
        )
    else:
        try:
            accounts.change_own_password(
                db,
                g.user,
                form.get("current_password", ""),
                form.get("new_password", ""),
                request.remote_addr or "",
            )
        except ValidationFailed as error:
            problem = error
    if problem is not None:
        return _account_page(problem)
    # The change ended every web session of the account, this browser's too: open a new one.
    session.clear()
    session[SESSION_KEY] = web_sessions.start(db, g.user)
    flash("Your password has changed. Anywhere else you were signed in, you are now signed out.", "success")
    return redirect(url_for("web.account"))
