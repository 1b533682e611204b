"""The scenario library: importing versioned sets and finding current scenarios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import Session, selectinload

from embeddings.embedder import Embedder
from practicum import audit
from practicum.errors import Conflict, NotFound, ValidationFailed
from practicum.models import ExpertResponse, Pitfall, Scenario, ScenarioSet, ScenarioSetVersion
from scenarios.loader import content_hash

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did."""

    set_key: str
    version: int
    changed: bool
    scenarios: int
    expert_responses: int
    embedded: int
    reused: int

    def as_dict(self) -> dict:
        """Return the JSON form."""
        return dict(self.__dict__)


def latest_version(db: Session, scenario_set: ScenarioSet) -> ScenarioSetVersion | None:
    """Return the newest version of a set."""
    return db.scalar(
        select(ScenarioSetVersion)
        .where(ScenarioSetVersion.set_id == scenario_set.id)
        .order_by(ScenarioSetVersion.version.desc())
        .limit(1)
    )


def _known_embeddings(db: Session, hashes: set[str]) -> dict[str, list[float]]:
    rows = db.execute(
        select(ExpertResponse.content_hash, ExpertResponse.embedding)
        .where(ExpertResponse.content_hash.in_(hashes))
        .distinct(ExpertResponse.content_hash)
    )
    return {h: e for h, e in rows}


def _embed_missing(db, embedder, texts: list[str], progress: Progress | None = None):
    """Return an embedding per text, embedding only texts never seen before."""
    hashes = [embedder.content_hash(t) for t in texts]
    known = _known_embeddings(db, set(hashes))
    missing = sorted({h: t for h, t in zip(hashes, texts, strict=True) if h not in known}.items())
    batch = 32
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        vectors = embedder.embed_batch([t for _, t in chunk])
        known.update({h: v for (h, _), v in zip(chunk, vectors, strict=True)})
        if progress:
            progress(min(start + batch, len(missing)), len(missing))
    return hashes, [known[h] for h in hashes], len(missing)


def _claim_set_key(db: Session, key: str) -> None:
    """Hold this set key until the caller's transaction ends, or raise Conflict if someone does."""
    # Two publishes of one key at once would both number the same version (or insert the same
    # new set) and the loser would fail on a unique index; the loser is told plainly instead.
    claimed = db.scalar(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 7))"), {"key": key})
    if not claimed:
        raise Conflict(
            f"Someone is publishing the set {key!r} at this moment. Wait for it to finish, "
            "then look at its versions before publishing again."
        )


