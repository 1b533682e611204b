"""Fit the judge (ai/judge.json) from graded answers, scenarios and the red-line bank: `make fit`.

Training examples, for the scenarios given (all of them for the shipped judge; the other folds'
in cross-validation, so a scenario's own answers, experts and pitfalls never train its judge):
- graded answers (bench/data/graded), with their 0–4 grade and dimension levels;
- each scenario's expert responses as grade 4, judged against its *other* experts;
- each scenario's pitfalls: red-line pitfalls as grade 0, weak ones as grade 1, each judged
  with itself taken out of the pitfalls;
- for each scenario, an expert response to a scenario of another category and two answers
  about something else altogether (bench/data/off_topic.yaml), as grade 0 (an answer to another
  moment, or to none, is no answer to this one);
- for the answer-level red-line classifier: every example above, red or not as labelled;
- for the sentence red-line classifier: the bank's phrasings, red-line pitfalls and the
  sentences each red-line graded answer's `harm` quotes (without quotes, its most
  red-line-like sentence) as positives; the bank's near misses, expert sentences, sentences of
  good graded answers and the unquoted sentences of answers graded 1 (sound words around one
  harmful sentence) as negatives;
- for the red-line namer: the bank's phrasings and those sentences of each red-line graded
  answer, each labelled with its red line.
Fitting is deterministic: libsvm's support-vector regression for the grade, L2 logistic
regression for the red-line classifier (numpy, scipy) and scikit-learn's L-BFGS for the
dimensions' three-level heads and the red-line namer, so the same data gives the same judge.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import dataclass, replace

import numpy as np
import yaml

from ai.dimensions import level_word
from ai.judge import (
    JUDGE_PATH,
    LEVELS,
    NEVER,
    SENTENCE_WIDTH,
    Judge,
    KernelGrade,
    LevelHead,
    Linear,
    RedLineNamer,
    answer_embedding,
    judge_from_json,
    namer_input,
    sentence_rows,
    sigmoid,
)
from ai.red_lines import shipped_bank
from ai.rubric import DIMENSIONS
from ai.scoring import prepare_response, read_answer
from ai.signals import SCENARIO_VECTORS
from bench.fitting import fit_logistic
from bench.graded import GRADED, GradedAnswer, Moment, load_graded, moments, quoted

EMBEDDING_SCALE = 3.0
# The grade's support-vector regression: its penalty, its tube, and how much louder than the
# row's scale the answer's vector speaks in its kernel (chosen held out by scenario on the graded
# set: the vector at 15 rather than 3 gave rho 0.659 against 0.646 at 6 and 0.632 at 3).
GRADE_C, GRADE_EPSILON, GRADE_VECTOR_BOOST = 1.0, 0.1, 5.0
RED_LINE_C = 1.0
# The red-line namer's inverse penalty and the scale of a sentence's closeness to each red line's
# phrasings beside its vector. Held out by scenario, naming the educator-quoted sentence of the 467
# graded red-line answers: 312 right at 3 and 2, 306 at 3 and 1, 299 at 3 without the closeness,
# 288 at 1 without it (the judge until 2026-12-07; earlier, 57 of 88 caught answers at 1, 55 at 10).
NAMER_C, NAMER_CLOSENESS_SCALE = 3.0, 2.0
EXPERT_WEIGHT, PITFALL_WEIGHT, OFF_TOPIC_WEIGHT = 0.5, 0.5, 0.5
# The red-line threshold keeps false alarms on held-out good answers (grade 3–4) at this share;
# the sure threshold, above which a sentence needs no closeness to the bank, at the second.
FALSE_ALARM_SHARE, SURE_FALSE_ALARM_SHARE = 0.05, 0.01
# The answer-level classifier's penalty, and the share of held-out good answers it may flag
# (each flagged answer still needs a sentence at the lower threshold, ai/scoring.py).
ANSWER_RED_LINE_C, ANSWER_FALSE_ALARM_SHARE = 0.03, 0.03
INNER_FOLDS = 5
OFF_TOPIC_FILE = GRADED.parent / "off_topic.yaml"
OFF_TOPIC_TEXTS = tuple(yaml.safe_load(OFF_TOPIC_FILE.read_text(encoding="utf-8"))["answers"])
LEVEL_C_GRID = (0.01, 0.03, 0.1)  # candidate inverse penalties of a dimension's level head


@dataclass(frozen=True)
class Example:
    """One training answer, read: its features, vectors and targets."""

    moment: Moment
    text: str
    grade: float
    dimensions: dict[str, float] | None
    red_line: bool
    weight: float
    features: dict[str, float]
    vector: np.ndarray
    sentences: tuple[str, ...]
    sentence_vectors: np.ndarray
    red_line_key: str = ""  # the red line the educator named (graded answers only)
    harm: tuple[str, ...] = ()  # the sentences the educator quoted as crossing it (graded answers only)
    centre: np.ndarray | None = None  # the moment's expert centre, which the red-line classifier reads


def examples_for(
    embedder, answers: list[GradedAnswer], by_ref: dict[str, Moment], judge: Judge
) -> list[Example]:
    """Read every training answer of the given moments: graded answers, experts and pitfalls."""
    found = [
        replace(
            _read(embedder, a.moment, a.text, a.grade, a.dimensions, a.red_line is not None, 1.0, judge),
            red_line_key=a.red_line or "",
            harm=a.harm,
        )
        for a in answers
    ]
    found += [
        _read(embedder, moment, text, 0, None, False, OFF_TOPIC_WEIGHT, judge)
        for moment, text in off_topic_answers(list(by_ref.values()))
    ]
    for moment in by_ref.values():
        for i, expert in enumerate(moment.experts):
            others = replace(moment, experts=moment.experts[:i] + moment.experts[i + 1 :])
            found.append(_read(embedder, others, expert.text, 4, None, False, EXPERT_WEIGHT, judge))
        for i, pitfall in enumerate(moment.facts.pitfalls):
            facts = replace(moment.facts, pitfalls=moment.facts.pitfalls[:i] + moment.facts.pitfalls[i + 1 :])
            red = pitfall.severity == "red_line"
            found.append(
                _read(
                    embedder,
                    replace(moment, facts=facts),
                    pitfall.text,
                    0 if red else 1,
                    None,
                    red,
                    PITFALL_WEIGHT,
                    judge,
                )
            )
    return found


def off_topic_answers(moments: list[Moment]) -> list[tuple[Moment, str]]:
    """Pair each moment with another category's expert response and two off-topic answers (grade 0).

    A fine answer to a different moment is no answer to this one, and talk about the weekend is
    none at all: these teach the judge that an answer must be about this student and this moment.
    """
    pairs = []
    for i, moment in enumerate(moments):
        others = [m for m in moments[i + 1 :] + moments[:i] if m.facts.category != moment.facts.category]
        if others and others[0].experts:
            pairs.append((moment, others[0].experts[i % len(others[0].experts)].text))
        # Two answers about nothing in the classroom, a different pair for each moment.
        pairs += [(moment, OFF_TOPIC_TEXTS[(2 * i + k) % len(OFF_TOPIC_TEXTS)]) for k in range(2)]
    return pairs


def _read(embedder, moment, text, grade, dimensions, red, weight, judge) -> Example:
    p = prepare_response(embedder, text, moment.facts, list(moment.experts))
    reading, _ = read_answer(p.text, p.raw, p.matches, moment.facts, p.embedded, embedder, judge)
    return Example(
        moment,
        text,
        float(grade),
        dimensions,
        red,
        weight,
        reading.features,
        p.embedded.vector,
        p.embedded.sentences,
        p.embedded.sentence_vectors,
        centre=reading.centre,
    )


def _sentence_rows(example: Example) -> np.ndarray:
    return sentence_rows(example.sentences, example.sentence_vectors, example.centre)


def harm_mask(example: Example) -> np.ndarray:
    """Which of an answer's sentences the educator quoted as crossing its red line."""
    return np.array([quoted(s, example.harm) for s in example.sentences], dtype=bool)


