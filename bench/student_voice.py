"""How often the model's wording of a student's reply passes the guard, and how soon it starts.

For every reaction of every shipped conversation the model is asked to say the authored line in
the student's voice, after an answer that would draw it (the beat's first expert response, or
its red-line pitfall for a red-line reaction). ai/student.line_problems checks each line as the
product does. STUDENT_VOICE defaults to "authored" while the default model passes under 90%.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter

from ai.student import STAGE_DIRECTION, Brief, cleaned, line_problems, messages
from practicum import runtime
from scenarios.loader import load_scenario_set, shipped_set_files

DEFAULT_THRESHOLD = 0.9


def briefs(limit: int = 40) -> list[Brief]:
    """Return one brief per reaction of the shipped conversations (at most limit, spread evenly)."""
    found = []
    for path in shipped_set_files():
        for scenario in load_scenario_set(path.read_bytes(), path.name)["scenarios"]:
            found += _scenario_briefs(scenario)
    step = max(1, len(found) // limit)
    return found[::step][:limit]


def _scenario_briefs(scenario: dict) -> list[Brief]:
    beats = scenario.get("beats") or []
    out = []
    for position, beat in enumerate(beats):
        moment = scenario if position == 0 else beat
        experts = tuple(e["text"] for e in moment.get("expert_responses", []))
        red = [p["text"] for p in moment.get("pitfalls", []) if p["severity"] == "red_line"]
        line = scenario["student"]["opening_line"] if position == 0 else beat["line"]
        for reaction in beat["reactions"]:
            if STAGE_DIRECTION.fullmatch(reaction["line"].strip()):
                continue  # "[starts writing]" is never reworded (ai/student.StudentVoice.say)
            harmful = (reaction.get("when") or {}).get("red_line") and red
            answer = red[0] if harmful else experts[0]
            state = beat["student"]
            out.append(
                Brief(
                    scenario["student"]["name"],
                    scenario["student"]["persona"],
                    state["knows"],
                    state["believes"],
                    state["feels"],
                    (f"{scenario['student']['name']}: {line}",),
                    answer,
                    reaction["line"],
                    experts,
                )
            )
    return out


def measure(app) -> dict:
    """Generate a reply for each brief with the app's model; return pass rate, reasons and timings."""
    model, embedder = runtime.llm(app), runtime.embedder(app)
    passed, reasons, first_token_ms = 0, Counter(), []
    samples = briefs()
    for brief in samples:
        started, tokens = time.perf_counter(), []
        for token in model.stream_chat(messages(brief), 60):
            if not tokens:
                first_token_ms.append((time.perf_counter() - started) * 1000)
            tokens.append(token)
        problems = line_problems(cleaned("".join(tokens)), brief, embedder)
        passed += not problems
        reasons.update(problems)
    ordered = sorted(first_token_ms) or [0.0]
    return {
        "lines": len(samples),
        "passed": passed,
        "pass_rate": round(passed / max(1, len(samples)), 3),
        "reasons": dict(reasons.most_common()),
        "first_token_p50_ms": round(statistics.median(ordered), 1),
        "first_token_p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
    }


def report(app) -> None:
    """Print the generated student's guard pass rate and time to first token."""
    found = measure(app)
    good_enough = found["pass_rate"] >= DEFAULT_THRESHOLD
    verdict = "model may word replies" if good_enough else "authored lines stay default"
    print(
        f"{'generated student line: guard pass':34} {found['passed']}/{found['lines']} "
        f"({found['pass_rate']:.0%}; {verdict}); rejected for {found['reasons']}"
    )
    print(
        f"{'student reply: first token':34} p50 {found['first_token_p50_ms']:8.1f} ms  "
        f"p95 {found['first_token_p95_ms']:8.1f} ms"
    )
