"""What the judge reads: named features of one answer to one moment, contrasted with its pitfalls.

Stage 3 of the scorer (encode → retrieve → **features** → judge → dimensions → feedback).
Everything is computed from vectors embedded once: the answer's sentences, the scenario's
expert responses and moves (ai/signals.py), its pitfalls, and the red-line bank's phrasings
and near misses (ai/red_lines.py). Closeness to an expert is one signal among many: closeness
to a pitfall or a red-line phrasing counts against an answer as clearly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ai import cues
from ai.red_lines import RedLine, pattern_hits, shipped_bank
from ai.rubric import CATEGORY_WEIGHTS
from ai.signals import SCENARIO_VECTORS, EmbeddedResponse, sentences
from embeddings.embedder import Embedder


@dataclass(frozen=True)
class Pitfall:
    """A typical poor answer to one moment, with why it falls short."""

    text: str
    reason: str
    severity: str  # "red_line" or "weak"


@dataclass(frozen=True)
class Contrast:
    """The vectors an answer is contrasted with: its scenario's pitfalls and the red-line bank."""

    pitfalls: tuple[Pitfall, ...]
    pitfall_vectors: np.ndarray  # one row per pitfall sentence
    pitfall_of_row: tuple[int, ...]  # which pitfall each row belongs to
    bank_vectors: np.ndarray
    bank_keys: tuple[str, ...]
    near_vectors: np.ndarray


def contrast_for(
    embedder: Embedder, pitfalls: tuple[Pitfall, ...], bank: dict[str, RedLine] | None = None
) -> Contrast:
    """Embed (once per process, cached by content) the pitfalls and the red-line bank."""
    bank = shipped_bank() if bank is None else bank
    rows = [(i, s) for i, p in enumerate(pitfalls) for s in sentences(p.text)]
    pitfall_vectors = _vectors(embedder, [s for _, s in rows])
    phrasings = [(key, text) for key, line in bank.items() for text in line.phrasings]
    near = [text for line in bank.values() for text in line.near_misses]
    return Contrast(
        pitfalls,
        pitfall_vectors,
        tuple(i for i, _ in rows),
        _vectors(embedder, [t for _, t in phrasings]),
        tuple(k for k, _ in phrasings),
        _vectors(embedder, near),
    )


def _vectors(embedder: Embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return SCENARIO_VECTORS.expert_vectors(embedder, texts)


def _best(left: np.ndarray, right: np.ndarray) -> float:
    if not len(left) or not len(right):
        return 0.0
    return float((left @ right.T).max())


def contrast_features(embedded: EmbeddedResponse, contrast: Contrast) -> dict[str, float]:
    """Closeness of the answer's sentences to the pitfalls (by severity) and the bank."""
    by_severity = {}
    for severity in ("red_line", "weak"):
        rows = [r for r, i in enumerate(contrast.pitfall_of_row) if contrast.pitfalls[i].severity == severity]
        by_severity[severity] = _best(embedded.sentence_vectors, contrast.pitfall_vectors[rows])
    bank = _best(embedded.sentence_vectors, contrast.bank_vectors)
    near = _best(embedded.sentence_vectors, contrast.near_vectors)
    return {
        "pitfall_red": by_severity["red_line"],
        "pitfall_weak": by_severity["weak"],
        "bank_best": bank,
        "bank_margin": bank - near,
        "pattern_sentences": float(sum(1 for s in embedded.sentences if pattern_hits(s))),
    }


def moment_features(
    signals: dict[str, float], contrast: dict[str, float], category: str, text: str
) -> dict[str, float]:
    """All named features of one answer: the signals, the contrast, the category and its shape."""
    lower = cues.normalise(text)
    features = dict(signals)
    features.update(contrast)
    features["contrast"] = signals.get("sim_best", 0.0) - max(
        contrast["pitfall_red"], contrast["pitfall_weak"]
    )
    features["questions"] = float(min(3, text.count("?")))
    features["you_said"] = float(bool(cues.count(cues.ASK, lower, 1)))
    features["sentences"] = math.log1p(len(sentences(text)))
    for name in CATEGORY_WEIGHTS:
        features[f"category:{name}"] = float(category == name)
    return features
