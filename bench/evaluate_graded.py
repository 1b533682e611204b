"""How well do scores agree with teacher educators on classroom moments? (part of `make eval`)

For each graded folder (bench/data/graded/README.md):
- the team's own set (bench/data/graded) is scored **held out by scenario**: 5 folds grouped by
  scenario, each fold scored by a judge fitted (bench/fit_judge.py) without any answer, expert
  response or pitfall of its scenarios;
- half of each scenario's answers are then replayed as trainer overrides, and the other half
  scored again with the nearest ones correcting it (ai/calibration.py): with and without;
- a folder of unseen scenarios (bench/data/unseen, or any `--graded` folder with its own
  `scenarios/`) is scored by the shipped judge (ai/judge.json), which never saw them;
- bench/data/hard, new answers to the shipped scenarios written to slip past the scorer (one
  harmful sentence inside a skilful answer, harm in the experts' words, sound answers close to
  a red line's words), is scored by the shipped judge too: it has seen other answers to these
  moments, never these, as with what trainees type into the library.
Printed, in one run, beside raw best similarity to the experts (MiniLM cosine of the raw answer,
nothing else): Spearman ρ of score against grade, the share of within-scenario pairs with
different grades ordered right (ties count half), the mean score per grade, the largest score
any red-line answer got, red-line answers caught (and how many of them under the red line the
educator named), good answers (grade 3–4) wrongly flagged, and
exact agreement of each dimension's level with the educator's (met / partly / missed).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from ai.calibration import GradedExample, calibrated
from ai.dimensions import level_word
from ai.feedback import feedback_facts, template_coaching
from ai.rubric import DIMENSIONS
from ai.scoring import RED_LINE_CAP, ScoreResult, grade_points, prepare_response, score_text
from bench.fit_judge import fit_judge
from bench.graded import GRADED, GradedAnswer, load_graded, moments, quoted
from embeddings.embedder import Embedder

UNSEEN = GRADED.parent / "unseen"
HARD = GRADED.parent / "hard"
FOLDS = 5


class MemoEmbedder(Embedder):
    """Remembers each text it embedded, so folds re-read the same answers for free."""

    def __init__(self, inner: Embedder):
        self.inner, self.model_id, self._memo = inner, inner.model_id, {}

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self.inner.embed_batch(missing), strict=True))
        return np.array([self._memo[t] for t in texts], dtype=np.float32)


def real_embedder() -> Embedder:
    """MiniLM from its wheel, run by ONNX Runtime as served, memoised."""
    from embeddings.embedder import build_embedder
    from practicum.config import default_embedding_model_path

    return MemoEmbedder(build_embedder("onnx", default_embedding_model_path()))


def scenario_folds(answers: list[GradedAnswer], folds: int = FOLDS) -> list[set[str]]:
    """Split the answered scenarios into folds (fixed seed)."""
    refs = sorted({a.moment.ref for a in answers})
    order = np.random.RandomState(0).permutation(len(refs))
    return [{refs[i] for i in order[k::folds]} for k in range(folds)]


def held_out_results(embedder, answers: list[GradedAnswer], folder: Path) -> list[ScoreResult]:
    """Score every answer with a judge fitted without its scenario (grouped cross-validation)."""
    by_ref, results = moments(folder), [None] * len(answers)
    for k, fold in enumerate(scenario_folds(answers)):
        train = [a for a in answers if a.moment.ref not in fold]
        used = {r: m for r, m in by_ref.items() if r not in fold and not r.startswith("unseen")}
        judge = fit_judge(embedder, train, used, f"fold-{k}")
        for i, a in enumerate(answers):
            if a.moment.ref in fold:
                results[i] = score_text(embedder, a.text, a.moment.facts, list(a.moment.experts), judge=judge)
    return results


def shipped_results(embedder, answers: list[GradedAnswer]) -> list[ScoreResult]:
    """Score every answer with the shipped judge."""
    return [score_text(embedder, a.text, a.moment.facts, list(a.moment.experts)) for a in answers]


def best_similarity(embedder, answers: list[GradedAnswer]) -> np.ndarray:
    """The baseline: best cosine of the raw answer with any of its scenario's experts."""
    vectors = embedder.embed_batch([a.text for a in answers])
    return np.array(
        [
            max(float(v @ e) for e in embedder.embed_batch([x.text for x in a.moment.experts]))
            for v, a in zip(vectors, answers, strict=True)
        ]
    )


def pairs_right(answers: list[GradedAnswer], scores) -> float:
    """Share of within-scenario pairs with different grades that the scores order right."""
    by_ref = defaultdict(list)
    for a, s in zip(answers, scores, strict=True):
        by_ref[a.moment.ref].append((a.grade, float(s)))
    right = total = 0.0
    for items in by_ref.values():
        for (g1, s1), (g2, s2) in combinations(items, 2):
            if g1 != g2:
                total += 1
                right += 1.0 if (s1 - s2) * (g1 - g2) > 0 else 0.5 if s1 == s2 else 0.0
    return right / total if total else float("nan")


def agreement(answers: list[GradedAnswer], results: list[ScoreResult]) -> dict[str, tuple[float, int]]:
    """Exact agreement of each dimension's level with the educator's, and how many were judged."""
    hits, counts = Counter(), Counter()
    for a, r in zip(answers, results, strict=True):
        shown = {d.key: d.level for d in r.dimensions}
        for key, value in a.dimensions.items():
            if key in shown:
                counts[key] += 1
                hits[key] += shown[key] == level_word(value)
    return {k: (hits[k] / counts[k], counts[k]) for k in DIMENSIONS if counts[k]}


