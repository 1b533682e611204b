"""Trainer pages: the cohort dashboard and a trainee's record with notes and score overrides."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask import session as cookie

from ai.bands import BAND_LABELS
from ai.dimensions import DIMENSIONS
from practicum import conversation, rate_limits, review, trainers
from practicum.attention import Thresholds
from practicum.csv_files import csv_download
from practicum.db import session as db
from practicum.errors import ValidationFailed
from practicum.forms import whole_number
from web import bp
from web.access import role_required
from web.auth import cookie_rate_key

# The same scopes and keys as the API's: one budget per trainer, whichever door.
note_rate_limit = rate_limits.per_person("NOTE_RATE_LIMIT", "notes", cookie_rate_key)
override_rate_limit = rate_limits.per_person("OVERRIDE_RATE_LIMIT", "overrides", cookie_rate_key)

TRAINER_ROLES = ("trainer", "admin")
OVERRIDE_DRAFT = "override_draft"  # a refused score and reason, kept for the next page
OVERRIDE_SCORE_CHARS = 9
COLUMNS = (
    ("name", "Trainee"),
    ("attempts", "Attempts"),
    ("scenarios", "Scenarios"),
    ("average", "Average"),
    ("latest", "Latest"),
    ("trend", "Trend"),
    ("last_active", "Last active"),
    ("flags", "Needs attention"),
)


def thresholds() -> Thresholds:
    """Return the configured 'needs attention' thresholds."""
    return Thresholds.from_config(current_app.config["PRACTICUM"])


def _filters() -> dict:
    args = request.args
    cohort = args.get("cohort_id", "")
    return {
        "cohort_id": whole_number(cohort),
        "q": args.get("q", ""),
        "flag": args.get("flag", ""),
        "sort": args.get("sort") if args.get("sort") in trainers.SORT_KEYS else "name",
        "order": "desc" if args.get("order") == "desc" else "asc",
    }


def _dashboard(chosen: dict) -> trainers.Dashboard:
    return trainers.cohort_dashboard(
        db,
        g.user,
        thresholds(),
        chosen["cohort_id"],
        chosen["q"],
        chosen["flag"],
        chosen["sort"],
        chosen["order"] == "desc",
    )


@bp.get("/trainer", endpoint="trainer_dashboard")
@role_required(*TRAINER_ROLES)
def dashboard():
    """Show the cohort: three charts and a sortable, filterable table of trainees."""
    chosen = _filters()
    board = _dashboard(chosen)
    return render_template(
        "trainer/dashboard.html",
        board=board,
        chosen=chosen,
        columns=COLUMNS,
        rules=thresholds().rules(),
        chart_data={"charts": board.charts, "bands": BAND_LABELS},
    )


@bp.get("/trainer/cohort.csv", endpoint="trainer_cohort_csv")
@role_required(*TRAINER_ROLES)
def cohort_csv():
    """Download the cohort table, with the page's filters, as CSV."""
    return csv_download(trainers.cohort_csv(_dashboard(_filters()).rows), "cohort.csv")


@bp.get("/trainer/trainees/<int:trainee_id>", endpoint="trainer_trainee")
@role_required(*TRAINER_ROLES)
def trainee(trainee_id: int):
    """Show one trainee: scores per category, confidence, reflections, attempts a page at a time."""
    draft = cookie.pop(OVERRIDE_DRAFT, None)
    page = whole_number(request.args.get("page", "")) or 1
    chosen = whole_number(request.args.get("review", ""))
    return _trainee_page(trainee_id, page, chosen or (draft or {}).get("attempt_id"), draft)


