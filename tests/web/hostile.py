"""A test model that answers with markup: an <img onerror> and a javascript: link."""

from __future__ import annotations

from ai.llm import FakeLLM


class HostileLLM(FakeLLM):
    """Wraps the coaching note it is given in markup: the words pass the guard, the markup leaves
    the sentence's shape, so the sentence streams to the page and is then replaced by the template."""

    def stream_chat(self, messages, max_tokens, grammar=None):
        note = messages[-1]["content"].rstrip(".")
        self.replies.append(hostile_reply(note[0].lower() + note[1:]))
        return super().stream_chat(messages, max_tokens, grammar)


def hostile_reply(note: str) -> str:
    return (
        f'Next time, try <img src=x onerror="window.xssImg=true"> this: {note}, '
        f'<a href="javascript:window.xssLink=true">like this</a>.'
    )
