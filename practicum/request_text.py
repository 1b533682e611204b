"""Text PostgreSQL cannot store (NUL, lone surrogates) is refused before it reaches a query."""

from __future__ import annotations

import re

from flask import Flask, current_app, request
from sqlalchemy import event

from practicum.errors import ValidationFailed

# PostgreSQL rejects NUL in text, and the driver cannot encode a lone UTF-16 surrogate.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "Text cannot contain NUL characters or unpaired surrogates."
PROBLEM = "contains a NUL character or an unpaired surrogate"
MAX_JSON_DEPTH = 32
MAX_CHECKED_MULTIPART = 256 * 1024  # bytes: forms of text fields, well below any upload limit


def storable(text: str) -> bool:
    """Tell whether PostgreSQL can store text as it is (no NUL, no unpaired surrogate)."""
    return UNSTORABLE.search(text) is None


def init_app(app: Flask) -> None:
    """Check every request's text before any view (or the limiter) reads it, and query text."""
    app.before_request(refuse_unstorable_request)
    event.listen(app.extensions["practicum.engine"], "before_cursor_execute", _refuse_unstorable_parameters)


def refuse_unstorable_request() -> None:
    """Raise ValidationFailed naming the query argument, form field or JSON path at fault."""
    _check_pairs(request.args.items(multi=True), "query")
    if request.mimetype == "application/x-www-form-urlencoded" or _small_multipart():
        _check_pairs(request.form.items(multi=True), "form")
    if request.is_json and not _left_to_the_view():
        _check_json(_json_body())


def _small_multipart() -> bool:
    # Any form may come as multipart, so its text fields are checked too; a large multipart body
    # is an upload, parsed later under the upload size limit (its file is checked by its reader).
    return (
        request.mimetype == "multipart/form-data"
        and request.content_length is not None
        and request.content_length <= MAX_CHECKED_MULTIPART
    )


def _check_pairs(pairs, where: str) -> None:
    for key, value in pairs:
        key = key or ""  # a multipart part without a name reaches here as None
        if not storable(key):
            raise ValidationFailed(MESSAGE, {where: f"a name {PROBLEM}"})
        if not storable(value):
            raise ValidationFailed(MESSAGE, {key: PROBLEM})


def _left_to_the_view() -> bool:
    # A body over the usual limit may be a raw upload, which its view reads with more room.
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return bool(limit and request.content_length and request.content_length > limit)


def _json_body():
    try:
        return request.get_json(silent=True)
    except RecursionError:  # the parser recurses once per level of nesting
        raise ValidationFailed(_too_deep(), {"body": "nested too deeply"}) from None


def _too_deep() -> str:
    return f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."


def _check_json(value, path: str = "", depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise ValidationFailed(_too_deep(), {path or "body": "nested too deeply"})
    if isinstance(value, str) and not storable(value):
        raise ValidationFailed(MESSAGE, {path or "body": PROBLEM})
    if isinstance(value, dict):
        for key, item in value.items():
            if not storable(key):
                raise ValidationFailed(MESSAGE, {path or "body": f"a key {PROBLEM}"})
            _check_json(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", depth + 1)


def _refuse_unstorable_parameters(conn, cursor, statement, parameters, context, executemany):
    # The last line, for text that came another way (CSV rows, files, commands): PostgreSQL
    # would fail the statement anyway; refusing it first turns a 500 into a clear 422. It sees
    # plain text parameters only: JSONB values arrive wrapped by the driver and are not read.
    rows = parameters if executemany else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else (row or ())
        if any(isinstance(v, str) and not storable(v) for v in values):
            raise ValidationFailed(MESSAGE)
