"""Turn similarity to the expert responses and rubric dimensions into a 0–100 score and band.

How a score is made (also in README):
1. The response is cleaned of gaming content (ai/sanitize.py); what is removed never counts.
2. Similarity: cosine similarity of the response to every expert response of the scenario.
   The signal is 0.6 × the best + 0.4 × the mean, mapped linearly from SIM_FLOOR (0 points) to
   SIM_CEILING (100 points) and clipped.
3. Dimensions: each rubric detector gives 0, 0.5 or 1; their weighted mean (category weights)
   is the rubric signal.
4. score = round(SIMILARITY_SHARE × similarity points + (1 − SIMILARITY_SHARE) × rubric points),
   then capped at 15 if nothing of substance is left after cleaning.
5. Bands: 0–39 Needs work, 40–59 Developing, 60–79 Proficient, 80–100 Exemplary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ai.bands import band_for
from ai.dimensions import DimensionResult, ScenarioFacts, assess_dimensions
from ai.sanitize import sanitize_response
from embeddings.search import ExpertMatch

SCORER_VERSION = "sim-rubric-1"
SIM_FLOOR = 0.15
SIM_CEILING = 0.70
SIMILARITY_SHARE = 0.5
MIN_SUBSTANCE_WORDS = 4
NO_SUBSTANCE_CAP = 15


@dataclass
class ScoreResult:
    """A response's score, band and the evidence behind them."""

    score: int
    band: str
    similarity: float
    dimensions: list[DimensionResult]
    matches: list[ExpertMatch]
    flags: list[str] = field(default_factory=list)
    scorer_version: str = SCORER_VERSION

    def dimension_dicts(self) -> list[dict]:
        """Return the dimensions in their stored JSON form."""
        return [d.as_dict() for d in self.dimensions]


def similarity_points(similarities: list[float]) -> float:
    """Map similarities to every expert response onto 0–100 points."""
    if not similarities:
        return 0.0
    signal = 0.6 * max(similarities) + 0.4 * float(np.mean(similarities))
    return float(np.clip((signal - SIM_FLOOR) / (SIM_CEILING - SIM_FLOOR), 0.0, 1.0) * 100)


def rubric_points(dimensions: list[DimensionResult]) -> float:
    """Return the weighted mean of the dimension values, as 0–100 points."""
    total_weight = sum(d.weight for d in dimensions)
    if total_weight == 0:
        return 0.0
    return 100.0 * sum(d.value * d.weight for d in dimensions) / total_weight


def scoring_text(response: str, facts: ScenarioFacts) -> tuple[str, list[str]]:
    """Return the part of a response that may count, and the gaming flags raised."""
    cleaned = sanitize_response(response, [facts.context, facts.opening_line])
    return cleaned.text, cleaned.flags


def score_response(
    text: str, matches: list[ExpertMatch], facts: ScenarioFacts, flags: list[str] = ()
) -> ScoreResult:
    """Score cleaned response text given its similarities to the scenario's expert responses."""
    similarities = [m.similarity for m in matches]
    best = max(similarities, default=0.0)
    dimensions = assess_dimensions(text, facts, best)
    points = SIMILARITY_SHARE * similarity_points(similarities) + (
        1 - SIMILARITY_SHARE
    ) * rubric_points(dimensions)
    if len(text.split()) < MIN_SUBSTANCE_WORDS:
        points = min(points, NO_SUBSTANCE_CAP)
    score = int(round(points))
    return ScoreResult(score, band_for(score), best, dimensions, matches, list(flags))
