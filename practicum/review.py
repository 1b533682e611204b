"""A trainer's review of one trainee: the full record, notes on attempts, score overrides.

An override never replaces the automatic score: both are stored and both are shown, with the
trainer's reason. Every note and override is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ai.bands import band_for, band_label
from practicum import audit, conversation
from practicum.attention import Thresholds
from practicum.csv_files import to_csv
from practicum.errors import NotFound, ValidationFailed
from practicum.lti import grades as lti_grades
from practicum.models import Attempt, AttemptNote, PracticeSession, User, utcnow
from practicum.practice import unix_newlines
from practicum.trainers import (
    TraineeRow,
    attempt_points,
    category_series,
    trainee_row,
    visible_trainee,
    visible_trainees_query,
)

MAX_NOTE_CHARS = 2000
MAX_REASON_CHARS = 500
TRAINEE_PAGE_SIZE = 10  # attempts on one page of the trainer's trainee page


@dataclass
class TraineeReport:
    """Everything the trainee page shows."""

    trainee: User
    row: TraineeRow
    series: dict[str, list[dict]]
    sessions: list[PracticeSession]
    attempts: list[Attempt]  # newest first: all of them, or one page
    total: int = 0  # attempts in all
    page: int = 1
    pages: int = 1
    first_number: int = 0  # the attempt number (1 = the oldest) of attempts[0]


def trainee_report(
    db: Session,
    viewer: User,
    trainee_id: int,
    t: Thresholds,
    now: datetime | None = None,
    page: int | None = None,
    per_page: int = TRAINEE_PAGE_SIZE,
) -> TraineeReport:
    """Return a visible trainee's summary, series, sessions and attempts (one page, when asked)."""
    trainee = visible_trainee(db, viewer, trainee_id)
    points = attempt_points(db, [trainee.id])
    sessions = list(
        db.scalars(
            select(PracticeSession)
            .where(PracticeSession.user_id == trainee.id)
            .options(
                selectinload(PracticeSession.attempts).selectinload(Attempt.notes),
                selectinload(PracticeSession.scenario),
            )
            .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
        )
    )
    attempts = sorted(
        (a for s in sessions for a in s.attempts), key=lambda a: (a.created_at, a.id), reverse=True
    )
    report = TraineeReport(
        trainee, trainee_row(trainee, points, now or utcnow(), t), category_series(points), sessions, attempts
    )
    report.total, report.first_number = len(attempts), len(attempts)
    if page is not None:
        report.pages = max(1, -(-len(attempts) // per_page))
        report.page = min(max(1, page), report.pages)  # past the end: the last page
        start = (report.page - 1) * per_page
        report.attempts, report.first_number = attempts[start : start + per_page], len(attempts) - start
    return report


def page_of_attempt(db: Session, attempt: Attempt, per_page: int = TRAINEE_PAGE_SIZE) -> int:
    """Return the page of its trainee's attempts (newest first) that shows an attempt."""
    newer = db.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.user_id == attempt.user_id,
            or_(
                Attempt.created_at > attempt.created_at,
                and_(Attempt.created_at == attempt.created_at, Attempt.id > attempt.id),
            ),
        )
    )
    return newer // per_page + 1


def reviewable_attempt(db: Session, viewer: User, attempt_id: int) -> Attempt:
    """Return an attempt by a trainee the viewer may see; anything else is not found."""
    attempt = db.get(Attempt, attempt_id)
    visible = visible_trainees_query(viewer).where(User.id == (attempt.user_id if attempt else -1))
    if attempt is None or db.scalar(visible) is None:
        raise NotFound(f"No attempt {attempt_id} by your trainees.")
    return attempt


def _text(value, name: str, what: str, limit: int, minimum: int = 1) -> str:
    # Counted as the page counts it: a line break is one character, not the form's CR+LF.
    text = unix_newlines(value).strip() if isinstance(value, str) else None
    if text is None or not minimum <= len(text) <= limit:
        raise ValidationFailed(
            f"Write {what} of {minimum} to {limit:,} characters.",
            {name: f"{minimum}–{limit} characters"},
        )
    return text


