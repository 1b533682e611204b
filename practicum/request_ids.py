"""A request id on every request: sent back as X-Request-ID, in every log line and in crash reports."""

from __future__ import annotations

import json
import logging
import re
import uuid

from flask import g, has_request_context, request

HEADER = "X-Request-ID"
# A proxy's id is kept when it is short and plain (it goes into logs and headers as it is).
ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def init_app(app) -> None:
    """Give each request an id, answer with it, and let the app's logs carry it."""
    app.before_request(_assign)
    app.after_request(_answer_with_id)
    if app.config["PRACTICUM"].LOG_FORMAT == "json":
        _log_as_json()


def current() -> str:
    """Return this request's id ("" outside a request)."""
    return g.get("request_id", "") if has_request_context() else ""


def _assign() -> None:
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if ACCEPTED.match(sent) else uuid.uuid4().hex


def _answer_with_id(response):
    if current():
        response.headers[HEADER] = current()
    return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, method and path."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current(),
        }
        if has_request_context():
            entry.update(method=request.method, path=request.path)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _log_as_json() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("practicum", "api", "web", "ai", "embeddings"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
