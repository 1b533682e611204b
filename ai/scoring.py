"""Turn a trainee's answer into a 0–100 score, a band and the rubric's dimensions, explained.

The scorer is a pipeline; each stage is a module with one entry point:
1. Clean (ai/sanitize.py): instructions to the model, fake tags, score JSON, repeats, copied
   scenario text, keyword lists and filler are removed and never count; an instruction to the
   model also costs INJECTION_PENALTY points.
2. Embed (ai/signals.py): the cleaned answer's sentences in one MiniLM batch; the answer vector
   is their normalised mean.
3. Retrieve and contrast (ai/signals.py, ai/features.py): similarity to each expert response,
   to the scenario's pitfalls and to the red-line bank's phrasings; move cues; the maths-tutoring
   heads fitted on MRBench (ai/rubric_model.py) as four more features.
4. Judge (ai/judge.py): models fitted on the graded classroom set read those features and the
   answer's vector together: a 0–4 grade, a value for each of the eight dimensions, a red-line
   probability for every sentence and one for the whole answer.
5. Dimensions and evidence (ai/dimensions.py, ai/evidence.py): each dimension the category
   weighs gets a level, a reason for this kind of moment and, when met, the sentence showing it.
   A maths-tutoring transcript (MRBench's form) is scored by the tutoring heads instead
   (`is_tutoring_transcript`): the judge was fitted on classroom scenes and does not transfer.
6. Red lines (ai/red_lines.py): a sentence the classifier or an unmistakable wording marks as a
   red line caps the score at RED_LINE_CAP (Needs work); the dimension it breaks is missed, and
   the red line is named with the sentence and the reason. Where the answer-level classifier is
   sure the answer holds one, a sentence needs only FLAGGED_ANSWER_SENTENCE_ODDS, and need not
   be closer to the bank than to sound words. In a tutoring transcript a sentence counts only by
   its wording or the classifier's sure threshold: its thresholds were set on classroom answers.
score = GRADE_BASE + GRADE_POINTS × grade (grade 4 → 90, 0 → 10), clipped to 0–100, then the
caps: NO_SUBSTANCE_CAP under MIN_SUBSTANCE_WORDS words, RED_LINE_CAP for a red line. Where a
trainer has graded answers to this scenario (practicum/calibration.py), the nearest of them pull
the score towards theirs. Every step is deterministic. Bands (ai/bands.py): 0–39 Needs work,
40–59 Developing, 60–79 Proficient, 80–100 Exemplary. The language model never changes a score.
Agreement with teacher educators is measured by `make eval` (bench/evaluate_graded.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from ai.bands import band_for
from ai.cues import SAYS_WHO_WILL_BE_TOLD
from ai.dimensions import (
    MET,
    DimensionResult,
    ScenarioFacts,
    judged_dimensions,
    nothing_to_judge,
    reason_for,
)
from ai.evidence import RedLineHit, find_red_lines, with_evidence
from ai.features import contrast_features, contrast_for, moment_features
from ai.judge import Judge, shipped_judge
from ai.rubric_model import RubricModel, shipped_model
from ai.sanitize import Sanitized, sanitize_response
from ai.signals import MAX_SENTENCES, SCENARIO_VECTORS, EmbeddedResponse, embed_response, response_features
from embeddings.embedder import Embedder
from embeddings.search import ExpertMatch

SCORER_VERSION = "judge-22"  # the pipeline's version; attempts record it with the judge's
GRADE_BASE, GRADE_POINTS = 10.0, 20.0
MIN_SUBSTANCE_WORDS = 4
NO_SUBSTANCE_CAP = 15
INJECTION_PENALTY = 10
RED_LINE_CAP = 39
COPY_SIMILARITY = 0.97
# A sentence's red-line odds that suffice once the whole answer reads as harmful: the answer-level
# classifier sees the moment (its pitfalls, its experts), a sentence alone does not. It has also
# weighed the answer's closeness to sound words, so the sentence is not checked for it again.
# Held out by scenario with judge-14 (sentence threshold 0.68): at 0.6, 217 of 467 red-line answers
# caught and 17 of 527 good answers flagged; at 0.5, 225 and 22; at 0.65, 210 and 15; without
# the lowering, 203 and 14.
FLAGGED_ANSWER_SENTENCE_ODDS = 0.6


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
    red_lines: list[RedLineHit] = field(default_factory=list)
    grade: float = 0.0
    text: str = ""  # the cleaned answer the verdicts are about

    @property
    def copied(self) -> bool:
        """Whether the answer copies one of the scenario's expert responses."""
        return "copied_expert" in self.flags

    def dimension_dicts(self) -> list[dict]:
        """Return the dimensions in their stored JSON form."""
        return [d.as_dict() for d in self.dimensions]

    def red_line_dicts(self) -> list[dict]:
        """Return the red lines crossed, in their stored JSON form."""
        return [hit.as_dict() for hit in self.red_lines]