def add_note(db: Session, viewer: User, attempt_id: int, text) -> AttemptNote:
    """Add a trainer's note to an attempt."""
    attempt = reviewable_attempt(db, viewer, attempt_id)
    note = AttemptNote(
        attempt_id=attempt.id, author_id=viewer.id, text=_text(text, "text", "a note", MAX_NOTE_CHARS)
    )
    db.add(note)
    audit.record(db, "attempt_note_added", viewer.id, f"attempt:{attempt.id}")
    db.commit()
    return note


def override_score(db: Session, viewer: User, attempt_id: int, score, reason) -> Attempt:
    """Set a trainer's score on an attempt, with a reason; the automatic score stays."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValidationFailed("Give a score as a whole number from 0 to 100.", {"score": "integer 0–100"})
    reason = _text(reason, "reason", "a reason", MAX_REASON_CHARS, minimum=3)
    attempt = reviewable_attempt(db, viewer, attempt_id)
    audit.record(
        db,
        "score_overridden",
        viewer.id,
        f"attempt:{attempt.id}",
        automatic=attempt.score,
        previous=attempt.override_score,
        score=score,
        reason=reason,
    )
    attempt.override_score, attempt.override_reason = score, reason
    attempt.overridden_by_id, attempt.overridden_at = viewer.id, utcnow()
    lti_grades.queue_grade(db, attempt.session)  # a changed score goes to the LMS gradebook again
    db.commit()
    return attempt


def clear_override(db: Session, viewer: User, attempt_id: int) -> Attempt:
    """Remove a trainer's score, so the automatic score counts again."""
    attempt = reviewable_attempt(db, viewer, attempt_id)
    if attempt.override_score is not None:
        audit.record(
            db,
            "score_override_cleared",
            viewer.id,
            f"attempt:{attempt.id}",
            automatic=attempt.score,
            previous=attempt.override_score,
        )
    attempt.override_score = attempt.override_reason = None
    attempt.overridden_by_id = attempt.overridden_at = None
    lti_grades.queue_grade(db, attempt.session)
    db.commit()
    return attempt


def review_json(attempt: Attempt) -> dict:
    """Return the trainer-facing fields of an attempt: both scores and the notes."""
    override = None
    if attempt.override_score is not None:
        override = {
            "score": attempt.override_score,
            "band": band_for(attempt.override_score),
            "band_label": band_label(band_for(attempt.override_score)),
            "reason": attempt.override_reason,
            "by": attempt.overridden_by.display_name if attempt.overridden_by else None,
            "at": attempt.overridden_at.isoformat() if attempt.overridden_at else None,
        }
    return {
        "automatic_score": attempt.score,
        "override": override,
        "effective_score": attempt.effective_score,
        "notes": [note_json(n) for n in attempt.notes],
    }


def note_json(note: AttemptNote) -> dict:
    """Return a note with its author."""
    return {
        "id": note.id,
        "text": note.text,
        "created_at": note.created_at.isoformat(),
        "author": note.author.display_name if note.author else None,
    }


ATTEMPT_COLUMNS = [
    "attempt_id",
    "date",
    "scenario",
    "category",
    "session_id",
    "turn",
    "student_line",
    "automatic_score",
    "band",
    "trainer_score",
    "trainer_reason",
    "feedback_source",
    "response",
    "notes",
]


def student_lines(attempts: list[Attempt]) -> dict[int, str]:
    """Return, for each attempt, the student's line it answered (a revision: the same line)."""
    return {a.id: conversation.line_answered(a) for a in attempts}


def attempts_csv(attempts: list[Attempt]) -> str:
    """Return attempts (newest first) as CSV, oldest first, safe to open in a spreadsheet.

    Each row carries its rehearsal, the conversation turn it answered and the student's line there.
    """
    said = student_lines(attempts)
    rows = (
        [
            a.id,
            a.created_at.date().isoformat(),
            a.scenario.title,
            a.scenario.category,
            a.session_id,
            a.turn,
            said[a.id],
            a.score,
            band_label(a.band),
            a.override_score,
            a.override_reason,
            a.feedback_source,
            a.response_text,
            " | ".join(n.text for n in a.notes),
        ]
        for a in reversed(attempts)
    )
    return to_csv(ATTEMPT_COLUMNS, rows)
