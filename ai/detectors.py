"""Rule detectors: the observable cues of shared/PEDAGOGY.md §3, read from a response.

Each detector returns 0, 0.5 or 1 (missed, partly, met) and one reason a trainee can read. The
fitted heads (ai/rubric_model.py) replace the value of the first four dimensions where they
apply; `from_head` then words the reason, keeping a detector's specific reason when it found the
cue (praise that treats a wrong answer as right, an answer given away).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ai import cues

if TYPE_CHECKING:
    from ai.dimensions import ScenarioFacts

ALIGNED = 0.55  # a response sentence this close to an expert move counts as making it

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
VAGUE = re.compile(r"\b(try again|do better|fix it|be better|try harder|figure it out)\b")
HARSH = re.compile(
    r"\b(stupid|idiot|lazy|dumb|shut up|calm down|obviously|whatever|pathetic|ridiculous|"
    r"or else|get out|because i said so|i don'?t care|useless|you always|you never|"
    r"or you'?(?:ll| will| are going)|detention|(?:go|going|sent) to the office|last warning|"
    r"just do (?:the|your|it)|(?:just )?get on with it)\b"
)
WARM = re.compile(r"\b(we|let'?s|together|thanks|thank you|please|i know you can|glad|great question)\b")
VAGUE_JUDGEMENT = re.compile(r"\b(wrong|incorrect|not quite|no\b|nope|bad)\b")


def content_words(text: str) -> set[str]:
    """Return the lower-cased words of text that carry meaning."""
    return {w for w in WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2}


@dataclass(frozen=True)
class Evidence:
    """What a detector may read: the cleaned text, the scenario and the named signals."""

    text: str
    lower: str
    facts: ScenarioFacts
    signals: dict[str, float]
    best_move: str = ""

    @property
    def aligned(self) -> float:
        """The response's best match to the expert responses or their moves."""
        return max(self.signals.get("sim_best", 0.0), self.signals.get("align_coverage", 0.0))

    def reveals_answer(self) -> bool:
        """States a result (a telling phrase and a number the scenario never gave)."""
        return reveals_answer(self.signals)


def reveals_answer(signals: dict[str, float]) -> bool:
    """Tell whether a response states the result instead of asking for it."""
    return (
        signals.get("tell_cues", 0) > 0
        and signals.get("numbers_new", 0) > 0
        and signals.get("ask_cues", 0) == 0
    )


def _recognises_issue(ev: Evidence) -> tuple[float, str]:
    s = ev.signals
    if s.get("affirm_without_error", 0) and ev.aligned < ALIGNED:
        return 0.0, "You treated the answer as fine; say that something needs another look."
    shared = content_words(ev.text) & content_words(ev.facts.opening_line + " " + ev.facts.context)
    if ev.aligned >= ALIGNED or len(shared) >= 3:
        return 1.0, "You named what is going on in this moment."
    if ev.aligned >= 0.4 or shared or s.get("error_cues", 0):
        return 0.5, "You touched on the issue but did not name it clearly."
    return 0.0, "Your answer does not engage with what the student said or did."


def _specific(ev: Evidence) -> tuple[float, str]:
    shared = content_words(ev.text) & content_words(ev.facts.opening_line)
    if shared and (len(shared) >= 2 or ev.signals.get("numbers_from_scenario", 0)):
        return 1.0, f"You referred to the specifics ({', '.join(sorted(shared)[:3])})."
    if ev.best_move:
        return 1.0, f"You made a key move: \u201c{ev.best_move}\u201d"
    if VAGUE_JUDGEMENT.search(ev.lower) and not shared:
        return 0.0, "You flagged a problem without saying exactly where or what it is."
    if shared or ev.aligned >= 0.5 or ev.signals.get("location_cues", 0):
        return 0.5, "You hinted at the specific issue; point to the exact step or behaviour."
    return 0.0, "Say exactly which step, word or behaviour you mean."


