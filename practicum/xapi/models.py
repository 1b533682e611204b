"""The xAPI tables (migration 0011): the outbox of statements, and the UUIDs the LRS knows people by."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from practicum.db import Base
from practicum.models import utcnow

PENDING, SENT, REJECTED = "pending", "sent", "rejected"


class OutboxStatement(Base):
    """One xAPI statement, written with its event, and how its delivery to the LRS goes."""

    __tablename__ = "xapi_outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    verb: Mapped[str] = mapped_column(String(20))
    statement: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ActorId(Base):
    """The random UUID a trainee is known by in the LRS (never their name, email or row id)."""

    __tablename__ = "xapi_actors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)


class RegistrationId(Base):
    """The random UUID that ties one practice session's statements together (context.registration)."""

    __tablename__ = "xapi_registrations"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    uuid: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
