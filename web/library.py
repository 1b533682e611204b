"""The scenario library: every scenario a trainee can rehearse, with their progress on each."""

from __future__ import annotations

from itertools import groupby

from flask import g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from practicum.db import session as db
from practicum.forms import whole_number
from practicum.library_search import LibraryQuery, library_overview, search_scenarios
from practicum.models import Attempt, Scenario, ScenarioSetVersion
from web import bp
from web.auth import login_required
from web.landing import home_url

CARDS_PER_PAGE = 24  # rows of two or three cards


def progress_by_scenario(user, scenarios) -> dict[tuple[int, str], tuple[int, int]]:
    """Return (best score, attempts) per (set, scenario key), so new set versions keep history."""
    rows = db.execute(
        select(ScenarioSetVersion.set_id, Scenario.key, func.max(Attempt.score), func.count())
        .join(Scenario, Scenario.id == Attempt.scenario_id)
        .join(ScenarioSetVersion, ScenarioSetVersion.id == Scenario.set_version_id)
        .where(Attempt.user_id == user.id, Scenario.key.in_(sorted({s.key for s in scenarios})))
        .group_by(ScenarioSetVersion.set_id, Scenario.key)
    )
    return {(set_id, key): (best, count) for set_id, key, best, count in rows}


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Return the pages to link: the first, the last and those near the current; None marks a gap."""
    wanted = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for previous, number in zip([0, *wanted], wanted, strict=False):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@bp.get("/")
def home():
    """Send people to their role's start page (or to sign in, which then does the same)."""
    return redirect(home_url(g.user) if g.user else url_for("web.login"))


@bp.get("/library", endpoint="library")
@login_required
def library_page():
    """List a page of scenarios, by category or best match first, filtered by the form's choices."""
    asked = LibraryQuery.from_args(request.args)
    found = search_scenarios(db, asked, whole_number(request.args.get("page", "")) or 1, CARDS_PER_PAGE)
    groups = (
        [(None, found.scenarios)]
        if found.ranked and found.scenarios
        else groupby(found.scenarios, key=lambda s: s.category)
    )
    return render_template(
        "library.html",
        listing=found,
        groups=[(category, list(items)) for category, items in groups],
        overview=library_overview(db),
        asked=asked,
        link_args=asked.as_args(),
        page_numbers=page_numbers(found.page, found.pages),
        progress=progress_by_scenario(g.user, found.scenarios),
    )