# A moment whose context is a tutoring transcript ("Tutor: … Student: …", MRBench's form) is
# scored by the heads fitted on 865 such responses (ai/rubric_model.py); the classroom judge,
# fitted on scenes and one student line, ranks them barely above chance (make eval: 0.57).
TRANSCRIPT_TURN = re.compile(r"^\s*(tutor|student|teacher)\s*:", re.IGNORECASE | re.MULTILINE)
HEADS_FLOOR, HEADS_CEILING = 0.05, 0.95


def is_tutoring_transcript(facts: ScenarioFacts) -> bool:
    """Tell whether the moment is a maths-tutoring transcript rather than a classroom scene."""
    return len(TRANSCRIPT_TURN.findall(facts.context)) >= 2


def tutoring_values(features: dict[str, float]) -> dict[str, float]:
    """The dimensions the tutoring heads answer: diagnosis, ownership and the next step."""
    return {
        "diagnosis": (features["mr:recognises_issue"] + features["mr:specific"]) / 2,
        "ownership": features["mr:guides_not_tells"],
        "next_step": features["mr:next_step"],
    }


def tutoring_points(features: dict[str, float]) -> float:
    """Map the tutoring heads' mean probability onto 0–100 points."""
    mean = (
        sum(features[f"mr:{k}"] for k in ("recognises_issue", "specific", "guides_not_tells", "next_step"))
        / 4
    )
    return float(np.clip((mean - HEADS_FLOOR) / (HEADS_CEILING - HEADS_FLOOR), 0, 1) * 100)


def grade_points(grade: float) -> float:
    """Map a 0–4 grade onto 0–100 points (each grade in the middle of its band)."""
    return float(np.clip(GRADE_BASE + GRADE_POINTS * grade, 0.0, 100.0))


def scoring_text(response: str, facts: ScenarioFacts, expert_texts=()) -> Sanitized:
    """Return the response cleaned: the part that may count, the flags raised, what was said.

    At most MAX_SENTENCES removed sentences are kept as said, as of the answer's own, so an
    answer of a thousand fillers costs no more to check for red lines.
    """
    cleaned = sanitize_response(response, [facts.context, facts.opening_line], list(expert_texts))
    return replace(cleaned, spoken=cleaned.spoken[:MAX_SENTENCES])


@dataclass(frozen=True)
class Reading:
    """What the judge read of one answer: its features, its row, the sentences' red-line odds."""

    features: dict[str, float]
    row: np.ndarray
    red_line_odds: np.ndarray
    sound: np.ndarray  # the scenario's key moves and expert sentences, embedded
    centre: np.ndarray  # the moment's expert responses' centre, which the red-line classifier reads


def read_answer(
    text: str,
    raw_text: str,
    matches: list[ExpertMatch],
    facts: ScenarioFacts,
    embedded: EmbeddedResponse,
    embedder: Embedder,
    judge: Judge,
    model: RubricModel | None = None,
):
    """Compute every feature of one answer to one moment (stages 3 and 4's input)."""
    similarities = [m.similarity for m in matches]
    scenario = SCENARIO_VECTORS.get(
        embedder, facts.key_moves, [m.text for m in matches], facts.opening_line, facts.context
    )
    signals = response_features(
        text, raw_text, similarities, embedded, scenario, facts.context, facts.opening_line
    )
    signals.update({f"mr:{k}": v for k, v in (model or shipped_model()).predict(signals).items()})
    contrast = contrast_for(embedder, facts.pitfalls)
    features = moment_features(signals, contrast_features(embedded, contrast), facts.category, text)
    centre = scenario.centre
    odds = judge.red_line_probabilities(embedded.sentences, embedded.sentence_vectors, centre)
    features["red_line_odds"] = float(odds.max()) if len(odds) else 0.0
    row = judge.row(features, embedded.vector, embedded.sentence_vectors)
    return Reading(features, row, odds, scenario.move_vectors, centre), contrast


