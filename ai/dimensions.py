"""Rubric dimensions of one answer: value, level, a reason in words, and the evidence sentence.

Stage 5 of the scorer. The eight dimensions and their category weights are shared/PEDAGOGY.md
§3–4 (ai/rubric.py); the judge's heads (ai/judge.py) give each a value from 0 to 1. Reasons and
tips are data (ai/rubric_text.yaml), worded for the kind of moment (learning, behaviour, harm,
belonging, care, family), so a behaviour moment never gets a maths tip and a newcomer answering
in Spanish is never told about "the hurt student". A dimension weighted 0 for the scenario's
category is not shown.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ai.features import Pitfall
from ai.rubric import DIMENSIONS as RUBRIC
from ai.rubric import category_weights

DIMENSIONS = {key: label for key, (_, label) in RUBRIC.items()}
TEXT_PATH = Path(__file__).with_name("rubric_text.yaml")
GROUPS = {
    "misconception": "learning",
    "questioning": "learning",
    "mindset": "learning",
    "feedback-integrity": "learning",
    "low-level-disruption": "behaviour",
    "defiance": "behaviour",
    "peer-conflict": "harm",
    "identity-belonging": "belonging",
    "wellbeing-disclosure": "care",
    "family-communication": "family",
}
# A tip about language fits only a moment about language: a walk-through on 2026-12-07 told a
# trainee to "offer an interpreter" to Mr Adebayo, who had written a fluent email about a grade,
# and to ask Ravi, caught copying homework, to explain it "in any language they like".
LANGUAGE_TIP = re.compile(r"\b(interpreter|translated|another language|any language)\b", re.IGNORECASE)
LANGUAGE_MOMENT = re.compile(
    r"\b(home language|first language|learning english|new to english|in english|(little|some|no) english"
    r"|interpreter|translat\w*|bilingual)\b",
    re.IGNORECASE,
)
SAYS_LANGUAGE = re.compile(r"\b(english|language|accent)\b", re.IGNORECASE)
MET, PARTLY = 0.7, 0.35  # value thresholds of the levels
TITLES = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"}


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
    pitfalls: tuple[Pitfall, ...] = ()
    # The conversation before this moment, one "Name: words" line per turn (beats only).
    conversation: tuple[str, ...] = ()

    def weights(self) -> dict[str, float]:
        """Return the dimension weights: the category's, then the scenario's own overrides."""
        weights = category_weights(self.category)
        weights.update({k: float(v) for k, v in (self.dimension_weights or {}).items() if k in weights})
        return weights

    @property
    def group(self) -> str:
        """The kind of moment, which picks how reasons and tips are worded."""
        return GROUPS.get(self.category, "learning")

    @property
    def first_name(self) -> str:
        """The student's name as a reason or tip uses it.

        In a family moment the trainee talks to the parent (the scenario's "student" is
        "Mr Haddad (parent)"), and the texts speak of the child: "their child".
        """
        if self.group == "family":
            return "their child"
        words = re.sub(r"\(.*?\)", "", self.student_name or "").split() or ["the student"]
        return " ".join(words[:2]) if words[0].rstrip(".") in TITLES and len(words) > 1 else words[0]


@dataclass(frozen=True)
class DimensionResult:
    """One rubric dimension's result for one response."""

    key: str
    value: float
    reason: str
    weight: float = 1.0
    evidence: str = ""  # the trainee's sentence that shows it, when met or partly met

    @property
    def label(self) -> str:
        """Return the dimension's name in words."""
        return DIMENSIONS[self.key]

    @property
    def level(self) -> str:
        """Return met, partly or missed."""
        return level_word(self.value)

    def as_dict(self) -> dict:
        """Return the JSON form stored with an attempt."""
        return {
            "key": self.key,
            "label": self.label,
            "value": round(self.value, 4),
            "level": self.level,
            "reason": self.reason,
            "weight": self.weight,
            "evidence": self.evidence,
        }


def level_word(value: float) -> str:
    """Return met / partly / missed for a dimension value."""
    return "met" if value >= MET else "partly" if value >= PARTLY else "missed"


def weighted_mean(dimensions: list[DimensionResult]) -> float:
    """Return the weighted mean of dimension values (0 when nothing is weighted)."""
    total = sum(d.weight for d in dimensions)
    return sum(d.value * d.weight for d in dimensions) / total if total else 0.0


@cache
def rubric_text() -> dict:
    """Return the reasons and tips (read once)."""
    return yaml.safe_load(TEXT_PATH.read_text(encoding="utf-8"))


def reason_for(key: str, level: str, facts: ScenarioFacts) -> str:
    """Return the reason a trainee reads for one dimension at one level in this moment."""
    return rubric_text()["reasons"][key][level][facts.group].format(name=facts.first_name)


def tips_for(key: str, facts: ScenarioFacts) -> list[str]:
    """Return the ways of saying what to do next on one dimension in this moment."""
    return [
        tip.format(name=facts.first_name)
        for tip in fitting_language(rubric_text()["tips"][key][facts.group], facts)
    ]


def fitting_language(tips: list[str], facts: ScenarioFacts, said: str = "") -> list[str]:
    """Keep the tips about language only where the moment, or what the trainee said, is about language."""
    moment = " ".join((facts.context, facts.opening_line, *facts.conversation))
    if LANGUAGE_MOMENT.search(moment) or SAYS_LANGUAGE.search(said):
        return list(tips)
    return [tip for tip in tips if not LANGUAGE_TIP.search(tip)]


def pick(options: list[str], seed: str) -> str:
    """Choose one of several wordings, the same one every time for the same answer."""
    return options[zlib.crc32(seed.encode()) % len(options)] if options else ""


def judged_dimensions(values: dict[str, float], facts: ScenarioFacts) -> list[DimensionResult]:
    """Turn the judge's values into results for every dimension the moment weighs."""
    results = []
    for key, weight in facts.weights().items():
        if weight > 0:
            value = values.get(key, 0.0)
            results.append(
                DimensionResult(key, value, reason_for(key, level_word(value), facts), float(weight))
            )
    return results


def nothing_to_judge(facts: ScenarioFacts) -> list[DimensionResult]:
    """Every weighted dimension missed: the response has too little in it to judge."""
    too_little = rubric_text()["too_little"]

    def reason(key: str) -> str:
        if key in too_little:
            return too_little[key].format(name=facts.first_name)
        return reason_for(key, "missed", facts)

    return [DimensionResult(key, 0.0, reason(key), float(w)) for key, w in facts.weights().items() if w > 0]
