"""The LRS's statements resource, over HTTP: POST a batch, get its answer."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from practicum.config import Config
from practicum.xapi.statements import XAPI_VERSION

MAX_ANSWER_BYTES = 4000


class LrsUnreachable(Exception):
    """The LRS did not answer (refused, timed out, name not found, connection dropped)."""


@dataclass(frozen=True)
class LrsAnswer:
    """What the LRS answered: the HTTP status and the start of the body."""

    status: int
    text: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of a POST as a GET: a 200 to that is not a delivery.
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def statements_url(config: Config) -> str:
    """Return the LRS's statements resource (XAPI_LRS_URL is the xAPI endpoint, e.g. …/xAPI)."""
    return config.XAPI_LRS_URL.rstrip("/") + "/statements"


def post_statements(config: Config, statements: list[dict]) -> LrsAnswer:
    """POST statements to the LRS and return its answer, errors included; raise LrsUnreachable."""
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
    if config.XAPI_LRS_USERNAME:
        pair = f"{config.XAPI_LRS_USERNAME}:{config.XAPI_LRS_PASSWORD}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    body = json.dumps(statements).encode()
    request = urllib.request.Request(statements_url(config), data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=config.XAPI_HTTP_TIMEOUT_S) as answer:
            return LrsAnswer(answer.status, _text(answer))
    except urllib.error.HTTPError as error:
        with error:
            return LrsAnswer(error.code, _text(error))
    except (urllib.error.URLError, OSError) as error:
        raise LrsUnreachable(str(getattr(error, "reason", error))) from error


def _text(answer) -> str:
    try:
        return answer.read(MAX_ANSWER_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""