def _trainee_page(
    trainee_id: int, page: int, chosen: int | None, draft: dict | None = None, status: int = 200
):
    # chosen: the one attempt whose note and score forms are open (one pair per page, not one
    # per attempt); draft refills them when the server refused what was typed.
    report = review.trainee_report(db, g.user, trainee_id, thresholds(), page=page)
    return render_template(
        "trainer/trainee.html",
        report=report,
        chosen=chosen,
        draft=draft or {},
        dimensions=DIMENSIONS,
        chart_data={
            "series": report.series,
            "bands": BAND_LABELS,
            "labels": {c: trainers.category_label(c) for c in report.series},
        },
        category_label=trainers.category_label,
        said=review.student_lines(report.attempts),
        endings=conversation.ENDINGS,
        session_summary=conversation.session_summary,
    ), status


@bp.get("/trainer/trainees/<int:trainee_id>/attempts.csv", endpoint="trainer_trainee_csv")
@role_required(*TRAINER_ROLES)
def trainee_csv(trainee_id: int):
    """Download one trainee's attempts as CSV."""
    report = review.trainee_report(db, g.user, trainee_id, thresholds())  # every attempt, unpaged
    return csv_download(review.attempts_csv(report.attempts), f"{report.trainee.username}-attempts.csv")


def _page_number(attempt) -> int | None:
    """Return the page showing an attempt, None for the first (its address needs no page)."""
    page = review.page_of_attempt(db, attempt)
    return page if page > 1 else None


def _back_to(attempt_id: int):
    # Back to the attempt's page with its forms still open: a note, then a score, or a fix.
    attempt = review.reviewable_attempt(db, g.user, attempt_id)
    return redirect(
        url_for(
            "web.trainer_trainee",
            trainee_id=attempt.user_id,
            page=_page_number(attempt),
            review=attempt_id,
            _anchor=f"attempt-{attempt_id}",
        )
    )


@bp.post("/trainer/attempts/<int:attempt_id>/notes", endpoint="trainer_add_note")
@role_required(*TRAINER_ROLES)
@note_rate_limit
def add_note(attempt_id: int):
    """Add a note to an attempt."""
    text = request.form.get("text", "")
    try:
        review.add_note(db, g.user, attempt_id, text)
    except ValidationFailed:
        db.rollback()  # a refused write may have broken the transaction; read afresh
        flash("Write a note of 1 to 2,000 characters. Your note is still in its box.", "danger")
        attempt = review.reviewable_attempt(db, g.user, attempt_id)
        draft = {"attempt_id": attempt_id, "text": text}
        return _trainee_page(attempt.user_id, review.page_of_attempt(db, attempt), attempt_id, draft, 422)
    flash("Note added.", "success")
    return _back_to(attempt_id)


@bp.post("/trainer/attempts/<int:attempt_id>/override", endpoint="trainer_override")
@role_required(*TRAINER_ROLES)
@override_rate_limit
def override(attempt_id: int):
    """Set your score on an attempt with a reason; the automatic score stays beside it."""
    score = request.form.get("score", "").strip()
    number = whole_number(score)
    try:
        review.override_score(
            db, g.user, attempt_id, score if number is None else number, request.form.get("reason", "")
        )
        flash("Your score is saved beside the automatic one.", "success")
    except ValidationFailed as error:
        db.rollback()  # a refused write may have broken the transaction; read afresh
        flash(f"{error.message} Nothing was changed.", "danger")
        # Kept for the page the redirect shows; the box's own limit keeps it small for the cookie.
        cookie[OVERRIDE_DRAFT] = {
            "attempt_id": attempt_id,
            "score": score[:OVERRIDE_SCORE_CHARS],
            "reason": request.form.get("reason", "")[: review.MAX_REASON_CHARS],
        }
    return _back_to(attempt_id)


@bp.post("/trainer/attempts/<int:attempt_id>/override/clear", endpoint="trainer_clear_override")
@role_required(*TRAINER_ROLES)
@override_rate_limit
def clear_override(attempt_id: int):
    """Remove your score, so the automatic score counts again."""
    review.clear_override(db, g.user, attempt_id)
    flash("Your score was removed; the automatic score counts again.", "success")
    return _back_to(attempt_id)
