"""The practice service: one function per use case a trainee has."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ai.dimensions import ScenarioFacts
from ai.features import Pitfall
from ai.feedback import Feedback, FeedbackFacts, feedback_facts
from ai.scoring import ScoreResult, score_response, scoring_text
from ai.signals import embed_response
from embeddings.embedder import Embedder
from embeddings.search import ExpertMatch, closest_in_category, closest_references
from practicum.calibration import trainer_calibration
from practicum.errors import Conflict, NotFound, ValidationFailed
from practicum.library import current_scenario
from practicum.models import Attempt, PracticeSession, Scenario, User, utcnow

MAX_RESPONSE_CHARS = 5000
MAX_REFLECTION_CHARS = 2000


def scenario_facts(scenario: Scenario) -> ScenarioFacts:
    """Return what scoring needs to know about a scenario."""
    return ScenarioFacts(
        key=scenario.key,
        category=scenario.category,
        context=scenario.context,
        opening_line=scenario.opening_line,
        student_name=scenario.student_name,
        key_moves=tuple(scenario.key_moves or ()),
        dimension_weights=dict(scenario.dimension_weights or {}),
        pitfalls=tuple(Pitfall(p.text, p.reason, p.severity) for p in scenario.pitfalls),
    )


def has_visible_text(text: str) -> bool:
    """Tell whether text shows anything: zero-width and other format characters alone do not."""
    return any(ch.isprintable() and not ch.isspace() for ch in text)


def unix_newlines(text: str) -> str:
    """Return text with every CR+LF or lone CR made a LF."""
    # Forms send line breaks as CR+LF, but the page's maxlength and counter count each as one
    # character: without this, text the page allowed is refused as too long.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def validate_response(text) -> str:
    """Return the trimmed response, or raise ValidationFailed with a reason a person can act on."""
    if not isinstance(text, str):
        raise ValidationFailed("'response' must be a string.", {"response": "must be a string"})
    text = unix_newlines(text).strip()
    if not has_visible_text(text):
        raise ValidationFailed("Your answer is empty.", {"response": "required"})
    if len(text) > MAX_RESPONSE_CHARS:
        raise ValidationFailed(
            f"Your answer is {len(text)} characters; the limit is {MAX_RESPONSE_CHARS}.",
            {"response": f"at most {MAX_RESPONSE_CHARS} characters", "length": len(text)},
        )
    return text


def validate_confidence(value, field_name: str) -> int | None:
    """Return a 1–5 confidence rating, None when absent, or raise ValidationFailed."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationFailed(
            "Choose a confidence rating from 1 to 5 (a whole number).", {field_name: "integer 1–5"}
        )
    return value


def start_session(
    db: Session, user: User, scenario_id: int, confidence_before: int | None = None
) -> PracticeSession:
    """Open a practice session on a current scenario."""
    scenario = current_scenario(db, scenario_id)
    session = PracticeSession(
        user_id=user.id,
        scenario_id=scenario.id,
        confidence_before=validate_confidence(confidence_before, "confidence_before"),
    )
    db.add(session)
    db.commit()
    return session


def open_session(db: Session, user: User, scenario_id: int) -> PracticeSession | None:
    """Return the user's newest rehearsal of this scenario version that has not ended."""
    return db.scalar(
        select(PracticeSession)
        .where(
            PracticeSession.user_id == user.id,
            PracticeSession.scenario_id == scenario_id,
            PracticeSession.ended_at.is_(None),
        )
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
        .limit(1)
    )


def owned_session(db: Session, user: User, session_id: int) -> PracticeSession:
    """Return the user's own session; another person's is reported as not found."""
    session = db.get(PracticeSession, session_id)
    if session is None or session.user_id != user.id:
        raise NotFound(f"No practice session {session_id}.")
    return session


def end_session(
    db: Session, user: User, session_id: int, confidence_after=None, reflection: str | None = None
) -> PracticeSession:
    """Close a session with the trainee's confidence rating and optional reflection (once)."""
    session = owned_session(db, user, session_id)
    if session.ended_at is not None:
        # A second end (a resent form, a retried request) must not wipe what the first saved.
        raise Conflict("This rehearsal has already ended; its rating and reflection are kept as they were.")
    reflection = clean_reflection(reflection)
    session.confidence_after = validate_confidence(confidence_after, "confidence_after")
    session.reflection = reflection
    session.ended_at = utcnow()
    db.commit()
    return session


def clean_reflection(reflection) -> str | None:
    """Return a reflection trimmed with LF line breaks (None when blank), or raise ValidationFailed."""
    if reflection is None:
        return None
    text = unix_newlines(reflection).strip() if isinstance(reflection, str) else None
    if text is None or len(text) > MAX_REFLECTION_CHARS:
        raise ValidationFailed(
            "The reflection must be text of at most 2,000 characters.",
            {"reflection": f"at most {MAX_REFLECTION_CHARS} characters"},
        )
    return text or None


