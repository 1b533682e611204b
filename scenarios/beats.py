"""Check a scenario's conversation (its beats) as a graph: every path reachable, every path ends."""

from __future__ import annotations

from collections.abc import Callable

MAX_TURNS = 5
MIN_TURNS = 2

# (path parts, message): the loader turns these into Problems with line numbers.
Found = tuple[tuple, str]


def beat_problems(scenario: dict, at: tuple) -> list[Found]:
    """Return what is wrong with a schema-valid scenario's beats (none when it has no beats)."""
    beats = scenario.get("beats")
    if not isinstance(beats, list) or not beats:
        return []
    here = (*at, "beats")
    found: list[Found] = []
    index: dict[str, int] = {}
    for position, beat in enumerate(beats):
        if beat["key"] in index:
            found.append(((*here, position, "key"), f"another beat is already called {beat['key']!r}"))
        index.setdefault(beat["key"], position)
    found += _opening_problems(beats[0], (*here, 0))
    for position, beat in enumerate(beats[1:], start=1):
        found += _later_beat_problems(beat, (*here, position))
    for position, beat in enumerate(beats):
        found += _reaction_problems(beat, (*here, position), index, scenario if position == 0 else beat)
    if any(path[-1] == "next" for path, _ in found):  # a dangling `next`: no graph to walk
        return found
    return found + _graph_problems(beats, here, index)


def _opening_problems(beat: dict, at: tuple) -> list[Found]:
    found = []
    for field in ("line", "expert_responses", "pitfalls", "key_moves"):
        if field in beat:
            found.append(
                (
                    (*at, field),
                    f"the first beat is the opening: its {field.replace('_', ' ')} "
                    "come from the scenario itself, so leave this out",
                )
            )
    for number, reaction in enumerate(beat["reactions"]):
        if "end" in reaction:
            found.append(
                (
                    (*at, "reactions", number, "end"),
                    f"the opening cannot end the conversation: it runs {MIN_TURNS} to {MAX_TURNS} turns",
                )
            )
    return found


def _later_beat_problems(beat: dict, at: tuple) -> list[Found]:
    found = []
    if "line" not in beat:
        found.append(((*at, "line"), "says nothing: every beat after the first needs the student's line"))
    if not beat.get("expert_responses"):
        found.append(((*at, "expert_responses"), "needs at least one expert response"))
    return found


def _reaction_problems(beat: dict, at: tuple, index: dict[str, int], owner: dict) -> list[Found]:
    found = []
    reactions = beat["reactions"]
    strategies = {e.get("strategy") for e in owner.get("expert_responses", []) if e.get("strategy")}
    for number, reaction in enumerate(reactions):
        where = (*at, "reactions", number)
        when = reaction.get("when")
        if when is None and number < len(reactions) - 1:
            found.append((where, "a reaction without `when` is the fallback: it must come last"))
        if "next" in reaction and reaction["next"] not in index:
            found.append(((*where, "next"), f"names no beat: there is no beat {reaction['next']!r}"))
        if when and "strategy" in when and when["strategy"] not in strategies:
            found.append(
                (
                    (*where, "when", "strategy"),
                    f"none of this beat's expert responses has the strategy {when['strategy']!r}",
                )
            )
    if reactions and reactions[-1].get("when") is not None:
        found.append(((*at, "reactions"), "needs a fallback: a last reaction without `when`"))
    return found


def _graph_problems(beats: list[dict], here: tuple, index: dict[str, int]) -> list[Found]:
    found: list[Found] = []

    def targets(position: int) -> list[int]:
        return [index[r["next"]] for r in beats[position]["reactions"] if "next" in r]

    reached = _reachable([0], targets)
    for position in range(len(beats)):
        if position not in reached:
            found.append(((*here, position), "no reaction leads to this beat: it can never be reached"))
    ends = {p for p, beat in enumerate(beats) if any("end" in r for r in beat["reactions"])}
    sources = {p: [q for q in range(len(beats)) if p in targets(q)] for p in range(len(beats))}
    can_end = _reachable(sorted(ends), lambda p: sources[p])
    for position in sorted(reached - can_end):
        found.append(
            ((*here, position), "a loop with no way out: no path from this beat ever reaches an ending")
        )
    if found:
        return found
    longest = _longest_path(0, targets, set())
    if longest > MAX_TURNS:
        found.append((here, f"a path runs {longest} trainee turns; a conversation has at most {MAX_TURNS}"))
    return found


def _reachable(starts: list[int], step: Callable[[int], list[int]]) -> set[int]:
    seen, pending = set(starts), list(starts)
    while pending:
        for following in step(pending.pop()):
            if following not in seen:
                seen.add(following)
                pending.append(following)
    return seen


def _longest_path(position: int, targets: Callable[[int], list[int]], on_path: set[int]) -> int:
    """Turns on the longest loop-free path from a beat to an ending (a loop counts once round)."""
    on_path = on_path | {position}
    onward = [_longest_path(t, targets, on_path) for t in targets(position) if t not in on_path]
    return 1 + max(onward, default=0)