def harm_located(answers: list[GradedAnswer], results: list[ScoreResult]) -> tuple[int, int]:
    """Of the caught red-line answers whose harm the educator quoted: how many quote it back."""
    pairs = [(a, r) for a, r in zip(answers, results, strict=True) if a.harm and r.red_lines]
    return sum(1 for a, r in pairs if any(quoted(h.sentence, a.harm) for h in r.red_lines)), len(pairs)


def coaching_spread(answers: list[GradedAnswer], results: list[ScoreResult]) -> tuple[float, str]:
    """The largest share of answers given one coaching sentence, and that sentence."""
    said = Counter(
        template_coaching(feedback_facts(r, a.moment.facts)) for a, r in zip(answers, results, strict=True)
    )
    sentence, count = said.most_common(1)[0]
    return count / len(answers), sentence


def report(title: str, answers: list[GradedAnswer], results: list[ScoreResult], baseline: np.ndarray) -> dict:
    """Print one folder's figures; return the headline numbers."""
    grades = np.array([a.grade for a in answers])
    scores = np.array([r.score for r in results])
    red = [r.score for a, r in zip(answers, results, strict=True) if a.red_line]
    caught = sum(1 for a, r in zip(answers, results, strict=True) if a.red_line and r.red_lines)
    named = sum(
        1 for a, r in zip(answers, results, strict=True) if a.red_line in {h.key for h in r.red_lines}
    )
    false_flags = sum(1 for a, r in zip(answers, results, strict=True) if a.grade >= 3 and r.red_lines)
    located = harm_located(answers, results)
    good = int((grades >= 3).sum())
    rho, base_rho = spearmanr(scores, grades)[0], spearmanr(baseline, grades)[0]
    pairs, base_pairs = pairs_right(answers, scores), pairs_right(answers, baseline)
    print(f"\n{title}: {len(answers)} answers, {len({a.moment.ref for a in answers})} scenarios")
    print(f"  {'':<34}{'Spearman rho':>14}{'pairs right':>14}")
    print(f"  {'raw best similarity (baseline)':<34}{base_rho:>14.3f}{base_pairs:>14.3f}")
    print(f"  {'score':<34}{rho:>14.3f}{pairs:>14.3f}")
    print(
        "  mean score by grade: "
        + ", ".join(f"{g}: {scores[grades == g].mean():.0f}" for g in range(5) if (grades == g).any())
    )
    print(
        f"  red-line answers: {len(red)}, largest score {max(red, default=0)}, above {RED_LINE_CAP}: "
        f"{sum(s > RED_LINE_CAP for s in red)}; caught as red lines {caught} "
        f"({named} named as the educator named them); good answers flagged {false_flags} of {good}"
    )
    if located[1]:
        print(f"  caught red lines that quote the sentence the educator quoted: {located[0]} of {located[1]}")
    dims = agreement(answers, results)
    print(
        "  dimension agreement (exact level): "
        + ", ".join(f"{k} {v:.0%} (n={n})" for k, (v, n) in dims.items())
    )
    mean_agreement = float(np.mean([v for v, _ in dims.values()])) if dims else float("nan")
    share, sentence = coaching_spread(answers, results)
    print(
        f"  mean dimension agreement {mean_agreement:.0%}; "
        f"most common coaching sentence on {share:.0%} of answers: {sentence!r}"
    )
    return {"rho": rho, "pairs": pairs, "red_max": max(red, default=0), "agreement": mean_agreement}


def replay_overrides(embedder, answers: list[GradedAnswer], results: list[ScoreResult]) -> None:
    """Replay half of each scenario's graded answers as trainer overrides; score the other half.

    The overrides are the held-out scores corrected to the educator's grade (the middle of the
    grade's band), as a trainer would correct them; the other half of the scenario's answers is
    scored again with practicum/calibration's nearest-neighbour correction (ai/calibration.py).
    """
    by_ref = defaultdict(list)
    for i, a in enumerate(answers):
        by_ref[a.moment.ref].append(i)
    vectors = {
        i: prepare_response(embedder, a.text, a.moment.facts, list(a.moment.experts)).embedded.vector
        for i, a in enumerate(answers)
    }
    scored, before, after = [], [], []
    for indices in by_ref.values():
        overrides = [
            GradedExample(vectors[i], results[i].score, grade_points(answers[i].grade)) for i in indices[::2]
        ]
        for i in indices[1::2]:
            points = calibrated(results[i].score, vectors[i], overrides)
            scored.append(answers[i])
            before.append(results[i].score)
            after.append(min(points, RED_LINE_CAP) if results[i].red_lines else points)
    grades = [a.grade for a in scored]
    print(
        "  learning from trainers: half of each scenario's answers replayed as overrides, "
        f"the other {len(scored)} scored"
    )
    print(
        f"    without them: rho {spearmanr(before, grades)[0]:.3f}, pairs {pairs_right(scored, before):.3f};"
        f" with them: rho {spearmanr(after, grades)[0]:.3f}, pairs {pairs_right(scored, after):.3f}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--graded", type=Path, action="append", help="a graded folder of unseen scenarios (repeatable)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    embedder = real_embedder()
    answers = load_graded(GRADED)
    held_out = held_out_results(embedder, answers, GRADED)
    report(
        "Graded classroom set, held out by scenario (5 folds)",
        answers,
        held_out,
        best_similarity(embedder, answers),
    )
    replay_overrides(embedder, answers, held_out)
    for folder in args.graded or [f for f in (UNSEEN, HARD) if f.exists()]:
        unseen = load_graded(folder)
        report(
            f"{folder}, shipped judge",
            unseen,
            shipped_results(embedder, unseen),
            best_similarity(embedder, unseen),
        )
    print(f"\ngraded evaluation: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
