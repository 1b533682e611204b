"""The fitted rubric heads: small logistic regressions on the named signals (ai/signals.py).

ai/rubric_model.json holds, for each head, one weight per standardised signal and an intercept,
fitted by bench/evaluate.py (`--write-model`) on MRBench's labelled tutor responses: each head
predicts the chance that teacher educators would say `Yes` on one labelled dimension. Scoring
needs no training and no library beyond numpy. Signals listed in ai/signals.PENALTY_FEATURES are
fitted with weights held at or below zero, so they can only lower a value.

The heads were fitted on maths-error tutoring; the judge (ai/judge.py) reads their four
probabilities as features (`mr:…`) for every category. Refitting them changes scores: refit
the judge (`make fit`) and bump ai/scoring.SCORER_VERSION with every new rubric_model.json.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).with_name("rubric_model.json")
# Which labelled MRBench dimension trains the head of which rubric dimension.
HEAD_LABELS = {
    "recognises_issue": "Mistake_Identification",
    "specific": "Mistake_Location",
    "guides_not_tells": "Providing_Guidance",
    "next_step": "Actionability",
}


@dataclass(frozen=True)
class RubricModel:
    """Standardisation and per-head weights over a fixed list of signals."""

    version: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    heads: dict[str, tuple[np.ndarray, float]]
    categories: frozenset[str]

    def predict(self, signals: dict[str, float]) -> dict[str, float]:
        """Return each head's probability for one response's signals."""
        row = np.array([signals[name] for name in self.features], dtype=np.float64)
        z = (row - self.mean) / self.scale
        return {key: _sigmoid(float(z @ w) + b) for key, (w, b) in self.heads.items()}

    def as_json(self) -> dict:
        """Return the JSON form written to MODEL_PATH."""
        return {
            "version": self.version,
            "categories": sorted(self.categories),
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "heads": {
                key: {
                    "label": HEAD_LABELS.get(key, ""),
                    "weights": [round(float(v), 6) for v in w],
                    "intercept": round(b, 6),
                }
                for key, (w, b) in self.heads.items()
            },
        }


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def model_from_json(data: dict) -> RubricModel:
    """Build a model from its JSON form."""
    heads = {
        key: (np.array(h["weights"], dtype=np.float64), float(h["intercept"]))
        for key, h in data["heads"].items()
    }
    return RubricModel(
        data["version"],
        tuple(data["features"]),
        np.array(data["mean"], dtype=np.float64),
        np.array(data["scale"], dtype=np.float64),
        heads,
        frozenset(data["categories"]),
    )


@cache
def shipped_model() -> RubricModel:
    """Return the model shipped in ai/rubric_model.json (read once)."""
    return model_from_json(json.loads(MODEL_PATH.read_text()))