def import_scenario_set(
    db: Session,
    document: dict,
    embedder: Embedder,
    actor_id: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Store a validated set as a new version unless its content is unchanged.

    Runs inside the caller's transaction: either the whole version is written or nothing.
    """
    _claim_set_key(db, document["key"])
    digest = content_hash(document)
    scenario_set = db.scalar(select(ScenarioSet).where(ScenarioSet.key == document["key"]))
    current = latest_version(db, scenario_set) if scenario_set else None
    experts = [r for s in document["scenarios"] for _, rs, _ in _moments(s) for r in rs]
    if current and current.content_hash == digest:
        return ImportReport(
            document["key"], current.version, False, len(document["scenarios"]), len(experts), 0, len(experts)
        )
    if scenario_set is None:
        scenario_set = ScenarioSet(key=document["key"], title=document["title"])
        db.add(scenario_set)
        db.flush()
    scenario_set.title = document["title"]
    version = ScenarioSetVersion(
        set_id=scenario_set.id,
        version=(current.version + 1) if current else 1,
        title=document["title"],
        description=document.get("description", ""),
        content_hash=digest,
        source=document,
        imported_by_id=actor_id,
    )
    db.add(version)
    db.flush()
    hashes, vectors, embedded = _embed_missing(db, embedder, [r["text"] for r in experts], progress)
    pairs = iter(zip(hashes, vectors, strict=True))
    pitfall_texts = [p["text"] for s in document["scenarios"] for _, _, ps in _moments(s) for p in ps]
    pitfall_pairs = iter(zip(*_embed_missing(db, embedder, pitfall_texts)[:2], strict=True))
    for position, item in enumerate(document["scenarios"]):
        scenario = _scenario_row(version.id, position, item)
        db.add(scenario)
        db.flush()
        for beat, responses, pitfalls in _moments(item):
            for index, response in enumerate(responses):
                digest_, vector = next(pairs)
                db.add(
                    ExpertResponse(
                        scenario_id=scenario.id,
                        beat=beat,
                        position=index,
                        text=response["text"],
                        strategy=response.get("strategy", ""),
                        rationale=response.get("rationale", ""),
                        moves=response.get("moves", []),
                        content_hash=digest_,
                        embedding=vector,
                    )
                )
            for index, pitfall in enumerate(pitfalls):
                digest_, vector = next(pitfall_pairs)
                db.add(
                    Pitfall(
                        scenario_id=scenario.id,
                        beat=beat,
                        position=index,
                        text=pitfall["text"],
                        reason=pitfall["reason"],
                        severity=pitfall["severity"],
                        content_hash=digest_,
                        embedding=vector,
                    )
                )
    audit.record(
        db,
        "scenario_set_imported",
        actor_id,
        document["key"],
        version=version.version,
        scenarios=len(document["scenarios"]),
        embedded=embedded,
    )
    db.flush()
    return ImportReport(
        document["key"],
        version.version,
        True,
        len(document["scenarios"]),
        len(experts),
        embedded,
        len(experts) - embedded,
    )


def _moments(item: dict) -> list[tuple[str | None, list[dict], list[dict]]]:
    """Return each beat's (key, expert responses, pitfalls): None and the scenario's own first."""
    later = [
        (b["key"], b.get("expert_responses", []), b.get("pitfalls", [])) for b in item.get("beats", [])[1:]
    ]
    return [(None, item["expert_responses"], item.get("pitfalls", [])), *later]


def _scenario_row(version_id: int, position: int, item: dict) -> Scenario:
    student = item["student"]
    return Scenario(
        set_version_id=version_id,
        position=position,
        key=item["key"],
        title=item["title"],
        category=item["category"],
        grade_band=item["grade_band"],
        subject=item["subject"],
        context=item["context"],
        student_name=student["name"],
        student_persona=student["persona"],
        opening_line=student["opening_line"],
        key_moves=item.get("key_moves", []),
        dimension_weights=item.get("dimension_weights", {}),
        follow_ups=item.get("follow_ups", {}),
        tags=item.get("tags", []),
        beats=item.get("beats", []),
    )


def only_current(query: Select) -> Select:
    """Narrow a query over scenarios to the newest version of every active set."""
    newest = (
        select(ScenarioSetVersion.set_id, func.max(ScenarioSetVersion.version).label("version"))
        .group_by(ScenarioSetVersion.set_id)
        .subquery()
    )
    return (
        query.join(ScenarioSetVersion, ScenarioSetVersion.id == Scenario.set_version_id)
        .join(
            newest,
            (newest.c.set_id == ScenarioSetVersion.set_id) & (newest.c.version == ScenarioSetVersion.version),
        )
        .join(ScenarioSet, ScenarioSet.id == ScenarioSetVersion.set_id)
        .where(ScenarioSet.status == "active")
    )


def current_scenarios_query(with_pitfalls: bool = True):
    """Select the scenarios of the newest version of every active set, with their references."""
    loads = [selectinload(Scenario.expert_responses)]
    if with_pitfalls:
        loads.append(selectinload(Scenario.pitfalls))
    return only_current(select(Scenario)).options(*loads).order_by(Scenario.category, Scenario.title)


def current_scenarios(db: Session) -> list[Scenario]:
    """Return every scenario a trainee can rehearse now."""
    return list(db.scalars(current_scenarios_query()))


def current_scenario(db: Session, scenario_id: int) -> Scenario:
    """Return a scenario that can be rehearsed now, or raise NotFound.

    Its expert responses come with it (a rehearsal's start names their strategies); its pitfalls
    load when scoring reads them, so starting a rehearsal costs one statement less.
    """
    scenario = db.scalar(_current_scenario_statement(), {"scenario_id": scenario_id})
    if scenario is None:
        raise NotFound(f"No current scenario with id {scenario_id}.")
    return scenario


# Built once with a bound id: building and keying the statement on every rehearsal's start cost
# more CPU than running it (the same reason as embeddings/search.py's queries).
@cache
def _current_scenario_statement() -> Select:
    return current_scenarios_query(with_pitfalls=False).where(Scenario.id == bindparam("scenario_id"))


def scenario_by_key(db: Session, key: str) -> Scenario:
    """Find a current scenario by 'key' or 'set-key/key'; raise if unknown or ambiguous."""
    set_key, _, scenario_key = key.rpartition("/")
    query = current_scenarios_query().where(Scenario.key == scenario_key)
    if set_key:
        query = query.where(ScenarioSet.key == set_key)
    found = list(db.scalars(query))
    if not found:
        raise NotFound(f"No current scenario with key {key!r}.")
    if len(found) > 1:
        raise ValidationFailed(f"Scenario key {key!r} is in several sets; write 'set-key/{key}'.")
    return found[0]
