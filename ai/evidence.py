"""The trainee's own words behind each dimension: one sentence quoted back as evidence.

Feedback is a coach, not a judge (shared/UI.md): a dimension the response meets, or partly
meets, quotes the sentence that shows it, so the trainee sees which of their words worked.
The sentences are those of the cleaned response (ai/sanitize.py), so text the cleaner removed
(instructions to the model, copied scenario text) is never quoted. Missed dimensions quote
nothing: their reason and tip say what to add.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from ai.detectors import FEELING_WORDS, NEXT_STEP, WARM, content_words
from ai.dimensions import DimensionResult, ScenarioFacts
from ai.signals import EmbeddedResponse, ScenarioVectors

MAX_QUOTE_CHARS = 160
SHOWN_FROM = 0.25  # "partly" and "met" quote their evidence


def quote(sentence: str) -> str:
    """Return a sentence as it is quoted back: whole, or cut at a word with an ellipsis."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= MAX_QUOTE_CHARS:
        return sentence
    return sentence[: MAX_QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def with_evidence(
    dimensions: list[DimensionResult],
    embedded: EmbeddedResponse,
    scenario: ScenarioVectors | None,
    facts: ScenarioFacts,
) -> list[DimensionResult]:
    """Return the dimensions, each met or partly met one with the sentence that shows it."""
    sentences = list(embedded.sentences)
    if not sentences:
        return dimensions
    closest = _closest_to_experts(embedded, scenario)  # found once, quoted by two dimensions
    shown = []
    for dimension in dimensions:
        if dimension.value >= SHOWN_FROM:
            sentence = _showing(dimension.key, sentences, closest, facts)
            dimension = replace(dimension, evidence=quote(sentence))
        shown.append(dimension)
    return shown


# The cue each rule detector looks for, read off one lower-cased sentence.
CUES = {
    "guides_not_tells": lambda lower: lower.rstrip().endswith("?"),
    "next_step": lambda lower: bool(NEXT_STEP.search(lower)),
    "acknowledges_feelings": lambda lower: bool(FEELING_WORDS.search(lower)),
    "tone": lambda lower: bool(WARM.search(lower) or FEELING_WORDS.search(lower)),
}


def _showing(key: str, sentences: list[str], closest: str, facts: ScenarioFacts) -> str:
    """The sentence that shows one dimension, found the way its detector looks (or "")."""
    if key == "recognises_issue":
        return closest or _sharing_words(sentences, facts.opening_line + " " + facts.context)
    if key == "specific":
        return _sharing_words(sentences, facts.opening_line) or closest
    cue = CUES.get(key)
    return next((s for s in sentences if cue(s.lower())), "") if cue else ""


def _closest_to_experts(embedded: EmbeddedResponse, scenario: ScenarioVectors | None) -> str:
    """The sentence most like any expert move (None without the scenario's vectors)."""
    if scenario is None or not len(scenario.move_vectors) or not len(embedded.sentence_vectors):
        return ""
    best = (embedded.sentence_vectors @ scenario.move_vectors.T).max(axis=1)
    return embedded.sentences[int(np.argmax(best))]


def _sharing_words(sentences: list[str], text: str) -> str:
    """The sentence sharing the most meaningful words (or numbers) with text, if any."""
    wanted = content_words(text) | set(re.findall(r"\d+(?:\.\d+)?", text))
    shared = [len((content_words(s) | set(re.findall(r"\d+(?:\.\d+)?", s))) & wanted) for s in sentences]
    return sentences[int(np.argmax(shared))] if max(shared) else ""
