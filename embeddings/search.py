"""pgvector searches for the expert responses closest to a trainee's response."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from sqlalchemy import bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from practicum.models import (
    EMBEDDING_DIMENSIONS,
    Embedding,
    ExpertResponse,
    Pitfall,
    Scenario,
    ScenarioSet,
    ScenarioSetVersion,
)


@dataclass(frozen=True)
class ExpertMatch:
    """One expert response and its cosine similarity to the trainee's response."""

    expert_response_id: int
    scenario_id: int
    text: str
    strategy: str
    similarity: float

    def as_dict(self) -> dict:
        """Return the JSON form stored with an attempt."""
        return {
            "expert_response_id": self.expert_response_id,
            "text": self.text,
            "strategy": self.strategy,
            "similarity": round(self.similarity, 4),
        }


def _as_match(row) -> ExpertMatch:
    return ExpertMatch(row.id, row.scenario_id, row.text, row.strategy or "", float(row.similarity))


@dataclass(frozen=True)
class PitfallMatch:
    """One of a scenario's pitfalls and its cosine similarity to the trainee's response."""

    text: str
    reason: str
    severity: str
    similarity: float


def closest_references(
    db: Session, scenario_id: int, vector: np.ndarray, beat: str | None = None
) -> tuple[list[ExpertMatch], list[PitfallMatch]]:
    """Rank one beat's expert responses and pitfalls together, in one query, exactly.

    beat None is the opening (a one-exchange scenario's only moment).

    Both come through the scenario_id indexes (a scenario has a handful of each), so the rank
    is exact; being near a pitfall is read as clearly as being near an expert.
    """
    params = {"scenario_id": scenario_id, "vector": vector}
    if beat is not None:
        params["beat"] = beat
    found_experts, found_pitfalls = [], []
    for row in db.execute(_references_query(beat is None), params):
        if row.kind == "expert":
            found_experts.append(
                ExpertMatch(row.id, scenario_id, row.text, row.detail or "", float(row.similarity))
            )
        else:
            found_pitfalls.append(PitfallMatch(row.text, row.detail, row.severity, float(row.similarity)))
    return found_experts, found_pitfalls


# Both searches are built once, with bound parameters: building and keying a statement on every
# answer cost more CPU than running it, and the vector, named once, is formatted once.
@cache
def _references_query(opening: bool):
    vector = bindparam("vector", type_=Embedding(EMBEDDING_DIMENSIONS))

    def beat_of(column):
        return column.is_(None) if opening else column == bindparam("beat")

    experts = select(
        literal("expert").label("kind"),
        ExpertResponse.id,
        ExpertResponse.text,
        ExpertResponse.strategy.label("detail"),
        literal("").label("severity"),
        ExpertResponse.position,
        (1 - ExpertResponse.embedding.cosine_distance(vector)).label("similarity"),
    ).where(ExpertResponse.scenario_id == bindparam("scenario_id"), beat_of(ExpertResponse.beat))
    pitfalls = select(
        literal("pitfall").label("kind"),
        Pitfall.id,
        Pitfall.text,
        Pitfall.reason.label("detail"),
        Pitfall.severity,
        Pitfall.position,
        (1 - Pitfall.embedding.cosine_distance(vector)).label("similarity"),
    ).where(Pitfall.scenario_id == bindparam("scenario_id"), beat_of(Pitfall.beat))
    both = union_all(experts, pitfalls).subquery()
    return select(both).order_by(both.c.similarity.desc(), both.c.kind, both.c.position)


def closest_in_category(
    db: Session, category: str, vector: np.ndarray, exclude_scenario_key: str, limit: int = 3
) -> list[ExpertMatch]:
    """Find expert responses of other current scenarios in a category (HNSW index scan)."""
    # The HNSW scan filters after it searches: every connection widens its candidate list
    # (practicum/db.py HNSW_EF_SEARCH), so the filters keep enough.
    params = {"category": category, "vector": vector, "exclude_key": exclude_scenario_key}
    return [_as_match(row) for row in db.execute(_category_query(limit), params)]


@cache
def _category_query(limit: int):
    latest_version = (
        select(func.max(ScenarioSetVersion.id))
        .where(ScenarioSetVersion.set_id == ScenarioSet.id)
        .correlate(ScenarioSet)
        .scalar_subquery()
    )
    distance = ExpertResponse.embedding.cosine_distance(
        bindparam("vector", type_=Embedding(EMBEDDING_DIMENSIONS))
    )
    return (
        select(
            ExpertResponse.id,
            ExpertResponse.scenario_id,
            ExpertResponse.text,
            ExpertResponse.strategy,
            (1 - distance).label("similarity"),
        )
        .join(Scenario, Scenario.id == ExpertResponse.scenario_id)
        .join(ScenarioSetVersion, ScenarioSetVersion.id == Scenario.set_version_id)
        .join(ScenarioSet, ScenarioSet.id == ScenarioSetVersion.set_id)
        .where(
            Scenario.category == bindparam("category"),
            Scenario.key != bindparam("exclude_key"),
            ExpertResponse.beat.is_(None),  # a later beat's answer reads oddly out of its conversation
            ScenarioSet.status == "active",
            ScenarioSetVersion.id == latest_version,
        )
        .order_by(distance)
        .limit(limit)
    )
