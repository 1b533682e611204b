"""The trainee's own words behind each verdict: the sentence that shows a dimension, or a red line.

Feedback is a coach, not a judge (shared/UI.md): a dimension the answer meets, or partly meets,
quotes the sentence that pushes the judge's head for it up most (ai/judge.sentence_leaning),
never a greeting or a thank-you; a red line quotes the sentence that crosses it. A dimension's
sentences are those of the cleaned answer (ai/sanitize.py), so removed text never shows a move;
a red line may quote a removed sentence that was still said to the student.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ai.dimensions import PARTLY, DimensionResult
from ai.features import Contrast
from ai.judge import NEVER, Judge
from ai.red_lines import pattern_hits, shipped_bank
from ai.signals import EmbeddedResponse

MAX_QUOTE_CHARS = 160
SOUND_MARGIN = 0.05  # how much closer to something sound a flagged sentence may be
# Openers that show no move: "Morning, Kai.", "Thanks.", "OK, so."
SMALL_TALK = re.compile(
    r"^\W*(hi|hey|hello|morning|good (morning|afternoon)|thanks?( you)?|ok(ay)?|right|so|well|"
    r"alright|sure|yes|no|hmm)\b[\s,!.]*(\w+[\s,!.]*){0,2}$",
    re.IGNORECASE,
)


# The words that show each dimension's move. The sentence quoted for a dimension is the one
# among those with its cue that leans the judge's head most; with no cue anywhere, the leaning
# alone decides.
CUES = {
    "responsiveness": r"\b(you said|you're saying|you mean|sounds like|i hear|i see|so you|you feel|"
    r"you think|you're)\b",
    "diagnosis": r"\b(line|step|part|column|place|digit|word|sentence|paragraph|when you|"
    r"the (first|second|last)|"
    r"talking|phone|calling out|laugh\w*|that word|that comment|missing|late)\b",
    "ownership": r"\?|\b(hint|try|what if|imagine|compare|check)\b",
    "next_step": r"\b(now|first|next|then|minutes?|today|tomorrow|by the time|start|write|read|take|pick|put|"
    r"circle|show|tell me|let's|let us|come with|grab|jot)\b",
    "warmth": r"\b(thank\w*|feel\w*|frustrat\w*|upset|worr\w*|understand|i know|we|let's|together|glad|brave|"
    r"not in trouble|okay|ok to)\b",
    "expectations": r"\b(you can|i know you|yet|strategy|believe|i'm pushing|standard|capable|you did|"
    r"you checked|"
    r"you caught|progress)\b",
    "proportionality": r"\b(quietly|privately|after class|later|at break|with me|come with|"
    r"i'll (talk|tell|share|let|pass)|"
    r"safe\w*|make it right|who (was|got) (hurt|affected)|both of you)\b",
    "inclusion": r"\b(any language|your language|home language|your (experience|family|culture|view|name)|"
    r"in your words|"
    r"what do you think|your side|everyone belongs|welcome)\b",
}
CUE_PATTERNS = {key: re.compile(pattern, re.IGNORECASE) for key, pattern in CUES.items()}


def quote(sentence: str) -> str:
    """Return a sentence as it is quoted back: whole, or cut at a word with an ellipsis."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= MAX_QUOTE_CHARS:
        return sentence
    return sentence[: MAX_QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def shows_a_move(sentence: str) -> bool:
    """Tell whether a sentence could show a move (greetings and thanks alone cannot)."""
    return len(sentence.split()) >= 3 and not SMALL_TALK.match(sentence.strip())


@dataclass(frozen=True)
class RedLineHit:
    """A red line an answer crosses, and the sentence that crosses it."""

    key: str
    title: str
    dimension: str
    reason: str
    sentence: str

    def as_dict(self) -> dict:
        """Return the JSON form stored with an attempt."""
        return {"key": self.key, "title": self.title, "reason": self.reason, "evidence": quote(self.sentence)}


def find_red_lines(
    embedded: EmbeddedResponse,
    odds: np.ndarray,
    threshold: float,
    contrast: Contrast,
    sound: np.ndarray | None = None,
    namer: Callable[..., str] | None = None,
    sure: float = NEVER,
    category: str = "",
) -> list[RedLineHit]:
    """Return the red lines the answer's sentences cross, one per red line, in answer order.

    A sentence crosses one when it uses an unmistakable wording, or when the classifier's odds
    reach the threshold *and* the sentence is at least as close to a red-line phrasing as to
    anything sound (the bank's near misses, `sound`: the scenario's expert sentences): the
    classifier alone flagged plain maths explanations. Odds of `sure` or more need no such
    closeness: a sentence the classifier is that sure of is harmful in words the bank lacks
    ("I won't mention it to anyone."). `namer` (the judge's RedLineNamer) says
    which red line a flagged sentence crosses; without one, its nearest phrasing does. Each hit
    is worded for the moment's category (a parent conversation has no class watching).
    """
    bank, hits = shipped_bank(), {}
    sound = contrast.near_vectors if sound is None else np.vstack([contrast.near_vectors, sound])
    for i, sentence in enumerate(embedded.sentences):
        keys = pattern_hits(sentence, category)
        vector = embedded.sentence_vectors[i] if i < len(embedded.sentence_vectors) else None
        if not keys and i < len(odds) and odds[i] >= threshold and len(contrast.bank_keys):
            closeness = contrast.bank_vectors @ vector
            near_harm = float(closeness.max()) >= float((sound @ vector).max(initial=-1.0)) - SOUND_MARGIN
            if near_harm or odds[i] >= sure:
                named = namer(vector, closeness, contrast.bank_keys) if namer else None
                keys = [named if named in bank else contrast.bank_keys[int(np.argmax(closeness))]]
        for key in keys:
            line = bank[key]
            title, reason = line.worded_for(category)
            hits.setdefault(key, RedLineHit(key, title, line.dimension, reason, sentence))
    return list(hits.values())


def with_evidence(
    dimensions: list[DimensionResult], embedded: EmbeddedResponse, judge: Judge, hits: list[RedLineHit]
) -> list[DimensionResult]:
    """Return the dimensions, each met or partly met one with the sentence that shows it."""
    sentences = list(embedded.sentences)
    harmful = {hit.sentence for hit in hits}
    usable = [i for i, s in enumerate(sentences) if shows_a_move(s) and s not in harmful]
    broken = {hit.dimension: hit.sentence for hit in hits}
    shown = []
    for dimension in dimensions:
        if dimension.key in broken:
            dimension = replace(dimension, evidence=quote(broken[dimension.key]))
        elif dimension.value >= PARTLY and usable and dimension.key in judge.dimensions:
            dimension = replace(dimension, evidence=quote(_showing(dimension.key, usable, embedded, judge)))
        shown.append(dimension)
    return shown


def _showing(key: str, usable: list[int], embedded: EmbeddedResponse, judge: Judge) -> str:
    """The sentence that shows one dimension: with its cue if any has it, leaning most."""
    cue = CUE_PATTERNS.get(key)
    with_cue = [i for i in usable if cue and cue.search(embedded.sentences[i])] or usable
    leaning = judge.sentence_leaning(key, embedded.sentence_vectors[with_cue])
    return embedded.sentences[with_cue[int(np.argmax(leaning))]]
