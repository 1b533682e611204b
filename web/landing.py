"""Where each role starts: the page after sign-in, after choosing a password, and behind '/'."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

from web import bp

# Each role's own start page, and how a link to it reads.
HOMES = {
    "trainee": ("web.library", "Go to your library"),
    "trainer": ("web.trainer_dashboard", "Go to your cohort's progress"),
    "admin": ("web.admin_people", "Go to the admin pages"),
}


def home_url(user) -> str:
    """Return the start page of the user's role (the library when there is no user)."""
    endpoint, _ = HOMES.get(getattr(user, "role", ""), HOMES["trainee"])
    return url_for(endpoint)


def local_path(target: str | None) -> str | None:
    """Return target when it is a path on this site ('/history?page=2'), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash and drop tabs and line breaks: "/\\evil" or
    # "/\t/evil" would leave the site.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def next_or_home(target: str | None, user) -> str:
    """Return the local page asked for, or else the user's start page."""
    return local_path(target) or home_url(user)


@bp.app_template_global("home_link")
def home_link(user) -> tuple[str, str]:
    """Return (address, words) of a link to the user's start page, for templates."""
    endpoint, label = HOMES.get(getattr(user, "role", ""), HOMES["trainee"])
    return url_for(endpoint), label
