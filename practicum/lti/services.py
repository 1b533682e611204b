"""Calling a platform's services (AGS, NRPS): an OAuth2 token got with a signed client assertion.

The token request is the client_credentials grant with a JWT assertion (RFC 7523) signed by the
tool's key; the platform checks it against /lti/jwks. Tokens are kept until shortly before they
expire, per platform and scope set.
"""

from __future__ import annotations

import contextvars
import json
import secrets
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from urllib.parse import urlencode

from flask import current_app

from practicum.errors import PracticumError
from practicum.lti import tool_keys
from practicum.lti.models import Platform

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
ROSTER_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MAX_ANSWER_BYTES = 2 * 1024 * 1024


# A cap on each call's wait, set around calls made while a person waits for the page.
_wait_cap: contextvars.ContextVar[float | None] = contextvars.ContextVar("lti_wait_cap", default=None)


@contextmanager
def waiting_at_most(seconds: float):
    """Let each call to the platform inside wait at most seconds (and LTI_HTTP_TIMEOUT_S)."""
    token = _wait_cap.set(seconds)
    try:
        yield
    finally:
        _wait_cap.reset(token)


class PlatformUnavailable(PracticumError):
    code, status = "lti_platform_unavailable", 502
    shown_on_pages = True


def _call(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[dict, dict]:
    """Send one request; return the JSON answer and its headers, or raise PlatformUnavailable."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    timeout = current_app.config["PRACTICUM"].LTI_HTTP_TIMEOUT_S
    if _wait_cap.get() is not None:
        timeout = min(timeout, _wait_cap.get())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (admin-registered URL)
            body = answer.read(MAX_ANSWER_BYTES)
            headers = dict(answer.headers)
    except urllib.error.HTTPError as error:
        raise PlatformUnavailable(f"The LMS answered {error.code} at {url}.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise PlatformUnavailable(f"The LMS could not be reached at {url} ({error}).") from None
    try:
        return (json.loads(body) if body.strip() else {}), headers
    except ValueError:
        raise PlatformUnavailable(f"The LMS's answer from {url} was not JSON.") from None


def access_token(platform: Platform, scope: str) -> str:
    """Return a bearer token for the platform's service scope (cached until near its expiry)."""
    cache = current_app.extensions.setdefault("lti.access_tokens", {})
    key = (platform.id, platform.auth_token_url, scope)
    token, expires = cache.get(key, ("", 0.0))
    if token and expires > time.monotonic():
        return token
    now = int(time.time())
    assertion = tool_keys.sign(
        current_app.config["PRACTICUM"].INSTANCE_DIR,
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_urlsafe(16),
        },
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": scope,
    }
    answer, _ = _call(
        platform.auth_token_url,
        urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    if not isinstance(answer.get("access_token"), str):
        raise PlatformUnavailable("The LMS's token endpoint gave no access token.")
    lifetime = answer.get("expires_in") if isinstance(answer.get("expires_in"), int) else 3600
    cache[key] = (answer["access_token"], time.monotonic() + max(0, lifetime - 60))
    return answer["access_token"]


def post_json(platform: Platform, scope: str, url: str, body: dict, media_type: str) -> dict:
    """POST a JSON document to a platform service with a bearer token."""
    headers = {"Authorization": f"Bearer {access_token(platform, scope)}", "Content-Type": media_type}
    return _call(url, json.dumps(body).encode(), headers)[0]


def get_json(platform: Platform, scope: str, url: str, media_type: str) -> tuple[dict, dict]:
    """GET a JSON document from a platform service with a bearer token; return it and its headers."""
    headers = {"Authorization": f"Bearer {access_token(platform, scope)}", "Accept": media_type}
    return _call(url, headers=headers)
