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
    r"\b(not|never|don'?t|no|without|avoid(?:s|ed|ing)?|stop(?:s|ped|ping)?|rather than|instead of)\b",
    re.IGNORECASE,
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
# Words a faithful rephrasing may bring in: the glue of a sentence. Content words must come from
# the note: SmolLM2 turned "avoid singling anyone out" into "avoid singing to anyone", "agree one
# step with the parent" into "agree one step with the parent's request", and "them" into "her".
GLUE = frozenset(
    """a an the and or but nor to of in on at for with by from as so that this these those it its they
    them their theirs themselves you your yours yourself i we our us is are be been being was were will
    would can could may might must shall should do does did not no when while before after then than if
    what which who whom whose how why where there here one some any each just also about into onto over
    under up out again once more most very too own same other others such only both either few all instead
    you're you'll they're it's don't doesn't can't won't""".split()
)
# The requested form, "Next time, try …" ("you could try" is the form too): what follows is the step.
# Its comma is optional, as in the form check (`check_coaching`), so every sentence that passes
# that check matches here.
FORM = re.compile(
    r"^Next time,?\s*(?:you (?:could|might|can|may) )?(?P<tried>try(?: this:)?)?", re.IGNORECASE
)
PRAISE_PHRASE = re.compile(PRAISE.pattern + r"(\s+(work|job|thinking))?", re.IGNORECASE)
SPOKEN_WORD = re.compile(r"[^\W\d_][\w'\u2019]*")
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
    form = FORM.match(text)  # always matches here: the text starts with "Next time"
    step = text[form.end() :]
    if len(SECOND_PERSON.findall(step)) > len(SECOND_PERSON.findall(note)):
        return "adds 'you' or 'your' the note does not have"
    # In a family moment the student is "their child": "your child" speaks to the parent instead.
    missing = {name for name in _names(note) | _family_child(note) if name not in text}
    if missing:
        return "drops or changes a name the note has (" + ", ".join(sorted(missing)) + ")"
    added = {name for name in _names(text) if name not in note and name != "I"}
    if added:  # "one to one with Ana", where nobody is called Ana
        return "brings in a name the note does not have (" + ", ".join(sorted(added)) + ")"
    widened = {m.group(0).lower() for m in WIDENING.finditer(text)}
    if widened - {m.group(0).lower() for m in WIDENING.finditer(note)}:
        return "widens the note with a word it does not have (" + ", ".join(sorted(widened)) + ")"
    wanted = content_words(note)
    kept = content_words(text) & wanted
    if wanted and len(kept) < max(2, len(wanted) // 2):
        return "ignores the next step it was asked to rephrase"
    if band not in LOW_BANDS:
        step = PRAISE_PHRASE.sub("", step)  # "excellent work again": praise a high band may hear
    brought = _brought_in(step, note)
    if brought:
        return "brings in words the note does not have (" + ", ".join(brought) + ")"
    glue = _glue_brought_in(step, note)
    if len(glue) >= MAX_NEW_GLUE:
        return "reshapes the note with small words it does not have (" + ", ".join(glue) + ")"
    if not _turns_the_first_step(step, note, bool(form["tried"])):
        return "does not start from the note's first step"
    order = _later_step_left_as_an_order(step, note)
    if order:
        return f"leaves a later step of the note as an order ('{order}')"
    linked = _new_link(step, note)
    if linked:
        return f"links a clause with '{linked}', which the note does not have"
    thinned = _thins_a_negation(text, note)
    if thinned:
        return f"keeps the note's '{thinned}' but drops a word from the middle of what it rules out"
    return None


# Numbers and score words the model may only repeat from the note ("Point to …" is a verb); a
# number in words or a span of time is a fact too ("and checking back in two minutes").
SCORE_WORDS = re.compile(
    r"\d+|\b(?:scores?|bands?|points|marks?|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty"
    r"|minutes?|seconds?|hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)


def _stem(word: str) -> str:
    """A word without its ending, so "telling" meets "tell", "agreeing" "agree", "uses" "use"."""
    word = re.sub(r"'s$", "", word.lower().replace("\u2019", "'"))
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            word = word[: -len(ending)]
            break
    if word.endswith("e") and len(word) > 2:
        word = word[:-1]
    if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # "setting", "stopping"
    return word[:6]


# Small words a rephrasing may bring in are glue, but two or more new ones are a sentence rebuilt:
# "say which adults they trust" came back as "which adults they trust them with", "such as
# checking" as "by checking", "so they can shape it to fit home life" as "shaping it into their
# own home life". One is the join a gerund needs ("asking … and building").
MAX_NEW_GLUE = 2
JOINS = frozenset({"and"})  # "try asking … and building …": the form's own join of two steps
CONTRACTIONS = {"n't": " not", "'re": " are", "'ll": " will"}
IRREGULAR = {
    "can't": "can not",
    "won't": "will not",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
}


def _spelled_out(word: str) -> list[str]:
    """A word with its contraction written out: "they're" is "they are", "won't" "will not"."""
    word = word.lower().replace("\u2019", "'")
    if word in IRREGULAR:
        return IRREGULAR[word].split()
    for short, full in CONTRACTIONS.items():
        if word.endswith(short):
            return (word[: -len(short)] + full).split()
    return [word]


def _glue_brought_in(said: str, note: str) -> list[str]:
    """The glue words of the sentence that the note does not have, in order, each once.

    Negations are the negation checks' business ("instead of" for "rather than" is no new word).
    """
    said, note = (NEGATION.sub(" ", text) for text in (said, note))
    have = {part for word in SPOKEN_WORD.findall(note) for part in _spelled_out(word)}
    new = [part for word in SPOKEN_WORD.findall(said) for part in _spelled_out(word) if part not in have]
    return list(dict.fromkeys(part for part in new if part in GLUE and part not in JOINS))


# Words that join a clause to a step. One the note lacks, before anything but a step ("while
# mentioning …"), changes how the steps hang together: SmolLM2 turned "Keep your face and voice
# calm, so Jade does not feel they have shocked you" into "… calm while Jade does not feel …".
LINKS = frozenset("while because when before after until unless since although though whereas once".split())


def _new_link(said: str, note: str) -> str:
    """The first linking word the sentence brings in before a clause (not an "-ing" step), or ""."""
    have = {word.lower() for word in SPOKEN_WORD.findall(note)}
    words = [word.lower() for word in SPOKEN_WORD.findall(said)]
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if word in LINKS and word not in have and not following.endswith("ing"):
            return word
    return ""


def _brought_in(said: str, note: str) -> list[str]:
    """The content words of the sentence that the note does not have, in order."""
    have = {_stem(word) for word in SPOKEN_WORD.findall(note)}
    return [
        word
        for word in SPOKEN_WORD.findall(said)
        if word.lower().replace("\u2019", "'") not in GLUE and _stem(word) not in have
    ]


def _turns_the_first_step(said: str, note: str, tried: bool) -> bool:
    """Tell whether the note's opening verb is in the sentence as "-ing": "Thank Jade" is "thanking Jade".

    SmolLM2 wrote "try saying thank Jade for telling you the right thing" for "Thank Jade calmly
    for telling you, and say they did the right thing".
    """
    words = SPOKEN_WORD.findall(note)
    if not words or note.startswith(KEEP_NOTES):
        return True
    # "Close by confirming …" is said as "try confirming …"
    roots = {_stem(words[0])} | ({_stem(words[2])} if len(words) > 2 and words[1] == "by" else set())
    said_words = SPOKEN_WORD.findall(said)
    if not tried:  # not the "try …ing" form
        return any(_stem(w) in roots for w in said_words)
    return any(w.lower().endswith("ing") and _stem(w) in roots for w in said_words)


# A later step of a note: "…, and take the answer seriously", "…, then stop".
LATER_STEP = re.compile(r"(?:,\s*(?:and|then)|\bthen|;)\s+([a-z]+)\b")


def _later_step_left_as_an_order(said: str, note: str) -> str:
    """The note's later verb that the sentence keeps bare after "and" or "then", or after a "to"
    the note lacks; or "".

    "try inviting Marcus to say what would make this easier and take the answer seriously" reads
    as if Marcus were to take it seriously; "try asking Amelia … and let them do it" is no sentence;
    "try redirecting Leila privately and briefly to walk away" (for "…, then walk away") has Leila
    walk away.
    """
    for verb in LATER_STEP.findall(note):
        if verb in GLUE or verb == "never":
            continue
        if re.search(rf"\b(and|then)\s+{verb}\b", said):
            return verb
        if re.search(rf"\bto\s+{verb}\b", said) and not re.search(rf"\bto\s+{verb}\b", note):
            return verb
    return ""


def _family_child(note: str) -> set[str]:
    """ "their child", where a family moment's note speaks of the student so."""
    return {"their child"} if "their child" in note else set()


def _names(text: str) -> set[str]:
    """The capitalised words of a text after its first."""
    return {word for word in LATER_WORD.findall(text) if word[0].isupper()}


def _negations(text: str) -> set[str]:
    """The negating words of a text; "without" is its own ("without using Ruby" is not "not about Ruby")."""
    return {_negation(word) for word in NEGATION.findall(text)}


def _negation(word: str) -> str:
    word = word.lower()
    if word in {"don't", "dont"}:
        return "not"
    if word.startswith(("rather", "instead")):  # "instead of deciding" says "rather than deciding"
        return "rather"
    return re.sub(r"(s|ed|ing|ped|ping)$", "", word)


# "Then stop and let Tobi finish" uses "stop" as a move of its own, so only these rule something out.
RULING_OUT = frozenset({"not", "never", "no", "without", "avoid", "rather"})


def _ruled_out(note: str) -> list[tuple[str, list[str]]]:
    """Each negation of the note that rules something out, with its content words in order."""
    found = []
    for match in NEGATION.finditer(note):
        if _negation(match.group(0)) not in RULING_OUT:
            continue
        scope = re.split(r"[,.;:]", note[match.end() :], maxsplit=1)[0]
        before = content_words(note[: match.start()])  # "talk about the idea, not about them"
        meant = content_words(scope) - before
        words = [w for w in SPOKEN_WORD.findall(scope.lower()) if w in meant]
        found.append((match.group(0), list(dict.fromkeys(words))))
    return found


def _drops_a_negation(text: str, note: str) -> str:
    """The note's negation that the text leaves out while keeping what it negates, or ""."""
    # "Raise it one to one, not in front of the class" came back as "one to one with the class";
    # leaving the whole negated phrase out ("talking about the idea", without "not about them") is fine.
    said, kept = _negations(text), content_words(text)
    for negation, negated in _ruled_out(note):
        if _negation(negation) not in said and kept.intersection(negated):
            return negation
    return ""


def _thins_a_negation(text: str, note: str) -> str:
    """The note's negation that the text keeps with only part of what it rules out, or ""."""
    # "without asking them to speak for a whole group" came back as "without asking them for a
    # whole group" (SmolLM2, late on 2026-12-07): the words left rule out something else, or nothing. A
    # tail said in other words ("in front of the class" as "in front of others") is a rephrasing.
    said, kept = _negations(text), content_words(text)
    for negation, negated in _ruled_out(note):
        held = [word in kept for word in negated]
        last = max((i for i, h in enumerate(held) if h), default=-1)
        if _negation(negation) in said and held and held[0] and not all(held[: last + 1]):
            return negation
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
