"""Your account: who you are signed in as, and changing your own password."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for

from practicum import accounts, web_sessions
from practicum.db import session as db
from practicum.errors import ValidationFailed
from practicum.extensions import limiter
from practicum.passwords import MIN_LENGTH
from web import bp
from web.auth import CHOOSE_OWN, SESSION_KEY, login_limit, login_required
from web.landing import local_path, next_or_home


def _account_key() -> str:
    # Per account, not per address: a school's trainees often share one address.
    return f"password:{g.user.id}"


def _account_page(next_path: str | None, problem: ValidationFailed | None = None):
    # next_path: the page a forced change interrupted; the form carries it on.
    page = render_template(
        "account.html",
        min_length=MIN_LENGTH,
        choose_own=CHOOSE_OWN,
        error=problem,
        next=local_path(next_path),
    )
    return page, problem.status if problem else 200


@bp.get("/account")
@login_required
def account():
    """Show your account and the form to change your password."""
    return _account_page(request.args.get("next"))


@bp.post("/account/password")
@login_required
@limiter.limit(login_limit, key_func=_account_key)
def change_password():
    """Change your password; every other sign-in of yours ends, this one carries on."""
    form = request.form
    problem = None
    forced = g.user.must_change_password
    if form.get("new_password", "") != form.get("confirm_password", ""):
        problem = ValidationFailed(
            "The two new passwords differ, so nothing was changed. Type the new one twice, exactly."
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
        return _account_page(form.get("next"), problem)
    # The change ended every web session of the account, this browser's too: open a new one.
    session.clear()
    session[SESSION_KEY] = web_sessions.start(db, g.user)
    flash("Your password has changed. Anywhere else you were signed in, you are now signed out.", "success")
    # Go on to the page that was asked for; a forced change goes on to the role's start page.
    if forced or local_path(form.get("next")):
        return redirect(next_or_home(form.get("next"), g.user))
    return redirect(url_for("web.account"))
