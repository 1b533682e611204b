"""Request ids: every answer carries one; a proxy's plain id is kept; JSON log lines name it."""

from __future__ import annotations

import json
import logging

from practicum.request_ids import JsonFormatter


def test_every_answer_carries_a_request_id_and_a_plain_one_from_a_proxy_is_kept(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert (
        len(first.headers["X-Request-ID"]) == 32
        and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    )
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-42.a_b"})
    assert kept.headers["X-Request-ID"] == "edge-42.a_b"
    for hostile in ("a b", "x" * 65, "<script>", "id\\nInjected: 1"):
        answer = client.get("/healthz", headers={"X-Request-ID": hostile})
        assert answer.headers["X-Request-ID"] != hostile and len(answer.headers["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id(app):
    record = logging.LogRecord("practicum.x", logging.ERROR, __file__, 1, "it broke: %s", ("here",), None)
    with app.test_request_context("/api/v1/scenarios", headers={"X-Request-ID": "req-7"}):
        app.preprocess_request()
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-7" and line["message"] == "it broke: here"
    assert line["path"] == "/api/v1/scenarios" and line["level"] == "ERROR"
