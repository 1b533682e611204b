"""Where a rehearsal's conversation stands, and how the student reacts to what was said.

A scenario with beats (scenarios/README.md, "Conversations") runs for 2 to 5 trainee turns.
Each answer is scored against its beat; the student's reply is the first authored reaction
whose condition the answer meets, read from the score's own evidence (band, red lines,
dimensions met) and from retrieval (the closest expert strategy, a pitfall nearer than every
expert). Revising an answer answers its turn again: the latest answer of each turn counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ai.bands import band_for, band_label
from ai.rubric import DIMENSIONS
from ai.scoring import ScoreResult
from embeddings.search import ExpertMatch, PitfallMatch
from practicum.models import BANDS, Attempt, Scenario
from scenarios.beats import MAX_TURNS

ENDINGS = {
    "resolved": "Resolved",
    "partly_resolved": "Partly resolved",
    "escalated": "Escalated",
}
# A strategy only counts as used when the answer is at least sound: a harmful answer in an
# expert's words must not draw the reaction meant for the expert's move.
STRATEGY_FLOOR = "developing"


@dataclass(frozen=True)
class Position:
    """Where a conversation stands: the turn to answer next, its beat, or the ending reached."""

    turn: int
    beat_key: str | None  # None: the opening (a one-exchange scenario's only moment)
    student_line: str
    ending: str | None = None
    path: list[Attempt] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        """Tell whether the conversation reached an ending."""
        return self.ending is not None


def beat_named(scenario: Scenario, key: str | None) -> dict | None:
    """Return a beat of the scenario by key (None: the opening beat), or None without beats."""
    beats = scenario.beats or []
    if not beats:
        return None
    if key is None:
        return beats[0]
    return next((b for b in beats if b["key"] == key), None)


def beat_line(scenario: Scenario, key: str | None) -> str:
    """Return what the student says at a beat."""
    beat = beat_named(scenario, key)
    return scenario.opening_line if key is None or beat is None else beat["line"]


def line_at(scenario: Scenario, path: Sequence[Attempt], turn: int) -> str:
    """Return what the student said at a turn: the opening line, then the reply that led there.

    A beat's own `line` is its usual wording; the reply the trainee actually drew (several
    reactions may lead to one beat, a model may reword one) is what they answered.
    """
    if turn <= 1 or len(path) < turn - 1:
        return scenario.opening_line
    before = path[turn - 2]
    return (before.reply or {}).get("line") or beat_line(scenario, before.beat)


def line_answered(attempt: Attempt) -> str:
    """Return the student's line an attempt answered, as the conversation stood when it was given."""
    before = [a for a in attempt.session.attempts if a.id < attempt.id]
    return line_at(attempt.scenario, counted_turns(before), attempt.turn)


def session_summary(session) -> str:
    """Return how a session's conversation ended and what moved it ("" while it goes on)."""
    where = position(session.scenario, session.attempts)
    return summary(where.path, where.ending)


def counted_turns(attempts: Sequence[Attempt]) -> list[Attempt]:
    """Return the answers that count, one per turn in order: a revision replaces its turn onward."""
    path: list[Attempt] = []
    for attempt in sorted(attempts, key=lambda a: a.id):
        path = [*path[: attempt.turn - 1], attempt]
    return path


def position(scenario: Scenario, attempts: Sequence[Attempt]) -> Position:
    """Return where the conversation of a session with these attempts stands."""
    path = counted_turns(attempts)
    if not scenario.is_conversation:
        return Position(1, None, scenario.opening_line, None, path)
    if not path:
        return Position(1, None, scenario.opening_line, None, path)
    reply = path[-1].reply or {}
    if "end" in reply:
        return Position(len(path), path[-1].beat, reply.get("line", ""), reply["end"], path)
    following = reply.get("next")
    return Position(len(path) + 1, following, line_at(scenario, path, len(path) + 1), None, path)


def answering(scenario: Scenario, attempts: Sequence[Attempt], revise: bool) -> tuple[int, str | None]:
    """Return the (turn, beat) an answer goes to: the next turn, or the last one again to revise."""
    where = position(scenario, attempts)
    if not scenario.is_conversation:
        return 1, None
    if revise or where.ended:
        if not where.path:
            return 1, None
        return where.path[-1].turn, where.path[-1].beat
    return where.turn, where.beat_key


def holds(
    when: dict | None,
    result: ScoreResult,
    experts: Sequence[ExpertMatch],
    pitfalls: Sequence[PitfallMatch],
) -> bool:
    """Tell whether an answer meets every condition of a reaction's `when` (none: always)."""
    if not when:
        return True
    checks = []
    if "band" in when:
        checks.append(result.band in when["band"])
    if "red_line" in when:
        checks.append(bool(result.red_lines) == bool(when["red_line"]))
    if "strategy" in when:
        closest = experts[0].strategy if experts else None
        sound = BANDS.index(result.band) >= BANDS.index(STRATEGY_FLOOR)
        checks.append(closest == when["strategy"] and sound and not result.red_lines)
    if "pitfall" in when:
        checks.append(_nearer_pitfall(when["pitfall"], experts, pitfalls))
    if "met" in when:
        met = {d.key for d in result.dimensions if d.level == "met"}
        checks.append(set(when["met"]) <= met)
    return all(checks)


