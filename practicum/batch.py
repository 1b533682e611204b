"""Batch scoring of JSONL files: the engine behind `practicum score` and batch-scoring jobs.

Responses are scored in chunks: the sentences of every response in a chunk are embedded in one
`embed_batch` call before the scorer runs, so MiniLM sees batches instead of one text at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO

import numpy as np

from ai.feedback import FeedbackWriter, feedback_facts
from ai.scoring import scoring_text
from ai.signals import MAX_SENTENCES, sentences
from embeddings.embedder import DIMENSIONS, Embedder
from practicum import library, practice
from practicum.db import session
from practicum.errors import PracticumError

CHUNK = 32


class PrefetchedEmbedder(Embedder):
    """An embedder that answers from vectors embedded ahead in one batch, and embeds the rest."""

    def __init__(self, inner: Embedder, texts: list[str]):
        self.inner = inner
        self.model_id = inner.model_id
        unique = list(dict.fromkeys(texts))
        self._known = dict(zip(unique, inner.embed_batch(unique), strict=True)) if unique else {}

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Return the vectors of texts, embedding in one call only those not seen yet."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            self._known.update(zip(missing, self.inner.embed_batch(missing), strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._known[t] for t in texts]).astype(np.float32)


def decode_item(line: str) -> dict:
    """Return a JSONL line's object, or raise saying why it is not one."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise PracticumError(f"invalid JSON: {error.msg}") from None
    if not isinstance(item, dict):
        raise PracticumError("each line must be a JSON object")
    return item


def checked_item(item: dict, scenarios: dict) -> tuple[object, str]:
    """Return a line's current scenario (cached in scenarios by key) and validated response."""
    key = item.get("scenario")
    if not isinstance(key, str):
        raise PracticumError("'scenario' must be a scenario key")
    text = practice.validate_response(item.get("response"))
    if key not in scenarios:
        scenarios[key] = library.scenario_by_key(session, key)
    return scenarios[key], text


def sentences_to_embed(scenario, response: str) -> list[str]:
    """Return the texts the scorer will embed for this response (as ai.signals.embed_response does)."""
    facts = practice.scenario_facts(scenario)
    experts = [e.text for e in practice.opening_moment(scenario).expert_responses]
    cleaned = scoring_text(response, facts, experts)
    text = cleaned.text
    # The removed sentences still said to the student are embedded too, for the red-line check.
    return ((sentences(text)[:MAX_SENTENCES] or [text]) if text else []) + cleaned.spoken


def _scored(scenario, response: str, embedder: Embedder, writer: FeedbackWriter) -> dict:
    _, result, _, _ = practice.score_for_scenario(session, scenario, response, embedder)
    feedback = writer.write(feedback_facts(result, practice.scenario_facts(scenario)))
    return {
        "score": result.score,
        "band": result.band,
        "dimensions": result.dimension_dicts(),
        "red_lines": result.red_line_dicts(),
        "matches": [m.as_dict() for m in result.matches],
        "flags": result.flags,
        "scorer_version": result.scorer_version,
        "feedback": feedback.text,
        "feedback_source": feedback.source,
    }


def score_chunk(
    numbered: list[tuple[int, str]], scenarios: dict, embedder: Embedder, writer: FeedbackWriter
) -> list[tuple[int, dict]]:
    """Score numbered JSONL lines with one embedding call for all their sentences; errors are records."""
    parsed: list[tuple[int, dict, object, str] | tuple[int, dict]] = []
    for number, line in numbered:
        record: dict = {}
        try:
            item = decode_item(line)
            record = {"id": item["id"]} if "id" in item else {}
            record["scenario"] = item.get("scenario")
            parsed.append((number, record, *checked_item(item, scenarios)))
        except PracticumError as error:
            session.rollback()
            parsed.append((number, {**record, "line": number, "error": error.message}))
    texts = [t for entry in parsed if len(entry) == 4 for t in sentences_to_embed(entry[2], entry[3])]
    batched = PrefetchedEmbedder(embedder, texts)
    records = []
    for entry in parsed:
        if len(entry) == 2:
            records.append(entry)
            continue
        number, record, scenario, response = entry
        try:
            records.append((number, {**record, **_scored(scenario, response, batched, writer)}))
        except PracticumError as error:
            session.rollback()
            records.append((number, {**record, "line": number, "error": error.message}))
    return records


def numbered_lines(lines: Iterable[str], start_after: int = 0) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) for each non-blank line after start_after."""
    for number, line in enumerate(lines, start=1):
        if number > start_after and line.strip():
            yield number, line


def chunks(numbered: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    """Yield lists of at most size items."""
    while chunk := list(islice(numbered, size)):
        yield chunk


def score_lines(
    lines: IO[str],
    out: IO[str],
    embedder: Embedder,
    writer: FeedbackWriter,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK,
) -> dict[str, int]:
    """Score each JSONL line and write one output line per input line, errors included."""
    counts = {"scored": 0, "errors": 0}
    scenarios: dict = {}
    for chunk in chunks(numbered_lines(lines), chunk_size):
        for _, record in score_chunk(chunk, scenarios, embedder, writer):
            counts["errors" if "error" in record else "scored"] += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if progress:
            progress(chunk[-1][0])
    return counts