def fit_red_lines(embedder, examples: list[Example], first: Linear | None = None) -> Linear:
    """Fit the sentence red-line classifier; a second pass adds each unquoted red answer's worst sentence."""
    bank = shipped_bank()
    phrasings = [t for line in bank.values() for t in line.phrasings]
    near = [t for line in bank.values() for t in line.near_misses]
    positives = [sentence_rows(phrasings, SCENARIO_VECTORS.expert_vectors(embedder, phrasings))]
    negatives = [sentence_rows(near, SCENARIO_VECTORS.expert_vectors(embedder, near))]
    for e in examples:
        rows = _sentence_rows(e)
        if not len(rows):
            continue
        harmful = harm_mask(e)
        if e.red_line and harmful.any():  # the educator quoted the sentences that cross it
            positives.append(rows[harmful])
            if e.grade >= 1:  # the rest of a sound answer spoilt by one sentence is sound
                negatives.append(rows[~harmful])
        elif e.red_line and (e.weight < 1 or e.grade == 0):  # the harm is the whole answer
            positives.append(rows)
        elif e.red_line and first is not None:  # one harmful sentence among good ones
            positives.append(rows[[int(np.argmax(first(rows)))]])
        elif not e.red_line and e.grade >= 2:
            negatives.append(rows)
    x = np.vstack(positives + negatives)
    y = np.concatenate([np.ones(sum(len(p) for p in positives)), np.zeros(sum(len(n) for n in negatives))])
    w, b = fit_logistic(x, y, RED_LINE_C, [False] * x.shape[1])
    return Linear(w, b)


