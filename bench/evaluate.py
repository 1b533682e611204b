"""How well do scores agree with expert judgement? `make eval` (python -m bench.evaluate).

Each MRBench dialogue (../shared/data/mrbench-dev) becomes a scenario: context = the
conversation so far, opening line = the last student turn, category `misconception`, expert
response = the `Expert` tutor's. The set is imported through the real importer into a fresh
embedded PostgreSQL, and every other response is scored by the real `practicum score` command
(--no-feedback), the path the API uses. Printed, in one run, for each labelled dimension
(`Yes` versus the rest) and their mean, the ROC AUC of:
- the raw similarity of the whole response to the expert response (the baseline: MiniLM
  cosine, nothing else);
- the overall score with the shipped rubric model (ai/rubric_model.json), which was fitted on
  this very data, so in-sample;
- the overall score with heads refitted in 5 folds grouped by dialogue, each fold scored by a
  model that never saw it: the held-out figure;
- the same with one fold per tutor (each tutor scored by heads fitted on the other tutors'
  responses): how much the heads lean on one tutor's way of writing rather than on what a
  response does.
`--write-model` refits the heads on all responses and writes ai/rubric_model.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from ai.rubric_model import HEAD_LABELS, MODEL_PATH, RubricModel
from ai.scoring import PreparedResponse, prepare_response, score_response
from bench.fitting import FOLDS, auc_row, fit_model, grouped_folds, own_label_row
from bench.mrbench import DATA, LABELS, SET_KEY, load_dialogues, responses, scenario_set
from embeddings.embedder import Embedder


class MemoEmbedder(Embedder):
    """Remembers each batch it embedded, so the second pass over the same texts is free."""

    def __init__(self, inner: Embedder):
        self.inner, self.model_id, self._memo = inner, inner.model_id, {}

    @property
    def loaded(self) -> bool:
        return getattr(self.inner, "loaded", True)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        key = tuple(texts)
        if key not in self._memo:
            self._memo[key] = self.inner.embed_batch(texts)
        return self._memo[key]


def cross_validate(app, prepared, facts, signals, labels, folds) -> tuple[np.ndarray, np.ndarray]:
    """Score every response with heads fitted without its fold: (scores, dimension values)."""
    scores, dims = np.zeros(len(signals)), np.zeros((len(signals), len(HEAD_LABELS)))
    for train, test in folds:
        model = fit_model([signals[i] for i in train], labels[train], "fold")
        for i, result in rescore(app, prepared, facts, model, test).items():
            scores[i] = result.score
            dims[i] = dimension_values(result.dimension_dicts())
    return scores, dims


# ---- the run --------------------------------------------------------------------------------


def build_app(folder: Path):
    """A fresh embedded PostgreSQL, migrated, and an app with the real MiniLM and no LLM."""
    from practicum import create_app
    from practicum.config import Config
    from practicum.embedded_db import throwaway_database_url
    from practicum.migrate import upgrade

    url = throwaway_database_url("mrbench_eval")
    upgrade(url)
    return create_app(
        Config(
            environ={},
            DATABASE_URL=url,
            INSTANCE_DIR=folder,
            SECRET_KEY="e" * 40,
            JWT_SECRET_KEY="e" * 40,
            EMBEDDING_BACKEND="onnx",
            LLM_BACKEND="fake",
            WARM_MODELS=False,
            RATELIMIT_ENABLED=False,
        )
    )


def import_set(app, document: dict) -> None:
    """Validate and import the set through the real importer."""
    from practicum import library, runtime
    from practicum.db import session, transaction
    from scenarios.loader import load_scenario_set

    data = json.dumps(document).encode()
    with app.app_context(), transaction():
        library.import_scenario_set(session, load_scenario_set(data, "mrbench.json"), runtime.embedder(app))


def score_with_cli(app, rows: list[dict], folder: Path) -> dict[str, dict]:
    """Run `practicum score IN OUT --no-feedback`; return the output records by id."""
    source, target = folder / "in.jsonl", folder / "out.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": r["id"], "scenario": f"{SET_KEY}/{r['scenario']}", "response": r["response"]})
            + "\n"
            for r in rows
        )
    )
    outcome = app.test_cli_runner().invoke(args=["score", str(source), str(target), "--no-feedback"])
    if outcome.exit_code != 0:
        raise SystemExit(f"practicum score failed: {outcome.output}")
    records = [json.loads(line) for line in target.read_text().splitlines() if line.strip()]
    return {r["id"]: r for r in records}


def prepare_all(app, rows: list[dict]) -> tuple[list[PreparedResponse], list]:
    """Clean, embed and match every response in memory (same functions, cached vectors)."""
    from embeddings.search import ExpertMatch
    from practicum import library, runtime
    from practicum.db import session
    from practicum.practice import scenario_facts

    prepared, facts = [], []
    with app.app_context():
        scenarios = {s.key: s for s in library.current_scenarios(session)}
        embedder = runtime.embedder(app)
        for row in rows:
            scenario = scenarios[row["scenario"]]
            experts = [
                ExpertMatch(e.id, scenario.id, e.text, e.strategy, 0.0) for e in scenario.expert_responses
            ]
            facts.append(scenario_facts(scenario))
            prepared.append(prepare_response(embedder, row["response"], facts[-1], experts))
        session.remove()
    return prepared, facts


def rescore(app, prepared, facts, model: RubricModel | None, indices) -> dict[int, object]:
    """Score prepared responses with a given rubric model."""
    from practicum import runtime

    embedder = runtime.embedder(app)
    return {
        i: score_response(
            prepared[i].text,
            prepared[i].matches,
            facts[i],
            prepared[i].flags,
            prepared[i].embedded,
            embedder,
            prepared[i].raw,
            model,
            spoken=prepared[i].spoken,
        )
        for i in indices
    }


def print_table(rows: list[tuple[str, list[float]]]) -> None:
    names = [n.replace("_", " ") for n in LABELS] + ["mean"]
    print(f"{'ROC AUC (Yes vs rest)':<44}" + "".join(f"{n[:14]:>15}" for n in names))
    for title, values in rows:
        print(f"{title:<44}" + "".join(f"{v:>15.3f}" for v in values))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--write-model",
        action="store_true",
        help="refit the rubric heads on all responses; write ai/rubric_model.json",
    )
    args = parser.parse_args(argv)
    if not args.data.is_file():
        raise SystemExit(
            f"No MRBench data at {args.data}: `make eval` reads shared/data/mrbench-dev beside the "
            "repository (development data, not shipped); pass --data to point at it."
        )
    started = time.perf_counter()
    dialogues = load_dialogues(args.data)
    rows = responses(dialogues)
    labels = np.array([r["labels"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    folder = Path(tempfile.mkdtemp(prefix="pe-"))
    try:
        app = build_app(folder)
        from practicum import runtime

        app.extensions["practicum.embedder"] = MemoEmbedder(runtime.embedder(app))
        phase = _phases(started)
        import_set(app, scenario_set(dialogues))
        phase("setup and import")
        records = score_with_cli(app, rows, folder)
        phase("practicum score")
        prepared, facts = prepare_all(app, rows)
        shipped = rescore(app, prepared, facts, None, range(len(rows)))
        signals = [shipped[i].signals for i in range(len(rows))]
        if args.write_model:
            model = fit_model(signals, labels, "mrbench-dev-" + time.strftime("%Y%m%d"))
            MODEL_PATH.write_text(json.dumps(model.as_json(), indent=1) + "\n")
            print(f"wrote {MODEL_PATH} ({len(rows)} responses)")
        held_out = cross_validate(app, prepared, facts, signals, labels, grouped_folds(groups))
        tutors = np.array([r["tutor"] for r in rows])
        by_tutor, _ = cross_validate(
            app, prepared, facts, signals, labels, grouped_folds(tutors, len(set(tutors)))
        )
        phase("cross-validation")
        best_sim = raw_similarity(app, dialogues, rows)
        phase("baseline")
        report(rows, records, shipped, labels, held_out, by_tutor, best_sim, started)
    finally:
        from practicum.db import session

        session.remove()
        shutil.rmtree(folder, ignore_errors=True)


def _phases(started: float):
    last = [started]

    def phase(name: str) -> None:
        now = time.perf_counter()
        print(f"{name}: {now - last[0]:.0f} s", flush=True)
        last[0] = now

    return phase


def raw_similarity(app, dialogues: list[dict], rows: list[dict]) -> np.ndarray:
    """The baseline: cosine of the whole raw response with the expert response, nothing else."""
    from practicum import runtime

    embedder = runtime.embedder(app)
    experts = {d["key"]: d["tutor_responses"]["Expert"]["response"] for d in dialogues}
    expert_vectors = dict(zip(experts, embedder.embed_batch(list(experts.values())), strict=True))
    vectors = embedder.embed_batch([r["response"] for r in rows])
    return np.array([float(v @ expert_vectors[r["scenario"]]) for v, r in zip(vectors, rows, strict=True)])


# The rubric dimension that answers each MRBench label (HEAD_LABELS order): identifying and
# locating the mistake are both diagnosis (D2), guidance is ownership (D3), actionability D4.
LABELLED_DIMENSIONS = ("diagnosis", "diagnosis", "ownership", "next_step")


def dimension_values(dimensions: list[dict]) -> list[float]:
    """The values of the dimensions that answer MRBench's four labels, in HEAD_LABELS order."""
    by_key = {d["key"]: d["value"] for d in dimensions}
    return [by_key.get(key, 0.0) for key in LABELLED_DIMENSIONS]


