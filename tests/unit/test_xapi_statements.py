"""xAPI statements for rehearsal events: every field the specification requires, well-formed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from practicum.xapi import statements
from tests import xapi_spec

WHEN = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=UTC)
REHEARSAL = statements.Rehearsal(
    base_url="https://practicum.example.org",
    actor_uuid=uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"),
    registration=uuid.UUID("7c9e6679-7425-40de-944b-e07fc1f90ae7"),
    scenario_key="decimal-comparison",
    scenario_title="Comparing decimals",
    scenario_context="Grade 5 maths. Maya says 0.25 is bigger than 0.3.",
    set_key="maths-core",
    set_title="Maths core",
)
DIMENSIONS = [
    {"key": "probing", "label": "Probing", "value": 0.8, "level": "met", "evidence": "the trainee's words"},
    {"key": "warmth", "label": "Warmth", "value": 0.2, "level": "not met", "evidence": ""},
]


def every_kind(text: bool = False) -> list[dict]:
    """One statement of each kind, with or without the trainee's own words."""
    return [
        statements.launched(REHEARSAL, WHEN, 2),
        statements.answered(REHEARSAL, WHEN, 73, "proficient", DIMENSIONS, 1, "My answer." if text else None),
        statements.completed(
            REHEARSAL, WHEN + timedelta(minutes=3), WHEN, 2, 4, "I rushed." if text else None
        ),
    ]


@pytest.mark.parametrize("text", [False, True])
def test_every_statement_meets_the_specification(text):
    for statement in every_kind(text):
        assert xapi_spec.problems(statement) == [], statement


def test_the_checks_catch_what_they_claim_to():
    good = statements.answered(REHEARSAL, WHEN, 73, "proficient", DIMENSIONS, 1)
    broken = [
        {**good, "id": "not-a-uuid"},
        {key: value for key, value in good.items() if key != "actor"},
        {**good, "actor": {**good["actor"], "mbox": "mailto:a@b.c"}},
        {**good, "verb": {"id": "answered", "display": {"en-US": "answered"}}},
        {**good, "timestamp": "4 Dec 2026"},
        {**good, "result": {**good["result"], "score": {"scaled": 1.5}}},
        {**good, "result": {**good["result"], "score": {"raw": 120, "min": 0, "max": 100}}},
        {**good, "context": {**good["context"], "registration": "42"}},
        {**good, "context": {**good["context"], "extensions": {"turn": 1}}},
        {**good, "object": {**good["object"], "definition": {"name": {"en-US": ""}}}},
        {
            **good,
            "context": {
                **good["context"],
                "contextActivities": {"grouping": [{"id": "https://x.org/s", "definition": {}}]},
            },
        },
    ]
    for statement in broken:
        assert xapi_spec.problems(statement), statement


def test_statements_name_the_verb_actor_scenario_and_session():
    launched, answered, completed = every_kind()
    assert [s["verb"]["id"] for s in (launched, answered, completed)] == [
        "http://adlnet.gov/expapi/verbs/launched",
        "http://adlnet.gov/expapi/verbs/answered",
        "http://adlnet.gov/expapi/verbs/completed",
    ]
    for statement in (launched, answered, completed):
        assert statement["version"] == "1.0.3"
        assert statement["actor"]["account"] == {
            "homePage": "https://practicum.example.org",
            "name": "0f8fad5b-d9cb-469f-a165-70867728950e",
        }
        assert statement["object"]["id"] == "https://practicum.example.org/xapi/scenarios/decimal-comparison"
        assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/simulation"
        assert statement["context"]["registration"] == "7c9e6679-7425-40de-944b-e07fc1f90ae7"
        grouping = statement["context"]["contextActivities"]["grouping"]
        assert grouping[0]["id"] == "https://practicum.example.org/xapi/scenario-sets/maths-core"
    assert len({s["id"] for s in (launched, answered, completed)}) == 3


def test_an_answer_carries_its_score_band_and_dimensions_but_no_evidence():
    result = statements.answered(REHEARSAL, WHEN, 73, "proficient", DIMENSIONS, 2)["result"]
    assert result["score"] == {"scaled": 0.73, "raw": 73, "min": 0, "max": 100}
    assert result["success"] is True
    dimensions = result["extensions"]["https://practicum.example.org/xapi/extensions/rubric-dimensions"]
    assert dimensions == {
        "probing": {"value": 0.8, "level": "met"},
        "warmth": {"value": 0.2, "level": "not met"},
    }
    assert "response" not in result
    assert "the trainee's words" not in str(result)


@pytest.mark.parametrize("score, band, success", [(0, "needs_work", False), (100, "exemplary", True)])
def test_scaled_scores_stay_within_minus_one_and_one(score, band, success):
    result = statements.answered(REHEARSAL, WHEN, score, band, [], 1)["result"]
    assert -1 <= result["score"]["scaled"] <= 1
    assert result["score"]["scaled"] == score / 100
    assert result["success"] is success


def test_the_trainees_words_go_only_when_asked_for():
    plain, with_text = every_kind(False), every_kind(True)
    assert "response" not in plain[1]["result"] and "response" not in plain[2]["result"]
    assert with_text[1]["result"]["response"] == "My answer."
    assert with_text[2]["result"]["response"] == "I rushed."


def test_completed_carries_confidence_and_duration():
    result = statements.completed(REHEARSAL, WHEN + timedelta(seconds=185.5), WHEN, 2, 4)["result"]
    assert result["completion"] is True
    assert result["duration"] == "PT3M5.5S"
    assert result["extensions"] == {
        "https://practicum.example.org/xapi/extensions/confidence": {"before": 2, "after": 4}
    }
    unrated = statements.completed(REHEARSAL, WHEN, WHEN, None, None)["result"]
    assert "extensions" not in unrated


def test_timestamps_are_utc_iso_8601():
    assert statements.iso_timestamp(WHEN) == "2026-12-04T09:30:15.123Z"
    east = datetime(2026, 12, 4, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    assert statements.iso_timestamp(east) == "2026-12-04T09:00:00.000Z"
    assert statements.iso_timestamp(datetime(2026, 12, 4, 9, 0)) == "2026-12-04T09:00:00.000Z"


@pytest.mark.parametrize(
    "seconds, text", [(0, "PT0S"), (0.004, "PT0S"), (5.5, "PT5.5S"), (60, "PT1M"), (3723.25, "PT1H2M3.25S")]
)
def test_durations_are_iso_8601(seconds, text):
    assert statements.iso_duration(seconds) == text


def test_a_long_scenario_description_is_cut():
    long_one = statements.Rehearsal(**{**REHEARSAL.__dict__, "scenario_context": "x" * 5000})
    description = statements.launched(long_one, WHEN, None)["object"]["definition"]["description"]["en-US"]
    assert len(description) == statements.MAX_DESCRIPTION_CHARS and description.endswith("…")
