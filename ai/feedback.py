"""Coaching feedback in two layers: facts computed here, one sentence of prose from the model.

The facts (score, band, what worked, what to work on, the closest expert move) are always
shown as computed. The model only rephrases the next step; ai/guard.py checks that sentence and
a template written from the same facts replaces it when the check fails or the model errs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ai.bands import band_label
from ai.cues import SAYS_WHO_WILL_BE_TOLD
from ai.dimensions import MET, PARTLY, ScenarioFacts, fitting_language, pick, tips_for
from ai.evidence import quote
from ai.guard import KEEP_NOTES, check_coaching
from ai.llm import LLM
from ai.red_lines import shipped_bank
from ai.scoring import MIN_SUBSTANCE_WORDS, ScoreResult
from ai.sentence_shape import SentenceShape
from embeddings.search import ExpertMatch
from practicum.errors import ModelUnavailable

PROMPTS = Path(__file__).parent / "prompts"
# The coaching sentence: one plain sentence in the requested form, no markup, newlines or digits.
# Its letters include accented Latin ones (Latin-1, Extended-A and -B, Extended Additional):
# with ASCII alone the model could never write "Tomás" or "Lucía", and the guard refused every
# sentence that misspelt the name.
LETTERS = "a-zA-Z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
NEXT_STEP = SentenceShape("Next time, try ", "a-z", LETTERS + " ,;'-")


@dataclass
class FeedbackFacts:
    """The deterministic facts behind one attempt's feedback."""

    score: int
    band: str
    strengths: list[str]
    gaps: list[str]
    expert_text: str
    expert_strategy: str
    note: str
    red_lines: list[str] = field(default_factory=list)
    copied: bool = False
    copied_all: bool = False  # nothing of the trainee's own was left once the copy was taken out


@dataclass
class Feedback:
    """Finished feedback and how it was written."""

    text: str
    source: str  # "model", "fallback" or "none"
    model_id: str = ""
    coaching: str = ""
    rejected_because: str = ""
    model_text: str = ""
    timings: dict[str, float] = field(default_factory=dict)


# The tips (ai/rubric_text.yaml, the bank's `instead`) whose whole ask is privacy, or saying who
# will be told, by their own words: a test holds each to a shipped tip, so rewording one there
# cannot silently let it be asked of an answer that already does it.
PRIVACY_TIPS = (
    "quietly and one to one",
    "privately before drawing",
    "a quiet word at the desk",
    "privately and briefly",
    "for after class",
    r"and follow up privately\.$",
    "explain themselves in front of others",
    "meet or call privately",
)
TELLING_TIPS = (
    "who you will (share|tell)",
    "pass (this|it) to",
    "only tell the people",
    "safeguarding procedure",
)

