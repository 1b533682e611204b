"""The OpenAI-compatible client's event-stream reading: text pieces out, server failures raised."""

import json

import pytest

from ai.llm import _sse_contents
from practicum.errors import ModelUnavailable


def event(content=None, finish_reason=None) -> bytes:
    delta = {"content": content} if content is not None else {"role": "assistant"}
    chunk = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
    return f"data: {json.dumps(chunk)}\r\n".encode()


def test_text_pieces_come_out_in_order_and_comments_are_skipped():
    lines = [
        b": ping\r\n",
        event(),
        b"\r\n",
        event("Next"),
        event(" time"),
        b"\r\n",
        event(finish_reason="stop"),
        b"data: [DONE]\r\n",
    ]
    assert list(_sse_contents(lines)) == ["Next", " time"]


def test_a_usage_chunk_without_choices_is_skipped():
    usage = b'data: {"choices": [], "usage": {"total_tokens": 3}}\n'
    assert list(_sse_contents([event("Hi"), usage, b"data: [DONE]\n"])) == ["Hi"]


@pytest.mark.parametrize(
    "lines, message",
    [
        ([event("Next"), event(" ti")], "ended before the reply"),
        ([b'data: {"error": {"message": "grammar failed"}}\n'], "grammar failed"),
        ([b"data: {not json\n"], "unreadable"),
    ],
)
def test_a_failing_server_is_reported_as_unavailable(lines, message):
    with pytest.raises(ModelUnavailable, match=message):
        list(_sse_contents(lines))
