"""Turn a trainee's response into a 0–100 score, a band and six explained rubric dimensions.

How a score is made (scorer version in SCORER_VERSION; every attempt records it):
1. Clean (ai/sanitize.py). Removed: instructions aimed at the model, fake chat or system tags,
   JSON that claims a score, repeated sentences and words, sentences copied from the scenario,
   keyword lists and filler-only sentences. What is removed never counts, so adding it can
   never raise a score; instructions to the model also cost INJECTION_PENALTY points.
2. Embed once (ai/signals.py). The cleaned response's sentences are embedded in one batch call
   (all-MiniLM-L6-v2); the response vector is their normalised mean (a one-sentence response is
   embedded as it is). The scenario's key moves, expert sentences, opening line and context are
   embedded on first use and cached in-process by content hash.
3. Signals (ai/signals.py): similarity to every expert response (best and mean; exact pgvector
   ranking); alignment of the response's sentences with the expert moves (key moves and expert
   sentences: coverage and precision); similarity to the student's line and to the context; and
   lexical cues of teacher moves (ai/cues.py): flagging an error, hinting, asking, telling,
   explaining, pointing at a location, next-step verbs, praise that treats the answer as right;
   and maths-aware structure: whether the last sentence is a question, whether the response
   ends on a statement with a number in it, how many arithmetic steps ("6 x 2") it writes, and
   how many numbers it shares with the step of the student's working that the expert responses
   address (the step sharing most numbers and words with them). The cue families ignore
   quotation marks, so a response wrapped in quotes reads like any other.
4. Dimensions (ai/dimensions.py), each a value from 0 to 1 with a reason: recognises the issue,
   addresses it specifically, guides without giving the answer, gives an actionable next step,
   acknowledges feelings or perspective, tone. For student-error scenarios (the categories in
   ai/rubric_model.json) the first four are logistic heads fitted on MRBench's expert labels,
   shipped as weights (ai/rubric_model.py); elsewhere, and for feelings and tone everywhere,
   rule detectors on the cues of shared/PEDAGOGY.md decide (0, 0.5 or 1). A response that gives
   the answer away gets at most REVEAL_CAP on "guides without giving the answer". Fewer than
   MIN_SUBSTANCE_WORDS words left after cleaning: every dimension is missed. Each met or partly
   met dimension quotes the sentence of the cleaned response that shows it (ai/evidence.py).
5. Combine. mean = weighted mean of the dimension values (category weights, then the
   scenario's `dimension_weights`). rubric points: with the blend of the judge (BLENDS: fitted
   heads or rules) the mean is stretched from the blend's floor (0 points) to its ceiling
   (100). Where the scenario has two or more expert responses, the expert reference
   (ai/reference.py: the median mean its own experts reach, each judged against the others)
   moves the anchor of EXPERT_POINTS (85) REFERENCE_WEIGHT (3/4) of the way from where the
   plain stretch puts it; floor 0, anchor 85, a perfect mean 100, linear in between.
   match points: 0.5 × best + 0.2 × mean similarity + 0.3 × coverage, stretched from SIM_FLOOR
   to SIM_CEILING. score = round(share × match + (1 − share) × rubric), share 0.10 for the
   fitted heads (they already read similarity) and 0.30 for the rules.
   Caps: NO_SUBSTANCE_CAP when fewer than MIN_SUBSTANCE_WORDS words are left; at most
   REVEAL_SCORE_CAP (59, Developing) when the response gives the answer away and the scenario
   weighs "guides without giving the answer" REVEAL_GATE_WEIGHT or more.
   Every step is deterministic: the same text and scenario version give the same score.
6. Bands (ai/bands.py): 0–39 Needs work, 40–59 Developing, 60–79 Proficient, 80–100 Exemplary.
The language model never changes a score; it only rephrases the next-step tip (ai/feedback.py).
Agreement with expert judgement is measured by `make eval` (bench/evaluate.py): ROC AUC of the
score against MRBench's labels, with a held-out (cross-validated) figure and the raw-similarity
baseline.
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
    reveals_answer,
    weighted_mean,
)
from ai.evidence import with_evidence
from ai.reference import expert_reference
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

SCORER_VERSION = "signals-rubric-3"
SIM_FLOOR, SIM_CEILING = 0.15, 0.70


@dataclass(frozen=True)
class Blend:
    """How dimensions and similarity combine for one kind of judge."""

    similarity_share: float
    rubric_floor: float
    rubric_ceiling: float


# The fitted heads already read similarity, and their probabilities sit between the base rates
# of the labels, so they are stretched more. The rules' floor sits above 0 because a neutral
# tone alone earns a rule mean of about 0.1 to 0.2.
BLENDS = {"fitted": Blend(0.10, 0.30, 0.90), "rules": Blend(0.30, 0.20, 1.0)}
MIN_SUBSTANCE_WORDS = 4
NO_SUBSTANCE_CAP = 15
INJECTION_PENALTY = 10
EXPERT_POINTS = 85
MIN_REFERENCE_GAP = 0.2
REFERENCE_WEIGHT = 0.75
REVEAL_SCORE_CAP = 59
REVEAL_GATE_WEIGHT = 2


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


def rubric_points(
    dimensions: list[DimensionResult], blend: Blend = BLENDS["rules"], reference: float | None = None
) -> float:
    """Return the weighted mean of the dimension values as 0–100 points.

    Without a reference the mean is stretched from the blend's floor to its ceiling. With the
    scenario's expert reference (ai/reference.py), the floor gives 0, the reference gives
    EXPERT_POINTS and a perfect mean gives 100, linearly in between.
    """
    mean = weighted_mean(dimensions)
    if reference is None:
        return _stretch(mean, blend.rubric_floor, blend.rubric_ceiling)
    floor = blend.rubric_floor
    # Move the anchor only part of the way from where the default stretch puts EXPERT_POINTS:
    # a scenario's few experts are a noisy measure of what expert looks like to the detectors.
    default = floor + EXPERT_POINTS / 100 * (blend.rubric_ceiling - floor)
    reference = default + REFERENCE_WEIGHT * (reference - default)
    reference = float(np.clip(reference, floor + MIN_REFERENCE_GAP, 0.95))
    if mean <= reference:
        return float(max(0.0, EXPERT_POINTS * (mean - floor) / (reference - floor)))
    return float(min(100.0, EXPERT_POINTS + (100 - EXPERT_POINTS) * (mean - reference) / (1 - reference)))


def combine(
    dimensions: list[DimensionResult],
    similarities: list[float],
    coverage: float,
    words: int,
    flags,
    fitted: bool = False,
    reference: float | None = None,
) -> int:
    """Combine dimensions and similarity into the 0–100 score (step 5 of the docstring)."""
    blend = BLENDS["fitted" if fitted else "rules"]
    points = blend.similarity_share * similarity_points(similarities, coverage) + (
        1 - blend.similarity_share
    ) * rubric_points(dimensions, blend, reference)
    if words < MIN_SUBSTANCE_WORDS:
        points = min(points, NO_SUBSTANCE_CAP)
    if "instructions_to_the_model" in flags:
        points -= INJECTION_PENALTY
    return int(round(float(np.clip(points, 0, 100))))


def scoring_text(response: str, facts: ScenarioFacts) -> tuple[str, list[str]]:
    """Return the part of a response that may count, and the gaming flags raised."""
    cleaned = sanitize_response(response, [facts.context, facts.opening_line])
    return cleaned.text, cleaned.flags


def score_response(
    text: str,
    matches: list[ExpertMatch],
    facts: ScenarioFacts,
    flags=(),
    embedded: EmbeddedResponse | None = None,
    embedder: Embedder | None = None,
    raw_text: str | None = None,
    model: RubricModel | None = None,
) -> ScoreResult:
    """Score cleaned response text given its similarities to the scenario's expert responses.

    With the embedder and the response's embedding, every signal is used; without them (old
    callers) only similarity and the rule detectors are. `model` replaces the shipped rubric
    model (bench/evaluate.py passes each cross-validation fold's own).
    """
    similarities = [m.similarity for m in matches]
    full = embedded is not None and embedder is not None
    if full:
        scenario = SCENARIO_VECTORS.get(
            embedder, facts.key_moves, [m.text for m in matches], facts.opening_line, facts.context
        )
        signals = response_features(
            text, raw_text or text, similarities, embedded, scenario, facts.context, facts.opening_line
        )
        best_move = best_key_move(embedded, scenario, ALIGNED)
    else:
        signals = {"sim_best": max(similarities, default=0.0)}
        best_move, scenario = "", None
    model = model or shipped_model()
    reference = expert_reference(scenario, facts, model) if scenario else None
    heads = model.predict(signals) if full and model.applies_to(facts.category) else None
    words = len(text.split())
    if words < MIN_SUBSTANCE_WORDS:
        dimensions = nothing_to_judge(facts)
    else:
        dimensions = assess_dimensions(text, facts, signals, heads, best_move)
        if full:
            dimensions = with_evidence(dimensions, embedded, scenario, facts)
    score = combine(
        dimensions,
        similarities,
        signals.get("align_coverage"),
        words,
        flags,
        fitted=heads is not None,
        reference=reference,
    )
    if reveals_answer(signals) and facts.weights().get("guides_not_tells", 0) >= REVEAL_GATE_WEIGHT:
        score = min(score, REVEAL_SCORE_CAP)
    best = max(similarities, default=0.0)
    return ScoreResult(
        score,
        band_for(score),
        best,
        dimensions,
        matches,
        list(flags),
        signals={k: float(v) for k, v in signals.items()},
    )


def rank_experts(
    vector: np.ndarray, experts: list[ExpertMatch], expert_vectors: np.ndarray
) -> list[ExpertMatch]:
    """Rank expert responses by cosine similarity in memory, as the pgvector search does."""
    sims = expert_vectors @ vector if len(experts) else np.zeros(0)
    ranked = sorted(range(len(experts)), key=lambda i: (-float(sims[i]), i))
    return [
        ExpertMatch(
            experts[i].expert_response_id,
            experts[i].scenario_id,
            experts[i].text,
            experts[i].strategy,
            float(sims[i]),
        )
        for i in ranked
    ]


@dataclass(frozen=True)
class PreparedResponse:
    """A response cleaned, embedded and matched: everything scoring reads, before judging."""

    raw: str
    text: str
    flags: list[str]
    embedded: EmbeddedResponse
    matches: list[ExpertMatch]


def prepare_response(
    embedder: Embedder, response: str, facts: ScenarioFacts, experts: list[ExpertMatch]
) -> PreparedResponse:
    """Clean, embed once and rank the scenario's experts in memory (no database)."""
    text, flags = scoring_text(response, facts)
    embedded = embed_response(embedder, text)
    matches = []
    if text and experts:
        expert_vectors = SCENARIO_VECTORS.expert_vectors(embedder, [e.text for e in experts])
        matches = rank_experts(embedded.vector, experts, expert_vectors)
    return PreparedResponse(response, text, flags, embedded, matches)


def score_text(
    embedder: Embedder,
    response: str,
    facts: ScenarioFacts,
    experts: list[ExpertMatch],
    model: RubricModel | None = None,
) -> ScoreResult:
    """Score a response without a database: clean, embed once, rank experts, score.

    `experts` are the scenario's expert responses (their similarity fields are ignored); the
    result equals what practicum.practice.score_for_scenario gives for the same scenario.
    """
    p = prepare_response(embedder, response, facts, experts)
    return score_response(p.text, p.matches, facts, p.flags, p.embedded, embedder, p.raw, model)
