"""Rubric dimensions: what each means, and rules that detect its observable cues.

Each detector returns a value in {0, 0.5, 1} (missed, partly, met) with one readable reason.
The cues come from shared/PEDAGOGY.md §3; the scorer combines them with similarity signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# What to do next when a dimension is missed: one imperative a trainee can act on.
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
    "misconception": {"recognises_issue": 3, "specific": 3, "guides_not_tells": 3,
                      "next_step": 3, "acknowledges_feelings": 1, "tone": 2},
    "questioning": {"recognises_issue": 2, "specific": 1, "guides_not_tells": 3,
                    "next_step": 2, "acknowledges_feelings": 2, "tone": 2},
    "low-level-disruption": {"recognises_issue": 2, "specific": 2, "guides_not_tells": 0,
                             "next_step": 3, "acknowledges_feelings": 1, "tone": 2},
    "defiance": {"recognises_issue": 2, "specific": 1, "guides_not_tells": 0,
                 "next_step": 2, "acknowledges_feelings": 3, "tone": 3},
    "peer-conflict": {"recognises_issue": 3, "specific": 2, "guides_not_tells": 1,
                      "next_step": 2, "acknowledges_feelings": 2, "tone": 2},
    "mindset": {"recognises_issue": 2, "specific": 1, "guides_not_tells": 2,
                "next_step": 2, "acknowledges_feelings": 3, "tone": 3},
    "identity-belonging": {"recognises_issue": 2, "specific": 1, "guides_not_tells": 1,
                           "next_step": 1, "acknowledges_feelings": 3, "tone": 3},
    "feedback-integrity": {"recognises_issue": 2, "specific": 3, "guides_not_tells": 2,
                           "next_step": 3, "acknowledges_feelings": 2, "tone": 2},
    "family-communication": {"recognises_issue": 3, "specific": 2, "guides_not_tells": 0,
                             "next_step": 3, "acknowledges_feelings": 3, "tone": 3},
    "wellbeing-disclosure": {"recognises_issue": 3, "specific": 0, "guides_not_tells": 0,
                             "next_step": 2, "acknowledges_feelings": 3, "tone": 3},
}
EQUAL_WEIGHTS = dict.fromkeys(DIMENSIONS, 1)

WORD = re.compile(r"[a-z0-9']+")
STOPWORDS = frozenset(
    "a an the and or but if so to of in on at for with is are was were be been it its this that "
    "i you he she we they me him her us them my your our their do does did not no yes just "
    "can could would should will what why how when where who which there here have has had".split()
)
FEELING_WORDS = re.compile(
    r"\b(feel\w*|frustrat\w*|upset|angry|annoy\w*|worr\w*|nervous|embarrass\w*|hurt\w*|sad|"
    r"scared|afraid|hard|tough|disappoint\w*|stress\w*|unfair|understand|hear you|"
    r"sounds like|i see|i get it|makes sense|thank you for telling)\b"
)
QUESTION_WORDS = re.compile(
    r"\b(what|how|why|which|can you|could you|walk me through|tell me|show me|explain|"
    r"do you notice|where)\b"
)
TELLING = re.compile(
    r"\b(the (correct |right )?answer is|the solution is|you should have|it should be|"
    r"the correct way is|that's wrong because|actually it'?s)\b"
)
NEXT_STEP = re.compile(
    r"\b(try|start|first|next|now|let'?s|let us|take|write|rewrite|check|look at|read|"
    r"jot|show|work out|come (back|see)|after class|at break|tomorrow|plan|meet|call|"
    r"i'?ll (come|check|talk|speak|call|share|walk|sit|meet))\b"
)
VAGUE = re.compile(r"\b(try again|do better|fix it|be better|try harder|figure it out)\b")
HARSH = re.compile(
    r"\b(stupid|idiot|lazy|dumb|shut up|calm down|obviously|whatever|pathetic|ridiculous|"
    r"or else|get out|because i said so|i don'?t care|useless|you always|you never)\b"
)
WARM = re.compile(r"\b(we|let'?s|together|thanks|thank you|please|i know you can|glad|great question)\b")
VAGUE_JUDGEMENT = re.compile(r"\b(wrong|incorrect|not quite|no\b|nope|bad)\b")


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
        }


def level_word(value: float) -> str:
    """Return met / partly / missed for a dimension value."""
    return "met" if value >= 0.75 else "partly" if value >= 0.25 else "missed"


def content_words(text: str) -> set[str]:
    """Return the lower-cased words of text that carry meaning."""
    return {w for w in WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2}


def _recognises_issue(text, lower, facts, alignment) -> tuple[float, str]:
    shared = content_words(text) & content_words(facts.opening_line + " " + facts.context)
    if alignment >= 0.55 or len(shared) >= 3:
        return 1.0, "You named what is going on in this moment."
    if alignment >= 0.4 or shared:
        return 0.5, "You touched on the issue but did not name it clearly."
    return 0.0, "Your answer does not engage with what the student said or did."


def _specific(text, lower, facts, alignment) -> tuple[float, str]:
    student_words = content_words(facts.opening_line)
    shared = content_words(text) & student_words
    if shared and (len(shared) >= 2 or re.search(r"\d", text)):
        return 1.0, f"You referred to the specifics ({', '.join(sorted(shared)[:3])})."
    if VAGUE_JUDGEMENT.search(lower) and not shared:
        return 0.0, "You flagged a problem without saying exactly where or what it is."
    if shared or alignment >= 0.5:
        return 0.5, "You hinted at the specific issue; point to the exact step or behaviour."
    return 0.0, "Say exactly which step, word or behaviour you mean."


def _guides_not_tells(text, lower, facts, alignment) -> tuple[float, str]:
    asks = "?" in text and QUESTION_WORDS.search(lower)
    if TELLING.search(lower):
        return 0.0, "You gave the answer away instead of letting the student do the thinking."
    if asks:
        return 1.0, "You asked a question that leaves the thinking to the student."
    if "?" in text:
        return 0.5, "You asked a question, but a closed one; try 'how' or 'what do you notice'."
    return 0.0, "Ask a question or give a hint so the student does the thinking."


def _next_step(text, lower, facts, alignment) -> tuple[float, str]:
    if VAGUE.search(lower) and not NEXT_STEP.search(lower.replace("try again", "")):
        return 0.0, "'Try again' is not a step; name one concrete thing to do now."
    if NEXT_STEP.search(lower):
        return 1.0, "You gave the student a concrete next step."
    if "?" in text:
        return 0.5, "Your question points somewhere; make the next step explicit."
    return 0.0, "Name one concrete thing the student should do next."


def _acknowledges_feelings(text, lower, facts, alignment) -> tuple[float, str]:
    name_used = facts.student_name.split()[0].lower() in lower if facts.student_name else False
    if FEELING_WORDS.search(lower):
        return 1.0, "You acknowledged how the student feels or sees it."
    if name_used or re.search(r"\byou (said|think|mean|noticed)\b", lower):
        return 0.5, "You spoke to the student personally; also name their feeling or view."
    return 0.0, "Acknowledge the student's feelings or point of view."


def _tone(text, lower, facts, alignment) -> tuple[float, str]:
    shouting = sum(1 for w in re.findall(r"\b[A-Z]{4,}\b", text)) >= 2
    if HARSH.search(lower) or shouting:
        return 0.0, "Some words could shame or escalate; keep it calm and respectful."
    if WARM.search(lower) or FEELING_WORDS.search(lower):
        return 1.0, "Your tone is calm, respectful and encouraging."
    return 0.5, "Your tone is neutral; a little warmth would help the student engage."


DETECTORS = {
    "recognises_issue": _recognises_issue,
    "specific": _specific,
    "guides_not_tells": _guides_not_tells,
    "next_step": _next_step,
    "acknowledges_feelings": _acknowledges_feelings,
    "tone": _tone,
}


def assess_dimensions(text: str, facts: ScenarioFacts, alignment: float) -> list[DimensionResult]:
    """Run every scored dimension's detector on a response.

    `alignment` is the response's best similarity to the scenario's expert moves.
    """
    lower = text.lower()
    weights = facts.weights()
    results = []
    for key, detect in DETECTORS.items():
        weight = float(weights.get(key, 1))
        if weight <= 0:
            continue
        value, reason = detect(text, lower, facts, alignment)
        results.append(DimensionResult(key, value, reason, weight))
    return results
