"""Registering LMS platforms: an admin's audited create, change and removal, with validation."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from practicum.admin import Actor
from practicum.errors import Conflict, NotFound, ValidationFailed
from practicum.lti.models import ID_LENGTH, URL_LENGTH, Deployment, Platform

URL_FIELDS = ("auth_login_url", "auth_token_url", "jwks_url")
TEXT_FIELDS = ("name", "issuer", "client_id")
MAX_DEPLOYMENTS = 100


def platform_json(platform: Platform) -> dict:
    """Return a platform's registration as the API and the audit log show it."""
    return {
        "id": platform.id,
        **{field: getattr(platform, field) for field in TEXT_FIELDS + URL_FIELDS},
        "deployment_ids": [d.deployment_id for d in platform.deployments],
    }


def list_platforms(db: Session) -> list[Platform]:
    """Return every registered platform with its deployments, by name."""
    return list(
        db.scalars(select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.name))
    )


def platform(db: Session, platform_id: int) -> Platform:
    """Return a registered platform or raise NotFound."""
    found = db.get(Platform, platform_id)
    if found is None:
        raise NotFound(f"No LTI platform {platform_id}.")
    return found


def _url_problem(value: str, production: bool) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return "an absolute https:// address"
    if production and parts.scheme != "https":
        return "an https:// address (LTI 1.3 requires TLS)"
    return None


def clean_registration(fields: dict, production: bool) -> dict:
    """Return the registration's fields trimmed, or raise ValidationFailed naming every problem."""
    cleaned, problems = {}, {}
    for name in TEXT_FIELDS + URL_FIELDS:
        value = fields.get(name)
        value = value.strip() if isinstance(value, str) else ""
        limit = 120 if name == "name" else URL_LENGTH if name in URL_FIELDS else ID_LENGTH
        if not value or len(value) > limit:
            problems[name] = f"required, at most {limit} characters"
        elif name in URL_FIELDS and (problem := _url_problem(value, production)):
            problems[name] = problem
        cleaned[name] = value
    deployments = fields.get("deployment_ids")
    if isinstance(deployments, str):  # the page's text box: one per line or comma-separated
        deployments = deployments.replace(",", "\n").splitlines()
    if not isinstance(deployments, list) or not all(isinstance(d, str) for d in deployments):
        deployments = None
    else:
        deployments = list(dict.fromkeys(d.strip() for d in deployments if d.strip()))
    if not deployments or len(deployments) > MAX_DEPLOYMENTS or any(len(d) > ID_LENGTH for d in deployments):
        problems["deployment_ids"] = f"1–{MAX_DEPLOYMENTS} deployment ids of at most {ID_LENGTH} characters"
    if problems:
        raise ValidationFailed("The platform's registration is incomplete or invalid.", problems)
    cleaned["deployment_ids"] = deployments
    return cleaned


def _apply(platform: Platform, cleaned: dict) -> None:
    for name in TEXT_FIELDS + URL_FIELDS:
        setattr(platform, name, cleaned[name])
    kept = {d.deployment_id: d for d in platform.deployments}
    platform.deployments = [kept.get(d) or Deployment(deployment_id=d) for d in cleaned["deployment_ids"]]


def _flush(db: Session) -> None:
    # The unique (issuer, client_id) constraint decides, so two admins saving at once cannot both win.
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise Conflict(
            "A platform with this issuer and client id is registered already.", {"client_id": "taken"}
        ) from None


def register(db: Session, actor: Actor, fields: dict, production: bool = False) -> Platform:
    """Register a platform and its deployments (audited)."""
    cleaned = clean_registration(fields, production)
    registered = Platform()
    _apply(registered, cleaned)
    db.add(registered)
    _flush(db)
    actor.record(db, "lti_platform_registered", registered.issuer, **platform_json(registered))
    db.commit()
    return registered


def update(db: Session, actor: Actor, platform_id: int, fields: dict, production: bool = False) -> Platform:
    """Change a platform's registration (audited, with the values before and after)."""
    changed = platform(db, platform_id)
    before = platform_json(changed)
    _apply(changed, clean_registration(fields, production))
    _flush(db)
    actor.record(db, "lti_platform_changed", changed.issuer, before=before, after=platform_json(changed))
    db.commit()
    return changed


def remove(db: Session, actor: Actor, platform_id: int) -> None:
    """Remove a platform with its links (accounts and cohorts stay); audited."""
    removed = platform(db, platform_id)
    actor.record(db, "lti_platform_removed", removed.issuer, **platform_json(removed))
    db.delete(removed)
    db.commit()


def find_for_launch(db: Session, issuer: str, client_id: str | None) -> Platform | None:
    """Return the platform with this issuer (and client id when given), or None when not one."""
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    found = list(db.scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


def has_deployment(db: Session, registered: Platform, deployment_id: object) -> bool:
    """Tell whether the deployment id is one the admin registered for this platform."""
    return isinstance(deployment_id, str) and (
        db.scalar(
            select(Deployment.id).where(
                Deployment.platform_id == registered.id, Deployment.deployment_id == deployment_id
            )
        )
        is not None
    )
