"""Shapes stored attempts like the live events, so one template renders both."""

from __future__ import annotations

from ai.bands import band_for, band_label
from practicum.serialize import attempt_json
from web import bp

# Stored feedback is the coaching sentence, then the facts (ai.feedback.facts_text), which
# start with "Score N — band.": the pages show the facts as structure, so keep only the prose.
FACTS_START = "\nScore "
NOTED_FLAGS = ("red_line", "copied_expert")


def coaching_of(attempt) -> str:
    """Return the coaching prose of a stored attempt's feedback."""
    if attempt.feedback_source == "none":
        return ""
    text = attempt.feedback_text or ""
    return "" if text.startswith(FACTS_START.lstrip()) else text.partition(FACTS_START)[0]


def attempt_view(attempt, previous_score: int | None) -> dict:
    """Return an attempt with its coaching and the student's follow-up line."""
    follow_ups = attempt.scenario.follow_ups or {}
    return {
        **attempt_json(attempt, previous_score),
        "coaching": coaching_of(attempt),
        "follow_up": follow_ups.get(attempt.band, ""),
        # Red lines and copies have notes of their own; the banner is for removed text.
        "flags": [f for f in attempt.flags or [] if f not in NOTED_FLAGS],
    }


def session_turns(practice_session) -> list[dict]:
    """Return a session's attempts in order, each with its change since the one before."""
    turns, previous = [], None
    for attempt in practice_session.attempts:
        turns.append(attempt_view(attempt, previous))
        previous = attempt.score
    return turns


@bp.app_template_filter("band_label")
def band_label_filter(band: str) -> str:
    """Return the words for a band key, for templates."""
    return band_label(band)


@bp.app_template_filter("score_band")
def score_band_filter(score: int) -> str:
    """Return the band key of a score, for templates."""
    return band_for(score)
