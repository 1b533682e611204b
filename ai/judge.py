"""The judge: models fitted on graded answers that read a moment and an answer together.

ai/judge.json holds them, written by `make fit` (bench/fit_judge.py) from the graded classroom
set (bench/data/graded), every scenario's expert responses and pitfalls, and the red-line bank:
- `grade`: support-vector regression (Gaussian kernel) of the educator's 0–4 grade on the
  answer's features and vector (`KernelGrade`);
- one three-level head per rubric dimension (missed, partly, met): a multinomial logistic
  classifier on the same features, so a dimension's level is the educators' likeliest one and its
  value sits inside that level's band at the expected level (`LevelHead.value`);
- `red_line`: a logistic classifier over one *sentence*, its embedding and its words
  (`word_grams`), so a single harmful sentence inside a long answer is judged on its own;
- `answer_red_line`: a logistic classifier over the whole answer's row, which reads the moment
  too (closeness to its pitfalls and experts): where it is sure, a sentence needs lower odds to
  count as the red line (ai/scoring.py);
- `red_line_names`: a multinomial logistic classifier over a flagged sentence's vector and its
  closeness to each red line's phrasings that names which red line of the bank it crosses
  (`RedLineNamer`).
An answer's features (ai/features.py) are named scalars (similarity to the experts and to the
pitfalls, move cues, the category) standardised here, followed by the answer's MiniLM vector and
the elementwise maximum over its sentences' vectors (`answer_embedding`), scaled by
`embedding_scale`. The grade reads the scalars and the vector; the dimension heads read the
maximum too, because one sentence that names the feeling or sets the next step shows a move
that the answer's mean dilutes. Scoring needs numpy only; refitting changes scores, so the
scorer version (ai/scoring.SCORER_VERSION) carries the judge's version.
"""

from __future__ import annotations

import base64
import json
import math
import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ai.dimensions import MET, PARTLY
from ai.red_lines import teachers_words

JUDGE_PATH = Path(__file__).with_name("judge.json")
# 16,384 buckets rather than 4,096: fewer words share one, and held out by scenario the sentence
# classifier caught 214 of 466 red-line answers at 5% false alarms on good ones, against 188
# (ROC AUC 0.840 against 0.815); 32,768 gave no more (208).
GRAM_BUCKETS = 16384
GRAM_SCALE = 0.5
# A sentence is also read against its moment: its vector times the centre of the moment's expert
# responses, so "Can it wait till after the lesson?" can weigh differently where a pupil is about
# to disclose. Held out by scenario (judge-13's sentences), ROC AUC 0.840 → 0.856 and red-line
# answers caught at 5% false alarms on good ones 214 → 227 of 466; at twice this scale 220.
MOMENT_SCALE = 10.0
SENTENCE_WIDTH = 384 + GRAM_BUCKETS + 384
NEVER = 1.01  # a probability threshold nothing reaches
WORD = re.compile(r"[a-z']+")


def word_grams(sentence: str) -> np.ndarray:
    """Which hashed words and word pairs the trainee says in a sentence (0/1 per bucket).

    The red-line classifier reads these beside the sentence's vector: MiniLM places "I promise
    I won't tell" next to "I can't promise to keep it secret", the words tell them apart. What a
    stage direction quotes a student saying ("[Jade: 'promise you won't tell?']") is left out, as
    the rules leave it out: those are not the trainee's words.
    """
    words = WORD.findall(teachers_words(sentence).lower())
    row = np.zeros(GRAM_BUCKETS)
    for gram in set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}:
        row[zlib.crc32(gram.encode()) % GRAM_BUCKETS] = 1.0
    return row