def fit_red_line_classifier(embedder, examples: list[Example]) -> Linear:
    """Both passes of the sentence red-line classifier."""
    return fit_red_lines(embedder, examples, first=fit_red_lines(embedder, examples))


def fit_red_line_namer(embedder, examples: list[Example], odds: list[np.ndarray]) -> RedLineNamer:
    """Fit the namer on the bank's phrasings and each red-line answer's quoted (or likeliest) sentences.

    `odds` holds each example's sentence probabilities from the fitted red-line classifier.
    """
    from sklearn.linear_model import LogisticRegression

    bank = shipped_bank()
    keys = tuple(sorted(bank))
    labelled = [(key, text) for key in keys for text in bank[key].phrasings]
    bank_keys = tuple(k for k, _ in labelled)
    bank_vectors = SCENARIO_VECTORS.expert_vectors(embedder, [t for _, t in labelled])

    def row(vector: np.ndarray, closeness: np.ndarray) -> np.ndarray:
        return namer_input(keys, NAMER_CLOSENESS_SCALE, vector, closeness, bank_keys)

    # A phrasing's closeness is measured without itself: no sentence a trainee writes is one.
    others = bank_vectors @ bank_vectors.T - 3 * np.eye(len(bank_vectors))
    rows = [row(v, c) for v, c in zip(bank_vectors, others, strict=True)]
    labels = [keys.index(k) for k in bank_keys]
    for e, sentence_odds in zip(examples, odds, strict=True):
        if e.red_line_key in bank and len(sentence_odds):
            harmful = harm_mask(e)
            chosen = np.flatnonzero(harmful) if harmful.any() else [int(np.argmax(sentence_odds))]
            rows += [row(v, bank_vectors @ v) for v in e.sentence_vectors[chosen]]
            labels += [keys.index(e.red_line_key)] * len(chosen)
    model = LogisticRegression(C=NAMER_C, max_iter=5000).fit(np.vstack(rows), np.array(labels))
    weights = np.zeros((len(keys), len(rows[0])))
    intercepts = np.full(len(keys), -30.0)  # a red line no example has is never named
    weights[model.classes_], intercepts[model.classes_] = model.coef_, model.intercept_
    return RedLineNamer(keys, weights, intercepts, NAMER_CLOSENESS_SCALE)


def red_line_thresholds(embedder, examples: list[Example]) -> tuple[float, float]:
    """The probabilities above which a sentence counts as a red line, and as one needing no check.

    Chosen on held-out margins (inner folds grouped by scenario): the share of good graded
    answers (grade 3–4) with a sentence above the first stays at FALSE_ALARM_SHARE, above the
    second at SURE_FALSE_ALARM_SHARE. In-sample margins would set them too low, because the
    classifier has seen those very sentences.
    """
    refs = sorted({e.moment.ref for e in examples})
    order = np.random.RandomState(1).permutation(len(refs))
    margins = []
    for k in range(INNER_FOLDS):
        fold = {refs[i] for i in order[k::INNER_FOLDS]}
        classifier = fit_red_line_classifier(embedder, [e for e in examples if e.moment.ref not in fold])
        margins += [
            float(np.max(classifier(_sentence_rows(e))))
            for e in examples
            if e.moment.ref in fold and e.weight == 1 and e.grade >= 3 and not e.red_line and len(e.sentences)
        ]
    if not margins:
        return 0.5, NEVER
    threshold = max(0.5, sigmoid(float(np.quantile(margins, 1 - FALSE_ALARM_SHARE))))
    sure = max(threshold, sigmoid(float(np.quantile(margins, 1 - SURE_FALSE_ALARM_SHARE))))
    return threshold, sure


