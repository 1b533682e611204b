"""Signing in and out: the cookie names a server-side session that sign-out and admins can end."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from api.errors import wants_json
from practicum import accounts, rate_limits, web_sessions
from practicum.db import session as db
from practicum.errors import AuthenticationFailed, Forbidden
from web import bp
from web.landing import home_url, next_or_home

SESSION_KEY = "sid"  # the cookie keeps only this token; practicum.web_sessions keeps its hash


def login_limit() -> str:
    """Return the sign-in rate limit (LOGIN_RATE_LIMIT), read per request."""
    return current_app.config["PRACTICUM"].LOGIN_RATE_LIMIT


def cookie_rate_key() -> str:
    """Key a per-person limit by the cookie's account, as the API keys it by the token's.

    The limiter runs before the pages' own hooks have loaded the account, so the cookie's
    session is looked up here; signed out, the address is the key.
    """
    user = cookie_user()
    return f"user:{user.id}" if user else f"addr:{get_remote_address()}"


def cookie_user():
    """Return the active account whose live web session the cookie names, or None."""
    if "user" in g:  # already looked up for this request
        return g.user
    lifetime = timedelta(hours=current_app.config["PRACTICUM"].WEB_SESSION_HOURS)
    return web_sessions.resolve(db, session.get(SESSION_KEY), lifetime)


@bp.app_context_processor
def account_for_error_pages() -> dict:
    """Load the account for a page rendered before the pages' own hook ran (an early error page)."""
    if "user" not in g:
        try:
            g.user = cookie_user()
        except SQLAlchemyError:  # the error being shown may be the database's own
            db.rollback()
            g.user = None
    return {}


@bp.before_request
def load_signed_in_user():
    """Put the account of a live session on g; forget an ended one or a deactivated account."""
    g.user = cookie_user()
    if session.get(SESSION_KEY) is not None and g.user is None:
        session.clear()


def login_required(view):
    """Send visitors who are not signed in to the sign-in page, then back here."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if g.user is None:
            if wants_json():  # the page's script: say so, rather than redirect a fetch
                raise AuthenticationFailed(
                    "You are signed out. Sign in again in a new tab; your answer is still here."
                )
            if request.method != "GET":
                flash("You were signed out, so that was not saved. Sign in and send it again.", "warning")
            return redirect(url_for("web.login", next=_return_path()))
        if g.user.must_change_password and request.endpoint not in PASSWORD_PAGES:
            return _choose_own_password()
        return view(*args, **kwargs)

    guarded.signs_in_first = True  # web.security lets the guard answer a signed-out POST
    return guarded


# What an account whose password someone else chose may open before choosing its own.
PASSWORD_PAGES = {"web.account", "web.change_password"}
CHOOSE_OWN = "Choose your own password to go on: the one you were given is known to whoever set it."


def _choose_own_password():
    if wants_json():
        raise Forbidden(CHOOSE_OWN)
    # The account page says why, while the flag is set, and goes on to this page afterwards.
    return redirect(url_for("web.account", next=_return_path()))


def _return_path() -> str:
    """Return the page to show after sign-in: this one, or for a form the page that sent it."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    # A form's address takes only POST: after sign-in, go back to the page the form was on.
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.scheme in ("http", "https"):
        shown = _page_at_or_above(referrer.path)
        if shown == referrer.path and referrer.query:
            return f"{shown}?{referrer.query}"
        if shown:
            return shown
    return _page_at_or_above(request.path) or home_url(g.user)


def _page_at_or_above(path: str) -> str | None:
    """Return path, or the nearest path above it, that a browser may GET (None when none)."""
    adapter = current_app.create_url_adapter(request)
    while path and path != "/":
        try:
            adapter.match(path, method="GET")
            return path
        except HTTPException:  # not found, POST only, or a slash redirect: try the parent
            path = path.rsplit("/", 1)[0]
    return None


@bp.route("/login", methods=["GET", "POST"])
@rate_limits.sign_in
def login():
    """Show the sign-in form; sign in with a username and password."""
    next_path = request.values.get("next", "")
    if g.user is not None:
        return redirect(next_or_home(next_path, g.user))
    if request.method == "GET":
        return render_template("login.html", next=next_path, username="")
    username = request.form.get("username", "")
    try:
        user = accounts.authenticate(
            db, username, request.form.get("password", ""), request.remote_addr or ""
        )
    except AuthenticationFailed as error:
        return render_template("login.html", next=next_path, username=username, error=error.message), 401
    session.clear()  # a fresh session (and CSRF token) for the signed-in account
    session[SESSION_KEY] = web_sessions.start(db, user)
    return redirect(next_or_home(next_path, user))


@bp.post("/logout")
def logout():
    """Sign out: end the session server-side, so a copy of the cookie stops working too."""
    web_sessions.end(db, session.get(SESSION_KEY))
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("web.login"))
