"""The data model: people, scenario sets and their versions, practice sessions and attempts."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practicum.db import Base

EMBEDDING_DIMENSIONS = 384
NINE_DIGITS = "%.9g"  # enough to give back the same float32


@functools.cache
def _vector_format(length: int) -> str:
    return "[" + ",".join([NINE_DIGITS] * length) + "]"


class Embedding(Vector):
    """A pgvector column whose numpy vectors are sent as nine significant digits.

    pgvector writes each float32 through numpy's str(), twice the CPU of formatting Python floats
    (an answer sends three vectors: two searches and the insert); nine digits give back exactly
    the same float32. One %-format over the whole vector takes half the CPU of formatting each
    float in turn (78 against 147 µs for 384 floats).
    """

    cache_ok = True

    def bind_processor(self, dialect):
        """Format numpy vectors compactly; anything else as pgvector does."""
        default = super().bind_processor(dialect)

        def process(value):
            if isinstance(value, np.ndarray) and value.ndim == 1:
                return _vector_format(len(value)) % tuple(value.tolist())
            return default(value)

        return process


ROLES = ("trainee", "trainer", "admin")
BANDS = ("needs_work", "developing", "proficient", "exemplary")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created_at()

    trainer: Mapped[User | None] = relationship(foreign_keys=[trainer_id])


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="users_role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = _created_at()
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set whenever the password changes or the account is paused: API tokens issued before it
    # are refused, so reactivating an account does not revive them.
    credentials_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The password was chosen by someone else (an admin, the first-run bootstrap): its holder
    # chooses their own before using the pages (migration 0005).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    cohort: Mapped[Cohort | None] = relationship(foreign_keys=[cohort_id])


class ScenarioSet(Base):
    __tablename__ = "scenario_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = _created_at()

    versions: Mapped[list[ScenarioSetVersion]] = relationship(
        back_populates="scenario_set", order_by="ScenarioSetVersion.version"
    )


class ScenarioSetVersion(Base):
    __tablename__ = "scenario_set_versions"
    __table_args__ = (UniqueConstraint("set_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("scenario_sets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[dict[str, Any]] = mapped_column(JSONB)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created_at()

    scenario_set: Mapped[ScenarioSet] = relationship(back_populates="versions")
    scenarios: Mapped[list[Scenario]] = relationship(
        back_populates="set_version", order_by="Scenario.position"
    )


# The library's full-text search document (migration 0007): title A, subject and tags B, context C.
SCENARIO_SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, subject), 'B') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, tags, '[\"string\"]'), 'B') || "
    "setweight(to_tsvector('english'::regconfig, context), 'C')"
)


class Scenario(Base):
    __tablename__ = "scenarios"
    __table_args__ = (
        UniqueConstraint("set_version_id", "key"),
        Index("ix_scenarios_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    set_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_set_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80), index=True)
    grade_band: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    context: Mapped[str] = mapped_column(Text)
    student_name: Mapped[str] = mapped_column(String(80))
    student_persona: Mapped[str] = mapped_column(Text)
    opening_line: Mapped[str] = mapped_column(Text)
    key_moves: Mapped[list[str]] = mapped_column(JSONB, default=list)
    dimension_weights: Mapped[dict[str, float]] = mapped_column(JSONB, default=dict)
    follow_ups: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # Computed by PostgreSQL; deferred, so listing scenarios never loads it.
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR, Computed(SCENARIO_SEARCH_VECTOR, persisted=True), deferred=True
    )

    # The conversation as authored (scenarios/README.md, "Conversations"); [] for one exchange.
    beats: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=sql_text("'[]'::jsonb")
    )

    set_version: Mapped[ScenarioSetVersion] = relationship(back_populates="scenarios")
    # The opening's expert responses and pitfalls; later beats' rows are found by their beat.
    expert_responses: Mapped[list[ExpertResponse]] = relationship(
        primaryjoin="and_(Scenario.id == ExpertResponse.scenario_id, ExpertResponse.beat.is_(None))",
        order_by="ExpertResponse.position",
        viewonly=True,
    )
    pitfalls: Mapped[list[Pitfall]] = relationship(
        primaryjoin="and_(Scenario.id == Pitfall.scenario_id, Pitfall.beat.is_(None))",
        order_by="Pitfall.position",
        viewonly=True,
    )

    @property
    def is_conversation(self) -> bool:
        """Tell whether the scenario runs as a conversation of several beats."""
        return bool(self.beats)


class ExpertResponse(Base):
    __tablename__ = "expert_responses"
    __table_args__ = (
        Index(
            "expert_responses_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    strategy: Mapped[str] = mapped_column(String(120), default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    moves: Mapped[list[str]] = mapped_column(JSONB, default=list)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Deferred: only SQL reads it (ranking); parsing 384 floats from text on every load costs CPU.
    embedding = mapped_column(Embedding(EMBEDDING_DIMENSIONS), nullable=False, deferred=True)
    beat: Mapped[str | None] = mapped_column(String(80))  # None: the opening

    scenario: Mapped[Scenario] = relationship()


class Pitfall(Base):
    """A typical poor answer to a scenario: attempts close to it are marked down."""

    __tablename__ = "pitfalls"
    __table_args__ = (CheckConstraint("severity IN ('red_line', 'weak')", name="pitfalls_severity_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Deferred: only SQL reads it (ranking); parsing 384 floats from text on every load costs CPU.
    embedding = mapped_column(Embedding(EMBEDDING_DIMENSIONS), nullable=False, deferred=True)
    beat: Mapped[str | None] = mapped_column(String(80))  # None: the opening

    scenario: Mapped[Scenario] = relationship()


class PracticeSession(Base):
    __tablename__ = "practice_sessions"
    __table_args__ = (
        CheckConstraint("confidence_before BETWEEN 1 AND 5", name="confidence_before_range"),
        CheckConstraint("confidence_after BETWEEN 1 AND 5", name="confidence_after_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = _created_at()
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confidence_before: Mapped[int | None] = mapped_column(Integer)
    confidence_after: Mapped[int | None] = mapped_column(Integer)
    reflection: Mapped[str | None] = mapped_column(Text)

    scenario: Mapped[Scenario] = relationship()
    attempts: Mapped[list[Attempt]] = relationship(back_populates="session", order_by="Attempt.id")


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 100", name="attempts_score_range"),
        CheckConstraint(f"band IN {BANDS}", name="attempts_band_valid"),
        CheckConstraint("feedback_source IN ('model', 'fallback', 'none')", name="attempts_source_valid"),
        CheckConstraint("override_score BETWEEN 0 AND 100", name="attempts_override_range"),
        CheckConstraint(
            "(override_score IS NULL) = (override_reason IS NULL)", name="attempts_override_has_reason"
        ),
        CheckConstraint("turn BETWEEN 1 AND 5", name="attempts_turn_range"),
        # Every scored answer looks up its scenario's re-scored attempts (practicum/calibration.py);
        # without it that lookup scanned every attempt ever stored.
        Index(
            "ix_attempts_overridden_by_scenario",
            "scenario_id",
            "beat",
            postgresql_where=sql_text("override_score IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="RESTRICT"))
    response_text: Mapped[str] = mapped_column(Text)
    response_embedding = mapped_column(Embedding(EMBEDDING_DIMENSIONS), nullable=False, deferred=True)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(16))
    dimensions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    matches: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    feedback_text: Mapped[str] = mapped_column(Text, default="")
    feedback_source: Mapped[str] = mapped_column(String(16))
    model_id: Mapped[str] = mapped_column(String(200), default="")
    scorer_version: Mapped[str] = mapped_column(String(40))
    timings: Mapped[dict[str, float]] = mapped_column(JSONB, default=dict)
    red_lines: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=sql_text("'[]'::jsonb")
    )
    flags: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default=sql_text("'[]'::jsonb"))
    # The turn of the conversation answered (revising a turn answers it again), its beat (None:
    # the opening) and the student's reply it drew: {line, next | end, note, source}.
    turn: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    beat: Mapped[str | None] = mapped_column(String(80))
    reply: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = _created_at()
    # A trainer's score, kept beside the automatic one (which is never changed).
    override_score: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    overridden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    session: Mapped[PracticeSession] = relationship(back_populates="attempts")
    scenario: Mapped[Scenario] = relationship()
    overridden_by: Mapped[User | None] = relationship(foreign_keys=[overridden_by_id])
    notes: Mapped[list[AttemptNote]] = relationship(
        back_populates="attempt", order_by="AttemptNote.id", passive_deletes=True
    )

    @property
    def effective_score(self) -> int:
        """Return the trainer's score when there is one, else the automatic score."""
        return self.score if self.override_score is None else self.override_score


class AttemptNote(Base):
    __tablename__ = "attempt_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()

    attempt: Mapped[Attempt] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class RevokedToken(Base):
    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime] = _created_at()


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The cookie holds a random token; only its SHA-256 is kept, so a leaked table signs no one in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _created_at()
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal access token for an integration: it acts as its owner, within its scopes."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scopes: Mapped[list[str]] = mapped_column(JSONB)
    # Only the token's SHA-256 is kept (it is 256 random bits: no slow hash needed); the prefix
    # lets its owner recognise it in a list.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = _created_at()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_ip: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Job(Base):
    """A background job: what it is, whose, how far it got, and how its attempts went."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # batch_score or embed_set
    status: Mapped[str] = mapped_column(String(12), default="queued")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    input: Mapped[str] = mapped_column(Text)  # the uploaded JSONL, or the set's JSON
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = _created_at()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()


class JobResult(Base):
    """One output line of a batch job, kept with the attempt that wrote it."""

    __tablename__ = "job_results"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer)
    output: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    ip_address: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[User | None] = relationship()
