"""Admin work on people and cohorts, and the audit log they leave behind.

Each function runs one admin action in one transaction and records it in the audit log with
the acting admin, so the log answers "who changed what, when" for every account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from practicum import accounts, api_tokens, audit, web_sessions
from practicum.csv_files import read_csv
from practicum.errors import Conflict, NotFound, PracticumError, ValidationFailed
from practicum.models import ROLES, AuditEntry, Cohort, User
from practicum.passwords import password_problem

PEOPLE_COLUMNS = ("username", "role")


@dataclass
class Actor:
    """Who acts, and from where (for the audit log)."""

    user: User
    ip_address: str = ""

    def record(self, db: Session, action: str, target: str, **details) -> None:
        """Add an audit entry for this actor."""
        audit.record(db, action, self.user.id, target, self.ip_address, **details)


def new_password() -> str:
    """Return a random password to hand to a person once (16 characters, about 96 bits)."""
    while True:  # a random string can look like a keyboard walk or a leaked password: draw again
        candidate = secrets.token_urlsafe(12)
        if not password_problem(candidate):
            return candidate


def person(db: Session, user_id: int) -> User:
    """Return an account or raise NotFound."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"No account {user_id}.")
    return user


def list_people(
    db: Session, role: str = "", cohort_id: int | None = None, query: str = "", active: bool | None = None
) -> list[User]:
    """Return accounts, filtered by role, cohort, name and state."""
    stmt = select(User).options(selectinload(User.cohort)).order_by(User.role, User.username)
    if role:
        stmt = stmt.where(User.role == role)
    if cohort_id is not None:
        stmt = stmt.where(User.cohort_id == cohort_id)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if query.strip():
        # autoescape: a '%' or '_' typed in the box is looked for, not a wildcard.
        words = query.strip()
        stmt = stmt.where(
            User.username.icontains(words, autoescape=True)
            | User.display_name.icontains(words, autoescape=True)
        )
    return list(db.scalars(stmt))


def create_person(
    db: Session, actor: Actor, username, role, display_name="", cohort=None, password=None
) -> tuple[User, str | None]:
    """Create an account; return it and the generated password (None when one was given)."""
    generated = None if password else new_password()
    fields = {
        "username": username,
        "role": role,
        "display_name": display_name,
        "cohort": cohort,
        "password": password or generated,
    }
    wrong = [k for k, v in fields.items() if v is not None and not isinstance(v, str)]
    if wrong:
        raise ValidationFailed("Account fields must be text.", dict.fromkeys(wrong, "text"))
    user = accounts.create_user(
        db,
        username or "",
        fields["password"],
        role or "",
        display_name or "",
        cohort or None,
        actor.user.id,
        chosen_by_someone_else=True,
    )
    db.commit()
    return user, generated


def import_people(db: Session, actor: Actor, data: bytes) -> list[dict]:
    """Create accounts from CSV rows; each row succeeds or fails alone; return a row report."""
    report = []
    for line, row in enumerate(read_csv(data, PEOPLE_COLUMNS), start=2):
        generated = None if row.get("password") else new_password()
        try:
            with db.begin_nested():
                accounts.create_user(
                    db,
                    row.get("username", ""),
                    row.get("password") or generated,
                    row.get("role", "").lower(),
                    row.get("display_name", ""),
                    row.get("cohort") or None,
                    actor.user.id,
                    chosen_by_someone_else=True,
                )
        except PracticumError as error:
            problems = (
                "; ".join(f"{k}: {v}" for k, v in error.details.items())
                if isinstance(error.details, dict)
                else ""
            )
            report.append(
                {
                    "row": line,
                    "username": row.get("username", ""),
                    "status": "failed",
                    "message": f"{error.message} {problems}".strip(),
                }
            )
            continue
        report.append(
            {
                "row": line,
                "username": accounts.normalise_username(row["username"]),
                "status": "created",
                "message": "",
                "password": generated,
            }
        )
    created = sum(r["status"] == "created" for r in report)
    actor.record(db, "users_imported", f"{created} accounts", rows=len(report), created=created)
    db.commit()
    return report


def _own_account(actor: Actor, user: User, what: str) -> None:
    if user.id == actor.user.id:
        raise Conflict(f"You cannot {what} your own account; ask another admin.")


def update_person(db: Session, actor: Actor, user_id: int, changes: dict) -> User:
    """Change an account's name, role or cohort (cohort_id None takes it out of any cohort)."""
    user = person(db, user_id)
    unknown = set(changes) - {"display_name", "role", "cohort_id"}
    if unknown:
        raise ValidationFailed(
            "Only display_name, role and cohort_id can be changed here.",
            dict.fromkeys(sorted(unknown), "not changeable"),
        )
    if "display_name" in changes:
        name = accounts.clean_name(changes["display_name"])
        if name is None:
            raise ValidationFailed("The name must be 1–120 characters.", {"display_name": "1–120 characters"})
        user.display_name = name
    if "role" in changes and changes["role"] != user.role:
        if changes["role"] not in ROLES:
            raise ValidationFailed(f"The role must be one of {', '.join(ROLES)}.", {"role": "unknown"})
        _own_account(actor, user, "change the role of")
        user.role = changes["role"]
        # A token whose scopes the new role does not allow ends for good (a trainee holds none).
        api_tokens.revoke_unfitting(db, user, actor.user.id, "role_changed", actor.ip_address)
    if "cohort_id" in changes:
        user.cohort_id = cohort(db, changes["cohort_id"]).id if changes["cohort_id"] is not None else None
    if changes:  # an empty change records nothing
        actor.record(db, "user_updated", user.username, **changes)
    db.commit()
    return user


