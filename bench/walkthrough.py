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

from ai.scoring import RED_LINE_CAP, score_text
from bench.evaluate_graded import real_embedder
from bench.graded import moments


def main() -> None:
    """Score every answer of a walk-through file and print the summary per style."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    by_ref, embedder, by_style = moments(), real_embedder(), defaultdict(list)
    for answer in json.loads(args.file.read_text(encoding="utf-8")):
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
        scores = [score for score, _, _ in rows]
        flagged = sum(bool(named) for _, named, _ in rows)
        right = sum(key in named for _, named, key in rows if key)
        print(
            f"{style:22s} {len(rows):3d} answers, mean {sum(scores) / len(scores):.1f} "
            f"({min(scores)}–{max(scores)}), flagged {flagged}, named right {right}, "
            f"above {RED_LINE_CAP}: {sum(s > RED_LINE_CAP for s in scores)}"
        )


if __name__ == "__main__":
    main()
