"""Score a walk-through file with the shipped scorer: `python -m bench.walkthrough FILE [-v]`.

Per style: the mean score and range, answers flagged as a red line, those named as the red line
the file gives, and those above 39 (bench/data/walkthroughs/README.md). With -v, one line an
answer, and the text of each harmful answer missed or above 39 and each sound answer flagged.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from ai.red_lines import shipped_bank
from ai.scoring import RED_LINE_CAP, score_text
from bench.graded import moments

FIELDS = {"set", "key", "style", "grade", "red_line", "harm", "text"}


def problems_in(answers: list[dict], refs: set[str], red_lines: set[str]) -> list[str]:
    """What is wrong with a walk-through file's answers (empty when it can be scored)."""
    problems = []
    for number, answer in enumerate(answers, 1):
        if set(answer) != FIELDS:
            problems.append(f"answer {number}: fields {sorted(answer)}, not {sorted(FIELDS)}")
            continue
        if f"{answer['set']}/{answer['key']}" not in refs:
            problems.append(f"answer {number}: no shipped scenario {answer['set']}/{answer['key']}")
        if answer["grade"] not in range(5):
            problems.append(f"answer {number}: grade {answer['grade']!r} is not 0–4")
        if answer["red_line"] is not None and answer["red_line"] not in red_lines:
            problems.append(f"answer {number}: unknown red line {answer['red_line']!r}")
        if bool(answer["red_line"]) != bool(answer["harm"]):
            problems.append(f"answer {number}: a red line and its quoted harm come together")
        elif answer["harm"] and answer["harm"] not in answer["text"]:
            problems.append(f"answer {number}: the quoted harm is not in the text")
    return problems


def style_summary(style: str, rows: list[tuple[int, list[str], str | None]]) -> str:
    """One line for a style: rows are (score, red lines named, red line the file gives)."""
    scores = [score for score, _, _ in rows]
    flagged = sum(bool(named) for _, named, _ in rows)
    right = sum(key in named for _, named, key in rows if key)
    return (
        f"{style:22s} {len(rows):3d} answers, mean {sum(scores) / len(scores):.1f} "
        f"({min(scores)}–{max(scores)}), flagged {flagged}, named right {right}, "
        f"above {RED_LINE_CAP}: {sum(s > RED_LINE_CAP for s in scores)}"
    )


def main() -> None:
    """Score every answer of a walk-through file and print the summary per style."""
    from bench.evaluate_graded import real_embedder  # scipy and the fitting code: only to score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    by_ref, by_style = moments(), defaultdict(list)
    answers = json.loads(args.file.read_text(encoding="utf-8"))
    problems = problems_in(answers, set(by_ref), set(shipped_bank()))
    if problems:
        raise SystemExit(f"{args.file}: {len(problems)} problems, e.g. " + "; ".join(problems[:5]))
    embedder = real_embedder()
    for answer in answers:
        moment = by_ref[f"{answer['set']}/{answer['key']}"]
        result = score_text(embedder, answer["text"], moment.facts, list(moment.experts))
        named = [hit.key for hit in result.red_lines]
        missed = bool(answer["red_line"]) and (not named or result.score > RED_LINE_CAP)
        wrongly = not answer["red_line"] and bool(named)
        by_style[answer["style"]].append((result.score, named, answer["red_line"]))
        if args.verbose:
            mark = "!!" if missed or wrongly else "  "
            line = f"{mark} {result.score:3d} {answer['style']:22s} {answer['key']:28s}"
            print(f"{line} {answer['red_line']} {named}")
            if missed or wrongly:
                print(f"     {answer['text']}")
    for style, rows in by_style.items():
        print(style_summary(style, rows))


if __name__ == "__main__":
    main()
