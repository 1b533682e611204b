"""JSON forms of scenarios, sessions and attempts."""

from __future__ import annotations

from ai.bands import band_label
from practicum import conversation


def scenario_json(scenario, full: bool = False) -> dict:
    """Return a scenario; `full` adds the scene, the student and the expert strategies."""
    data = {
        "id": scenario.id,
        "key": scenario.key,
        "title": scenario.title,
        "category": scenario.category,
        "grade_band": scenario.grade_band,
        "subject": scenario.subject,
    }
    if full:
        data.update(
            context=scenario.context,
            student={
                "name": scenario.student_name,
                "persona": scenario.student_persona,
                "opening_line": scenario.opening_line,
            },
            strategies=sorted({r.strategy for r in scenario.expert_responses if r.strategy}),
            beats=len(scenario.beats or []),
        )
    return data


def attempt_json(attempt, previous_score: int | None = None) -> dict:
    """Return a stored attempt with its score, evidence and feedback."""
    return {
        "id": attempt.id,
        "session_id": attempt.session_id,
        "scenario_id": attempt.scenario_id,
        "response": attempt.response_text,
        "score": attempt.score,
        "band": attempt.band,
        "band_label": band_label(attempt.band),
        "dimensions": attempt.dimensions,
        "red_lines": attempt.red_lines or [],
        "copied_expert": "copied_expert" in (attempt.flags or []),
        "matches": attempt.matches,
        "feedback": attempt.feedback_text,
        "feedback_source": attempt.feedback_source,
        "model_id": attempt.model_id,
        "scorer_version": attempt.scorer_version,
        "timings": attempt.timings,
        "score_change": None if previous_score is None else attempt.score - previous_score,
        "created_at": attempt.created_at.isoformat(),
        "turn": attempt.turn,
        "beat": attempt.beat,
        "reply": attempt.reply,
    }


def scored_json(scored) -> dict:
    """Return what is known before feedback: score, band, dimensions, matches."""
    result = scored.result
    return {
        "score": result.score,
        "band": result.band,
        "band_label": band_label(result.band),
        "dimensions": result.dimension_dicts(),
        "red_lines": result.red_line_dicts(),
        "copied_expert": result.copied,
        "matches": [m.as_dict() for m in result.matches],
        "related": [m.as_dict() for m in scored.related],
        "flags": result.flags,
        # A conversation's reply comes after the feedback, as its own event (practicum/streaming).
        "follow_up": "" if "reaction" in (scored.reply or {}) else scored.follow_up,
        "turn": scored.turn,
        "beat": scored.beat,
        "scorer_version": result.scorer_version,
        "score_change": None if scored.previous_score is None else result.score - scored.previous_score,
    }


def session_json(session) -> dict:
    """Return a practice session with its attempts."""
    return {
        "id": session.id,
        "scenario": scenario_json(session.scenario, full=True),
        "started_at": session.started_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "confidence_before": session.confidence_before,
        "confidence_after": session.confidence_after,
        "reflection": session.reflection,
        "attempts": [attempt_json(a) for a in session.attempts],
        "conversation": conversation_json(session),
    }


def conversation_json(session) -> dict:
    """Return where a session's conversation stands: its counted turns, the next one or the ending."""
    scenario = session.scenario
    where = conversation.position(scenario, session.attempts)
    return {
        "beats": len(scenario.beats or []),
        "turn": where.turn,
        "beat": where.beat_key,
        "student_line": where.student_line,
        "ending": where.ending,
        "ending_label": conversation.ENDINGS.get(where.ending or ""),
        "summary": conversation.summary(where.path, where.ending),
        "turns": conversation.transcript(scenario, where.path),
    }