# What an answer already does, read off its words: a tip asking for it again is skipped.
ALREADY = {
    # An ask need not end in a question mark: "Tell me one thing about this school that annoys
    # you" (a walk-through on 2026-12-07 (night) was still told to "ask how Mateo sees it").
    "question": (
        re.compile(r"\b(ask|question)", re.I),
        re.compile(
            r"\?|\b(tell|show|talk|walk) me (only |just )?(what|how|why|which|where|one|more|about|through)\b"
            r"|\bexplain (to me |to us )?(what|how|why)\b|\bconvince me\b|\bsay more\b|\bpick a side\b",
            re.I,
        ),
    ),
    "feeling": (
        re.compile(r"\b(feel|feeling|frustrat|upset|worr|angry|embarrass)", re.I),
        re.compile(
            r"\b(feel\w*|frustrat\w*|upset|worr\w*|angry|annoy\w*|embarrass\w*|scared|hurt\w*|sad|stress\w*)\b",
            re.I,
        ),
    ),
    "acknowledge": (
        re.compile(r"\b(acknowledge|assume good intent)", re.I),
        re.compile(
            r"\bI (can )?(see|hear|understand|get) (that|you|it|why|this|how|what)\b"
            r"|\bI know (that |this |it'?s |you'?re "
            r"|you (want|wanted|mean|meant|didn'?t|were|are|have|had)\b)"
            r"|\bsounds like\b|\bfair (point|enough)\b|\byou'?re right\b|\bthat makes sense\b",
            re.I,
        ),
    ),
    "thanks": (re.compile(r"\bthank", re.I), re.compile(r"\bthank", re.I)),
    "not in trouble": (
        re.compile(r"\bnot in trouble", re.I),
        re.compile(r"(\bnot|n't) in (any )?trouble", re.I),
    ),
    # "After the lesson, can you say your name for me slowly?" already moves it out of the room (a
    # walk-through on 2026-12-07 was still told to "never make the student … explain themselves in
    # front of others"); only the tips whose whole ask is privacy are held back.
    "in private": (
        re.compile(r"\b(" + "|".join(PRIVACY_TIPS) + ")", re.I),
        re.compile(
            r"\b(after (the )?(class|lesson|register|school)|at (break|lunch|the end)|afterwards|privately"
            r"|in private|quietly|quiet (word|voice)|low voice|one[- ]to[- ]one|come and see me"
            r"|step (outside|aside|over))\b",
            re.I,
        ),
    ),
    # "I need to tell Mrs Khan, who helps keep children safe" says who will be told (a
    # walk-through on 2026-12-07 (late) was still asked to "explain that you will pass this to the
    # safeguarding lead"); "I won't tell anyone" and "I need to talk to you" do not.
    "who will be told": (
        re.compile(r"\b(" + "|".join(TELLING_TIPS) + ")", re.I),
        SAYS_WHO_WILL_BE_TOLD,
    ),
}


# Tips that repair harm ("avoid phrases like…", "drop any sarcasm"): only for a dimension the
# answer missed outright or broke with a red line; an answer that partly meets it is not told
# to stop doing what it never did.
REPAIR = re.compile(
    r"\b(avoid|drop|sarcasm|phrases like|assumptions|rather than assuming|ultimatum|rather than calling"
    r"|instead of|as a person)\b",
    re.I,
)


def already_does(tip: str, text: str) -> bool:
    """Tell whether a tip asks for something the answer already does."""
    return any(asks.search(tip) and does.search(text) for asks, does in ALREADY.values())


def next_step_note(result: ScoreResult, facts: ScenarioFacts) -> str:
    """One tip on the answer's weakest weighted dimension that it does not already do.

    An answer that crosses a red line is told what to do in its place (the bank's `instead`):
    "keep the work separate from Ruby as a person" does not answer "Stop crying, it's only a book".
    Having crossed it, the answer did not take those steps, whatever words it shares with them
    ("don't worry about it" names no feeling). A step about language follows only a sentence or a
    moment about language: "let them answer in any language" does not answer a joke about a name.
    """
    for hit in result.red_lines:
        steps = shipped_bank()[hit.key].instead_for(facts.category)
        steps = fitting_language(steps, facts, hit.sentence) or steps
        if steps:
            return pick([step.format(name=facts.first_name) for step in steps], result.text)
    broken = [hit.dimension for hit in result.red_lines]
    ranked = sorted(
        (d for d in result.dimensions if d.value < MET),
        key=lambda d: (d.key not in broken, -(1 - d.value) * d.weight, d.key),
    )
    for dimension in ranked:
        tips = [tip for tip in tips_for(dimension.key, facts) if not already_does(tip, result.text)]
        if dimension.key not in broken and dimension.value >= PARTLY:
            # None left: the next dimension's tip, rather than "drop any sarcasm" to a warm answer.
            tips = [tip for tip in tips if not REPAIR.search(tip)]
        if tips:
            return pick(tips, result.text)
    return ""


# How close an answer must be to its nearest expert response before the expert's move is named as
# the one to keep. Below it the move was often not the trainee's: a walk-through on 2026-12-07
# (night) was told to "keep using this move: invite others to revoice" at 0.62 for an answer that
# asked Ana to convince the teacher with fraction strips, and "use partner talk" at 0.57 and 0.64
# where nobody was asked to talk to a partner; from 0.71 to 0.76 each move named was the answer's
# (at 0.70, half of it).
KEEP_MOVE_SIMILARITY = 0.7


