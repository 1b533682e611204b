"""The rubric: eight dimensions (shared/PEDAGOGY.md §3), their names and the category weights.

Pure data, imported by the scorer, the feedback and the graded-set checker alike.
"""

from __future__ import annotations

# Key, PEDAGOGY id, the name a trainee reads.
DIMENSIONS = {
    "responsiveness": ("D1", "Builds on what the student said"),
    "diagnosis": ("D2", "Pinpoints what is wrong or needed"),
    "ownership": ("D3", "Leaves the thinking to the student"),
    "next_step": ("D4", "Gives one concrete next step"),
    "warmth": ("D5", "Warm, calm and respectful"),
    "expectations": ("D6", "Keeps expectations high"),
    "proportionality": ("D7", "Proportionate, sound process"),
    "inclusion": ("D8", "Includes and respects the student"),
}
LEVELS = ("met", "partly", "missed")
LEVEL_VALUES = {"met": 1.0, "partly": 0.5, "missed": 0.0}

_ORDER = tuple(DIMENSIONS)
# PEDAGOGY.md §4: 3 core, 2 important, 1 minor, 0 not scored.
_TABLE = {
    "misconception": (2, 3, 3, 3, 2, 2, 0, 1),
    "questioning": (3, 1, 3, 2, 2, 3, 0, 2),
    "low-level-disruption": (1, 2, 0, 3, 2, 1, 3, 1),
    "defiance": (3, 1, 0, 2, 3, 1, 3, 1),
    "peer-conflict": (2, 2, 1, 2, 2, 1, 3, 3),
    "mindset": (3, 1, 2, 2, 3, 3, 0, 1),
    "identity-belonging": (3, 1, 1, 1, 3, 2, 2, 3),
    "feedback-integrity": (2, 3, 2, 3, 2, 3, 1, 1),
    "family-communication": (3, 2, 0, 3, 3, 1, 3, 2),
    "wellbeing-disclosure": (3, 0, 0, 2, 3, 0, 3, 1),
}
CATEGORY_WEIGHTS = {category: dict(zip(_ORDER, row, strict=True)) for category, row in _TABLE.items()}
EQUAL_WEIGHTS = dict.fromkeys(DIMENSIONS, 1)


def category_weights(category: str) -> dict[str, float]:
    """Return the dimension weights of a category (equal weights for an unknown one)."""
    return dict(CATEGORY_WEIGHTS.get(category, EQUAL_WEIGHTS))
