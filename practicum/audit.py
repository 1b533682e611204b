"""The audit log: sign-ins, imports, role changes and other admin actions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from practicum.models import AuditEntry


def record(
    db: Session, action: str, actor_id: int | None = None, target: str = "", ip_address: str = "", **details
) -> AuditEntry:
    """Add an audit entry to the current transaction (committed with the action it records)."""
    entry = AuditEntry(
        action=action, actor_id=actor_id, target=target[:200], ip_address=ip_address[:64], details=details
    )
    db.add(entry)
    return entry