def _guides_not_tells(ev: Evidence) -> tuple[float, str]:
    s = ev.signals
    if ev.reveals_answer():
        return 0.0, "You gave the answer away instead of letting the student do the thinking."
    if s.get("ask_cues", 0):
        return 1.0, "You asked a question that leaves the thinking to the student."
    if "?" in ev.text or s.get("hint_cues", 0):
        return 0.5, "You pointed the way; an open 'how' or 'what do you notice' does more."
    return 0.0, "Ask a question or give a hint so the student does the thinking."


def _next_step(ev: Evidence) -> tuple[float, str]:
    steps = ev.signals.get("imperatives", 0) or cues.count(NEXT_STEP, ev.lower, 1)
    if VAGUE.search(ev.lower) and not cues.count(NEXT_STEP, ev.lower.replace("try again", ""), 1):
        return 0.0, "'Try again' is not a step; name one concrete thing to do now."
    if steps:
        return 1.0, "You gave the student a concrete next step."
    if "?" in ev.text:
        return 0.5, "Your question points somewhere; make the next step explicit."
    return 0.0, "Name one concrete thing the student should do next."


NEXT_STEP = re.compile(
    r"\b(try|start|first|next|now|let'?s|let us|take|write|rewrite|check|look at|read|"
    r"jot|show|work out|come (back|see)|after class|at break|tomorrow|plan|meet|call|"
    r"i'?ll (come|check|talk|speak|call|share|walk|sit|meet))\b"
)


def _acknowledges_feelings(ev: Evidence) -> tuple[float, str]:
    name = ev.facts.student_name.split()[0].lower() if ev.facts.student_name.strip() else ""
    if FEELING_WORDS.search(ev.lower):
        return 1.0, "You acknowledged how the student feels or sees it."
    if (name and re.search(rf"\b{re.escape(name)}\b", ev.lower)) or re.search(
        r"\byou (said|think|mean|noticed)\b", ev.lower
    ):
        return 0.5, "You spoke to the student personally; also name their feeling or view."
    return 0.0, "Acknowledge the student's feelings or point of view."


def _tone(ev: Evidence) -> tuple[float, str]:
    shouting = len(re.findall(r"\b[A-Z]{4,}\b", ev.text)) >= 2
    if HARSH.search(ev.lower) or shouting:
        return 0.0, "Some words could shame or escalate; keep it calm and respectful."
    if WARM.search(ev.lower) or FEELING_WORDS.search(ev.lower):
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

# Reasons for a fitted head's value, by level; a detector's own reason replaces the generic
# one when it found the specific cue (for example praise that treats the answer as right).
HEAD_REASONS = {
    "recognises_issue": (
        "You made clear that something in the student's work needs another look.",
        "You hinted that something is off; say plainly that there is a slip to find.",
        "Your answer does not show that you noticed the student's mistake.",
    ),
    "specific": (
        "You pointed to where the mistake is.",
        "You pointed near the problem; name the exact step or number.",
        "Say exactly which step, number or idea went wrong.",
    ),
    "guides_not_tells": (
        "You gave a hint or explanation the student can use to fix it.",
        "Your guidance is thin; add a hint, an example or a simpler case.",
        "Give a hint or an example that moves the student toward the fix.",
    ),
    "next_step": (
        "The student knows exactly what to do next.",
        "The next step is implied; ask for one specific thing now.",
        "The student is left without a clear next step.",
    ),
}


def from_head(key: str, probability: float, ev: Evidence) -> tuple[float, str]:
    """Return a fitted head's value with a reason: the level's, or the rule's specific one."""
    rule_value, rule_reason = DETECTORS[key](ev)
    value = round(probability, 2)
    met, partly, missed = HEAD_REASONS[key]
    reason = met if value >= 0.75 else partly if value >= 0.25 else missed
    if value < 0.75 and rule_value == 0.0:
        reason = rule_reason
    return value, reason
