"""Names and Role Provisioning Services: a course's roster read from the LMS into its cohort."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from practicum import audit
from practicum.errors import Conflict, NotFound
from practicum.lti import people, services
from practicum.lti.models import ContextLink, UserLink
from practicum.models import Cohort, User, utcnow

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 50  # 50 pages of the platform's page size: far beyond any teacher-training course
NEXT_PAGE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def _course_of(db: Session, viewer: User, cohort_id: int) -> ContextLink:
    cohort = db.get(Cohort, cohort_id)
    if cohort is None or (viewer.role != "admin" and cohort.trainer_id != viewer.id):
        raise NotFound(f"No cohort {cohort_id} among yours.")
    link = db.scalar(
        select(ContextLink).where(
            ContextLink.cohort_id == cohort_id, ContextLink.memberships_url.is_not(None)
        )
    )
    if link is None:
        raise Conflict(
            "This cohort is not linked to an LMS course with a roster: open Practicum from the course first."
        )
    return link


def courses_of(db: Session, viewer: User) -> list[ContextLink]:
    """Return the LMS courses, with a roster service, of the cohorts the viewer leads (all, for an admin)."""
    query = select(ContextLink).join(ContextLink.cohort).where(ContextLink.memberships_url.is_not(None))
    if viewer.role != "admin":
        query = query.where(Cohort.trainer_id == viewer.id)
    return list(db.scalars(query.order_by(Cohort.name)))


def members(course: ContextLink) -> list[dict]:
    """Return the course's members from the LMS, following its next-page links."""
    url, found = course.memberships_url, []
    for _ in range(MAX_PAGES):
        page, headers = services.get_json(course.platform, services.ROSTER_SCOPE, url, MEMBERSHIP_TYPE)
        found += [m for m in page.get("members", []) if isinstance(m, dict)]
        following = NEXT_PAGE.search(headers.get("Link", ""))
        if not following:
            break
        url = following.group(1)
    return found


def sync(db: Session, viewer: User, cohort_id: int) -> dict:
    """Make accounts for the course's active members and put its trainees in the cohort; audited."""
    course = _course_of(db, viewer, cohort_id)
    report = {"members": 0, "created": 0, "joined": 0, "skipped": 0}
    for member in members(course):
        subject = member.get("user_id")
        if member.get("status", "Active") != "Active" or not isinstance(subject, str) or not subject:
            report["skipped"] += 1
            continue
        report["members"] += 1
        known = db.scalar(
            select(UserLink.id).where(UserLink.platform_id == course.platform_id, UserLink.subject == subject)
        )
        try:
            user, _ = people.linked_account(db, course.platform, subject, member.get("roles"), member)
        except people.NotAllowedHere:  # an observer, a paused account: left as they are
            report["skipped"] += 1
            continue
        report["created"] += known is None
        if user.role == "trainee" and user.cohort_id is None:
            report["joined"] += 1
        people.join_cohort(user, course)
    course.synced_at = utcnow()
    audit.record(db, "lti_roster_synced", viewer.id, course.cohort.name, **report)
    db.commit()
    return report
