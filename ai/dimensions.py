"""Rubric dimensions: what each means, and how each is judged from a response's signals.

Every dimension gets a value from 0 to 1 and one reason a trainee can read. Two kinds of judge:
- Fitted heads (ai/rubric_model.py) give the first four dimensions for the categories they were
  fitted on (student errors): each is the chance that teacher educators would say `Yes`.
- Rule detectors (ai/detectors.py) on the cues of shared/PEDAGOGY.md §3 and the alignment
  signals give the other categories' values, and feelings and tone everywhere: 0, 0.5 or 1.
A response that simply gives the answer away is capped on "guides without giving the answer"
whichever judge scored it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ai import cues
from ai.detectors import (  # noqa: F401  (ALIGNED, content_words, reveals_answer: re-exported)
    ALIGNED,
    DETECTORS,
    Evidence,
    content_words,
    from_head,
    reveals_answer,
)

# What to do next when a dimension is missed: one imperative a trainee can act on.
# Worded so the tiny default model rephrases them faithfully: a tip starting "Name …" was
# read as the noun and turned into "try not to respond with a name" (tests/integration checks).
TIPS = {
    "recognises_issue": "Repeat back what the student said or did before you respond",
    "specific": "Point to the exact step, word or behaviour you mean",
    "guides_not_tells": "Ask a question or give a hint so the student does the thinking",
    "next_step": "Give the student one concrete thing to do now",
    "acknowledges_feelings": "Acknowledge calmly how the student feels",
    "tone": "Keep your words calm, warm and respectful",
}

DIMENSIONS = {
    "recognises_issue": "Recognises the issue",
    "specific": "Addresses it specifically",
    "guides_not_tells": "Guides without giving the answer",
    "next_step": "Gives an actionable next step",
    "acknowledges_feelings": "Acknowledges feelings or perspective",
    "tone": "Respectful, encouraging tone",
}

# Weights by category (PEDAGOGY.md §4, folded onto these six dimensions; 0 = not scored).
CATEGORY_WEIGHTS = {
    "misconception": {
        "recognises_issue": 3,
        "specific": 3,
        "guides_not_tells": 3,
        "next_step": 3,
        "acknowledges_feelings": 1,
        "tone": 2,
    },
    "questioning": {
        "recognises_issue": 2,
        "specific": 1,
        "guides_not_tells": 3,
        "next_step": 2,
        "acknowledges_feelings": 2,
        "tone": 2,
    },
    "low-level-disruption": {
        "recognises_issue": 2,
        "specific": 2,
        "guides_not_tells": 0,
        "next_step": 3,
        "acknowledges_feelings": 1,
        "tone": 2,
    },
    "defiance": {
        "recognises_issue": 2,
        "specific": 1,
        "guides_not_tells": 0,
        "next_step": 2,
        "acknowledges_feelings": 3,
        "tone": 3,
    },
    "peer-conflict": {
        "recognises_issue": 3,
        "specific": 2,
        "guides_not_tells": 1,
        "next_step": 2,
        "acknowledges_feelings": 2,
        "tone": 2,
    },
    "mindset": {
        "recognises_issue": 2,
        "specific": 1,
        "guides_not_tells": 2,
        "next_step": 2,
        "acknowledges_feelings": 3,
        "tone": 3,
    },
    "identity-belonging": {
        "recognises_issue": 2,
        "specific": 1,
        "guides_not_tells": 1,
        "next_step": 1,
        "acknowledges_feelings": 3,
        "tone": 3,
    },
    "feedback-integrity": {
        "recognises_issue": 2,
        "specific": 3,
        "guides_not_tells": 2,
        "next_step": 3,
        "acknowledges_feelings": 2,
        "tone": 2,
    },
    "family-communication": {
        "recognises_issue": 3,
        "specific": 2,
        "guides_not_tells": 0,
        "next_step": 3,
        "acknowledges_feelings": 3,
        "tone": 3,
    },
    "wellbeing-disclosure": {
        "recognises_issue": 3,
        "specific": 0,
        "guides_not_tells": 0,
        "next_step": 2,
        "acknowledges_feelings": 3,
        "tone": 3,
    },
}
EQUAL_WEIGHTS = dict.fromkeys(DIMENSIONS, 1)
REVEAL_CAP = 0.4


@dataclass(frozen=True)
class ScenarioFacts:
    """What the scorer needs to know about a scenario."""

    key: str
    category: str
    context: str
    opening_line: str
    student_name: str
    key_moves: tuple[str, ...] = ()
    dimension_weights: dict[str, float] = field(default_factory=dict)

    def weights(self) -> dict[str, float]:
        """Return the dimension weights: the category's, then the scenario's overrides."""
        weights = dict(CATEGORY_WEIGHTS.get(self.category, EQUAL_WEIGHTS))
        weights.update(self.dimension_weights or {})
        return weights


@dataclass(frozen=True)
class DimensionResult:
    """One rubric dimension's result for one response."""

    key: str
    value: float
    reason: str
    weight: float = 1.0
    evidence: str = ""  # the trainee's sentence that shows it (ai/evidence.py), when met or partly

    @property
    def tip(self) -> str:
        """Return what to do next when this dimension is missed."""
        return TIPS[self.key]

    @property
    def label(self) -> str:
        """Return the dimension's name in words."""
        return DIMENSIONS[self.key]

    def as_dict(self) -> dict:
        """Return the JSON form stored with an attempt."""
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "level": level_word(self.value),
            "reason": self.reason,
            "weight": self.weight,
            "evidence": self.evidence,
        }


def level_word(value: float) -> str:
    """Return met / partly / missed for a dimension value."""
    return "met" if value >= 0.75 else "partly" if value >= 0.25 else "missed"


def weighted_mean(dimensions: list[DimensionResult]) -> float:
    """Return the weighted mean of dimension values (0 when nothing is weighted)."""
    total = sum(d.weight for d in dimensions)
    return sum(d.value * d.weight for d in dimensions) / total if total else 0.0


def nothing_to_judge(facts: ScenarioFacts) -> list[DimensionResult]:
    """Every scored dimension missed: the response has too little in it to judge."""
    reason = "There is too little here to judge; write what you would say to the student."
    return [
        DimensionResult(key, 0.0, reason, float(weight))
        for key, weight in ((k, facts.weights().get(k, 1)) for k in DETECTORS)
        if weight > 0
    ]


def assess_dimensions(
    text: str,
    facts: ScenarioFacts,
    signals: dict[str, float],
    heads: dict[str, float] | None = None,
    best_move: str = "",
) -> list[DimensionResult]:
    """Judge every scored dimension of a cleaned response.

    `heads` holds the fitted heads' probabilities where they apply to the scenario's category;
    `best_move` is the key move the response makes most clearly, if any.
    """
    evidence = Evidence(text, cues.normalise(text), facts, signals, best_move)
    weights = facts.weights()
    results = []
    for key, detect in DETECTORS.items():
        weight = float(weights.get(key, 1))
        if weight <= 0:
            continue
        if heads and key in heads:
            value, reason = from_head(key, heads[key], evidence)
        else:
            value, reason = detect(evidence)
        if key == "guides_not_tells" and evidence.reveals_answer():
            value = min(value, REVEAL_CAP)
            reason = DETECTORS[key](evidence)[1]
        results.append(DimensionResult(key, value, reason, weight))
    return results
