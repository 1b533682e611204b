"""Learning from trainers: the nearest graded answers to a scenario correct its scores.

A trainer's score override (with its reason) is a graded example for that scenario version.
Once a scenario has MIN_EXAMPLES of them, an answer's score moves by the mean correction the
trainer made to its NEIGHBOURS nearest graded answers (their score minus the automatic one),
weighted by how close each is; a far neighbour counts for nothing. Pure arithmetic over vectors:
practicum/calibration.py fetches the neighbours with pgvector, bench/evaluate_graded.py replays
graded answers as overrides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_EXAMPLES = 4
NEIGHBOURS = 5
CLOSE_FROM = 0.3  # cosine below which a graded answer says nothing about this one


@dataclass(frozen=True)
class GradedExample:
    """An answer a trainer scored: its vector, the automatic score and the trainer's."""

    vector: np.ndarray
    automatic: float
    trainer: float


def calibrated(points: float, vector: np.ndarray, examples: list[GradedExample]) -> float:
    """Return points corrected by the nearest graded examples (unchanged with too few)."""
    if len(examples) < MIN_EXAMPLES:
        return points
    sims = np.array([float(e.vector @ vector) for e in examples])
    nearest = np.argsort(-sims)[:NEIGHBOURS]
    weights = np.clip((sims[nearest] - CLOSE_FROM) / (1 - CLOSE_FROM), 0.0, 1.0)
    if weights.sum() <= 0:
        return points
    corrections = np.array([examples[i].trainer - examples[i].automatic for i in nearest])
    closeness = float(weights.max())
    return float(np.clip(points + closeness * float(weights @ corrections / weights.sum()), 0, 100))
