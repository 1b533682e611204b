"""Batch scoring of JSONL files: the engine behind `practicum score`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO

from ai.feedback import FeedbackWriter, feedback_facts
from embeddings.embedder import Embedder
from practicum import library, practice
from practicum.db import session
from practicum.errors import PracticumError


def _score_one(item: dict, scenarios: dict, embedder: Embedder, writer: FeedbackWriter) -> dict:
    if not isinstance(item, dict):
        raise PracticumError("each line must be a JSON object")
    key, response = item.get("scenario"), item.get("response")
    if not isinstance(key, str):
        raise PracticumError("'scenario' must be a scenario key")
    text = practice.validate_response(response)
    if key not in scenarios:
        scenarios[key] = library.scenario_by_key(session, key)
    vector, result, _, _ = practice.score_for_scenario(session, scenarios[key], text, embedder)
    feedback = writer.write(feedback_facts(result, practice.scenario_facts(scenarios[key])))
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


def score_lines(
    lines: IO[str],
    out: IO[str],
    embedder: Embedder,
    writer: FeedbackWriter,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Score each JSONL line and write one output line per input line, errors included."""
    counts = {"scored": 0, "errors": 0}
    scenarios: dict = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record: dict = {}
        try:
            item = json.loads(line)
            record = {"id": item["id"]} if isinstance(item, dict) and "id" in item else {}
            if isinstance(item, dict):
                record["scenario"] = item.get("scenario")
            record.update(_score_one(item, scenarios, embedder, writer))
            counts["scored"] += 1
        except json.JSONDecodeError as error:
            record, counts["errors"] = (
                {"line": number, "error": f"invalid JSON: {error.msg}"},
                counts["errors"] + 1,
            )
        except PracticumError as error:
            session.rollback()
            record.update(line=number, error=error.message)
            counts["errors"] += 1
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if progress and number % 10 == 0:
            progress(number)
    return counts
