"""The trainers' graded answers to one scenario version, fetched for ai/calibration.py."""

from __future__ import annotations

from functools import cache

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ai.calibration import MIN_EXAMPLES, NEIGHBOURS, GradedExample, calibrated
from practicum.models import Attempt


def trainer_calibration(db: Session, scenario_id: int, vector: np.ndarray, beat: str | None = None):
    """Return calibrate(points, vector) from the beat's nearest overridden attempts, or None."""
    params = {"scenario_id": scenario_id, "vector": vector}
    if beat is not None:
        params["beat"] = beat
    rows = db.execute(_overridden_query(beat is None), params).all()
    if len(rows) < MIN_EXAMPLES:
        return None
    examples = [GradedExample(np.asarray(r[0], dtype=np.float32), float(r[1]), float(r[2])) for r in rows]
    return lambda points, answer_vector: calibrated(points, answer_vector, examples)


# Built once with bound parameters, as embeddings/search.py's searches are: building and keying a
# statement on every answer cost more CPU than running it.
@cache
def _overridden_query(opening: bool):
    vector = bindparam("vector", type_=Attempt.response_embedding.type)
    return (
        select(Attempt.response_embedding, Attempt.score, Attempt.override_score)
        .where(
            Attempt.scenario_id == bindparam("scenario_id"),
            Attempt.beat.is_(None) if opening else Attempt.beat == bindparam("beat"),
            Attempt.override_score.is_not(None),
        )
        .order_by(Attempt.response_embedding.cosine_distance(vector))
        .limit(max(NEIGHBOURS, MIN_EXAMPLES))
    )