def fit_grade(x: np.ndarray, grades: np.ndarray, weights: np.ndarray, scalars: int) -> KernelGrade:
    """Fit the grade's support-vector regression (libsvm, deterministic) on the judge's rows.

    The kernel's width is scikit-learn's "scale" rule on the training inputs, kept in the judge
    so that scoring needs numpy only.
    """
    from sklearn.svm import SVR

    layout = KernelGrade(np.zeros((0, scalars + 384)), np.zeros(0), 0.0, 1.0, scalars, GRADE_VECTOR_BOOST)
    inputs = layout.inputs(x)
    gamma = float(1.0 / (inputs.shape[1] * inputs.var()))
    model = SVR(C=GRADE_C, epsilon=GRADE_EPSILON, gamma=gamma).fit(inputs, grades, sample_weight=weights)
    return replace(
        layout,
        support=model.support_vectors_,
        dual=model.dual_coef_[0],
        intercept=float(model.intercept_[0]),
        gamma=gamma,
    )


def fit_judge(embedder, answers: list[GradedAnswer], by_ref: dict[str, Moment], version: str) -> Judge:
    """Fit every part of the judge on the given answers and moments."""
    blank = _blank_judge()
    examples = examples_for(embedder, answers, by_ref, blank)
    classifier = fit_red_line_classifier(embedder, examples)
    threshold, sure = red_line_thresholds(embedder, examples)
    odds = [1 / (1 + np.exp(-np.clip(classifier(_sentence_rows(e)), -30, 30))) for e in examples]
    for e, sentence_odds in zip(examples, odds, strict=True):
        e.features["red_line_odds"] = float(sentence_odds.max()) if len(sentence_odds) else 0.0
    names = tuple(sorted(examples[0].features))
    scalars = np.array([[e.features.get(n, 0.0) for n in names] for e in examples])
    mean, scale = scalars.mean(axis=0), scalars.std(axis=0) + 1e-6
    embeddings = np.array([answer_embedding(e.vector, e.sentence_vectors) for e in examples])
    x = np.hstack([(scalars - mean) / scale, EMBEDDING_SCALE * embeddings])
    weights = np.array([e.weight for e in examples])
    # The grade reads the scalars and the answer's vector: its sentences' maximum added nothing
    # to the grade held out (rho 0.669 against 0.675), while the dimension heads gain from it.
    grade = fit_grade(x, np.array([e.grade for e in examples]), weights, len(names))
    heads = {}
    labelled = [i for i, e in enumerate(examples) if e.dimensions]
    for key in DIMENSIONS:
        rows = [i for i in labelled if key in examples[i].dimensions]
        levels = np.array([LEVELS.index(level_word(examples[i].dimensions[key])) for i in rows])
        refs = [examples[i].moment.ref for i in rows]
        c = level_penalty(x[rows], levels, weights[rows], refs)
        heads[key] = fit_level_head(x[rows], levels, weights[rows], c)
    # The answer-level classifier does not read the sentence classifier's odds: on training
    # answers they are in-sample, surer than on any new answer, and its threshold would be set
    # too low (19 of 292 held-out good answers flagged with them, against 6 without).
    unread = x.copy()
    unread[:, names.index("red_line_odds")] = 0.0
    answer_red_line, answer_threshold = fit_answer_red_line(unread, examples, weights)
    return Judge(
        version,
        names,
        mean,
        scale,
        EMBEDDING_SCALE,
        grade,
        heads,
        classifier,
        threshold,
        answer_red_line,
        answer_threshold,
        fit_red_line_namer(embedder, examples, odds),
        sure,
    )


def fit_answer_red_line(x: np.ndarray, examples: list[Example], weights: np.ndarray) -> tuple[Linear, float]:
    """Fit the answer-level red-line classifier on the judge's rows, and its threshold.

    The threshold is set on held-out probabilities (inner folds grouped by scenario): it flags
    ANSWER_FALSE_ALARM_SHARE of the good graded answers (grade 3–4) of scenarios it never saw.
    """
    labels = np.array([e.red_line for e in examples])
    refs = [e.moment.ref for e in examples]
    names = sorted(set(refs))
    order = np.random.RandomState(2).permutation(len(names))
    held_out = np.zeros(len(examples))
    for k in range(INNER_FOLDS):
        fold = {names[i] for i in order[k::INNER_FOLDS]}
        inside = np.array([r in fold for r in refs])
        model = _answer_red_line_model(x[~inside], labels[~inside], weights[~inside])
        held_out[inside] = model(x[inside])
    good = [held_out[i] for i, e in enumerate(examples) if e.weight == 1 and e.grade >= 3 and not e.red_line]
    margin = float(np.quantile(good, 1 - ANSWER_FALSE_ALARM_SHARE)) if good else 30.0
    return _answer_red_line_model(x, labels, weights), sigmoid(margin)