def _nearer_pitfall(severity: str, experts: Sequence[ExpertMatch], pitfalls: Sequence[PitfallMatch]) -> bool:
    best_expert = experts[0].similarity if experts else -1.0
    return any(p.similarity > best_expert and (severity == "any" or p.severity == severity) for p in pitfalls)


def react(
    scenario: Scenario,
    beat_key: str | None,
    turn: int,
    result: ScoreResult,
    experts: Sequence[ExpertMatch],
    pitfalls: Sequence[PitfallMatch],
) -> dict | None:
    """Return the student's reply to an answer: {line, next | end, note, reaction}, or None.

    A one-exchange scenario replies with its follow-up line: the red-line one for an answer that
    crosses a red line, where the author wrote one, else the one for the answer's band.
    """
    beat = beat_named(scenario, beat_key)
    if beat is None:
        line = follow_up_line(scenario.follow_ups or {}, result)
        return {"line": line, "source": "authored"} if line else None
    number, reaction = next(
        (n, r) for n, r in enumerate(beat["reactions"]) if holds(r.get("when"), result, experts, pitfalls)
    )
    reply = {"line": reaction["line"], "reaction": number, "source": "authored"}
    if "note" in reaction:
        reply["note"] = reaction["note"]
    if "end" in reaction:
        reply["end"] = reaction["end"]
    elif turn >= MAX_TURNS:  # a loop the author allowed: the lesson moves on after five turns
        reply["end"] = "partly_resolved"
    else:
        reply["next"] = reaction["next"]
    return reply


def follow_up_line(follow_ups: dict[str, str], result: ScoreResult) -> str:
    """Return a one-exchange scenario's reply to an answer ("" when the author wrote none).

    A put-down capped at Needs work is not answered with the line written for an honest but thin
    attempt: a student who has just been shamed does not ask a keen question back.
    """
    return band_follow_up(follow_ups, result.band, bool(result.red_lines))


def band_follow_up(follow_ups: dict[str, str], band: str, crossed_red_line: bool) -> str:
    """Return the follow-up line for a band, or the red-line one where the answer crossed one."""
    if crossed_red_line and follow_ups.get("red_line"):
        return follow_ups["red_line"]
    return follow_ups.get(band, "")


def transcript(scenario: Scenario, path: Sequence[Attempt]) -> list[dict]:
    """Return the counted turns as lines: the student's line, the answer, its score and the reply."""
    return [
        {
            "turn": attempt.turn,
            "beat": attempt.beat,
            "student_line": line_at(scenario, path, attempt.turn),
            "attempt_id": attempt.id,
            "response": attempt.response_text,
            "score": attempt.effective_score,
            "band": band_for(attempt.effective_score),
            "band_label": band_label(band_for(attempt.effective_score)),
            "reply": attempt.reply,
        }
        for attempt in path
    ]


def summary(path: Sequence[Attempt], ending: str | None) -> str:
    """Say in one sentence how the conversation ended and what moved it."""
    if ending is None:
        return ""
    noted = [(a.turn, (a.reply or {}).get("note")) for a in path if (a.reply or {}).get("note")]
    turns = f"{len(path)} turn{'s' if len(path) != 1 else ''}"
    said = f"{ENDINGS[ending]} after {turns}"
    if not noted:
        return said + "."
    # The last noted move decided where it went; an earlier one set it on its way.
    moves = [f"{note} in turn {turn}" for turn, note in noted[-2:]]
    return f"{said}: {'; then '.join(moves)}."


PITFALL_WORDS = {"red_line": "a red-line pitfall", "weak": "a weak pitfall", "any": "one of the pitfalls"}


def condition_words(when: dict | None) -> str:
    """Say a reaction's condition as an admin reads it in the preview."""
    if not when:
        return "Otherwise"
    parts = []
    if when.get("red_line"):
        parts.append("the answer crosses a red line")
    if "pitfall" in when:
        parts.append(f"the answer is closer to {PITFALL_WORDS[when['pitfall']]} than to any expert")
    if "strategy" in when:
        parts.append(f"the answer makes the move “{when['strategy']}”")
    if "band" in when:
        parts.append("the score is " + " or ".join(band_label(b) for b in when["band"]))
    if "met" in when:
        parts.append("it meets " + " and ".join(DIMENSIONS[d][1].lower() for d in when["met"]))
    return "If " + ", and ".join(parts)


def outline(scenario: dict) -> list[dict] | None:
    """Return a scenario document's conversation as a tree to read: beat, reactions, what follows.

    A beat met again on the same path (a loop) is named, not repeated. None without beats.
    """
    beats = scenario.get("beats") or []
    if not beats:
        return None
    by_key = {b["key"]: b for b in beats}

    def node(beat: dict, line: str, on_path: frozenset[str]) -> dict:
        on_path = on_path | {beat["key"]}
        branches = []
        for reaction in beat["reactions"]:
            branch = {"condition": condition_words(reaction.get("when")), "line": reaction["line"]}
            if "note" in reaction:
                branch["note"] = reaction["note"]
            if "end" in reaction:
                branch["ending"] = ENDINGS[reaction["end"]]
            elif reaction["next"] in on_path:
                branch["back_to"] = reaction["next"]
            else:
                following = by_key[reaction["next"]]
                branch["beat"] = node(following, following["line"], on_path)
            branches.append(branch)
        return {"key": beat["key"], "line": line, "reactions": branches}

    return [node(beats[0], scenario["student"]["opening_line"], frozenset())]
