"""The scenario library: every scenario a trainee can rehearse, with their progress on each."""

from __future__ import annotations

from itertools import groupby

from flask import g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from practicum import library
from practicum.db import session as db
from practicum.models import Attempt, Scenario, ScenarioSetVersion
from web import bp
from web.auth import login_required

FILTERS = ("category", "grade_band", "subject")


def progress_by_scenario(user) -> dict[tuple[int, str], tuple[int, int]]:
    """Return (best score, attempts) per (set, scenario key), so new set versions keep history."""
    rows = db.execute(
        select(ScenarioSetVersion.set_id, Scenario.key, func.max(Attempt.score), func.count())
        .join(Scenario, Scenario.id == Attempt.scenario_id)
        .join(ScenarioSetVersion, ScenarioSetVersion.id == Scenario.set_version_id)
        .where(Attempt.user_id == user.id)
        .group_by(ScenarioSetVersion.set_id, Scenario.key)
    )
    return {(set_id, key): (best, count) for set_id, key, best, count in rows}


def _matches(scenario, chosen: dict[str, str], query: str) -> bool:
    return all(not value or getattr(scenario, name) == value for name, value in chosen.items()) and (
        not query or query in scenario.title.lower()
    )


@bp.get("/")
def home():
    """Send people to their library (or to sign in)."""
    return redirect(url_for("web.library"))


@bp.get("/library", endpoint="library")
@login_required
def library_page():
    """List the scenarios, grouped by category, filtered by the form's choices."""
    scenarios = library.current_scenarios(db)
    options = {name: sorted({getattr(s, name) for s in scenarios}) for name in FILTERS}
    chosen = {name: request.args.get(name, "") for name in FILTERS}
    query = request.args.get("q", "").strip()
    shown = [s for s in scenarios if _matches(s, chosen, query.lower())]
    groups = [(category, list(items)) for category, items in groupby(shown, key=lambda s: s.category)]
    return render_template(
        "library.html",
        groups=groups,
        options=options,
        chosen=chosen,
        query=query,
        shown=len(shown),
        total=len(scenarios),
        progress=progress_by_scenario(g.user),
    )
