"""Graded classroom answers as the scorer sees them (bench/data/graded/README.md).

A graded folder's answers, each with its scenario's facts (pitfalls included) and expert
responses, read straight from the scenario-set files (shipped, or the folder's own
`scenarios/`). Used by `make fit` (bench/fit_judge.py) and `make eval` (bench/evaluate_graded.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ai.dimensions import ScenarioFacts
from ai.features import Pitfall
from ai.rubric import LEVEL_VALUES
from bench.check_graded import problems_in, scenario_sets
from embeddings.search import ExpertMatch

GRADED = Path(__file__).resolve().parent / "data" / "graded"


@dataclass(frozen=True)
class Moment:
    """One scenario: its facts, its expert responses and its place ("set/scenario")."""

    ref: str
    facts: ScenarioFacts
    experts: tuple[ExpertMatch, ...]


@dataclass(frozen=True)
class GradedAnswer:
    """One graded answer to one moment."""

    moment: Moment
    text: str
    grade: int
    dimensions: dict[str, float]
    red_line: str | None
    style: str
    rationale: str
    harm: tuple[str, ...] = ()  # the sentences that cross the red line, quoted (optional)


def quoted(sentence: str, quotes) -> bool:
    """Whether a sentence is one of the quoted ones: it holds a quote or lies inside one.

    Spacing and case aside: quotes are sentences of an answer as written, the scorer's sentences
    those of its cleaned text.
    """
    plain = _plain(sentence)
    return any(q in plain or plain in q for q in map(_plain, quotes))


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def moment_of(set_key: str, item: dict, index: int) -> Moment:
    """Build a scenario's Moment from its item in a scenario-set document."""
    facts = ScenarioFacts(
        key=item["key"],
        category=item["category"],
        context=item["context"],
        opening_line=item["student"]["opening_line"],
        student_name=item["student"]["name"],
        key_moves=tuple(item.get("key_moves", ())),
        dimension_weights=dict(item.get("dimension_weights", {})),
        pitfalls=tuple(Pitfall(p["text"], p["reason"], p["severity"]) for p in item.get("pitfalls", ())),
    )
    experts = tuple(
        ExpertMatch(-(index * 100 + i + 1), -(index + 1), e["text"], e.get("strategy", ""), 0.0)
        for i, e in enumerate(item["expert_responses"])
    )
    return Moment(f"{set_key}/{item['key']}", facts, experts)


def moments(folder: Path = GRADED) -> dict[str, Moment]:
    """Every scenario a graded folder may refer to, by "set/scenario"."""
    found, index = {}, 0
    for set_key, document in scenario_sets(folder).items():
        for item in document["scenarios"]:
            index += 1
            moment = moment_of(set_key, item, index)
            found[moment.ref] = moment
    return found


def load_graded(folder: Path = GRADED) -> list[GradedAnswer]:
    """Read every answer of a graded folder, refusing a folder with any problem."""
    problems = problems_in(folder)
    if problems:
        raise SystemExit(f"{folder}: {len(problems)} problems, e.g. " + "; ".join(problems[:5]))
    by_ref, answers = moments(folder), []
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for a in document["answers"]:
            answers.append(
                GradedAnswer(
                    by_ref[f"{document['set']}/{a['scenario']}"],
                    a["text"].strip(),
                    int(a["grade"]),
                    {k: LEVEL_VALUES[v] for k, v in a["dimensions"].items()},
                    a.get("red_line"),
                    a["style"],
                    a["rationale"],
                    tuple(a.get("harm") or ()),
                )
            )
    return answers
