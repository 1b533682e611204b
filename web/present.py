"""Shapes stored attempts like the live events, so one template renders both."""

from __future__ import annotations

from ai.bands import band_for, band_label
from ai.evidence import quote
from ai.sanitize import collapse_repeats, sanitize_response
from practicum import conversation
from practicum.serialize import attempt_json
from web import bp

# Stored feedback is the coaching sentence, then the facts (ai.feedback.facts_text), which
# start with "Score N — band.": the pages show the facts as structure, so keep only the prose.
FACTS_START = "\nScore "
NOTED_FLAGS = ("red_line", "copied_expert")
# Why each removed part did not count, in the trainee's words.
REMOVAL_REASONS = {
    "instructions_to_the_model": "an instruction to the scorer",
    "encoded_text": "encoded text",
    "keyword_list": "a list of keywords, not said to the student",
    "echoed_words": "only words already said, in the scene or your answer",
    "repeated_sentences": "said already",
    "repeated_words": "a word repeated",
    "copied_scenario_text": "copied from the scenario",
    "no_substance": "filler with nothing said to the student",
}
CROSSES_A_RED_LINE = "not counted for the score, but said to the student: it crosses the red line above"
MAX_PART_CHARS = 300


def removed_parts(response: str, scenario, red_lines=()) -> list[dict]:
    """Return the parts of an answer the scorer did not count, each with why, for the banner.

    The cleaner is deterministic, so running it again on the stored answer and the scenario
    version it was scored against finds the parts it removed then. Copies of the experts have
    a note of their own, so they are not listed here. A removed sentence that a red line
    (`red_lines`, as stored) quotes was said to the student after all: its reason says so.
    """
    cleaned = sanitize_response(
        response, [scenario.context, scenario.opening_line], [e.text for e in scenario.expert_responses]
    )
    quoted = {line.get("evidence") for line in red_lines or ()}
    return [
        {"reason": _why_removed(flag, text, quoted), "text": _shortened(text)}
        for flag, text in cleaned.removed
        if flag not in NOTED_FLAGS
    ]


def _why_removed(flag: str, text: str, quoted: set) -> str:
    said = (quote(text), quote(collapse_repeats(text)))
    if any(s in quoted for s in said):
        return CROSSES_A_RED_LINE
    return REMOVAL_REASONS.get(flag, "not counted")


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_PART_CHARS else text[: MAX_PART_CHARS - 1].rsplit(" ", 1)[0] + "…"


def coaching_of(attempt) -> str:
    """Return the coaching prose of a stored attempt's feedback."""
    if attempt.feedback_source == "none":
        return ""
    text = attempt.feedback_text or ""
    return "" if text.startswith(FACTS_START.lstrip()) else text.partition(FACTS_START)[0]


def attempt_view(attempt, previous_score: int | None) -> dict:
    """Return an attempt with its coaching and the student's reply (or follow-up line)."""
    follow_ups = attempt.scenario.follow_ups or {}
    # Red lines and copies have notes of their own; the banner is for removed text.
    flags = [f for f in attempt.flags or [] if f not in NOTED_FLAGS]
    reply = attempt.reply or {}
    return {
        **attempt_json(attempt, previous_score),
        "coaching": coaching_of(attempt),
        # Attempts stored before replies were kept: the line the scenario gives their band.
        "follow_up": reply.get("line")
        or conversation.band_follow_up(follow_ups, attempt.band, bool(attempt.red_lines)),
        "ending_label": conversation.ENDINGS.get(reply.get("end", "")),
        "flags": flags,
        "removed": removed_parts(attempt.response_text, attempt.scenario, attempt.red_lines) if flags else [],
    }


def session_turns(practice_session) -> list[dict]:
    """Return a session's attempts in order, each with its change since the last try at its turn.

    In a conversation each answer is labelled with its turn; an answer a revision replaced is
    marked `replaced`, and only the last counted turn can be revised.
    """
    attempts = practice_session.attempts
    counted = {a.id for a in conversation.counted_turns(attempts)}
    is_conversation = practice_session.scenario.is_conversation
    last_counted = max(counted, default=None)
    turns, previous_at = [], {}
    for number, attempt in enumerate(attempts, start=1):
        view = attempt_view(attempt, previous_at.get(attempt.turn))
        previous_at[attempt.turn] = attempt.score
        view["number"] = number
        view["replaced"] = is_conversation and attempt.id not in counted
        view["revisable"] = not is_conversation or attempt.id == last_counted
        view["label"] = f"Turn {attempt.turn}" if is_conversation else f"Try {number}"
        turns.append(view)
    return turns


@bp.app_template_filter("band_label")
def band_label_filter(band: str) -> str:
    """Return the words for a band key, for templates."""
    return band_label(band)


@bp.app_template_filter("score_band")
def score_band_filter(score: int) -> str:
    """Return the band key of a score, for templates."""
    return band_for(score)
