"""How long scoring takes next to the raw embedding it starts with (for `make bench`).

`measure(embedder, n)` times, for the same responses, one raw `embedder.embed(response)` and a
full score without the language model (ai.scoring.score_text: cleaning, one batch embedding of
the response and its sentences, expert ranking, signals, rubric, combination), interleaved so
that machine load hits both alike. The scenario's vectors are warmed first (they are cached
per process); the cost of that first call is reported on its own.
"""

from __future__ import annotations

import time

import numpy as np

from ai.dimensions import ScenarioFacts
from ai.scoring import score_text
from ai.signals import SCENARIO_VECTORS
from embeddings.embedder import Embedder
from embeddings.search import ExpertMatch

FACTS = ScenarioFacts(
    "decimal-comparison",
    "misconception",
    "You are teaching your Grade 4 class to compare decimals. Priya circles 0.25 in the pair "
    "0.25 and 0.3, and explains her choice when you ask.",
    "0.25 is bigger, because 25 is bigger than 3.",
    "Priya",
    (
        "Asks the student to explain how she compared the numbers.",
        "Points to place value without giving the answer.",
    ),
)
EXPERTS = [
    ExpertMatch(i, 1, text, "", 0.0)
    for i, text in enumerate(
        (
            "Walk me through how you compared them, Priya. What does the 2 in 0.25 stand for, and "
            "what does the 3 in 0.3 stand for?",
            "Let's try it with money. If 0.25 of a dollar is 25 cents, how many cents would 0.3 be?",
            "Lots of people think that at first. Look at the tenths place in each number. Which has "
            "more tenths?",
        )
    )
]
RESPONSES = (
    "ok",
    "That's wrong, the answer is 0.3.",
    "Not quite, Priya. Which number has more tenths?",
    "Walk me through how you compared them. What does the 2 in 0.25 stand for? Start there.",
    "I can see why 25 looks bigger than 3, Priya, and lots of people think that at first. Let's "
    "try it with money: would you rather have 25 cents or 30 cents? Then look at the tenths "
    "place in each number and tell me what you notice.",
)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def measure(embedder: Embedder, n: int = 50) -> dict:
    """Return p50/p95 milliseconds of raw encoding and of full scoring, and their ratios."""
    embedder.embed("warm up")
    SCENARIO_VECTORS.clear()
    started = time.perf_counter()
    score_text(embedder, RESPONSES[2], FACTS, EXPERTS)
    first_call_ms = _ms(started)
    raw, full = [], []
    for i in range(n):
        response = RESPONSES[i % len(RESPONSES)]
        started = time.perf_counter()
        embedder.embed(response)
        raw.append(_ms(started))
        started = time.perf_counter()
        score_text(embedder, response, FACTS, EXPERTS)
        full.append(_ms(started))
    result = {"n": n, "first_call_ms": round(first_call_ms, 2)}
    for name, values in (("raw_encode", raw), ("score_without_llm", full)):
        result[f"{name}_p50_ms"] = round(float(np.percentile(values, 50)), 2)
        result[f"{name}_p95_ms"] = round(float(np.percentile(values, 95)), 2)
    for p in ("p50", "p95"):
        result[f"ratio_{p}"] = round(
            result[f"score_without_llm_{p}_ms"] / max(result[f"raw_encode_{p}_ms"], 1e-9), 2
        )
    return result


if __name__ == "__main__":
    from embeddings.embedder import build_embedder
    from practicum.config import default_embedding_model_path

    print(measure(build_embedder("onnx", default_embedding_model_path())))
