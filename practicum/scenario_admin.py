"""The admin's scenario library: check an uploaded set, preview it, publish it, archive it.

Publishing goes through library.import_scenario_set, the same code the CLI and bootstrap use.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from embeddings.embedder import Embedder
from practicum import conversation, library
from practicum.admin import Actor
from practicum.errors import NotFound, PracticumError, ValidationFailed
from practicum.models import Attempt, ExpertResponse, Scenario, ScenarioSet
from scenarios.loader import MAX_FILE_BYTES, InvalidScenarioSet, content_hash, load_scenario_set

log = logging.getLogger(__name__)
SET_FILE_TYPES = (".yaml", ".yml", ".json")


class FileTooLarge(PracticumError):
    code, status = "payload_too_large", 413
    shown_on_pages = True  # it names the file's size and the limit


def too_large(size: int | None = None) -> FileTooLarge:
    """Return the error for a file over the upload limit, with its size when known."""
    limit = MAX_FILE_BYTES // 1024 // 1024
    shown = f"{size / 1024 / 1024:.1f} MB" if size else "larger than that"
    return FileTooLarge(
        f"The file is {shown}; the limit is {limit} MB. Split the set into smaller files and upload each.",
        {"limit_bytes": MAX_FILE_BYTES},
    )


def check_upload(data: bytes, filename: str) -> dict:
    """Parse and validate an uploaded set; raise with every problem (path and line) if invalid."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large(len(data))
    if not filename.lower().endswith(SET_FILE_TYPES):
        raise ValidationFailed(
            "Upload a .yaml, .yml or .json file.",
            {"problems": [{"path": "", "line": None, "message": "unsupported file type"}]},
        )
    try:
        return load_scenario_set(data, filename)
    except InvalidScenarioSet as error:
        count = len(error.problems)
        raise ValidationFailed(
            f"The file has {count} problem{'s' if count != 1 else ''}; nothing was imported.",
            {"problems": [p.as_dict() for p in error.problems]},
        ) from None


def preview(db: Session, document: dict) -> dict:
    """Describe a valid set before it is published, and what publishing it would change."""
    found = db.scalar(select(ScenarioSet).where(ScenarioSet.key == document["key"]))
    current = library.latest_version(db, found) if found else None
    unchanged = bool(current and current.content_hash == content_hash(document))
    return {
        "key": document["key"],
        "title": document["title"],
        "description": document.get("description", ""),
        "scenarios": [
            {
                "key": s["key"],
                "title": s["title"],
                "category": s["category"],
                "grade_band": s["grade_band"],
                "subject": s["subject"],
                "context": s["context"],
                "student": s["student"]["name"],
                "opening_line": s["student"]["opening_line"],
                "expert_responses": len(s["expert_responses"]),
                "pitfalls": [
                    {"text": p["text"], "reason": p["reason"], "severity": p["severity"]}
                    for p in s.get("pitfalls", [])
                ],
                "conversation": conversation.outline(s),
            }
            for s in document["scenarios"]
        ],
        "expert_responses": sum(len(s["expert_responses"]) for s in document["scenarios"]),
        "pitfalls": sum(len(s.get("pitfalls", [])) for s in document["scenarios"]),
        "existing": None
        if found is None
        else {"id": found.id, "status": found.status, "version": current.version if current else None},
        "next_version": None if unchanged else (current.version + 1 if current else 1),
        "unchanged": unchanged,
    }


def publish(
    db: Session, document: dict, embedder: Embedder, actor: Actor, progress: library.Progress | None = None
) -> library.ImportReport:
    """Import a validated set as a new version, all or nothing."""
    try:
        report = library.import_scenario_set(db, document, embedder, actor.user.id, progress)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return report


