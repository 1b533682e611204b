"""The expert reference: how far the scenario's own expert responses get on the rubric.

Each expert response is judged exactly as a trainee's would be (cleaned, the same signals, the
same heads or rules), against the other expert responses only, so it cannot match itself. The
median of their weighted rubric means is the level that counts as expert in this scenario; the
scorer anchors EXPERT_POINTS there (ai/scoring.py). This keeps scores comparable across
scenarios and categories whose experts the detectors read differently (eliciting, for example,
shows fewer explicit error cues than correcting). It needs at least two expert responses and is
computed once per scenario version, rubric model and weights, from vectors already cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from ai.dimensions import ALIGNED, ScenarioFacts, assess_dimensions, weighted_mean
from ai.rubric_model import RubricModel
from ai.sanitize import sanitize_response
from ai.signals import ScenarioVectors, best_key_move, response_features

CACHE_SIZE = 512
_cache: OrderedDict[tuple, float | None] = OrderedDict()
_lock = threading.Lock()


def expert_reference(scenario: ScenarioVectors, facts: ScenarioFacts, model: RubricModel) -> float | None:
    """Return the median rubric mean of the scenario's experts, or None with fewer than two."""
    if len(scenario.experts) < 2:
        return None
    key = (
        scenario.digest,
        facts.category,
        tuple(sorted(facts.weights().items())),
        model.version,
        facts.context,
        facts.opening_line,
    )
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    means = [_expert_mean(scenario, i, facts, model) for i in range(len(scenario.experts))]
    reference = float(np.median(means))
    with _lock:
        _cache[key] = reference
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return reference


def _expert_mean(scenario: ScenarioVectors, index: int, facts: ScenarioFacts, model: RubricModel) -> float:
    text, embedded = scenario.experts[index]
    others = scenario.without_expert(index)
    similarities = [float(embedded.vector @ e.vector) for _, e in others.experts]
    cleaned = sanitize_response(text, [facts.context, facts.opening_line]).text or text
    signals = response_features(
        cleaned, text, similarities, embedded, others, facts.context, facts.opening_line
    )
    heads = model.predict(signals) if model.applies_to(facts.category) else None
    dimensions = assess_dimensions(cleaned, facts, signals, heads, best_key_move(embedded, others, ALIGNED))
    return weighted_mean(dimensions)


def clear() -> None:
    """Forget every cached reference."""
    with _lock:
        _cache.clear()