def _answer_red_line_model(x: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> Linear:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=ANSWER_RED_LINE_C, max_iter=5000).fit(x, labels, sample_weight=weights)
    return Linear(model.coef_[0], float(model.intercept_[0]))


def fit_level_head(x: np.ndarray, levels: np.ndarray, weights: np.ndarray, c: float) -> LevelHead:
    """Fit one dimension's multinomial logistic head; a level no example has is never predicted."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, levels, sample_weight=weights)
    coef = np.zeros((len(LEVELS), x.shape[1]))
    intercepts = np.full(len(LEVELS), -30.0)
    if len(model.classes_) == 2:  # sklearn fits one row for two classes: the second's log-odds
        coef[model.classes_[1]], intercepts[model.classes_] = model.coef_[0], (0.0, model.intercept_[0])
    else:
        coef[model.classes_], intercepts[model.classes_] = model.coef_, model.intercept_
    return LevelHead(coef, intercepts)


def level_penalty(x: np.ndarray, levels: np.ndarray, weights: np.ndarray, refs: list[str]) -> float:
    """The head's inverse penalty that agrees best with the educators' levels on scenarios held out.

    Inner folds are grouped by scenario, as in `make eval`: a head is chosen for moments it never saw.
    """
    names = sorted(set(refs))
    order = np.random.RandomState(3).permutation(len(names))
    folds = [{names[i] for i in order[k::INNER_FOLDS]} for k in range(INNER_FOLDS)]
    best, chosen = -1.0, LEVEL_C_GRID[0]
    for c in LEVEL_C_GRID:
        hits = 0
        for fold in folds:
            inside = np.array([r in fold for r in refs])
            if not inside.any() or len(set(levels[~inside])) < 2:
                continue
            head = fit_level_head(x[~inside], levels[~inside], weights[~inside], c)
            hits += int((head.likeliest(x[inside]) == levels[inside]).sum())
        if hits > best:
            best, chosen = hits, c
    return chosen


def _blank_judge() -> Judge:
    """A judge that reads features but predicts nothing (to compute the first features)."""
    zero, nothing = Linear(np.zeros(SENTENCE_WIDTH), 0.0), Linear(np.zeros(0), 0.0)
    grade = KernelGrade(np.zeros((0, 384)), np.zeros(0), 0.0, 1.0, 0, 1.0)
    return Judge("blank", (), np.zeros(0), np.ones(0), 1.0, grade, {}, zero, 1.0, nothing, 1.0)


def versioned(data: dict) -> dict:
    """Name the judge by its day and a digest of its content, so two different fits never share a version.

    Attempts record this name (ai/scoring.py): a refit on the same day is still a new scorer.
    """
    content = json.dumps({k: v for k, v in data.items() if k != "version"}, sort_keys=True)
    digest = hashlib.sha256(content.encode()).hexdigest()[:8]
    return {**data, "version": f"graded-{time.strftime('%Y%m%d')}-{digest}"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graded", default=str(GRADED))
    args = parser.parse_args(argv)
    from bench.evaluate_graded import real_embedder

    started = time.perf_counter()
    answers = load_graded(GRADED.__class__(args.graded))
    by_ref = moments(GRADED.__class__(args.graded))
    used = {a.moment.ref for a in answers} | {r for r in by_ref if not r.startswith("mrbench")}
    judge = fit_judge(real_embedder(), answers, {r: by_ref[r] for r in sorted(used)}, "")
    JUDGE_PATH.write_text(json.dumps(versioned(judge.as_json()), indent=1) + "\n")
    stored = judge_from_json(json.loads(JUDGE_PATH.read_text())).grade
    drift = float(
        np.max(np.abs(stored.on_inputs(judge.grade.support) - judge.grade.on_inputs(judge.grade.support)))
    )
    print(
        f"wrote {JUDGE_PATH}: {len(answers)} graded answers, {len(used)} scenarios, "
        f"{time.perf_counter() - started:.0f} s; stored grade within {drift:.4f} of the fitted one"
    )


if __name__ == "__main__":
    main()
