"""Lexical cues of teacher moves: word patterns that signal what a response does.

Each family is a regular expression over lower-cased text with straight apostrophes; `count`
caps the number of hits so that repeating a cue cannot keep raising a score. The families follow
the detector cues of shared/PEDAGOGY.md §3 and were checked against MRBench's labelled tutor
responses (see bench/evaluate.py).
"""

from __future__ import annotations

import re


def _family(*phrases: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


# Treats the answer as right, or closes the exchange: "great job", "you're right", "move on".
AFFIRM = _family(
    r"great job",
    r"good job",
    r"well done",
    r"nice (?:job|work)",
    r"excellent",
    r"perfect",
    r"(?:that'?s|that is|you'?re|you are)(?: absolutely| exactly| completely)? (?:correct|right)",
    r"you got it",
    r"exactly",
    r"correct",
    r"good try",
    r"great try",
    r"good effort",
    r"great effort",
    r"good work",
    r"great work",
    r"awesome",
    r"fantastic",
    r"brilliant",
)
MOVE_ON = _family(r"move on", r"next (?:problem|question|one)", r"now,? let'?s", r"let'?s move")
# Flags that something is off, without necessarily saying what.
ERROR = _family(
    r"mistake",
    r"error",
    r"mix-?up",
    r"misunderstand\w*",
    r"not quite",
    r"almost",
    r"close",
    r"(?:seems|looks) like",
    r"might (?:be|have)",
    r"may (?:be|have)",
    r"there'?s",
    r"actually",
    r"instead of",
    r"rather than",
    r"but",
    r"however",
    r"not",
    r"n't",
    r"wrong",
    r"incorrect",
    r"careful",
    r"double-?check",
    r"re-?check",
    r"re-?evaluate",
    r"re-?examine",
    r"revisit",
    r"closer look",
    r"look again",
    r"again",
    r"oops",
    r"slip",
    r"i noticed?",
    r"i can see",
    r"i see",
)
# A hint or strategy that leaves work for the student.
HINT = _family(
    r"remember",
    r"think about",
    r"consider",
    r"means",
    r"when (?:we|you)",
    r"notice",
    r"hint",
    r"try",
    r"let'?s",
    r"imagine",
    r"what if",
    r"for example",
    r"because",
    r"so that",
    r"break (?:it )?down",
    r"first",
)
ASK = _family(
    r"can you",
    r"could you",
    r"would you",
    r"what do you",
    r"what would",
    r"why",
    r"what is",
    r"what'?s",
    r"which",
    r"do you",
    r"did you",
    r"where",
    r"walk me through",
    r"tell me",
    r"show me",
    r"how (?:many|much|did|do|would|can|could|might|are|is)",
)
# Gives the result instead of leaving it to the student.
TELL = _family(
    r"the (?:correct |right |final )?(?:answer|solution|result|total) (?:is|would be|should be|was)",
    r"should (?:be|have been)",
    r"equals",
    r"which (?:gives|is|equals)",
    r"would be",
    r"you get",
    r"we get",
    r"is actually",
)
# Explains a concept or an operation.
EXPLAIN = _family(
    r"means?",
    r"because",
    r"since",
    r"so",
    r"multipl\w+",
    r"divid\w+",
    r"add\w*",
    r"subtract\w*",
    r"times",
    r"per",
    r"each",
    r"total",
    r"sum",
    r"difference",
    r"product",
    r"convert\w*",
    r"units?",
    r"percent\w*",
    r"fractions?",
    r"place value",
    r"remember (?:that|to)",
)
# Points at a location: a step, a line, a part of the work or a concrete behaviour.
LOCATION = _family(
    r"steps?",
    r"lines?",
    r"part",
    r"calculation",
    r"equation",
    r"answer",
    r"number",
    r"total",
    r"first",
    r"second",
    r"third",
    r"last",
    r"where you",
    r"when you",
    r"paragraph",
    r"sentence",
    r"column",
    r"digit",
    r"place",
)
IMPERATIVE = re.compile(
    r"(?:^|[.!?]\s+|;\s*|,\s*(?:so|now|then)\s+)(?:let'?s|try|think|look|check|remember|start|"
    r"go back|recalculate|calculate|count|add|multiply|divide|subtract|find|write|rewrite|take|"
    r"show|explain|re-?read|read|jot|tell me|walk me|come|meet|pick|choose|put)\b"
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# A worked step: two numbers joined by an operator ("6 x 2", "12 * 4", "96 + 32").
EXPRESSION = re.compile(r"(\d+(?:\.\d+)?)\s*([x\u00d7*+\-/\u00f7])\s*(\d+(?:\.\d+)?)")
# Where a student's working splits into steps: sentences, lines and comma-joined clauses.
STEP_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|,\s+(?:and |so |then )?")
# Quotation marks around a response or a sentence: they hide where a sentence starts or ends.
QUOTES = re.compile(r'["\u201c\u201d]')
WORD = re.compile(r"[a-z0-9']+")
# Says who will be told, in the first person: "I need to tell Mrs Khan, who helps keep children
# safe", "I'm taking this to Mr Castillo", "I'll let Ms Rahman know today"; not "I won't tell
# anyone", "I need to talk to you" nor "I'll let you know". Read on the raw text, case ignored.
TITLE = r"(Mr|Mrs|Ms|Miss|Dr)"  # how a named adult at school is addressed
SAYS_WHO_WILL_BE_TOLD = re.compile(
    r"\bI('ll| will|'m going to| am going to| need to| have to| must|'d| would)( need to| have to)? "
    r"(tell|talk to|speak to|share (this|it|that) with|pass (this|it|that) (on )?to) (?!you\b)"
    r"|\bI('m| am) (taking|passing) (this|it|that) (on )?to (?!you\b)"
    r"|\b(I|we)('ll| will|'m going to| am going to| need to| have to| must)? "
    rf"let {TITLE} \w+ know\b"
    rf"|\bwe('ll| will|'re going to| are going to) go (to|and see) {TITLE} ",
    re.I,
)


STOPWORDS = frozenset(
    "a an the and or but if so to of in on at for with is are was were be been it its this that "
    "i you he she we they me him her us them my your our their do does did not no yes just "
    "can could would should will what why how when where who which there here have has had "
    "let's lets am as by from then than first too also".split()
)


def normalise(text: str) -> str:
    """Lower-case text, straighten apostrophes and drop double quotes, so cues match however
    they were typed (a response wrapped in quotes still starts a sentence with its verb)."""
    return QUOTES.sub("", text.lower().replace("\u2019", "'").replace("\u2018", "'"))


def count(family: re.Pattern, lower: str, cap: int) -> int:
    """Count a cue family's hits in normalised text, at most cap."""
    return min(cap, len(family.findall(lower)))


def content_words(text: str) -> set[str]:
    """Return the lower-cased words of text that carry meaning."""
    return {w for w in WORD.findall(normalise(text)) if w not in STOPWORDS and len(w) > 2}


def numbers(text: str) -> set[str]:
    """Return the numbers written in text."""
    return set(NUMBER.findall(text))


def expressions(text: str) -> set[tuple[str, str, str]]:
    """Return the arithmetic steps written in text, as (number, operator, number)."""
    ops = {"\u00d7": "x", "*": "x", "\u00f7": "/"}
    return {(a, ops.get(op, op), b) for a, op, b in EXPRESSION.findall(text)}


def is_question(sentence: str) -> bool:
    """Tell whether a sentence asks something (a closing quotation mark does not hide the ?)."""
    return sentence.rstrip("\"\u201d' ").endswith("?")


def error_step(student: str, expert: str) -> str:
    """Return the step of the student's working that the expert response addresses most.

    Each step scores two points per number it shares with the expert text and one per content
    word; the first step with the highest score wins, or "" when no step shares anything.
    """
    expert_numbers, expert_words = numbers(expert), content_words(expert)
    best, best_score = "", 0
    for step in (s for s in STEP_SPLIT.split(student) if s.strip()):
        score = 2 * len(numbers(step) & expert_numbers) + len(content_words(step) & expert_words)
        if score > best_score:
            best, best_score = step, score
    return best
