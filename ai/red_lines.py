"""The library-wide bank of red-line moves (scenarios/red_lines.yaml) and how they are spotted.

A red line is a move a teacher must never make in these moments: promising secrecy, a put-down,
public shaming … Each has a title and a reason a trainee reads, the rubric dimension it breaks,
phrasings (what it sounds like) and near misses (sound sentences that share its words). The
bank is data, validated against scenarios/red_lines.schema.json like the scenario sets.

Spotting works per sentence, so one harmful sentence inside a skilful answer is caught:
a sentence classifier fitted on the bank, the scenarios' red-line pitfalls and graded answers
(ai/judge.py holds its weights) gives each sentence a probability, and the judge's namer, fitted
on the bank's phrasings and graded answers' harmful sentences, says which red line it is. A few
unmistakable phrases (PATTERNS) are caught by rule as well, because a short bank cannot hold
every wording of "I promise I won't tell anyone".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from ai.rubric import CATEGORY_WEIGHTS

BANK_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "red_lines.yaml"
SCHEMA_PATH = BANK_PATH.with_name("red_lines.schema.json")


@dataclass(frozen=True)
class RedLine:
    """One red-line move of the bank."""

    key: str
    title: str
    dimension: str
    reason: str
    phrasings: tuple[str, ...]
    near_misses: tuple[str, ...] = ()
    in_category: dict[str, tuple[str, str]] = field(default_factory=dict)  # category: (title, reason)

    def worded_for(self, category: str) -> tuple[str, str]:
        """Return the title and reason a trainee reads in this category of moment."""
        return self.in_category.get(category, (self.title, self.reason))


class InvalidRedLineBank(ValueError):
    """Raised with every problem found in a red-line bank file."""


def load_bank(path: Path = BANK_PATH) -> dict[str, RedLine]:
    """Read and validate a red-line bank; return its red lines by key."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    validator = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '(file)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]
    keys = [item.get("key") for item in (document or {}).get("red_lines", []) if isinstance(item, dict)]
    problems += [
        f"red_lines: key {k!r} appears twice" for k in sorted({k for k in keys if keys.count(k) > 1})
    ]
    problems += [
        f"red_lines/{item.get('key')}/in_category: no category {category!r}"
        for item in (document or {}).get("red_lines", [])
        if isinstance(item, dict) and isinstance(item.get("in_category"), dict)
        for category in item["in_category"]
        if category not in CATEGORY_WEIGHTS
    ]
    if problems:
        raise InvalidRedLineBank("; ".join(problems))
    return {
        item["key"]: RedLine(
            item["key"],
            item["title"],
            item["dimension"],
            item["reason"],
            tuple(item["phrasings"]),
            tuple(item.get("near_misses", ())),
            {c: (w["title"], w["reason"]) for c, w in item.get("in_category", {}).items()},
        )
        for item in document["red_lines"]
    }


@cache
def shipped_bank() -> dict[str, RedLine]:
    """Return the shipped bank (read once per process)."""
    return load_bank()


