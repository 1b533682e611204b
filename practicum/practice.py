"""The practice service: one function per use case a trainee has."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ai.dimensions import ScenarioFacts
from ai.features import Pitfall
from ai.feedback import Feedback, FeedbackFacts, feedback_facts
from ai.scoring import ScoreResult, score_response, scoring_text
from ai.signals import embed_response
from ai.student import Brief
from embeddings.embedder import Embedder
from embeddings.search import ExpertMatch, closest_in_category, closest_references
from practicum import conversation as conversation_of
from practicum import metrics
from practicum.calibration import trainer_calibration
from practicum.errors import Conflict, NotFound, ValidationFailed
from practicum.library import current_scenario
from practicum.lti import grades as lti_grades
from practicum.models import Attempt, ExpertResponse, PracticeSession, Scenario, User, utcnow
from practicum.models import Pitfall as PitfallRow
from practicum.xapi import outbox as xapi

MAX_RESPONSE_CHARS = 5000
MAX_REFLECTION_CHARS = 2000


def scenario_facts(
    scenario: Scenario,
    moment: Moment | None = None,
    conversation: tuple[str, ...] = (),
    student_line: str | None = None,
) -> ScenarioFacts:
    """Return what scoring needs to know about a scenario's moment (the opening by default).

    student_line is what the student actually said at this turn (the reply that led here).
    """
    moment = moment or opening_moment(scenario)
    beat = conversation_of.beat_named(scenario, moment.beat)
    key_moves = (beat or {}).get("key_moves") if moment.beat else None
    return ScenarioFacts(
        key=scenario.key,
        category=scenario.category,
        context=scenario.context,
        opening_line=student_line or conversation_of.beat_line(scenario, moment.beat),
        student_name=scenario.student_name,
        key_moves=tuple(key_moves or scenario.key_moves or ()),
        dimension_weights=dict(scenario.dimension_weights or {}),
        pitfalls=tuple(Pitfall(p.text, p.reason, p.severity) for p in moment.pitfalls),
        conversation=conversation,
    )


@dataclass(frozen=True)
class Moment:
    """One beat of a scenario with its own expert responses and pitfalls (beat None: the opening)."""

    beat: str | None
    expert_responses: list[ExpertResponse]
    pitfalls: list[PitfallRow]


def opening_moment(scenario: Scenario) -> Moment:
    """Return the scenario's opening moment (a one-exchange scenario's only one)."""
    return Moment(None, list(scenario.expert_responses), list(scenario.pitfalls))


def moment_of(db: Session, scenario: Scenario, beat: str | None) -> Moment:
    """Return a beat's moment, reading a later beat's expert responses and pitfalls."""
    if beat is None:
        return opening_moment(scenario)
    experts = db.scalars(
        select(ExpertResponse)
        .where(ExpertResponse.scenario_id == scenario.id, ExpertResponse.beat == beat)
        .order_by(ExpertResponse.position)
    )
    pitfalls = db.scalars(
        select(PitfallRow)
        .where(PitfallRow.scenario_id == scenario.id, PitfallRow.beat == beat)
        .order_by(PitfallRow.position)
    )
    return Moment(beat, list(experts), list(pitfalls))


def conversation_lines(scenario: Scenario, path: list[Attempt]) -> tuple[str, ...]:
    """Return the conversation so far as "Name: words" lines, the trainee as "Teacher"."""
    lines = []
    for attempt in path:
        lines.append(f"{scenario.student_name}: {conversation_of.line_at(scenario, path, attempt.turn)}")
        lines.append(f"Teacher: {attempt.response_text}")
    return tuple(lines)


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
            f"Your answer is {len(text):,} characters; the limit is {MAX_RESPONSE_CHARS:,}.",
            {"response": f"at most {MAX_RESPONSE_CHARS:,} characters", "length": len(text)},
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
    # The scenario and the (empty) attempts given here, not by id: the answer built from this
    # session after the commit then reads them from memory instead of loading them again.
    session = PracticeSession(
        user_id=user.id,
        scenario=scenario,
        attempts=[],
        confidence_before=validate_confidence(confidence_before, "confidence_before"),
    )
    db.add(session)
    xapi.record_launched(db, session)
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


def owned_session(db: Session, user: User, session_id: int, *options) -> PracticeSession:
    """Return the user's own session (loaded with options); another person's is reported as not found."""
    session = db.get(PracticeSession, session_id, options=list(options))
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
    lti_grades.queue_grade(db, session)  # a rehearsal opened from a graded LMS activity
    xapi.record_completed(db, session)
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
    turn: int = 1
    beat: str | None = None
    reply: dict | None = None  # the student's reply: {line, next | end, note, source}
    brief: Brief | None = None  # what a model needs to word the reply in the student's voice
    previous_score: int | None = None  # the session's latest earlier attempt, for the change shown
    # The session as scoring loaded it (its scenario and attempts): storing the answer adds it
    # there while the database session still holds it, so where the conversation stands is read
    # without loading the session again.
    rehearsal: PracticeSession | None = field(default=None, repr=False, compare=False)

    @property
    def facts(self) -> FeedbackFacts:
        """Return the feedback facts for this score."""
        return feedback_facts(self.result, self.scenario_facts)


def score_for_scenario(
    db: Session,
    scenario: Scenario,
    response: str,
    embedder: Embedder,
    moment: Moment | None = None,
    conversation: tuple[str, ...] = (),
    student_line: str | None = None,
):
    """Embed a response (and its sentences) once, rank the moment's experts and pitfalls, score it.

    Returns (vector, result, timings, pitfall matches).
    """
    timings = {}
    moment = moment or opening_moment(scenario)
    facts = scenario_facts(scenario, moment, conversation, student_line)
    started = time.perf_counter()
    cleaned = scoring_text(response, facts, [e.text for e in moment.expert_responses])
    text = cleaned.text
    embedded = embed_response(embedder, text)
    timings["embed_ms"] = _ms_since(started)
    started = time.perf_counter()
    found = closest_references(db, scenario.id, embedded.vector, moment.beat) if text else ([], [])
    matches, pitfalls = found
    calibrate = trainer_calibration(db, scenario.id, embedded.vector, moment.beat) if text else None
    timings["search_ms"] = _ms_since(started)
    started = time.perf_counter()
    result = score_response(
        text,
        matches,
        facts,
        cleaned.flags,
        embedded,
        embedder,
        response,
        calibrate=calibrate,
        spoken=cleaned.spoken,
    )
    if pitfalls:
        result.signals["closest_pitfall"] = round(pitfalls[0].similarity, 6)
    timings["score_ms"] = _ms_since(started)
    return embedded.vector, result, timings, pitfalls


def score_attempt(
    db: Session, user: User, session_id: int, response, embedder: Embedder, revise: bool = False
) -> ScoredAttempt:
    """Validate and score a response in one of the user's sessions (writes nothing).

    In a conversation the answer goes to the next turn, or with revise to the last one again
    (after an ending, revising the last turn is the only answer left).
    """
    text = validate_response(response)
    session = owned_session(db, user, session_id, joinedload(PracticeSession.scenario))
    if session.ended_at is not None:
        raise Conflict("This rehearsal has ended; start a new one to answer again.")
    scenario = session.scenario
    turn, beat = conversation_of.answering(scenario, session.attempts, revise)
    moment = moment_of(db, scenario, beat)
    earlier = conversation_of.counted_turns(session.attempts)[: turn - 1]
    conversation = conversation_lines(scenario, earlier)
    said = conversation_of.line_at(scenario, earlier, turn)
    vector, result, timings, pitfalls = score_for_scenario(
        db, scenario, text, embedder, moment, conversation, said
    )
    related = closest_in_category(db, scenario.category, vector, scenario.key) if result.matches else []
    reply = conversation_of.react(scenario, beat, turn, result, result.matches, pitfalls)
    facts = scenario_facts(scenario, moment, conversation, said)
    brief = _brief(scenario, moment, conversation, text, reply) if scenario.is_conversation else None
    return ScoredAttempt(
        session.id,
        user.id,
        scenario.id,
        text,
        vector,
        result,
        related,
        (reply or {}).get("line", ""),
        facts,
        timings,
        turn=turn,
        beat=beat,
        reply=reply,
        brief=brief,
        previous_score=session.attempts[-1].score if session.attempts else None,  # ordered by id
        rehearsal=session,
    )


def _brief(scenario: Scenario, moment: Moment, conversation: tuple[str, ...], answer: str, reply) -> Brief:
    """Say who the student is and what they hold at this beat, for a model to word the reply."""
    state = (conversation_of.beat_named(scenario, moment.beat) or {}).get("student", {})
    return Brief(
        name=scenario.student_name,
        persona=scenario.student_persona,
        knows=state.get("knows", ""),
        believes=state.get("believes", ""),
        feels=state.get("feels", ""),
        conversation=conversation,
        answer=answer,
        plan=reply["line"],
        expert_texts=tuple(e.text for e in moment.expert_responses),
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
        turn=scored.turn,
        beat=scored.beat,
        reply=scored.reply,
    )
    db.add(attempt)
    rehearsal = scored.rehearsal
    if rehearsal is not None and rehearsal in db and "attempts" not in inspect(rehearsal).unloaded:
        rehearsal.attempts.append(attempt)  # ordered by id: the new one is the last
    xapi.record_answered(db, attempt)
    db.commit()
    metrics.attempt_stored(attempt.band, attempt.feedback_source, attempt.timings or {})
    return attempt


def stored_session(db: Session, attempt: Attempt) -> PracticeSession:
    """Return a just-stored attempt's session with its scenario and attempts (to say where it stands).

    The session scoring loaded when storing added the attempt to it, else one statement loads it.
    """
    held = inspect(attempt).attrs.session.loaded_value
    if isinstance(held, PracticeSession) and attempt in held.attempts:
        return held
    return db.get(
        PracticeSession,
        attempt.session_id,
        options=[joinedload(PracticeSession.scenario), joinedload(PracticeSession.attempts)],
        populate_existing=True,  # a just-stored attempt must be among its attempts
    )


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