def set_active(db: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (its tokens and web sessions stop working at once) or reactivate an account."""
    user = person(db, user_id)
    if not active:
        _own_account(actor, user, "deactivate")
        # Ended for good, in this transaction: reactivating must not revive a copied cookie
        # or token.
        web_sessions.end_all_for_user(db, user.id)
        accounts.end_tokens(user)
    user.active = active
    if not active:  # its API tokens end for good too
        api_tokens.revoke_unfitting(db, user, actor.user.id, "deactivated", actor.ip_address)
    actor.record(db, "user_reactivated" if active else "user_deactivated", user.username)
    db.commit()
    return user


def reset_password(db: Session, actor: Actor, user_id: int, password=None) -> str | None:
    """Set a new password (generated when none is given); return the generated one.

    Every web session of the account ends, and every API token issued before now is refused, in
    the same transaction: whoever signed in with the old password is signed out.
    """
    user = person(db, user_id)
    generated = None if password else new_password()
    chosen = password or generated
    if problem := password_problem(chosen, user.username, user.display_name):
        raise ValidationFailed(f"Choose another password: {problem}.", {"password": problem})
    accounts.set_password(user, chosen)
    user.must_change_password = True  # the admin knows it: its holder chooses their own next
    web_sessions.end_all_for_user(db, user.id)
    actor.record(db, "password_reset", user.username)
    db.commit()
    return generated


def cohort(db: Session, cohort_id) -> Cohort:
    """Return a cohort or raise NotFound."""
    if isinstance(cohort_id, bool) or not isinstance(cohort_id, int):
        raise ValidationFailed("'cohort_id' must be an integer or null.", {"cohort_id": "integer"})
    found = db.get(Cohort, cohort_id)
    if found is None:
        raise NotFound(f"No cohort {cohort_id}.")
    return found


def trainee_count(db: Session, cohort_id: int) -> int:
    """Return how many trainees a cohort has."""
    return db.scalar(select(func.count(User.id)).where(User.cohort_id == cohort_id, User.role == "trainee"))


def list_cohorts(db: Session) -> list[tuple[Cohort, int]]:
    """Return every cohort with its number of trainees."""
    counts = (
        select(User.cohort_id, func.count(User.id).label("n"))
        .where(User.role == "trainee")
        .group_by(User.cohort_id)
        .subquery()
    )
    rows = db.execute(
        select(Cohort, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.cohort_id == Cohort.id)
        .options(selectinload(Cohort.trainer))
        .order_by(Cohort.name)
    )
    return [(c, n) for c, n in rows]


def _trainer(db: Session, trainer_id) -> int | None:
    if trainer_id is None:
        return None
    trainer = person(db, trainer_id) if isinstance(trainer_id, int) else None
    if trainer is None or trainer.role != "trainer":
        raise ValidationFailed(
            "'trainer_id' must be the id of a trainer account.", {"trainer_id": "a trainer's id"}
        )
    return trainer.id


def save_cohort(db: Session, actor: Actor, cohort_id: int | None, changes: dict) -> Cohort:
    """Create a cohort (cohort_id None) or rename it and assign its trainer."""
    found = cohort(db, cohort_id) if cohort_id is not None else Cohort(name="")
    if "name" in changes or cohort_id is None:
        name = accounts.clean_name(changes.get("name"))
        if name is None:
            raise ValidationFailed("The cohort name must be 1–120 characters.", {"name": "1–120 characters"})
        clash = db.scalar(select(Cohort.id).where(Cohort.name == name))
        if clash and clash != found.id:
            raise Conflict(f"A cohort named {name!r} already exists.")
        found.name = name
    if "trainer_id" in changes:
        found.trainer_id = _trainer(db, changes["trainer_id"])
    try:
        with db.begin_nested():  # two admins naming a cohort alike at once: the index decides
            db.add(found)
            db.flush()
    except IntegrityError:
        raise Conflict(f"A cohort named {found.name!r} already exists.") from None
    actor.record(
        db,
        "cohort_created" if cohort_id is None else "cohort_updated",
        found.name,
        trainer_id=found.trainer_id,
    )
    db.commit()
    return found


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    # The last day of year 9999 has no next day to end the range on.
    if day is None or day == date.max:
        raise ValidationFailed(f"'{name}' must be a date like 2026-01-31.", {name: "YYYY-MM-DD"})
    return day


AUDIT_FILTERS = ("action", "actor", "target", "since", "until")


def audit_filters(args) -> dict[str, str]:
    """Pick browse_audit's filters out of a request's arguments (missing ones are empty)."""
    return {name: args.get(name, "") for name in AUDIT_FILTERS}


def browse_audit(
    db: Session,
    action: str = "",
    actor: str = "",
    target: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditEntry], int]:
    """Return one page of audit entries (newest first) matching the filters, and the total."""
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor:
        stmt = stmt.join(User, User.id == AuditEntry.actor_id).where(
            User.username == accounts.normalise_username(actor)
        )
    if target:
        stmt = stmt.where(AuditEntry.target.icontains(target.strip(), autoescape=True))
    first, last = _day(since, "since"), _day(until, "until")
    if first:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(first, time.min, UTC))
    if last:
        stmt = stmt.where(AuditEntry.at < datetime.combine(last + timedelta(days=1), time.min, UTC))
    total = db.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = max(page, 1), min(max(per_page, 1), 200)
    entries = db.scalars(
        stmt.options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(entries), total


def audit_actions(db: Session) -> list[str]:
    """Return every action name in the log, for the filter list."""
    return list(db.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