def score_response(
    text: str,
    matches: list[ExpertMatch],
    facts: ScenarioFacts,
    flags,
    embedded: EmbeddedResponse,
    embedder: Embedder,
    raw_text: str | None = None,
    model: RubricModel | None = None,
    judge: Judge | None = None,
    calibrate=None,
    spoken: list[str] | tuple[str, ...] = (),
) -> ScoreResult:
    """Score cleaned answer text given its expert matches (stages 3–6 of the docstring).

    `model` and `judge` replace the shipped ones (bench/ passes each cross-validation fold's
    own); `calibrate(points, vector)` returns the points after a trainer's graded answers
    (practicum/calibration.py) have had their say. `spoken` holds the sentences the cleaner
    removed that were still said to the student: they are read for red lines only.
    """
    judge = judge or shipped_judge()
    flags = list(flags)
    best = max((m.similarity for m in matches), default=0.0)
    # Every feature reads the cleaned text only: removed content can never move a score.
    reading, contrast = read_answer(text, text, matches, facts, embedded, embedder, judge, model)
    tutoring = is_tutoring_transcript(facts)  # the judge's classroom parts step aside below
    threshold, sure = judge.red_line_threshold, judge.red_line_sure_threshold
    if tutoring:
        # The red-line thresholds were set on classroom answers; a tutor correcting a maths step
        # ("that's not correct, because ...") reaches the lower one (23 of 865 MRBench responses
        # flagged), so there a sentence counts only by its wording or the sure threshold.
        threshold = sure
    elif judge.answer_red_line_probability(reading.row) >= judge.answer_red_line_threshold:
        threshold = sure = min(threshold, FLAGGED_ANSWER_SENTENCE_ODDS)
    said, odds = _with_spoken(embedded, reading, spoken, embedder, judge)
    hits = find_red_lines(
        said,
        odds,
        threshold,
        contrast,
        reading.sound,
        judge.red_line_names,
        sure,
        facts.category,
    )
    grade = judge.predict_grade(reading.row)
    points = grade_points(grade)
    values = judge.predict_dimensions(reading.row)
    if tutoring:
        points, values = tutoring_points(reading.features), {**values, **tutoring_values(reading.features)}
    if calibrate is not None:
        points = calibrate(points, embedded.vector)
    dimensions = _said_who_will_be_told(judged_dimensions(values, facts), text, facts)
    if len(text.split()) < MIN_SUBSTANCE_WORDS:  # too little to judge, but a red line still counts
        dimensions, grade = nothing_to_judge(facts), 0.0
        points = min(grade_points(0.0), NO_SUBSTANCE_CAP)
    if hits:
        points = min(points, RED_LINE_CAP)
        flags.append("red_line")
        dimensions = _broken_by(dimensions, hits)
    dimensions = with_evidence(dimensions, embedded, judge, hits)
    if "instructions_to_the_model" in flags:
        points -= INJECTION_PENALTY
    if best >= COPY_SIMILARITY and "copied_expert" not in flags:
        flags.append("copied_expert")
    result = _result(text, points, best, dimensions, matches, flags, reading.features, hits, grade)
    result.scorer_version = f"{SCORER_VERSION}+{judge.version}"[:40]  # a refit is a new version
    return result


def _with_spoken(embedded: EmbeddedResponse, reading: Reading, spoken, embedder: Embedder, judge: Judge):
    """Add the removed sentences still said to the student, and their odds, for the red-line check.

    Removed content never counts for a score, but what a trainee said to the student can still
    hurt: "Oh, very important, I'm sure." is no substance and a put-down.
    """
    if not spoken:
        return embedded, reading.red_line_odds
    spoken = list(spoken)
    vectors = np.asarray(embedder.embed_batch(spoken), dtype=np.float32)
    spoken_odds = judge.red_line_probabilities(spoken, vectors, reading.centre)
    return (
        replace(
            embedded,
            sentences=(*embedded.sentences, *spoken),
            sentence_vectors=np.vstack([embedded.sentence_vectors, vectors]),
        ),
        np.concatenate([reading.red_line_odds, spoken_odds]),
    )