# Unmistakable wordings, by red line. Kept narrow: each must never match what a good teacher
# says (tests/unit/test_red_lines.py runs every expert response and near miss through them).
PATTERNS = {
    "secrecy-promise": re.compile(
        r"\b(i|we)\s+(promise|swear)\b[^.?!]{0,30}\b(won'?t|will not|not (to )?|never)\s+(tell|say|share)"
        r"|(?<!n't be )(?<!not be )\bour (little )?secret\b|\bi('?ll| will) keep (it|this|that) (a )?secret\b"
        r"|\bit'?ll stay between (us|you and me)\b"
        r"|(?<!n't )(?<!not )\bstays? (just )?between (us|you and me)\b",
        re.IGNORECASE,
    ),
    "english-only": re.compile(
        r"\b(only|just|please) (speak|talk|answer|use|write) (in )?english\b|^\W*speak english\b"
        r"|\bspeak english (please|here|in (this|my) (class|room))\b"
        r"|\bin this (class|room|country),? we (speak|use|talk in) english\b|\benglish only\b",
        re.IGNORECASE,
    ),
    "put-down": re.compile(
        r"\bnobody cares\b|\bshut up\b|\bwho asked you\b|\bare you (stupid|thick|dumb)\b"
        r"|\b(stupid|dumb|idiotic|pathetic) (question|answer|idea|boy|girl|kid)\b",
        re.IGNORECASE,
    ),
    "stereotype-deficit": re.compile(
        r"\b(you people|kids like you|your (kind|lot))\b"
        r"|\b(girls|boys) (aren'?t|are not|can'?t) (good at|do)\b"
        r"|\bpeople like you (always|never|can'?t|don'?t|won'?t)\b",
        re.IGNORECASE,
    ),
    "dismisses-feelings": re.compile(
        r"\b(stop|quit) (crying|sulking|whining|being (so )?(dramatic|sensitive)|being (such )?a baby)\b"
        r"|\byou'?re (over ?reacting|being dramatic)\b"
        r"|\bman up\b|\bget over it\b|\bpull yourself together\b|\bdon'?t be (such )?a baby\b"
        r"|\bnothing to cry about\b",
        re.IGNORECASE,
    ),
    # Added 2026-12-07 from the red lines' definitions (shared/PEDAGOGY.md), before reading any
    # answer they would catch.
    "gives-up": re.compile(
        r"\bI give up on you\b|\bI (don'?t|do not) know what (else )?to do with you\b"
        r"|\bsome (people|kids|students) just can'?t\b|\bnot everyone is cut out for\b",
        re.IGNORECASE,
    ),
    "disproportionate-threat": re.compile(
        r"\b(you'?re|you are|you'?ll be) (off|kicked off|dropped from) the (\w+ )?(team|trip|squad)\b"
        r"|\bI'?ll (have|get) you (suspended|expelled|excluded)\b"
        r"|\byou'?ll be (suspended|expelled|excluded)\b",
        re.IGNORECASE,
    ),
    "escalates-argument": re.compile(
        r"\bdon'?t you dare\b|\bwho do you think you are\b|\bbecause I said so\b"
        r"|\bdon'?t (you )?(talk|answer) back\b|\bdon'?t (you )?take that tone\b",
        re.IGNORECASE,
    ),
    "ignores-slur": re.compile(
        r"\bboys will be boys\b|\b(it'?s|it was) (just|only) banter\b",
        re.IGNORECASE,
    ),
}


def pattern_hits(sentence: str) -> list[str]:
    """Return the keys of the red lines whose unmistakable wording a sentence uses."""
    said = teachers_words(sentence)
    return [key for key, pattern in PATTERNS.items() if pattern.search(said)]


# A stage direction that quotes someone else: "[Jack mutters: 'girls can't do maths']". From its
# first opening quote mark (one at the start, or after a space or a colon, so not the apostrophe
# of "I'd") to the bracket's end, the words are the student's, not the trainee's.
QUOTED_IN_STAGE_DIRECTION = re.compile(r"""(\[[^\]'"“‘]*?)(?:(?<=[\s:\[])['"“‘])[^\]]*""")
QUOTE_CLOSING_A_STAGE_DIRECTION = re.compile(r"""^[^\[\]]*['"”’][.!?,]?\s*\]""")


def teachers_words(sentence: str) -> str:
    """Return a sentence without the speech its stage directions quote from someone else.

    A trainee who writes what a student said, then answers it well ("[Jack mutters: 'girls can't
    do maths'] Jack, that is not okay here."), has not used that wording: the rules must not
    name them for it. Their own stage directions ("[laughs along]") are kept.
    """
    # A sentence can also start inside one, where a question mark in the quote split it:
    # "it stays between us'] I can't promise that."
    return QUOTED_IN_STAGE_DIRECTION.sub(r"\1", QUOTE_CLOSING_A_STAGE_DIRECTION.sub("]", sentence))
