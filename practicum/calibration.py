"""The trainers' graded answers to one scenario version, fetched for ai/calibration.py."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ai.calibration import MIN_EXAMPLES, NEIGHBOURS, GradedExample, calibrated
from practicum.models import Attempt


def trainer_calibration(db: Session, scenario_id: int, vector: np.ndarray, beat: str | None = None):
    """Return calibrate(points, vector) from the beat's nearest overridden attempts, or None."""
    distance = Attempt.response_embedding.cosine_distance(vector)
    rows = db.execute(
        select(Attempt.response_embedding, Attempt.score, Attempt.override_score)
        .where(
            Attempt.scenario_id == scenario_id,
            Attempt.beat.is_(None) if beat is None else Attempt.beat == beat,
            Attempt.override_score.is_not(None),
        )
        .order_by(distance)
        .limit(max(NEIGHBOURS, MIN_EXAMPLES))
    ).all()
    if len(rows) < MIN_EXAMPLES:
        return None
    examples = [GradedExample(np.asarray(r[0], dtype=np.float32), float(r[1]), float(r[2])) for r in rows]
    return lambda points, answer_vector: calibrated(points, answer_vector, examples)