def keep_note(strengths: list[str], expert: ExpertMatch | None) -> str:
    """Say what to keep for an answer with nothing left to change: its move, or what it did."""
    if expert is not None and expert.strategy and expert.similarity >= KEEP_MOVE_SIMILARITY:
        return f"{KEEP_NOTES[0]}: {expert.strategy}."
    if strengths:  # measured by the dimension heads, so it is something the answer did
        return f"{KEEP_NOTES[1]}: {strengths[0][0].lower()}{strengths[0][1:]}"
    return f"{KEEP_NOTES[1]}."


def feedback_facts(result: ScoreResult, facts: ScenarioFacts) -> FeedbackFacts:
    """Derive the facts from a score: what worked, what to work on, red lines, the expert move."""
    ranked = sorted(result.dimensions, key=lambda d: (-d.weight, d.key))
    strengths = [d.reason for d in ranked if d.value >= MET]
    # A red line's reason is its broken dimension's too: said once, under the red line, not again.
    said_under_red_lines = {hit.reason for hit in result.red_lines}
    gaps = list(
        dict.fromkeys(
            d.reason
            for d in sorted(ranked, key=lambda d: (d.value, -d.weight))
            if d.value < MET and d.reason not in said_under_red_lines
        )
    )
    if len(result.text.split()) < MIN_SUBSTANCE_WORDS:  # one line, not a reason per dimension
        strengths = []
        gaps = [f"There is too little here to judge; write what you would say to {facts.first_name}."]
    expert = result.matches[0] if result.matches else None
    strategy = expert.strategy if expert else ""
    note = next_step_note(result, facts) or keep_note(strengths, expert)
    red_lines = [f'{hit.title}. You wrote: "{quote(hit.sentence)}" {hit.reason}' for hit in result.red_lines]
    return FeedbackFacts(
        score=result.score,
        band=result.band,
        strengths=strengths[:3],
        gaps=gaps[:3],
        expert_text=expert.text if expert else "",
        expert_strategy=strategy,
        note=note,
        red_lines=red_lines,
        copied=result.copied,
        copied_all=result.copied and len(result.text.split()) < 4,
    )


def template_coaching(facts: FeedbackFacts) -> str:
    """Write the next-step sentence from the facts alone."""
    if facts.copied_all:
        return "Next time, try saying it in your own words: this answer copies one of the expert responses."
    if facts.copied:
        return (
            "Next time, try saying all of it in your own words: the sentences copied from an expert "
            "response were not counted."
        )
    if facts.note.startswith(KEEP_NOTES):
        # Nothing left to change: "Next time, try this: keep using this move: …" read badly.
        return f"Next time, {facts.note[0].lower()}{facts.note[1:]}"
    note = facts.note[0].lower() + facts.note[1:]
    return f"Next time, try this: {note}"


def facts_text(facts: FeedbackFacts) -> str:
    """Write the facts as plain lines, the same for every feedback path."""
    lines = [f"Score {facts.score} — {band_label(facts.band)}."]
    if facts.copied_all:
        lines.append("This answer copies one of the expert responses for this moment word for word.")
    elif facts.copied:
        lines.append(
            "This answer copies sentences of an expert response word for word; they were not counted."
        )
    for red_line in facts.red_lines:
        lines.append("Crossed a red line: " + red_line)
    if facts.strengths:
        lines.append("What worked: " + " ".join(facts.strengths))
    if facts.gaps:
        lines.append("What to work on: " + " ".join(facts.gaps))
    if facts.expert_text:
        label = f" ({facts.expert_strategy})" if facts.expert_strategy else ""
        lines.append(f'Closest expert move{label}: "{facts.expert_text}"')
    return "\n".join(lines)


