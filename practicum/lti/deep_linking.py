"""Deep linking: the activity an instructor picks, returned to the LMS as a signed response."""

from __future__ import annotations

import secrets
import time
from itertools import groupby

from sqlalchemy.orm import Session

from practicum import library
from practicum.errors import ValidationFailed
from practicum.lti import tool_keys
from practicum.lti.launch import CLAIM
from practicum.lti.models import Platform
from practicum.models import ScenarioSet

CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DEEP_LINK_KEY = "lti_deep_link"  # the browser session keeps the request here until a choice returns it


def choices(db: Session) -> list[tuple[ScenarioSet, list]]:
    """Return the current scenarios grouped by their set, for the picker."""
    scenarios = sorted(
        library.current_scenarios(db), key=lambda s: (s.set_version.scenario_set.title, s.position)
    )
    return [
        (scenario_set, list(items))
        for scenario_set, items in groupby(scenarios, key=lambda s: s.set_version.scenario_set)
    ]


def chosen_item(db: Session, choice: str, launch_url: str) -> dict:
    """Return the LTI resource link for a choice: 'scenario:<set-key>/<key>' or 'set:<set-key>'."""
    kind, _, ref = choice.partition(":")
    if kind == "scenario":
        scenario = library.scenario_by_key(db, ref)
        title, custom = (
            scenario.title,
            {"scenario": f"{scenario.set_version.scenario_set.key}/{scenario.key}"},
        )
    elif kind == "set" and any(s.key == ref for s, _ in choices(db)):
        title, custom = next(s.title for s, _ in choices(db) if s.key == ref), {"set": ref}
    else:
        raise ValidationFailed("Choose a scenario or a set from the list.", {"choice": "one of the listed"})
    item = {"type": "ltiResourceLink", "title": title, "url": launch_url, "custom": custom}
    if kind == "scenario":  # a rehearsal is scored: the LMS makes a gradebook column for it
        item["lineItem"] = {"scoreMaximum": 100, "label": title, "resourceId": custom["scenario"]}
    return item


def response_token(instance_dir, platform: Platform, deployment_id: str, data: str | None, item: dict) -> str:
    """Return the LtiDeepLinkingResponse JWT, signed with the tool's key."""
    now = int(time.time())
    claims = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 600,
        "nonce": secrets.token_urlsafe(16),
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": deployment_id,
        CONTENT_ITEMS: [item],
    }
    if data is not None:
        claims[DATA] = data  # the platform's own value, returned as it came
    return tool_keys.sign(instance_dir, claims)
