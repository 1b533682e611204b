"""Turn a trainee's response into a 0–100 score, a band and six explained rubric dimensions.

How a score is made (scorer version in SCORER_VERSION; every attempt records it):
1. Clean. ai/sanitize.py removes instructions aimed at the model, fake chat or system tags,
   JSON that claims a score, repeated sentences and words, sentences copied from the scenario,
   keyword lists and filler-only sentences. What is removed never counts, so adding it can
   never raise a score; instructions to the model also cost INJECTION_PENALTY points.
2. Embed once. The cleaned response and its sentences are embedded in one batch call
   (all-MiniLM-L6-v2). The scenario's key moves, expert sentences, opening line and context are
   embedded on first use and cached in-process by content hash (ai/signals.py).
3. Signals (ai/signals.py): similarity to every expert response (best and mean, exact pgvector
   ranking); alignment of the response's sentences with the expert moves (key moves and expert
   sentences: coverage and precision); similarity to the student's line and the context; and
   lexical cues of teacher moves (ai/cues.py): flagging an error, hinting, asking, telling,
   explaining, pointing at a location, next-step verbs, praise that treats the answer as right.
4. Dimensions (ai/dimensions.py), each a value from 0 to 1 with a reason: recognises the issue,
   addresses it specifically, guides without giving the answer, gives an actionable next step,
   acknowledges feelings, tone. For student-error scenarios the first four come from logistic
   heads fitted on MRBench's expert labels (ai/rubric_model.json, weights shipped, no training at
   run time); elsewhere, and for feelings and tone, rule detectors decide. A response that gives
   the answer away is capped on "guides without giving the answer".
5. Combine (BLENDS: one for the fitted heads, one for the rules).
   rubric = weighted mean of the dimension values (category weights, then the scenario's
   `dimension_weights`), stretched from the blend's floor..ceiling (fitted 0.30..0.90, rules
   0..1) to 0..100.
   match = 0.5 × best + 0.2 × mean similarity + 0.3 × coverage, stretched from
   SIM_FLOOR..SIM_CEILING to 0..100.
   score = round(share × match + (1 − share) × rubric), share 0.10 for the fitted heads (they
   already read similarity) and 0.30 for the rules; capped at NO_SUBSTANCE_CAP when fewer
   than MIN_SUBSTANCE_WORDS words are left after cleaning.
   Every step is deterministic: the same text and scenario version give the same score.
6. Bands (ai/bands.py): 0–39 Needs work, 40–59 Developing, 60–79 Proficient, 80–100 Exemplary.
The language model never changes a score; it only rephrases the next-step tip (ai/feedback.py).
Agreement with expert judgement is measured by `make eval` (bench/evaluate.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ai.bands import band_for
from ai.dimensions import (
    ALIGNED,
    DimensionResult,
    ScenarioFacts,
    assess_dimensions,
    nothing_to_judge,
)
from ai.rubric_model import RubricModel, shipped_model
from ai.sanitize import sanitize_response
from ai.signals import (
    SCENARIO_VECTORS,
    EmbeddedResponse,
    best_key_move,
    embed_response,
    response_features,
)
from embeddings.embedder import Embedder
from embeddings.search import ExpertMatch

SCORER_VERSION = "signals-rubric-2"
SIM_FLOOR, SIM_CEILING = 0.15, 0.70


@dataclass(frozen=True)
class Blend:
    """How dimensions and similarity combine for one kind of judge."""

    similarity_share: float
    rubric_floor: float
    rubric_ceiling: float


# The fitted heads already read similarity, and their probabilities sit between the base rates
# of the labels, so they are stretched more; the rule detectors' 0 / 0.5 / 1 are used as they are.
BLENDS = {"fitted": Blend(0.10, 0.30, 0.90), "rules": Blend(0.30, 0.0, 1.0)}
MIN_SUBSTANCE_WORDS = 4
NO_SUBSTANCE_CAP = 15
INJECTION_PENALTY = 10


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
    signals: dict[str, float] = field(default_factory=dict)

    def dimension_dicts(self) -> list[dict]:
        """Return the dimensions in their stored JSON form."""
        return [d.as_dict() for d in self.dimensions]


def _stretch(value: float, floor: float, ceiling: float) -> float:
    return float(np.clip((value - floor) / (ceiling - floor), 0.0, 1.0) * 100)


def similarity_points(similarities: list[float], coverage: float | None = None) -> float:
    """Map similarity to every expert response (and move coverage) onto 0–100 points."""
    if not similarities:
        return 0.0
    best, mean = max(similarities), float(np.mean(similarities))
    coverage = best if coverage is None else coverage
    return _stretch(0.5 * best + 0.2 * mean + 0.3 * coverage, SIM_FLOOR, SIM_CEILING)


def rubric_points(dimensions: list[DimensionResult], blend: Blend = BLENDS["rules"]) -> float:
    """Return the weighted mean of the dimension values, stretched onto 0–100 points."""
    total_weight = sum(d.weight for d in dimensions)
    if total_weight == 0:
        return 0.0
    mean = sum(d.value * d.weight for d in dimensions) / total_weight
    return _stretch(mean, blend.rubric_floor, blend.rubric_ceiling)


def combine(dimensions: list[DimensionResult], similarities: list[float], coverage: float,
            words: int, flags, fitted: bool = False) -> int:
    """Combine dimensions and similarity into the 0–100 score (step 5 of the docstring)."""
    blend = BLENDS["fitted" if fitted else "rules"]
    points = blend.similarity_share * similarity_points(similarities, coverage) + (
        1 - blend.similarity_share) * rubric_points(dimensions, blend)
    if words < MIN_SUBSTANCE_WORDS:
        points = min(points, NO_SUBSTANCE_CAP)
    if "instructions_to_the_model" in flags:
        points -= INJECTION_PENALTY
    return int(round(float(np.clip(points, 0, 100))))


def scoring_text(response: str, facts: ScenarioFacts) -> tuple[str, list[str]]:
    """Return the part of a response that may count, and the gaming flags raised."""
    cleaned = sanitize_response(response, [facts.context, facts.opening_line])
    return cleaned.text, cleaned.flags


def score_response(text: str, matches: list[ExpertMatch], facts: ScenarioFacts,
                   flags=(), embedded: EmbeddedResponse | None = None,
                   embedder: Embedder | None = None, raw_text: str | None = None,
                   model: RubricModel | None = None) -> ScoreResult:
    """Score cleaned response text given its similarities to the scenario's expert responses.

    With the embedder and the response's embedding, every signal is used; without them (old
    callers) only similarity and the rule detectors are. `model` replaces the shipped rubric
    model (bench/evaluate.py passes each cross-validation fold's own).
    """
    similarities = [m.similarity for m in matches]
    full = embedded is not None and embedder is not None
    if full:
        scenario = SCENARIO_VECTORS.get(embedder, facts.key_moves, [m.text for m in matches],
                                        facts.opening_line, facts.context)
        signals = response_features(text, raw_text or text, similarities, embedded, scenario,
                                    facts.context, facts.opening_line)
        best_move = best_key_move(embedded, scenario, ALIGNED)
    else:
        signals = {"sim_best": max(similarities, default=0.0)}
        best_move = ""
    model = model or shipped_model()
    heads = model.predict(signals) if full and model.applies_to(facts.category) else None
    words = len(text.split())
    if words < MIN_SUBSTANCE_WORDS:
        dimensions = nothing_to_judge(facts)
    else:
        dimensions = assess_dimensions(text, facts, signals, heads, best_move)
    score = combine(dimensions, similarities, signals.get("align_coverage"), words, flags,
                    fitted=heads is not None)
    best = max(similarities, default=0.0)
    return ScoreResult(score, band_for(score), best, dimensions, matches, list(flags),
                       signals={k: float(v) for k, v in signals.items()})


def rank_experts(vector: np.ndarray, experts: list[ExpertMatch],
                 expert_vectors: np.ndarray) -> list[ExpertMatch]:
    """Rank expert responses by cosine similarity in memory, as the pgvector search does."""
    sims = expert_vectors @ vector if len(experts) else np.zeros(0)
    ranked = sorted(range(len(experts)), key=lambda i: (-float(sims[i]), i))
    return [ExpertMatch(experts[i].expert_response_id, experts[i].scenario_id, experts[i].text,
                        experts[i].strategy, float(sims[i])) for i in ranked]


@dataclass(frozen=True)
class PreparedResponse:
    """A response cleaned, embedded and matched: everything scoring reads, before judging."""

    raw: str
    text: str
    flags: list[str]
    embedded: EmbeddedResponse
    matches: list[ExpertMatch]


def prepare_response(embedder: Embedder, response: str, facts: ScenarioFacts,
                     experts: list[ExpertMatch]) -> PreparedResponse:
    """Clean, embed once and rank the scenario's experts in memory (no database)."""
    text, flags = scoring_text(response, facts)
    embedded = embed_response(embedder, text)
    matches = []
    if text and experts:
        expert_vectors = SCENARIO_VECTORS.expert_vectors(embedder, [e.text for e in experts])
        matches = rank_experts(embedded.vector, experts, expert_vectors)
    return PreparedResponse(response, text, flags, embedded, matches)


def score_text(embedder: Embedder, response: str, facts: ScenarioFacts,
               experts: list[ExpertMatch], model: RubricModel | None = None) -> ScoreResult:
    """Score a response without a database: clean, embed once, rank experts, score.

    `experts` are the scenario's expert responses (their similarity fields are ignored); the
    result equals what practicum.practice.score_for_scenario gives for the same scenario.
    """
    p = prepare_response(embedder, response, facts, experts)
    return score_response(p.text, p.matches, facts, p.flags, p.embedded, embedder, p.raw, model)