# In a safeguarding moment these dimensions' reasons say whether the answer named who will be
# told ("did not yet say who you will tell to keep Arjun safe"). The heads read that from the
# whole answer, so a harmful sentence elsewhere could deny it to "I'm going to speak to Ms Duarte
# today" (a walk-through, 2026-12-08). Where the words say it, the educators marked next step met
# in 26 of 33 graded answers (partly in the rest) and safe procedure met in 20, partly in 7 and
# missed only where a red line broke it; held out by scenario, raising both to met where the
# words say it gave 10 more verdicts agreeing (of 9,960), none fewer in any dimension.
TOLD_DIMENSIONS = ("next_step", "proportionality")


def _said_who_will_be_told(dimensions: list[DimensionResult], text: str, facts: ScenarioFacts):
    """Meet the told-dimensions of a safeguarding moment where the answer says who it will tell."""
    if facts.group != "care" or not SAYS_WHO_WILL_BE_TOLD.search(text):
        return dimensions
    return [
        replace(d, value=MET, reason=reason_for(d.key, "met", facts))
        if d.key in TOLD_DIMENSIONS and d.value < MET
        else d
        for d in dimensions
    ]


def _broken_by(dimensions: list[DimensionResult], hits: list[RedLineHit]) -> list[DimensionResult]:
    """Mark the dimension each red line breaks as missed, for the red line's own reason."""
    broken = {hit.dimension: hit for hit in reversed(hits)}
    return [replace(d, value=0.0, reason=broken[d.key].reason) if d.key in broken else d for d in dimensions]


def _result(text, points, best, dimensions, matches, flags, features, hits, grade) -> ScoreResult:
    score = int(round(float(np.clip(points, 0, 100))))
    return ScoreResult(
        score,
        band_for(score),
        best,
        dimensions,
        matches,
        flags,
        signals={k: round(float(v), 6) for k, v in features.items()},
        red_lines=hits,
        grade=grade,
        text=text,
    )


def rank_experts(
    vector: np.ndarray, experts: list[ExpertMatch], expert_vectors: np.ndarray
) -> list[ExpertMatch]:
    """Rank expert responses by cosine similarity in memory, as the pgvector search does."""
    sims = expert_vectors @ vector if len(experts) else np.zeros(0)
    ranked = sorted(range(len(experts)), key=lambda i: (-float(sims[i]), i))
    return [replace(experts[i], similarity=float(sims[i])) for i in ranked]


@dataclass(frozen=True)
class PreparedResponse:
    """A response cleaned, embedded and matched: everything scoring reads, before judging."""

    raw: str
    text: str
    flags: list[str]
    embedded: EmbeddedResponse
    matches: list[ExpertMatch]
    spoken: tuple[str, ...] = ()  # removed sentences still said to the student


def prepare_response(
    embedder: Embedder, response: str, facts: ScenarioFacts, experts: list[ExpertMatch]
) -> PreparedResponse:
    """Clean, embed once and rank the scenario's experts in memory (no database)."""
    cleaned = scoring_text(response, facts, [e.text for e in experts])
    text = cleaned.text
    embedded = embed_response(embedder, text)
    matches = []
    if text and experts:
        expert_vectors = SCENARIO_VECTORS.expert_vectors(embedder, [e.text for e in experts])
        matches = rank_experts(embedded.vector, experts, expert_vectors)
    return PreparedResponse(response, text, cleaned.flags, embedded, matches, tuple(cleaned.spoken))


def score_text(
    embedder: Embedder,
    response: str,
    facts: ScenarioFacts,
    experts: list[ExpertMatch],
    model: RubricModel | None = None,
    judge: Judge | None = None,
) -> ScoreResult:
    """Score a response without a database: clean, embed once, rank experts, score.

    `experts` are the scenario's expert responses (their similarity fields are ignored); the
    result equals what practicum.practice.score_for_scenario gives for the same scenario.
    """
    p = prepare_response(embedder, response, facts, experts)
    return score_response(
        p.text, p.matches, facts, p.flags, p.embedded, embedder, p.raw, model, judge, spoken=p.spoken
    )
