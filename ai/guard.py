"""Check a model-written coaching sentence against the facts before anyone sees it."""

from __future__ import annotations

import re
from collections import Counter

from ai.cues import content_words

PRAISE = re.compile(
    r"\b(excellent|perfect|outstanding|great job|well done|amazing|flawless|brilliant|superb)\b",
    re.IGNORECASE,
)
NEGATION = re.compile(
    r"\b(not|never|don'?t|no|without|avoid(?:s|ed|ing)?|stop(?:s|ped|ping)?)\b", re.IGNORECASE
)
# Words that widen who or what a step covers. A rephrasing that brings one in can turn the note
# round: "say who you will share it with" came back as "share the message with anyone".
WIDENING = re.compile(
    r"\b(any(one|body|thing|where)|every(one|body|thing|where)|always|all|nobody|nothing|whatever|whoever)\b",
    re.IGNORECASE,
)
# The trainee is "you": a rephrasing that brings in another "you" or "your" moves the student's part
# onto the teacher ("test their own idea" came back as "test your idea", "their child" as "your child").
SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
# A word after the note's first: a name ("Tomás", "Ms Rahman") or a named thing ("Source A") where
# its first letter is a capital, accented ones included ("Łukasz").
LATER_WORD = re.compile(r"(?<!^)\b[^\W\d_][\w-]*")
LOW_BANDS = {"needs_work", "developing"}
MIN_WORDS, MAX_WORDS = 6, 45
# The notes for an answer that meets every weighted dimension: keep doing it.
KEEP_NOTES = ("Keep using this move", "Keep doing what worked")


def check_coaching(text: str, note: str, band: str) -> str | None:
    """Return why the sentence must not be shown, or None when it passes every check."""
    words = text.split()
    if not text.startswith("Next time"):
        return "does not follow the requested form ('Next time, …')"
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return f"length: {len(words)} words"
    if not text.rstrip().endswith((".", "!")):
        return "unfinished sentence"
    if _repetitive(text):
        return "repetition"
    if _new_numbers_or_scores(text, note):
        return "mentions numbers or scores the facts did not give it"
    if band in LOW_BANDS and PRAISE.search(text):
        return "praise that contradicts the band"
    if _negations(text) - _negations(note):
        return "adds a negation the note does not have"
    dropped = _drops_a_negation(text, note)
    if dropped:
        return f"keeps what the note rules out but drops its '{dropped}'"
    if note.startswith(KEEP_NOTES) and not re.search(r"\bkeep\b", text, re.IGNORECASE):
        return "turns a move to keep into something new to try"
    said = re.sub(r"^Next time,\s*(you (could|might|can|may) )?", "", text)  # "you could try" is the form
    if len(SECOND_PERSON.findall(said)) > len(SECOND_PERSON.findall(note)):
        return "adds 'you' or 'your' the note does not have"
    missing = {name for name in _names(note) if name not in text}
    if missing:
        return "drops or changes a name the note has (" + ", ".join(sorted(missing)) + ")"
    widened = {m.group(0).lower() for m in WIDENING.finditer(text)}
    if widened - {m.group(0).lower() for m in WIDENING.finditer(note)}:
        return "widens the note with a word it does not have (" + ", ".join(sorted(widened)) + ")"
    wanted = content_words(note)
    kept = content_words(text) & wanted
    if wanted and len(kept) < max(2, len(wanted) // 2):
        return "ignores the next step it was asked to rephrase"
    return None


# Numbers and score words the model may only repeat from the note ("Point to …" is a verb); a
# number in words or a span of time is a fact too ("and checking back in two minutes").
SCORE_WORDS = re.compile(
    r"\d+|\b(?:scores?|bands?|points|marks?|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty"
    r"|minutes?|seconds?|hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)


def _names(text: str) -> set[str]:
    """The capitalised words of a text after its first."""
    return {word for word in LATER_WORD.findall(text) if word[0].isupper()}


def _negations(text: str) -> set[str]:
    """The negating words of a text; "without" is its own ("without using Ruby" is not "not about Ruby")."""
    return {_negation(word) for word in NEGATION.findall(text)}


def _negation(word: str) -> str:
    word = word.lower()
    return "not" if word in {"don't", "dont"} else re.sub(r"(s|ed|ing|ped|ping)$", "", word)


def _drops_a_negation(text: str, note: str) -> str:
    """The note's negation that the text leaves out while keeping what it negates, or ""."""
    # "Raise it one to one, not in front of the class" came back as "one to one with the class";
    # leaving the whole negated phrase out ("talking about the idea", without "not about them") is fine.
    # "Then stop and let Tobi finish" uses "stop" as a move of its own, so only these count here.
    said, kept = _negations(text), content_words(text)
    for match in NEGATION.finditer(note):
        negation = _negation(match.group(0))
        if negation not in {"not", "never", "no", "without", "avoid"} or negation in said:
            continue
        negated = content_words(re.split(r"[,.;:]", note[match.end() :], maxsplit=1)[0])
        negated -= content_words(note[: match.start()])  # "talk about the idea, not about them"
        if negated & kept:
            return match.group(0)
    return ""


def _new_numbers_or_scores(text: str, note: str) -> bool:
    """Tell whether the text names a number or score word that the note does not."""
    allowed = {m.lower() for m in SCORE_WORDS.findall(note)}
    return any(m.lower() not in allowed for m in SCORE_WORDS.findall(text))


def _repetitive(text: str) -> bool:
    words = [w.lower() for w in re.findall(r"[A-Za-z']+", text)]
    counts = Counter(w for w in words if len(w) > 3)
    if counts and counts.most_common(1)[0][1] > 3:
        return True
    trigrams = Counter(zip(words, words[1:], words[2:], strict=False))
    return bool(trigrams) and trigrams.most_common(1)[0][1] > 1
