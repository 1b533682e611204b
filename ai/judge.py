"""The judge: linear models fitted on graded answers that read a moment and an answer together.

ai/judge.json holds them, written by `make fit` (bench/fit_judge.py) from the graded classroom
set (bench/data/graded), every scenario's expert responses and pitfalls, and the red-line bank:
- `grade`: ridge regression of the educator's 0–4 grade on the answer's features;
- one ridge head per rubric dimension (met 1, partly ½, missed 0), on the same features;
- `levels`: for each dimension head, the raw values (partly, met) at which the educators' levels
  begin, chosen on held-out folds; `predict_dimensions` maps them onto the rubric's thresholds
  (ai/dimensions.PARTLY, MET), piecewise linearly, so a head's level is its best held-out guess;
- `red_line`: a logistic classifier over one *sentence*, its embedding and its words
  (`word_grams`), so a single harmful sentence inside a long answer is judged on its own.
An answer's features (ai/features.py) are named scalars (similarity to the experts and to the
pitfalls, move cues, the category) standardised here, followed by the answer's MiniLM vector
scaled by `embedding_scale`. Scoring needs numpy only; refitting changes scores, so the
scorer version (ai/scoring.SCORER_VERSION) carries the judge's version.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from ai.dimensions import MET, PARTLY

JUDGE_PATH = Path(__file__).with_name("judge.json")
GRAM_BUCKETS = 4096
GRAM_SCALE = 0.5
WORD = re.compile(r"[a-z']+")


def word_grams(sentence: str) -> np.ndarray:
    """Which hashed words and word pairs a sentence has (0/1 per bucket).

    The red-line classifier reads these beside the sentence's vector: MiniLM places "I promise
    I won't tell" next to "I can't promise to keep it secret", the words tell them apart.
    """
    words = WORD.findall(sentence.lower())
    row = np.zeros(GRAM_BUCKETS)
    for gram in set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}:
        row[zlib.crc32(gram.encode()) % GRAM_BUCKETS] = 1.0
    return row


def sentence_rows(sentences, sentence_vectors: np.ndarray) -> np.ndarray:
    """The red-line classifier's input: each sentence's vector, then its scaled word grams."""
    if not len(sentence_vectors):
        return np.zeros((0, 384 + GRAM_BUCKETS))
    grams = np.array([word_grams(s) for s in sentences])
    return np.hstack([np.asarray(sentence_vectors, dtype=np.float64), GRAM_SCALE * grams])


@dataclass(frozen=True)
class Linear:
    """Weights and an intercept."""

    weights: np.ndarray
    intercept: float

    def __call__(self, x: np.ndarray) -> np.ndarray | float:
        return x @ self.weights + self.intercept

    def as_json(self) -> dict:
        """Return the JSON form."""
        return {"weights": [round(float(v), 6) for v in self.weights], "intercept": round(self.intercept, 6)}

    @classmethod
    def from_json(cls, data: dict) -> Linear:
        """Build from the JSON form."""
        return cls(np.array(data["weights"], dtype=np.float64), float(data["intercept"]))


@dataclass(frozen=True)
class Judge:
    """The fitted models and how to lay out their input."""

    version: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    embedding_scale: float
    grade: Linear
    dimensions: dict[str, Linear]
    red_line: Linear
    red_line_threshold: float
    levels: dict[str, tuple[float, float]] = field(default_factory=dict)

    def row(self, scalars: dict[str, float], vector: np.ndarray) -> np.ndarray:
        """Lay out one answer's input: standardised scalars, then the scaled embedding."""
        values = np.array([scalars.get(name, 0.0) for name in self.features], dtype=np.float64)
        return np.concatenate([(values - self.mean) / self.scale, self.embedding_scale * vector])

    def predict_grade(self, row: np.ndarray) -> float:
        """Return the predicted 0–4 grade (not clipped)."""
        return float(self.grade(row))

    def predict_dimensions(self, row: np.ndarray) -> dict[str, float]:
        """Return each dimension's value from 0 to 1."""
        return {key: self.on_rubric_scale(key, float(head(row))) for key, head in self.dimensions.items()}

    def on_rubric_scale(self, key: str, raw: float) -> float:
        """Map a head's raw value so its fitted level thresholds fall on the rubric's (0 to 1)."""
        if key not in self.levels:
            return float(np.clip(raw, 0.0, 1.0))
        partly, met = self.levels[key]
        knots = [min(0.0, partly - 1e-6), partly, met, max(1.0, met + 1e-6)]
        return float(np.interp(raw, knots, [0.0, PARTLY, MET, 1.0]))

    def sentence_leaning(self, key: str, sentence_vectors: np.ndarray) -> np.ndarray:
        """How much each sentence pushes one dimension up: its share of the embedding term."""
        weights = self.dimensions[key].weights[len(self.features) :]
        return self.embedding_scale * (sentence_vectors @ weights)

    def red_line_probabilities(self, sentences, sentence_vectors: np.ndarray) -> np.ndarray:
        """Return each sentence's probability of being a red-line move."""
        if not len(sentence_vectors):
            return np.zeros(0)
        margin = np.clip(self.red_line(sentence_rows(sentences, sentence_vectors)), -30, 30)
        return 1.0 / (1.0 + np.exp(-margin))

    def as_json(self) -> dict:
        """Return the JSON form written to JUDGE_PATH."""
        return {
            "version": self.version,
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "embedding_scale": self.embedding_scale,
            "grade": self.grade.as_json(),
            "dimensions": {k: v.as_json() for k, v in self.dimensions.items()},
            "red_line": self.red_line.as_json(),
            "red_line_threshold": round(self.red_line_threshold, 6),
            "levels": {k: [round(p, 6), round(m, 6)] for k, (p, m) in self.levels.items()},
        }


def judge_from_json(data: dict) -> Judge:
    """Build a judge from its JSON form."""
    return Judge(
        data["version"],
        tuple(data["features"]),
        np.array(data["mean"], dtype=np.float64),
        np.array(data["scale"], dtype=np.float64),
        float(data["embedding_scale"]),
        Linear.from_json(data["grade"]),
        {k: Linear.from_json(v) for k, v in data["dimensions"].items()},
        Linear.from_json(data["red_line"]),
        float(data["red_line_threshold"]),
        {k: (float(p), float(m)) for k, (p, m) in data.get("levels", {}).items()},
    )


@cache
def shipped_judge() -> Judge:
    """Return the judge shipped in ai/judge.json (read once)."""
    return judge_from_json(json.loads(JUDGE_PATH.read_text()))


def sigmoid(x: float) -> float:
    """The logistic function, safe for large inputs."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
