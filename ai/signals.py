"""The measurable signals behind a score: embeddings of the response and of the scenario.

A response is embedded once: its sentences in one batch call, the response vector their mean.
Scenario-side vectors (key moves, expert sentences, the student's opening line, the context)
are embedded on first use and kept in-process, keyed by a hash of the model and the texts, so a
scenario costs one batch call per process and version. `response_features` turns both into the named numbers
that the dimension detectors and the fitted rubric model read (ai/rubric_model.json).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ai import cues
from embeddings.embedder import DIMENSIONS, Embedder

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
CACHE_SIZE = 512
MAX_SENTENCES = 12


def sentences(text: str) -> list[str]:
    """Split text into its sentences (at most MAX_SENTENCES are embedded)."""
    return [s.strip() for s in SENTENCE_SPLIT.split(text) if s.strip()]


@dataclass(frozen=True)
class EmbeddedResponse:
    """A response's vector and its sentences' vectors, from one batch call."""

    vector: np.ndarray
    sentences: tuple[str, ...]
    sentence_vectors: np.ndarray

    @classmethod
    def empty(cls) -> EmbeddedResponse:
        zero = np.zeros(DIMENSIONS, dtype=np.float32)
        return cls(zero, (), np.zeros((0, DIMENSIONS), dtype=np.float32))


def embed_response(embedder: Embedder, text: str) -> EmbeddedResponse:
    """Embed a response's sentences in one batch call; the response vector is their mean.

    One call, each token embedded once: embedding the whole text beside its sentences would pad
    every sentence to the whole text's length and cost several times a raw encode. A response
    of one sentence is embedded as it is. The mean is L2-normalised like every other vector.
    """
    if not text:
        return EmbeddedResponse.empty()
    parts = sentences(text)[:MAX_SENTENCES] or [text]
    return _pooled(embedder.embed_batch(parts), text)


def _pooled(rows, text: str) -> EmbeddedResponse:
    """Make a response's embedding from its sentences' vectors: the normalised mean."""
    parts = sentences(text)[:MAX_SENTENCES] or [text]
    rows = np.asarray(rows, dtype=np.float32)[: len(parts)]
    vector = rows.mean(axis=0) if len(parts) > 1 else rows[0]
    norm = float(np.linalg.norm(vector))
    vector = (vector / norm if norm else vector).astype(np.float32)
    return EmbeddedResponse(vector, tuple(parts), rows)


@dataclass(frozen=True)
class ScenarioVectors:
    """Vectors of what the scenario says: its moves, its student and its context.

    `experts` holds each expert response (sorted by text) embedded as a response would be, from
    the same batch, so the experts can be judged against each other (ai/reference.py).
    """

    moves: tuple[str, ...]
    move_vectors: np.ndarray
    opening: np.ndarray
    context: np.ndarray
    key_move_count: int = 0
    experts: tuple[tuple[str, EmbeddedResponse], ...] = ()
    digest: str = ""

    @cached_property  # once per scenario (the cache keeps the instance), not once per answer
    def centre(self) -> np.ndarray:
        """The normalised mean of the expert responses' vectors: where sound answers to this moment lie."""
        if not self.experts:
            return np.zeros_like(self.opening)
        mean = np.mean([embedded.vector for _, embedded in self.experts], axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean

    def without_expert(self, index: int) -> ScenarioVectors:
        """The same scenario with one expert's sentences taken out of the moves."""
        others = [text for i, (text, _) in enumerate(self.experts) if i != index]
        keep = set(self.moves[: self.key_move_count]) | {s for t in others for s in sentences(t)}
        rows = [i for i, move in enumerate(self.moves) if move in keep]
        return replace(
            self,
            moves=tuple(self.moves[i] for i in rows),
            move_vectors=self.move_vectors[rows],
            experts=tuple(e for i, e in enumerate(self.experts) if i != index),
        )


class ScenarioVectorCache:
    """Embeds a scenario's texts once per process, keyed by content hash (LRU)."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, ScenarioVectors] = OrderedDict()
        self._experts: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, embedder: Embedder, key_moves, expert_texts, opening: str, context: str) -> ScenarioVectors:
        """Return the scenario's vectors, embedding them on first use."""
        key_moves = [m.strip() for m in key_moves if m.strip()]
        moves = _expert_moves(key_moves, expert_texts)
        texts = [opening or " ", context or " ", *moves]
        digest = hashlib.sha256("\x1f".join([embedder.model_id, *texts]).encode()).hexdigest()
        with self._lock:
            if digest in self._items:
                self._items.move_to_end(digest)
                return self._items[digest]
        rows = embedder.embed_batch(texts)
        row_of = {move: rows[2 + i] for i, move in enumerate(moves)}
        experts = tuple(
            (text, _pooled([row_of[s] for s in sentences(text)], text))
            for text in sorted(set(expert_texts))
            if sentences(text)
        )
        vectors = ScenarioVectors(
            tuple(moves), rows[2:], rows[0], rows[1], len(dict.fromkeys(key_moves)), experts, digest
        )
        with self._lock:
            self._items[digest] = vectors
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return vectors

    def expert_vectors(self, embedder: Embedder, texts: list[str]) -> np.ndarray:
        """Return the vectors of expert response texts (for scoring without the database)."""
        digest = hashlib.sha256("\x1f".join([embedder.model_id, "experts", *texts]).encode())
        key = digest.hexdigest()
        with self._lock:
            if key in self._experts:
                return self._experts[key]
        rows = embedder.embed_batch(texts)
        with self._lock:
            self._experts[key] = rows
            while len(self._experts) > self.size:
                self._experts.popitem(last=False)
        return rows

    def __len__(self) -> int:
        """How many scenarios' vectors are kept."""
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        """Forget every cached scenario."""
        with self._lock:
            self._items.clear()
            self._experts.clear()


SCENARIO_VECTORS = ScenarioVectorCache()


def _expert_moves(key_moves, expert_texts) -> list[str]:
    """Key moves first, then every expert sentence, without repeats, in a fixed order."""
    moves = list(key_moves)
    for text in sorted(set(expert_texts)):
        moves += sentences(text)
    return list(dict.fromkeys(moves))


def alignment(embedded: EmbeddedResponse, scenario: ScenarioVectors) -> tuple[float, float]:
    """Return (coverage, precision) of the response's sentences against the expert moves.

    Coverage: for each expert move, the best-matching response sentence, averaged.
    Precision: for each response sentence, its best-matching expert move, averaged.
    """
    if not len(embedded.sentence_vectors) or not len(scenario.move_vectors):
        return 0.0, 0.0
    cross = embedded.sentence_vectors @ scenario.move_vectors.T
    return float(cross.max(axis=0).mean()), float(cross.max(axis=1).mean())


def best_key_move(embedded: EmbeddedResponse, scenario: ScenarioVectors, threshold: float) -> str:
    """Return the scenario key move the response makes most clearly, or "" if none is made."""
    if not scenario.key_move_count or not len(embedded.sentence_vectors):
        return ""
    best = (embedded.sentence_vectors @ scenario.move_vectors[: scenario.key_move_count].T).max(0)
    index = int(best.argmax())
    return scenario.moves[index] if best[index] >= threshold else ""


def response_features(
    text: str,
    raw_text: str,
    similarities: list[float],
    embedded: EmbeddedResponse,
    scenario: ScenarioVectors,
    context: str,
    opening: str,
) -> dict[str, float]:
    """Compute the named signals of one cleaned response.

    Cues that only ever count against a response (praise that treats it as right, moving on)
    are read from the raw text, so content the cleaner removes can lower a score, never raise it.
    """
    lower, raw_lower = cues.normalise(text), cues.normalise(raw_text)
    coverage, precision = alignment(embedded, scenario)
    said = cues.numbers(context + " " + opening)
    written = cues.NUMBER.findall(text)
    opening_words = cues.content_words(opening)
    sentence_sims = embedded.sentence_vectors @ scenario.opening
    errors = cues.count(cues.ERROR, lower, 4)
    affirm = cues.count(cues.AFFIRM, raw_lower, 2)
    last = embedded.sentences[-1] if embedded.sentences else ""
    error_step = cues.error_step(opening, " ".join(t for t, _ in scenario.experts))
    return {
        "sim_best": max(similarities, default=0.0),
        "sim_mean": float(np.mean(similarities)) if similarities else 0.0,
        "align_coverage": coverage,
        "align_precision": precision,
        "context_sim": float(embedded.vector @ scenario.context),
        "opening_sim": float(embedded.vector @ scenario.opening),
        "opening_sentence_max": float(sentence_sims.max()) if len(sentence_sims) else 0.0,
        "opening_overlap": len(cues.content_words(text) & opening_words) / math.sqrt(1 + len(opening_words)),
        "numbers_from_scenario": min(3, sum(n in said for n in written)),
        "numbers_new": min(3, sum(n not in said for n in written)),
        "error_cues": errors,
        "hint_cues": cues.count(cues.HINT, lower, 3),
        "ask_cues": cues.count(cues.ASK, lower, 2) if "?" in text else 0,
        "ends_with_question": float(bool(embedded.sentences) and embedded.sentences[-1].endswith("?")),
        # The response ends by stating something with a number in it (a result, a step).
        "last_statement_number": float(
            bool(last) and not cues.is_question(last) and bool(cues.NUMBER.search(last))
        ),
        "expressions": min(3, len(cues.expressions(text))),
        # Numbers of the student's step that the expert responses address, said again here.
        "error_step_numbers": min(2, len(cues.numbers(text) & cues.numbers(error_step))),
        "tell_cues": cues.count(cues.TELL, lower, 2),
        "explain_cues": cues.count(cues.EXPLAIN, lower, 4),
        "imperatives": min(2, len(cues.IMPERATIVE.findall(lower))),
        "location_cues": cues.count(cues.LOCATION, lower, 3),
        "log_words": math.log1p(min(60, len(cues.WORD.findall(lower)))),
        "affirm_cues": affirm,
        "affirm_without_error": float(affirm > 0 and errors == 0),
        "move_on_cues": cues.count(cues.MOVE_ON, raw_lower, 1),
    }


# The names response_features returns, in its order (what the MRBench heads read).
SIGNAL_NAMES = (
    "sim_best sim_mean align_coverage align_precision context_sim opening_sim opening_sentence_max "
    "opening_overlap numbers_from_scenario numbers_new error_cues hint_cues ask_cues ends_with_question "
    "last_statement_number expressions error_step_numbers tell_cues explain_cues imperatives "
    "location_cues log_words affirm_cues affirm_without_error move_on_cues"
).split()
# Features whose fitted weight is held at or below zero: they may only lower a score.
PENALTY_FEATURES = ("affirm_cues", "affirm_without_error", "move_on_cues")
