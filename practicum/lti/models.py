"""The LTI 1.3 tables: platforms, their deployments, links to people and cohorts, nonces, grades."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practicum.db import Base
from practicum.models import Cohort, User, utcnow

URL_LENGTH = 500
ID_LENGTH = 255  # issuers, client ids, deployment ids, subjects: the spec sets no limit


class Platform(Base):
    """An LMS registered by an admin: what it calls itself and where its endpoints are."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(ID_LENGTH))
    client_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    auth_login_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    auth_token_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    jwks_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", order_by="Deployment.id", cascade="all, delete-orphan"
    )


class Deployment(Base):
    """One placement of the tool in a platform (a site, a course, a sub-account)."""

    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(ID_LENGTH))

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class UserLink(Base):
    """The Practicum account of a platform's user (the id_token's `sub`)."""

    __tablename__ = "lti_user_links"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(ID_LENGTH))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()


class ContextLink(Base):
    """The cohort of a platform's course (the context claim), and where its roster is read."""

    __tablename__ = "lti_context_links"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    title: Mapped[str] = mapped_column(String(200), default="")
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    memberships_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    platform: Mapped[Platform] = relationship()
    cohort: Mapped[Cohort] = relationship()


class UsedNonce(Base):
    """A launch's nonce, kept until its id_token expires so the same token cannot launch twice."""

    __tablename__ = "lti_nonces"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ResourceLink(Base):
    """An activity placed in a course: the scenario it opens and the gradebook column it fills."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    scenario_ref: Mapped[str] = mapped_column(String(200), default="")  # 'set-key/scenario-key'
    lineitem_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))

    platform: Mapped[Platform] = relationship()


class SessionLink(Base):
    """A rehearsal opened from a resource link: its score goes to that link's line item."""

    __tablename__ = "lti_session_links"

    practice_session_id: Mapped[int] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"))
    user_link_id: Mapped[int] = mapped_column(ForeignKey("lti_user_links.id", ondelete="CASCADE"))

    resource_link: Mapped[ResourceLink] = relationship()
    user_link: Mapped[UserLink] = relationship()


class GradeOutbox(Base):
    """A score waiting to be accepted by the platform's gradebook (AGS), retried until it is."""

    __tablename__ = "lti_grade_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_session_id: Mapped[int] = mapped_column(
        ForeignKey("lti_session_links.practice_session_id", ondelete="CASCADE"), unique=True
    )
    score: Mapped[int] = mapped_column(Integer)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    session_link: Mapped[SessionLink] = relationship()
