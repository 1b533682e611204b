"""Agreement and fitting for `make eval`: ROC AUC by ranks, the rubric heads, grouped folds."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.stats import rankdata

from ai.rubric_model import HEAD_LABELS, RubricModel
from ai.signals import PENALTY_FEATURES, SIGNAL_NAMES
from bench.mrbench import LABELS

FOLDS = 5
REGULARISATION_C = 0.3


def roc_auc(labels, scores) -> float:
    """ROC AUC by the rank-sum (Mann–Whitney) formula; ties count half."""
    labels, ranks = np.asarray(labels), rankdata(np.asarray(scores, dtype=float))
    positives = labels.sum()
    negatives = len(labels) - positives
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def auc_row(labels: np.ndarray, scores) -> list[float]:
    """AUC against each labelled dimension, then their mean."""
    values = [roc_auc(labels[:, j], scores) for j in range(len(LABELS))]
    return values + [float(np.mean(values))]


def fit_logistic(z: np.ndarray, y: np.ndarray, c: float, nonpositive: list[bool]):
    """L2 logistic regression; weights flagged nonpositive are held at or below zero."""
    p = z.shape[1]

    def loss(wb):
        w, b = wb[:p], wb[p]
        margin = z @ w + b
        prob = 1 / (1 + np.exp(-margin))
        value = np.sum(np.logaddexp(0, margin) - y * margin) + 0.5 / c * w @ w
        return value, np.append(z.T @ (prob - y) + w / c, np.sum(prob - y))

    bounds = [(None, 0.0) if neg else (None, None) for neg in nonpositive] + [(None, None)]
    fit = minimize(loss, np.zeros(p + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return fit.x[:p], float(fit.x[p])


def fit_model(signals: list[dict], labels: np.ndarray, version: str) -> RubricModel:
    """Fit one head per labelled dimension on standardised signals."""
    # The signals the heads read (ai/signals.response_features), not the judge's other features.
    names = tuple(n for n in signals[0] if not n.startswith("mr:") and n in SIGNAL_NAMES)
    x = np.array([[s[n] for n in names] for s in signals], dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    nonpositive = [n in PENALTY_FEATURES for n in names]
    heads = {
        key: fit_logistic(z, labels[:, LABELS.index(label)], REGULARISATION_C, nonpositive)
        for key, label in HEAD_LABELS.items()
    }
    return RubricModel(version, names, mean, scale, heads, frozenset({"misconception"}))


def grouped_folds(groups: np.ndarray, folds: int = FOLDS):
    """Yield (train, test) index arrays; a group's responses always fall in one fold."""
    order = np.random.RandomState(0).permutation(np.unique(groups))
    for k in range(folds):
        test = np.isin(groups, order[k::folds])
        yield np.flatnonzero(~test), np.flatnonzero(test)


def own_label_row(labels: np.ndarray, values: np.ndarray) -> list[float]:
    """AUC of each dimension's value against its own label (the diagonal), then the mean."""
    aucs = [
        roc_auc(labels[:, LABELS.index(label)], values[:, j]) for j, label in enumerate(HEAD_LABELS.values())
    ]
    return aucs + [float(np.mean(aucs))]