@dataclass
class ScoredAttempt:
    """A response scored but not yet stored: everything known before feedback is written."""

    session_id: int
    user_id: int
    scenario_id: int
    response: str
    vector: np.ndarray
    result: ScoreResult
    related: list[ExpertMatch]
    follow_up: str
    scenario_facts: ScenarioFacts
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def facts(self) -> FeedbackFacts:
        """Return the feedback facts for this score."""
        return feedback_facts(self.result, self.scenario_facts)


def score_for_scenario(db: Session, scenario: Scenario, response: str, embedder: Embedder):
    """Embed a response (and its sentences) once, rank the scenario's experts and pitfalls, score it."""
    timings = {}
    facts = scenario_facts(scenario)
    started = time.perf_counter()
    text, flags = scoring_text(response, facts, [e.text for e in scenario.expert_responses])
    embedded = embed_response(embedder, text)
    timings["embed_ms"] = _ms_since(started)
    started = time.perf_counter()
    matches, pitfalls = closest_references(db, scenario.id, embedded.vector) if text else ([], [])
    calibrate = trainer_calibration(db, scenario.id, embedded.vector) if text else None
    timings["search_ms"] = _ms_since(started)
    started = time.perf_counter()
    result = score_response(text, matches, facts, flags, embedded, embedder, response, calibrate=calibrate)
    if pitfalls:
        result.signals["closest_pitfall"] = round(pitfalls[0].similarity, 6)
    timings["score_ms"] = _ms_since(started)
    return embedded.vector, result, timings


def score_attempt(db: Session, user: User, session_id: int, response, embedder: Embedder) -> ScoredAttempt:
    """Validate and score a response in one of the user's sessions (writes nothing)."""
    text = validate_response(response)
    session = owned_session(db, user, session_id)
    if session.ended_at is not None:
        raise Conflict("This rehearsal has ended; start a new one to answer again.")
    scenario = session.scenario
    vector, result, timings = score_for_scenario(db, scenario, text, embedder)
    related = closest_in_category(db, scenario.category, vector, scenario.key) if result.matches else []
    follow_up = (scenario.follow_ups or {}).get(result.band, "")
    facts = scenario_facts(scenario)
    return ScoredAttempt(
        session.id, user.id, scenario.id, text, vector, result, related, follow_up, facts, timings
    )


def store_attempt(db: Session, scored: ScoredAttempt, feedback: Feedback) -> Attempt:
    """Write a scored attempt and its feedback in one transaction."""
    attempt = Attempt(
        session_id=scored.session_id,
        user_id=scored.user_id,
        scenario_id=scored.scenario_id,
        response_text=scored.response,
        response_embedding=scored.vector,
        score=scored.result.score,
        band=scored.result.band,
        dimensions=scored.result.dimension_dicts(),
        matches=[m.as_dict() for m in scored.result.matches],
        feedback_text=feedback.text,
        feedback_source=feedback.source,
        model_id=feedback.model_id,
        scorer_version=scored.result.scorer_version,
        red_lines=scored.result.red_line_dicts(),
        flags=list(scored.result.flags),
        timings={**scored.timings, **feedback.timings},
    )
    db.add(attempt)
    db.commit()
    return attempt


def previous_score(db: Session, session_id: int, before_id: int | None = None) -> int | None:
    """Return the score of the latest earlier attempt in a session."""
    query = select(Attempt.score).where(Attempt.session_id == session_id)
    if before_id is not None:
        query = query.where(Attempt.id < before_id)
    return db.scalar(query.order_by(Attempt.id.desc()).limit(1))


def visible_attempt(db: Session, user: User, attempt_id: int) -> Attempt:
    """Return one of the user's own attempts; anyone else's is reported as not found.

    Trainers reach their trainees' attempts through practicum/trainers.visible_trainee.
    """
    attempt = db.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(f"No attempt {attempt_id}.")
    return attempt


HISTORY_PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


@dataclass(frozen=True)
class AttemptPage:
    """One page of a trainee's attempts, newest first, and where it lies among them all."""

    attempts: list[Attempt]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def attempts_of(db: Session, user: User, page: int = 1, per_page: int = HISTORY_PAGE_SIZE) -> AttemptPage:
    """Return one page of a trainee's attempts, newest first (pages count from 1)."""
    if page < 1 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"Pages count from 1 and hold 1 to {MAX_PAGE_SIZE} attempts.",
            {"page": "at least 1", "per_page": f"1 to {MAX_PAGE_SIZE}"},
        )
    mine = Attempt.user_id == user.id
    total = db.scalar(select(func.count()).select_from(Attempt).where(mine)) or 0
    query = (
        select(Attempt).where(mine).order_by(Attempt.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return AttemptPage(list(db.scalars(query)), page, per_page, total)


def every_attempt_of(db: Session, user: User) -> list[Attempt]:
    """Return all of a trainee's attempts, newest first, with scenarios and notes (for export)."""
    return list(
        db.scalars(
            select(Attempt)
            .where(Attempt.user_id == user.id)
            .options(selectinload(Attempt.scenario), selectinload(Attempt.notes))
            .order_by(Attempt.id.desc())
        )
    )


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
