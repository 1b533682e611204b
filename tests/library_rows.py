"""Scenarios written straight into the database, for tests of the library's listing and search."""

from __future__ import annotations

from practicum.db import session
from practicum.models import Scenario, ScenarioSet, ScenarioSetVersion


def add_scenarios(app, rows: list[dict], set_key: str = "extra") -> None:
    """Publish a set holding one scenario per row (title, category, … as given, the rest filled)."""
    with app.app_context():
        scenario_set = ScenarioSet(key=set_key, title=set_key)
        session.add(scenario_set)
        session.flush()
        version = ScenarioSetVersion(
            set_id=scenario_set.id, version=1, title=set_key, description="", content_hash=set_key, source={}
        )
        session.add(version)
        session.flush()
        for position, row in enumerate(rows):
            session.add(
                Scenario(set_version_id=version.id, position=position, **{**_defaults(position), **row})
            )
        session.commit()


def _defaults(position: int) -> dict:
    return {
        "key": f"s{position}",
        "title": f"Scenario {position:03d}",
        "category": "routines",
        "grade_band": "6-8",
        "subject": "Any",
        "context": "A quiet morning in class.",
        "student_name": "Sam",
        "student_persona": "Calm.",
        "opening_line": "Hello.",
        "key_moves": [],
        "dimension_weights": {},
        "follow_ups": {},
        "tags": [],
    }