def answer_embedding(vector: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
    """The answer's embedding input: its vector, then the elementwise maximum over its sentences."""
    strongest = np.max(sentence_vectors, axis=0) if len(sentence_vectors) else np.zeros_like(vector)
    return np.concatenate([vector, strongest])


def sentence_rows(sentences, sentence_vectors: np.ndarray, centre: np.ndarray | None = None) -> np.ndarray:
    """The red-line classifier's input: each sentence's vector, its scaled word grams, and its
    vector times the moment's centre (`ScenarioVectors.centre`; none for the bank's phrasings)."""
    if not len(sentence_vectors):
        return np.zeros((0, SENTENCE_WIDTH))
    vectors = np.asarray(sentence_vectors, dtype=np.float64)
    grams = np.array([word_grams(s) for s in sentences])
    against = vectors * centre if centre is not None else np.zeros_like(vectors)
    return np.hstack([vectors, GRAM_SCALE * grams, MOMENT_SCALE * against])


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
class KernelGrade:
    """The grade: support-vector regression with a Gaussian (RBF) kernel over the judge's row.

    It reads the standardised scalars and the answer's vector, the vector boosted by
    `vector_boost` over the row's embedding scale. A kernel lets the grade bend where a linear
    one cannot: held out by scenario it ordered the graded answers better (README, Scores).
    """

    support: np.ndarray  # one input row per support vector
    dual: np.ndarray
    intercept: float
    gamma: float
    scalars: int  # how many of the row's leading columns are scalars
    vector_boost: float

    def inputs(self, rows: np.ndarray) -> np.ndarray:
        """The kernel's input from judge rows: the scalars, then the answer's vector boosted."""
        rows = np.atleast_2d(rows)
        size = self.support.shape[1] - self.scalars
        vector = rows[:, self.scalars : self.scalars + size]
        return np.hstack([rows[:, : self.scalars], self.vector_boost * vector])

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        return self.on_inputs(self.inputs(rows))

    def on_inputs(self, x: np.ndarray) -> np.ndarray:
        """Return the grade of each kernel input row."""
        distances = (
            (x * x).sum(axis=1)[:, None] - 2 * x @ self.support.T + (self.support * self.support).sum(axis=1)
        )
        return np.exp(-self.gamma * np.maximum(distances, 0.0)) @ self.dual + self.intercept

    def as_json(self) -> dict:
        """Return the JSON form."""
        return {
            # Half precision, base64: a thousand rows of 433 numbers stay near 1 MB (a grade moves by
            # under 0.01 for it, `make fit` prints by how much).
            "support": base64.b64encode(self.support.astype("<f2").tobytes()).decode("ascii"),
            "support_shape": list(self.support.shape),
            "dual": [round(float(v), 6) for v in self.dual],
            "intercept": round(self.intercept, 6),
            "gamma": self.gamma,
            "scalars": self.scalars,
            "vector_boost": self.vector_boost,
        }

    @classmethod
    def from_json(cls, data: dict) -> KernelGrade:
        """Build from the JSON form."""
        raw = np.frombuffer(base64.b64decode(data["support"]), dtype="<f2")
        return cls(
            raw.reshape(data["support_shape"]).astype(np.float64),
            np.array(data["dual"], dtype=np.float64),
            float(data["intercept"]),
            float(data["gamma"]),
            int(data["scalars"]),
            float(data["vector_boost"]),
        )


# Each level's value, and the band of values ai/dimensions reads as that level.
LEVELS = ("missed", "partly", "met")
LEVEL_VALUES = np.array([0.0, 0.5, 1.0])
LEVEL_BANDS = ((0.0, PARTLY - 1e-3), (PARTLY, MET - 1e-3), (MET, 1.0))


@dataclass(frozen=True)
class LevelHead:
    """One dimension's classifier over three levels (missed, partly, met): multinomial logistic."""

    weights: np.ndarray  # one row per level
    intercepts: np.ndarray

    def probabilities(self, row: np.ndarray) -> np.ndarray:
        """Return the probability of each level (missed, partly, met)."""
        logits = self.weights @ row + self.intercepts
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()

    def likeliest(self, rows: np.ndarray) -> np.ndarray:
        """Return the index (into LEVELS) of each row's likeliest level."""
        return np.argmax(rows @ self.weights.T + self.intercepts, axis=1)

    def value(self, row: np.ndarray) -> float:
        """The dimension's value (0 to 1): the expected level, kept inside the likeliest level's band.

        The level a trainee is shown is the classifier's likeliest; the value still orders answers
        of one level (the coaching works on the weakest weighted dimension).
        """
        p = self.probabilities(row)
        low, high = LEVEL_BANDS[int(np.argmax(p))]
        return float(np.clip(p @ LEVEL_VALUES, low, high))

    def leaning(self) -> np.ndarray:
        """Weights that push an input from missed towards met."""
        return self.weights[2] - self.weights[0]

    def as_json(self) -> dict:
        """Return the JSON form."""
        return {
            "weights": [[round(float(v), 6) for v in level] for level in self.weights],
            "intercepts": [round(float(v), 6) for v in self.intercepts],
        }

    @classmethod
    def from_json(cls, data: dict) -> LevelHead:
        """Build from the JSON form."""
        weights, intercepts = data["weights"], data["intercepts"]
        return cls(np.array(weights, dtype=np.float64), np.array(intercepts, dtype=np.float64))


def nearest_by_key(keys: tuple[str, ...], closeness, bank_keys: tuple[str, ...]) -> np.ndarray:
    """The closest cosine to any phrasing of each red line, in `keys` order (0 for none)."""
    best = dict.fromkeys(keys, 0.0)
    for key, value in zip(bank_keys, np.asarray(closeness if closeness is not None else []), strict=True):
        if key in best:
            best[key] = max(best[key], float(value))
    return np.array([best[key] for key in keys])


def namer_input(keys: tuple[str, ...], scale: float, vector: np.ndarray, closeness, bank_keys) -> np.ndarray:
    """The namer's row: the sentence's vector, then (at `scale`, if any) its closeness to each red line."""
    row = np.asarray(vector, dtype=np.float64)
    if not scale:
        return row
    return np.concatenate([row, scale * nearest_by_key(keys, closeness, bank_keys)])


@dataclass(frozen=True)
class RedLineNamer:
    """Names the red line a flagged sentence crosses: multinomial logistic over its vector and
    its closeness to each red line's phrasings in the bank.

    Fitted on the bank's phrasings (each one's closeness measured without itself) and the harmful
    sentences of graded red-line answers, each labelled with its red line. Held out by scenario,
    naming the quoted sentence of the 467 graded red-line answers: 312 named as the educators
    named them with the closeness at `closeness_scale` 2, 288 on the vector alone (the single
    nearest phrasing had named 45 of 88 caught answers, the vector-only classifier 57).
    """

    keys: tuple[str, ...]
    weights: np.ndarray  # one row per key: the vector's weights, then one per key's closeness
    intercepts: np.ndarray
    closeness_scale: float = 0.0  # 0: the vector alone (a judge fitted before the closeness)

    def __call__(self, vector: np.ndarray, closeness=None, bank_keys: tuple[str, ...] = ()) -> str:
        """Return the key of the likeliest red line for one sentence's vector.

        `closeness` holds the sentence's cosine to each bank phrasing, `bank_keys` their red lines.
        """
        row = namer_input(self.keys, self.closeness_scale, vector, closeness, bank_keys)
        return self.keys[int(np.argmax(self.weights @ row + self.intercepts))]

    def as_json(self) -> dict:
        """Return the JSON form."""
        return {
            "keys": list(self.keys),
            "weights": [[round(float(v), 6) for v in row] for row in self.weights],
            "intercepts": [round(float(v), 6) for v in self.intercepts],
            "closeness_scale": self.closeness_scale,
        }

    @classmethod
    def from_json(cls, data: dict) -> RedLineNamer:
        """Build from the JSON form."""
        return cls(
            tuple(data["keys"]),
            np.array(data["weights"], dtype=np.float64),
            np.array(data["intercepts"], dtype=np.float64),
            float(data.get("closeness_scale", 0.0)),
        )


@dataclass(frozen=True)
class Judge:
    """The fitted models and how to lay out their input."""

    version: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    embedding_scale: float
    grade: KernelGrade
    dimensions: dict[str, LevelHead]
    red_line: Linear
    red_line_threshold: float
    # The answer's odds of holding a red line, read from its whole row (ai/scoring lowers the
    # sentence threshold for an answer above this one's threshold).
    answer_red_line: Linear
    answer_red_line_threshold: float
    # Which red line a flagged sentence crosses (None: the nearest phrasing of the bank names it).
    red_line_names: RedLineNamer | None = None
    # Sentence odds at which a sentence counts without being closer to harm than to sound words.
    red_line_sure_threshold: float = NEVER

    def row(self, scalars: dict[str, float], vector: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
        """Lay out one answer's input: standardised scalars, then the scaled answer embedding."""
        values = np.array([scalars.get(name, 0.0) for name in self.features], dtype=np.float64)
        embedding = answer_embedding(vector, sentence_vectors)
        return np.concatenate([(values - self.mean) / self.scale, self.embedding_scale * embedding])

    def predict_grade(self, row: np.ndarray) -> float:
        """Return the predicted 0–4 grade (not clipped), from the scalars and the answer's vector."""
        return float(self.grade(row)[0])

    def predict_dimensions(self, row: np.ndarray) -> dict[str, float]:
        """Return each dimension's value from 0 to 1 (its level by ai/dimensions' thresholds)."""
        return {key: head.value(row) for key, head in self.dimensions.items()}

    def sentence_leaning(self, key: str, sentence_vectors: np.ndarray) -> np.ndarray:
        """How much each sentence pushes one dimension towards met, read as if it were the whole answer."""
        size = sentence_vectors.shape[1]
        weights = self.dimensions[key].leaning()[len(self.features) :]
        return self.embedding_scale * (sentence_vectors @ (weights[:size] + weights[size:]))

    def red_line_probabilities(
        self, sentences, sentence_vectors: np.ndarray, centre: np.ndarray | None = None
    ) -> np.ndarray:
        """Return each sentence's probability of being a red-line move in the moment whose centre is given."""
        if not len(sentence_vectors):
            return np.zeros(0)
        margin = np.clip(self.red_line(sentence_rows(sentences, sentence_vectors, centre)), -30, 30)
        return 1.0 / (1.0 + np.exp(-margin))

    def answer_red_line_probability(self, row: np.ndarray) -> float:
        """Return the answer's probability of holding a red line somewhere, from its whole row."""
        return sigmoid(float(self.answer_red_line(row)))

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
            "answer_red_line": self.answer_red_line.as_json(),
            "answer_red_line_threshold": round(self.answer_red_line_threshold, 6),
            "red_line_names": self.red_line_names.as_json() if self.red_line_names else None,
            "red_line_sure_threshold": round(self.red_line_sure_threshold, 6),
        }


def judge_from_json(data: dict) -> Judge:
    """Build a judge from its JSON form."""
    return Judge(
        data["version"],
        tuple(data["features"]),
        np.array(data["mean"], dtype=np.float64),
        np.array(data["scale"], dtype=np.float64),
        float(data["embedding_scale"]),
        KernelGrade.from_json(data["grade"]),
        {k: LevelHead.from_json(v) for k, v in data["dimensions"].items()},
        Linear.from_json(data["red_line"]),
        float(data["red_line_threshold"]),
        Linear.from_json(data["answer_red_line"]),
        float(data["answer_red_line_threshold"]),
        RedLineNamer.from_json(data["red_line_names"]) if data.get("red_line_names") else None,
        float(data.get("red_line_sure_threshold", NEVER)),
    )


@cache
def shipped_judge() -> Judge:
    """Return the judge shipped in ai/judge.json (read once)."""
    return judge_from_json(json.loads(JUDGE_PATH.read_text()))


def sigmoid(x: float) -> float:
    """The logistic function, safe for large inputs."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
