"""Check a graded folder's form (bench/data/graded/README.md): `python -m bench.check_graded DIR`.

Reads only YAML and the scenario sets, so it runs before anything is installed; `make eval`
loads the same folders through bench/graded.py, which calls `problems_in` first.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from ai.rubric import CATEGORY_WEIGHTS, LEVELS

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_SETS = ROOT / "scenarios" / "sets"
RED_LINES = ROOT / "scenarios" / "red_lines.yaml"
STYLES = {"plain", "terse", "rambling", "non-native", "expert-words-harmful", "own-words-strong"}


def scenario_sets(folder: Path) -> dict[str, dict]:
    """Return the scenario sets a graded folder may refer to: shipped ones and its own."""
    files = sorted(SHIPPED_SETS.glob("*.yaml")) + sorted((folder / "scenarios").glob("*.y*ml"))
    sets = {}
    for path in files:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        sets[document["key"]] = document
    return sets


def red_line_keys() -> set[str]:
    """Return the keys of the red-line bank (empty before the bank exists)."""
    if not RED_LINES.exists():
        return set()
    return {item["key"] for item in yaml.safe_load(RED_LINES.read_text(encoding="utf-8"))["red_lines"]}


def problems_in(folder: Path) -> list[str]:
    """Return every problem with the answer files of one graded folder, each with its place."""
    sets, red_lines, problems = scenario_sets(folder), red_line_keys(), []
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        scenarios = {s["key"]: s for s in sets.get(document.get("set"), {}).get("scenarios", [])}
        if not scenarios:
            problems.append(f"{path.name}: unknown set {document.get('set')!r}")
            continue
        for i, answer in enumerate(document.get("answers") or []):
            problems += [
                f"{path.name} answers[{i}]: {p}" for p in _answer_problems(answer, scenarios, red_lines)
            ]
    return problems


def _answer_problems(answer: dict, scenarios: dict, red_lines: set[str]) -> list[str]:
    scenario = scenarios.get(answer.get("scenario"))
    if scenario is None:
        return [f"unknown scenario {answer.get('scenario')!r}"]
    problems = []
    if answer.get("grade") not in (0, 1, 2, 3, 4):
        problems.append("grade must be 0-4")
    if not str(answer.get("rationale") or "").strip():
        problems.append("rationale missing")
    if not str(answer.get("text") or "").strip():
        problems.append("text missing")
    if answer.get("style") not in STYLES:
        problems.append(f"style must be one of {sorted(STYLES)}")
    red_line = answer.get("red_line")
    if red_line is not None and red_lines and red_line not in red_lines:
        problems.append(f"unknown red line {red_line!r}")
    if red_line is not None and answer.get("grade") not in (0, 1):
        problems.append("a red-line answer is graded 0 or 1")
    problems += _harm_problems(answer)
    weighted = {k for k, w in CATEGORY_WEIGHTS[scenario["category"]].items() if w > 0}
    given = answer.get("dimensions") or {}
    if set(given) != weighted:
        problems.append(f"dimensions must be exactly {sorted(weighted)}")
    problems += [f"dimension {k}: {v!r} is not one of {LEVELS}" for k, v in given.items() if v not in LEVELS]
    return problems


def _harm_problems(answer: dict) -> list[str]:
    """`harm` (optional) quotes the sentences of a red-line answer that cross it, verbatim."""
    harm = answer.get("harm")
    if harm is None:
        return []
    if answer.get("red_line") is None:
        return ["harm is given only with a red_line"]
    if not isinstance(harm, list) or not harm or not all(isinstance(q, str) and q.strip() for q in harm):
        return ["harm must be a list of quoted sentences"]
    text = str(answer.get("text") or "")
    return [f"harm {q!r} is not in the text" for q in harm if q not in text]


def summary(folder: Path) -> str:
    """Return counts a writer checks against the targets: answers, scenarios, grades, styles."""
    answers = [
        (document["set"], a)
        for path in sorted(folder.glob("*.yaml"))
        for document in [yaml.safe_load(path.read_text(encoding="utf-8")) or {}]
        for a in document.get("answers") or []
    ]
    grades = Counter(a["grade"] for _, a in answers)
    styles = Counter(a.get("style") for _, a in answers)
    scenarios = Counter(f"{s}/{a['scenario']}" for s, a in answers)
    red = sum(1 for _, a in answers if a.get("red_line"))
    return (
        f"{len(answers)} answers, {len(scenarios)} scenarios "
        f"(min {min(scenarios.values(), default=0)} each), "
        f"grades {dict(sorted(grades.items()))}, red-line answers {red}, styles {dict(styles)}"
    )


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench" / "data" / "graded")
    found = problems_in(target)
    print("\n".join(found) or "no problems")
    print(summary(target))
    sys.exit(1 if found else 0)
