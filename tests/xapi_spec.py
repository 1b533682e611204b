"""The xAPI 1.0.3 specification's rules for a statement (Data, part two, section 2.4), as checks.

Only what the statements Practicum sends use: an Agent actor with one identifier, a verb, an
Activity object, result, context, timestamp and version. Returns problems in words, [] when valid.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ISO_DURATION = re.compile(r"^P(?:\d+D)?T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "version"}


def is_iri(text) -> bool:
    """Tell whether text is an absolute IRI with a scheme and (for http) a host."""
    if not isinstance(text, str) or " " in text:
        return False
    parts = urlsplit(text)
    return bool(parts.scheme) and (parts.scheme not in {"http", "https"} or bool(parts.netloc))


def is_uuid(text) -> bool:
    """Tell whether text is a UUID in its canonical form."""
    try:
        return isinstance(text, str) and str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def problems(statement: dict) -> list[str]:
    """Return the ways statement breaks the specification's rules ([] when none)."""
    found = [f"unknown property {key}" for key in set(statement) - STATEMENT_KEYS]
    for key in ("actor", "verb", "object"):
        if key not in statement:
            found.append(f"{key} is required")
    if "id" in statement and not is_uuid(statement["id"]):
        found.append("id must be a UUID")
    found += _actor(statement.get("actor", {}))
    found += _verb(statement.get("verb", {}))
    found += _activity(statement.get("object", {}), "object")
    found += _result(statement.get("result", {}))
    found += _context(statement.get("context", {}))
    if "timestamp" in statement and not _is_timestamp(statement["timestamp"]):
        found.append("timestamp must be ISO 8601 with a time zone")
    if not re.fullmatch(r"1\.0\.\d+", str(statement.get("version", "1.0.0"))):
        found.append("version must be 1.0.x")
    return found + _empty_values(statement, "statement")


def _actor(actor: dict) -> list[str]:
    identifiers = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in actor]
    found = [] if len(identifiers) == 1 else ["actor must have exactly one inverse functional identifier"]
    if actor.get("objectType", "Agent") != "Agent":
        found.append("actor.objectType must be Agent")
    account = actor.get("account")
    if account is not None:
        if not is_iri(account.get("homePage")):
            found.append("actor.account.homePage must be an IRL")
        if not isinstance(account.get("name"), str) or not account.get("name"):
            found.append("actor.account.name is required")
    return found


def _verb(verb: dict) -> list[str]:
    found = [] if is_iri(verb.get("id")) else ["verb.id must be an IRI"]
    return found + _language_map(verb.get("display", {}), "verb.display")


def _activity(activity: dict, where: str) -> list[str]:
    found = [] if is_iri(activity.get("id")) else [f"{where}.id must be an IRI"]
    if activity.get("objectType", "Activity") != "Activity":
        found.append(f"{where}.objectType must be Activity")
    definition = activity.get("definition", {})
    for key in ("name", "description"):
        found += _language_map(definition.get(key, {}), f"{where}.definition.{key}")
    if "type" in definition and not is_iri(definition["type"]):
        found.append(f"{where}.definition.type must be an IRI")
    return found


def _result(result: dict) -> list[str]:
    found, score = [], result.get("score", {})
    scaled, raw = score.get("scaled"), score.get("raw")
    low, high = score.get("min"), score.get("max")
    if scaled is not None and not (isinstance(scaled, int | float) and -1 <= scaled <= 1):
        found.append("result.score.scaled must be a number from -1 to 1")
    if low is not None and high is not None and low >= high:
        found.append("result.score.min must be less than max")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        found.append("result.score.raw must lie between min and max")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            found.append(f"result.{key} must be true or false")
    if "response" in result and not isinstance(result["response"], str):
        found.append("result.response must be a string")
    if "duration" in result and not ISO_DURATION.fullmatch(result["duration"]):
        found.append("result.duration must be an ISO 8601 duration")
    return found + _extensions(result.get("extensions", {}), "result.extensions")


def _context(context: dict) -> list[str]:
    found = []
    if "registration" in context and not is_uuid(context["registration"]):
        found.append("context.registration must be a UUID")
    for kind, activities in context.get("contextActivities", {}).items():
        if kind not in {"parent", "grouping", "category", "other"}:
            found.append(f"context.contextActivities.{kind} is not a kind the specification knows")
        for activity in activities if isinstance(activities, list) else [activities]:
            found += _activity(activity, f"context.contextActivities.{kind}")
    if "language" in context and not LANGUAGE_TAG.fullmatch(context["language"]):
        found.append("context.language must be an RFC 5646 tag")
    return found + _extensions(context.get("extensions", {}), "context.extensions")


def _language_map(value: dict, where: str) -> list[str]:
    if not isinstance(value, dict) or not all(LANGUAGE_TAG.fullmatch(key) for key in value):
        return [f"{where} must map language tags to text"]
    return []


def _extensions(extensions: dict, where: str) -> list[str]:
    return [f"{where} key {key!r} must be an IRI" for key in extensions if not is_iri(key)]


def _is_timestamp(text) -> bool:
    if not isinstance(text, str) or not ISO_8601.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _empty_values(value, where: str) -> list[str]:
    """The specification allows no null values (extensions aside); Ralph refuses empty ones too."""
    if isinstance(value, list):
        return [problem for i, item in enumerate(value) for problem in _empty_values(item, f"{where}[{i}]")]
    if not isinstance(value, dict):
        return []
    found = []
    for key, inner in value.items():
        if inner is None or inner == "" or inner == {}:
            found.append(f"{where}.{key} is empty")
        elif key != "extensions":
            found += _empty_values(inner, f"{where}.{key}")
    return found
