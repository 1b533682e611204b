"""Who a launch (or a roster entry) is in Practicum: the linked account and the course's cohort."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from practicum import accounts, audit
from practicum.errors import PracticumError
from practicum.lti.models import ContextLink, Platform, UserLink
from practicum.models import User

# LTI membership roles (full URIs or the old short names) and the Practicum role each gives.
TRAINER_ROLES = {"Instructor", "ContentDeveloper", "Administrator", "TeachingAssistant", "Mentor"}
TRAINEE_ROLES = {"Learner"}
LMS_ONLY = "!lti"  # werkzeug's check_password_hash answers False for any password


class NotAllowedHere(PracticumError):
    code, status = "lti_not_allowed", 403
    shown_on_pages = True


def practicum_role(roles: object) -> str | None:
    """Return trainer for an instructor-like course role, trainee for a learner, else None."""
    names = set()
    for role in roles if isinstance(roles, list) else []:
        if isinstance(role, str) and ("/membership" in role or ":" not in role):
            names.add(role.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    if names & TRAINER_ROLES:
        return "trainer"
    return "trainee" if names & TRAINEE_ROLES else None


def display_name(person: dict) -> str:
    """Return a person's name from LTI/OIDC claims, or a neutral one."""
    name = person.get("name") or " ".join(
        part
        for part in (person.get("given_name"), person.get("family_name"))
        if isinstance(part, str) and part
    )
    return (name.strip() if isinstance(name, str) else "")[:120] or "LMS user"


def linked_account(
    db: Session, platform: Platform, subject: str, roles: object, person: dict
) -> tuple[User, UserLink]:
    """Return the account linked to the platform's user, creating it with the LMS's role at first."""
    link = db.scalar(select(UserLink).where(UserLink.platform_id == platform.id, UserLink.subject == subject))
    if link is not None:
        if not link.user.active:
            raise NotAllowedHere("Your Practicum account is paused. Ask your trainer or a Practicum admin.")
        return link.user, link
    role = practicum_role(roles)
    if role is None:
        raise NotAllowedHere(
            "Practicum opens for a course's learners and instructors; your LMS role is neither."
        )
    user = User(
        username=f"lti{platform.id}-{hashlib.sha256(subject.encode()).hexdigest()[:16]}",
        display_name=display_name(person),
        role=role,
        # Signs in through the LMS only: no password matches this (it is not a hash at all).
        password_hash=LMS_ONLY,
    )
    db.add(user)
    db.flush()
    link = UserLink(platform_id=platform.id, subject=subject[:255], user_id=user.id)
    db.add(link)
    audit.record(db, "lti_account_created", None, user.username, platform=platform.issuer, role=role)
    return user, link


def course_cohort(
    db: Session, platform: Platform, context: object, memberships_url: str | None
) -> ContextLink | None:
    """Return the link of the launch's course to its cohort, creating both at the first launch."""
    if not isinstance(context, dict) or not isinstance(context.get("id"), str) or not context["id"]:
        return None
    link = db.scalar(
        select(ContextLink).where(
            ContextLink.platform_id == platform.id, ContextLink.context_id == context["id"]
        )
    )
    title = context.get("title") or context.get("label") or "Course"
    title = title[:120] if isinstance(title, str) else "Course"
    if link is None:
        name = f"{title} · {platform.name}"[:100]
        taken = db.scalar(select(ContextLink.id).where(ContextLink.cohort.has(name=name)))
        if taken is not None:  # another course of the same title: keep the cohorts apart
            name = f"{name} [{hashlib.sha256(context['id'].encode()).hexdigest()[:8]}]"
        link = ContextLink(platform_id=platform.id, context_id=context["id"][:255], title=title)
        link.cohort = accounts.cohort_named(db, name)
        db.add(link)
    if memberships_url:
        link.memberships_url = memberships_url[:500]
    return link


def join_cohort(user: User, link: ContextLink | None) -> None:
    """Put a trainee without a cohort into the course's; make an instructor its trainer if it has none."""
    if link is None:
        return
    if user.role == "trainee" and user.cohort_id is None:
        user.cohort = link.cohort
    elif user.role == "trainer" and link.cohort.trainer_id is None:
        link.cohort.trainer = user