def report(rows, records, shipped, labels, held_out, by_tutor, best_sim, started) -> None:
    """Print the AUC table and how far the in-memory pass agrees with the CLI."""
    held_out, held_out_dims = held_out
    cli_scores = np.array([records[r["id"]].get("score", 0) for r in rows])
    cli_dims = np.array([dimension_values(records[r["id"]].get("dimensions", [])) for r in rows])
    errors = sum("error" in records[r["id"]] for r in rows)
    memory = np.array([shipped[i].score for i in range(len(rows))])
    print(
        f"MRBench dev: {len(rows)} responses in {len({r['scenario'] for r in rows})} dialogues;"
        f" scored by `practicum score --no-feedback` ({errors} error lines)"
    )
    print_table(
        [
            ("baseline: raw similarity to the expert", auc_row(labels, best_sim)),
            ("score, shipped model (in-sample)", auc_row(labels, cli_scores)),
            (f"score, held-out ({FOLDS}-fold grouped by dialogue)", auc_row(labels, held_out)),
            ("score, held-out by tutor (fold per tutor)", auc_row(labels, by_tutor)),
        ]
    )
    print(
        "Each rubric dimension against its MRBench label (diagnosis / Mistake Identification and "
        "Location, ownership / Guidance, next step / Actionability):"
    )
    print_table(
        [
            ("dimension values, shipped (in-sample)", own_label_row(labels, cli_dims)),
            ("dimension values, held-out", own_label_row(labels, held_out_dims)),
        ]
    )
    bands = {}
    for record, yes in zip((records[r["id"]] for r in rows), labels.sum(axis=1), strict=True):
        bands.setdefault(int(yes), []).append(record.get("score", 0))
    print(
        "median score by number of Yes labels: "
        + ", ".join(f"{k}: {np.median(v):.0f}" for k, v in sorted(bands.items()))
    )
    print(
        f"in-memory pass vs CLI: {int((memory != cli_scores).sum())} scores differ "
        f"(max {int(np.abs(memory - cli_scores).max())} points); "
        f"total {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
