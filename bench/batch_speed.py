"""Batch scoring's speed: responses per second through the batch path (practicum/batch.py, what a
batch-scoring job and `practicum score --no-feedback` run), one response at a time, and MiniLM's
own batched `encode` of the same texts (the floor: embedding alone, no search, no scoring)."""

from __future__ import annotations

import io
import json
import time

from ai.feedback import FeedbackWriter
from practicum import runtime
from practicum.batch import CHUNK, score_lines, sentences_to_embed

ROUNDS = 2


def _jsonl(scenarios, responses: list[str], count: int) -> tuple[str, list[str], list[str]]:
    """Return a JSONL file of count distinct responses, the responses, and the sentences scored."""
    keys = [f"{s.set_version.scenario_set.key}/{s.key}" for s in scenarios]
    texts = [f"{responses[n % len(responses)]} ({n})" for n in range(count)]
    lines = [
        json.dumps({"id": n, "scenario": keys[n % len(keys)], "response": t}) for n, t in enumerate(texts)
    ]
    parts = [p for n, t in enumerate(texts) for p in sentences_to_embed(scenarios[n % len(scenarios)], t)]
    return "\n".join(lines) + "\n", texts, parts


def _best_rate(count: int, run) -> float:
    """Return the best of ROUNDS runs, in items per second."""
    return count / min(_seconds(run) for _ in range(ROUNDS))


def _seconds(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def report(app, scenarios, responses: list[str], count: int = 256) -> None:
    """Print responses/s: batch path, one at a time, raw batched encode (texts, and their sentences)."""
    embedder, writer = runtime.embedder(app), FeedbackWriter(None)
    model = embedder.load()
    data, texts, parts = _jsonl(scenarios, responses, count)

    def path(chunk: int):
        return lambda: score_lines(io.StringIO(data), io.StringIO(), embedder, writer, chunk_size=chunk)

    def encode(items: list[str]):
        return lambda: model.encode(items, batch_size=embedder.batch_size, normalize_embeddings=True)

    batched, single = _best_rate(count, path(CHUNK)), _best_rate(count, path(1))
    # The scorer embeds each response's sentences, not the whole text: both floors are shown.
    raw, raw_parts = _best_rate(count, encode(texts)), _best_rate(count, encode(parts))
    print(
        f"{'batch scoring, no LLM':34} {batched:7.1f} responses/s (chunks of {CHUNK}); one at a time "
        f"{single:7.1f}/s | raw batched encode of the {count} texts {raw:7.1f}/s, of their "
        f"{len(parts)} sentences {raw_parts:7.1f} responses/s | ratio {batched / raw_parts:5.2f}"
    )
