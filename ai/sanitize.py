"""Strip content that tries to game the scorer before a response is scored.

What is removed never counts for the response, so adding it can never raise a score:
instructions aimed at the model, fake chat or system tags, JSON that claims a score, and
sentences repeated or copied from the scenario text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
INJECTION = re.compile(
    r"(ignore|disregard|forget|override|bypass)\b.{0,40}\b(rubric|instruction|prompt|rules?|"
    r"scor\w*|previous|above|system)"
    r"|\b(give|award|assign|rate|set)\b.{0,30}\b(100|full marks|top score|perfect score|"
    r"maximum|exemplary)"
    r"|\b(score|band|grade)\s*[:=]\s*\S+"
    r"|</?\s*(system|assistant|user|im_start|im_end|s|inst)\s*>|\[/?inst\]|<\|[^|]*\|>"
    r"|\b(system|assistant)\s*(prompt|message|note)?\s*:"
    r"|\byou are (now )?(an? )?(ai|model|assistant|grader|scorer)\b",
    re.IGNORECASE,
)
JSON_BLOB = re.compile(r"\{[^{}]*\}|\[[^\[\]]*\]")
WORD = re.compile(r"[a-z0-9']+")


@dataclass
class Sanitized:
    """A response with the gaming content taken out, and what was taken."""

    text: str
    flags: list[str] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _copied(sentence: str, source_words: set[str]) -> bool:
    words = _words(sentence)
    return len(words) >= 4 and sum(w in source_words for w in words) / len(words) >= 0.85


def _keyword_list(sentence: str) -> bool:
    """A run of words with no sentence shape, or one word said over and over."""
    words = _words(sentence)
    if len(words) >= 6 and len(set(words)) / len(words) < 0.5:
        return True
    commas = sentence.count(",")
    return commas >= 5 and commas >= len(words) / 2


def sanitize_response(text: str, scenario_texts: list[str]) -> Sanitized:
    """Return the text a score may count, with a flag for each kind of removal."""
    flags: set[str] = set()
    stripped = JSON_BLOB.sub(lambda m: _drop_json(m.group(0), flags), text)
    source_words = set(_words(" ".join(scenario_texts)))
    kept, seen = [], set()
    for sentence in SENTENCE_SPLIT.split(stripped):
        sentence = sentence.strip()
        if not sentence:
            continue
        normal = " ".join(_words(sentence))
        if INJECTION.search(sentence):
            flags.add("instructions_to_the_model")
        elif normal in seen:
            flags.add("repeated_sentences")
        elif _copied(sentence, source_words):
            flags.add("copied_scenario_text")
        elif _keyword_list(sentence):
            flags.add("keyword_list")
        else:
            kept.append(sentence)
        seen.add(normal)
    return Sanitized(" ".join(kept), sorted(flags))


def _drop_json(blob: str, flags: set[str]) -> str:
    if re.search(r"score|band|grade|rating|points", blob, re.IGNORECASE):
        flags.add("instructions_to_the_model")
        return " "
    return blob