@cache
def _prompt(name: str) -> tuple[str, list[tuple[str, str]]]:
    parts = [p.strip() for p in (PROMPTS / f"{name}.md").read_text().split("\n---\n")]
    system, examples = parts[0], parts[1:]
    return system, list(zip(examples[::2], examples[1::2], strict=True))


def coaching_messages(facts: FeedbackFacts) -> list[dict]:
    """Build the few-shot chat that asks the model to rephrase the next step."""
    system, examples = _prompt("next_step")
    # Always send a system message: SmolLM2's template adds its own otherwise.
    messages = [{"role": "system", "content": system}]
    for note, sentence in examples:
        messages += [{"role": "user", "content": note}, {"role": "assistant", "content": sentence}]
    messages.append({"role": "user", "content": facts.note})
    return messages


class FeedbackWriter:
    """Writes feedback with a model under a token budget, a time limit and the guard."""

    def __init__(self, llm: LLM | None, max_tokens: int = 60, time_limit_s: float = 10.0):
        self.llm, self.max_tokens, self.time_limit_s = llm, max_tokens, time_limit_s

    def stream(self, facts: FeedbackFacts) -> Iterator[tuple[str, object]]:
        """Yield ("token", text) while the model writes, then ("done", Feedback)."""
        if self.llm is None:
            yield "done", self._finish(facts, None, "none", "feedback not requested", {})
            return
        started = time.perf_counter()
        writing_since = None  # the limit is on writing: waiting for a busy model is bounded apart
        pieces: list[str] = []
        timings: dict[str, float] = {}
        failure, fault = "", ""
        try:
            stream = self.llm.stream_chat(coaching_messages(facts), self.max_tokens, NEXT_STEP)
            for piece in stream:
                timings.setdefault("first_token_ms", _ms_since(started))
                writing_since = writing_since or time.perf_counter()
                pieces.append(piece)
                yield "token", piece
                if time.perf_counter() - writing_since > self.time_limit_s:
                    failure, fault = "time limit reached", "hanging"
                    stream.close()
                    break
        except ModelUnavailable as error:
            failure, fault = f"model unavailable: {error.message}", error.fault
        timings["llm_ms"] = _ms_since(started)
        timings["tokens"] = len(pieces)
        text = "".join(pieces).strip()
        if not (failure or text):
            failure, fault = "the model wrote nothing", "garbage"
        rejected = "" if failure else check_coaching(text, facts.note, facts.band) or _off_shape(text)
        self._record(fault, failure, rejected)
        failure = failure or rejected
        yield "done", self._finish(facts, text, "fallback" if failure else "model", failure, timings)

    def _record(self, fault: str, failure: str, rejected: str) -> None:
        """Tell the model's health what this generation did, for /readyz."""
        if fault == "busy":
            return  # a queue full of trainees says nothing about the model itself
        if fault:
            self.llm.health.record_fault(fault, failure)
        elif rejected:
            self.llm.health.record_rejection(rejected)
        else:
            self.llm.health.record_success()

    def write(self, facts: FeedbackFacts) -> Feedback:
        """Write feedback without streaming."""
        for kind, value in self.stream(facts):
            if kind == "done":
                return value
        raise AssertionError("feedback stream ended without a result")

    def _finish(self, facts, model_text, source, failure, timings) -> Feedback:
        coaching = model_text if source == "model" else template_coaching(facts)
        if source == "none":
            coaching = ""
        text = "\n".join(part for part in (coaching, facts_text(facts)) if part)
        model_id = self.llm.model_id if self.llm else ""
        return Feedback(text, source, model_id, coaching, failure, model_text or "", timings)


def _off_shape(text: str) -> str:
    """Why a sentence that passed the guard still may not be shown: it leaves the requested shape."""
    # The in-process masks let byte fragments through to spell letters the vocabulary splits, so
    # pieces that spell anything else (an emoji, a digit) are caught here.
    return "" if NEXT_STEP.fullmatch(text) else "leaves the sentence's shape (letters, spaces, , ; ' -)"


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
