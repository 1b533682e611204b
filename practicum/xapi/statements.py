"""xAPI 1.0.3 statements for rehearsal events, built from plain values (no database, no network)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

XAPI_VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
MODULE = "http://adlnet.gov/expapi/activities/module"
# Bands the scorer calls a success (practicum/models.BANDS: needs_work, developing, proficient, exemplary).
SUCCESS_BANDS = frozenset({"proficient", "exemplary"})
MAX_DESCRIPTION_CHARS = 1000


@dataclass(frozen=True)
class Rehearsal:
    """Who rehearses which scenario, in which practice session: what every statement names."""

    base_url: str  # this instance's address: the actor's homePage, the root of our IRIs
    actor_uuid: uuid.UUID
    registration: uuid.UUID
    scenario_key: str
    scenario_title: str
    scenario_context: str
    set_key: str
    set_title: str

    def iri(self, path: str) -> str:
        """Return an IRI of ours: path under this instance's base URL."""
        return f"{self.base_url.rstrip('/')}/xapi/{path}"


def launched(rehearsal: Rehearsal, when: datetime, confidence_before: int | None) -> dict:
    """Return the statement that a trainee launched a scenario (a practice session started)."""
    extensions = _confidence(rehearsal, before=confidence_before)
    return _statement(rehearsal, "launched", when, context_extensions=extensions)


def answered(
    rehearsal: Rehearsal,
    when: datetime,
    score: int,
    band: str,
    dimensions: list[dict],
    turn: int,
    response: str | None = None,
) -> dict:
    """Return the statement of one scored answer: score 0-100, band, rubric dimensions.

    response is the trainee's own words, given only where the configuration allows it.
    """
    result = {
        "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
        "success": band in SUCCESS_BANDS,
        "extensions": {
            rehearsal.iri("extensions/band"): band,
            rehearsal.iri("extensions/rubric-dimensions"): _dimensions(dimensions),
        },
    }
    if response:
        result["response"] = response
    turn_extension = {rehearsal.iri("extensions/turn"): turn}
    return _statement(rehearsal, "answered", when, result, turn_extension)


def completed(
    rehearsal: Rehearsal,
    when: datetime,
    started: datetime,
    confidence_before: int | None,
    confidence_after: int | None,
    reflection: str | None = None,
) -> dict:
    """Return the statement that a practice session ended, with confidence and reflection.

    reflection is the trainee's own words, given only where the configuration allows it.
    """
    result = {"completion": True, "duration": iso_duration((when - started).total_seconds())}
    confidence = _confidence(rehearsal, before=confidence_before, after=confidence_after)
    if confidence:
        result["extensions"] = confidence
    if reflection:
        result["response"] = reflection
    return _statement(rehearsal, "completed", when, result)


def _statement(
    rehearsal: Rehearsal,
    verb: str,
    when: datetime,
    result: dict | None = None,
    context_extensions: dict | None = None,
) -> dict:
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": rehearsal.base_url, "name": str(rehearsal.actor_uuid)},
        },
        "verb": {"id": ADL_VERBS + verb, "display": {"en-US": verb}},
        "object": _scenario_activity(rehearsal),
        "context": _context(rehearsal, context_extensions),
        "timestamp": iso_timestamp(when),
        "version": XAPI_VERSION,
    }
    if result:
        statement["result"] = result
    return statement


def _scenario_activity(rehearsal: Rehearsal) -> dict:
    definition = {"name": {"en-US": rehearsal.scenario_title}, "type": SIMULATION}
    description = rehearsal.scenario_context.strip()
    if description:
        if len(description) > MAX_DESCRIPTION_CHARS:
            description = description[: MAX_DESCRIPTION_CHARS - 1].rstrip() + "…"
        definition["description"] = {"en-US": description}
    return {
        "objectType": "Activity",
        "id": rehearsal.iri(f"scenarios/{rehearsal.scenario_key}"),
        "definition": definition,
    }


def _context(rehearsal: Rehearsal, extensions: dict | None) -> dict:
    scenario_set = {
        "objectType": "Activity",
        "id": rehearsal.iri(f"scenario-sets/{rehearsal.set_key}"),
        "definition": {"name": {"en-US": rehearsal.set_title}, "type": MODULE},
    }
    context = {
        "registration": str(rehearsal.registration),
        "contextActivities": {"grouping": [scenario_set]},
        "platform": "Practicum",
        "language": "en-US",
    }
    if extensions:
        context["extensions"] = extensions
    return context


def _dimensions(dimensions: list[dict]) -> dict:
    # Key, value and level only: a dimension's evidence quotes the trainee's answer.
    return {d["key"]: {"value": d["value"], "level": d.get("level")} for d in dimensions}


def _confidence(rehearsal: Rehearsal, before: int | None = None, after: int | None = None) -> dict:
    ratings = {name: value for name, value in (("before", before), ("after", after)) if value is not None}
    return {rehearsal.iri("extensions/confidence"): ratings} if ratings else {}


def iso_timestamp(when: datetime) -> str:
    """Return an ISO 8601 UTC timestamp with milliseconds (a naive time is taken as UTC)."""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_duration(seconds: float) -> str:
    """Return an ISO 8601 duration to the hundredth of a second, as xAPI asks (e.g. PT1H2M3.5S)."""
    hundredths = round(max(seconds, 0) * 100)
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + f"{rest / 100:g}S" if rest or text == "PT" else text