def publish_with_progress(
    app, document: dict, embedder: Embedder, actor_id: int, ip_address: str
) -> Iterator[tuple[str, dict]]:
    """Publish in a worker thread; yield ("progress", …) events, then ("done" | "error", …)."""
    events: queue.Queue = queue.Queue()

    def work():
        from practicum.db import session
        from practicum.models import User

        with app.app_context():
            try:
                actor = Actor(session.get(User, actor_id), ip_address)
                report = publish(
                    session,
                    document,
                    embedder,
                    actor,
                    lambda done, total: events.put(("progress", {"done": done, "total": total})),
                )
                events.put(("done", report.as_dict()))
            except PracticumError as error:
                events.put(
                    (
                        "error",
                        {"error": {"code": error.code, "message": error.message, "details": error.details}},
                    )
                )
            except Exception:
                log.exception("publishing scenario set %s failed", document.get("key"))
                events.put(
                    (
                        "error",
                        {
                            "error": {
                                "code": "internal_error",
                                "details": {},
                                "message": "Publishing failed; nothing was saved.",
                            }
                        },
                    )
                )

    threading.Thread(target=work, name="publish-set", daemon=True).start()
    while True:
        kind, data = events.get()
        yield kind, data
        if kind in ("done", "error"):
            return


def scenario_set(db: Session, set_id: int) -> ScenarioSet:
    """Return a set with its versions, or raise NotFound."""
    found = db.scalar(
        select(ScenarioSet).where(ScenarioSet.id == set_id).options(selectinload(ScenarioSet.versions))
    )
    if found is None:
        raise NotFound(f"No scenario set {set_id}.")
    return found


def _version_counts(db: Session) -> dict[int, dict[str, int]]:
    scenarios = _count_by_version(db, Scenario.id)
    experts = _count_by_version(db, ExpertResponse.id, ExpertResponse, ExpertResponse.scenario_id)
    attempts = _count_by_version(db, Attempt.id, Attempt, Attempt.scenario_id)
    return {
        v: {
            "scenarios": scenarios.get(v, 0),
            "expert_responses": experts.get(v, 0),
            "attempts": attempts.get(v, 0),
        }
        for v in scenarios
    }


def _count_by_version(db: Session, counted, joined=None, scenario_column=None) -> dict[int, int]:
    """Count rows per scenario-set version: scenarios, or rows joined to their scenario."""
    query = select(Scenario.set_version_id, func.count(counted))
    if joined is not None:
        query = query.join(joined, scenario_column == Scenario.id)
    return dict(db.execute(query.group_by(Scenario.set_version_id)).all())


def list_sets(db: Session) -> list[dict]:
    """Return every set with its versions and their counts, newest version first."""
    counts = _version_counts(db)
    sets = db.scalars(
        select(ScenarioSet).options(selectinload(ScenarioSet.versions)).order_by(ScenarioSet.title)
    )
    return [set_json(s, counts) for s in sets]


def set_json(found: ScenarioSet, counts: dict[int, dict[str, int]]) -> dict:
    """Return a set with its versions and counts."""
    empty = {"scenarios": 0, "expert_responses": 0, "attempts": 0}
    versions = [
        {
            "id": v.id,
            "version": v.version,
            "title": v.title,
            "created_at": v.created_at.isoformat(),
            **counts.get(v.id, empty),
        }
        for v in sorted(found.versions, key=lambda v: -v.version)
    ]
    latest = versions[0] if versions else empty
    return {
        "id": found.id,
        "key": found.key,
        "title": found.title,
        "status": found.status,
        "versions": versions,
        "latest_version": latest.get("version"),
        "scenarios": latest["scenarios"],
        "expert_responses": latest["expert_responses"],
        "attempts": sum(v["attempts"] for v in versions),
    }


def set_detail(db: Session, set_id: int) -> dict:
    """Return a set, its versions and the scenarios of its newest version."""
    found = scenario_set(db, set_id)
    data = set_json(found, _version_counts(db))
    newest = max(found.versions, key=lambda v: v.version, default=None)
    data["scenarios"] = (
        []
        if newest is None
        else [
            {
                "id": s.id,
                "key": s.key,
                "title": s.title,
                "category": s.category,
                "grade_band": s.grade_band,
                "subject": s.subject,
            }
            for s in newest.scenarios
        ]
    )
    return data


def set_status(db: Session, actor: Actor, set_id: int, status: str) -> ScenarioSet:
    """Archive a set (trainees no longer see it; its attempts stay readable) or restore it."""
    found = scenario_set(db, set_id)
    if found.status != status:
        found.status = status
        actor.record(
            db, "scenario_set_archived" if status == "archived" else "scenario_set_restored", found.key
        )
    db.commit()
    return found
