"""MRBench's development split as Practicum sees it: one scenario per dialogue, labelled responses.

Each dialogue becomes a scenario: context = the conversation so far, opening line = the last
student turn, category `misconception`, expert response = the `Expert` tutor's. Every other
response is a row with its four labels (1 = `Yes`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mrbench-dev" / ("mrbench_dev.json")
LABELS = ("Mistake_Identification", "Mistake_Location", "Providing_Guidance", "Actionability")
SET_KEY = "mrbench-dev"
TURN = re.compile(r"\n\s*(?=(?:Tutor|Student):)")


def load_dialogues(path: Path = DATA) -> list[dict]:
    """Return MRBench dialogues, each with a scenario key."""
    dialogues = json.loads(path.read_text())
    for index, dialogue in enumerate(dialogues):
        dialogue["key"] = f"d{index:03d}"
    return dialogues


def last_student_turn(history: str) -> str:
    """Return what the student said last (the scenario's opening line)."""
    turns = [t.strip() for t in TURN.split(history) if t.strip()]
    said = [t for t in turns if t.startswith("Student:")]
    return (said[-1] if said else turns[-1]).removeprefix("Student:").strip()


def scenario_set(dialogues: list[dict]) -> dict:
    """Build one scenario-set document, one scenario per dialogue."""
    scenarios = [
        {
            "key": d["key"],
            "title": f"MRBench dialogue {d['conversation_id']}"[:200],
            "category": "misconception",
            "grade_band": "K-12",
            "subject": "Maths",
            "context": d["conversation_history"][:4000],
            "student": {
                "name": "Student",
                "persona": "A student solving a maths word problem.",
                "opening_line": last_student_turn(d["conversation_history"])[:2000],
            },
            "expert_responses": [{"text": d["tutor_responses"]["Expert"]["response"]}],
        }
        for d in dialogues
    ]
    return {"key": SET_KEY, "title": "MRBench development split", "scenarios": scenarios}


def responses(dialogues: list[dict]) -> list[dict]:
    """Return every non-expert response with its labels (1 = Yes)."""
    rows = []
    for group, d in enumerate(dialogues):
        for tutor, item in d["tutor_responses"].items():
            if tutor == "Expert":
                continue
            labels = [int(item["annotation"][name] == "Yes") for name in LABELS]
            rows.append(
                {
                    "id": f"{d['key']}/{tutor}",
                    "scenario": d["key"],
                    "group": group,
                    "response": item["response"],
                    "tutor": tutor,
                    "labels": labels,
                }
            )
    return rows
