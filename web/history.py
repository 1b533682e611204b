"""A trainee's history: every attempt, a chart of scores over time, and each attempt in full."""

from __future__ import annotations

from flask import g, render_template, request

from practicum import practice, review
from practicum.csv_files import csv_download
from practicum.db import session as db
from practicum.forms import whole_number
from web import bp
from web.auth import login_required
from web.present import attempt_view


@bp.get("/history")
@login_required
def history():
    """List the trainee's attempts, newest first, a page at a time, with a chart of their scores."""
    number = whole_number(request.args.get("page", "")) or 1
    found = practice.attempts_of(db, g.user, number, practice.HISTORY_PAGE_SIZE)
    return render_template("history.html", attempts=found.attempts, listing=found)


@bp.get("/history.csv", endpoint="history_csv")
@login_required
def history_csv():
    """Download every one of your attempts as CSV: your answers, scores and your trainer's notes."""
    attempts = practice.every_attempt_of(db, g.user)
    return csv_download(review.attempts_csv(attempts), f"{g.user.username}-attempts.csv")


@bp.get("/history/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    """Show one of the trainee's own attempts (anyone else's is not found)."""
    found = practice.visible_attempt(db, g.user, attempt_id)
    previous = practice.previous_score(db, found.session_id, found.id)
    return render_template(
        "attempt.html", attempt=found, practice_session=found.session, turn=attempt_view(found, previous)
    )
