"""Erasing a person: their account and everything they wrote, on request (a school's duty).

The database cascades do the work (practicum/models.py): practice sessions, attempts and the
notes on them, web sessions and revoked tokens go with the account; notes and overrides the
person wrote as a trainer stay, unsigned; audit entries stay, with their actor unset, and one
`user_erased` entry records who erased whom and how much. An admin types the username to
confirm, and nobody can erase their own account.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practicum.admin import Actor, person
from practicum.errors import Conflict, ValidationFailed
from practicum.models import Attempt, PracticeSession


def erase_person(db: Session, actor: Actor, user_id: int, confirm: object) -> dict[str, int]:
    """Delete an account and its data in one transaction; return what was deleted, counted."""
    user = person(db, user_id)
    if user.id == actor.user.id:
        raise Conflict("You cannot erase your own account; ask another admin.")
    if not isinstance(confirm, str) or confirm.strip().lower() != user.username:
        raise ValidationFailed(
            f"Type the username ({user.username}) to confirm; nothing was erased.",
            {"confirm": "the account's username"},
        )
    counted = {
        "sessions": db.scalar(select(func.count()).where(PracticeSession.user_id == user.id)) or 0,
        "attempts": db.scalar(select(func.count()).where(Attempt.user_id == user.id)) or 0,
    }
    actor.record(db, "user_erased", user.username, role=user.role, **counted)
    db.delete(user)
    db.commit()
    return counted
