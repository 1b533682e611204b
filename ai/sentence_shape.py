"""One sentence of a fixed opening, a small alphabet and a full stop, held to token by token.

The coaching sentence has this shape: "Next time, try " [a-z] [letters ,;'-]+ ".", where the
letters include the accented Latin ones a student's name may need (Tomás, Zoë, Łukasz). A server gets it
as a GBNF grammar (`gbnf`). In process, llama.cpp's grammar engine checks all 49,152 tokens of
SmolLM2's vocabulary against the grammar at every step, which made a reply take about 1.6 times
as long here (`make bench`); `ShapeMasks` holds the same rule as one precomputed mask over the
vocabulary per state, so a step costs one numpy `where`. The tokens are still sampled one by one
from the opening on, as under the grammar, so the repeat penalty sees the same history and the
sentence comes out the same.

A letter the vocabulary has no token for (SmolLM2 spells "Ł" as two byte tokens) is written in
pieces: a token made of a UTF-8 fragment may follow in the body, so the masks are slightly wider
than the shape, and the finished sentence is checked with `fullmatch`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SentenceShape:
    """An opening written as is, then a first letter and body from two character classes, then the end."""

    opening: str  # e.g. "Next time, try "
    first: str  # a regex/GBNF character class without brackets, e.g. "a-z"
    body: str  # e.g. "a-zA-Z ,;'-"
    end: str = "."

    def gbnf(self) -> str:
        """The same shape as a GBNF grammar, for servers that take one."""
        return f'root ::= "{self.opening}" [{self.first}] [{self.body}]+ "{self.end}"'

    def fullmatch(self, text: str) -> bool:
        """Whether a finished sentence has the shape."""
        pattern = f"{re.escape(self.opening)}[{self.first}][{self.body}]+{re.escape(self.end)}"
        return re.fullmatch(pattern, text) is not None


# A byte of an unfinished UTF-8 character, as `bytes.decode("utf-8", "surrogateescape")` writes it.
FRAGMENT = "\udc80-\udcff"


def token_text(piece: bytes) -> str:
    """A token's text for `ShapeMasks`: bytes of an unfinished character kept as fragments."""
    return piece.decode("utf-8", "surrogateescape")


class ShapeMasks:
    """Which tokens of a vocabulary may come next, given what has been written so far."""

    def __init__(self, shape: SentenceShape, token_texts: list[str]):
        self.shape = shape
        self._texts = token_texts
        end = re.escape(shape.end)
        self._after_opening = re.compile(f"[{shape.first}][{FRAGMENT}{shape.body}]*(?:{end})?")
        first = self._mask(self._after_opening.fullmatch)
        body = self._mask(re.compile(f"(?=.)[{FRAGMENT}{shape.body}]*(?:{end})?").fullmatch)
        self._by_state: dict[int, np.ndarray] = {len(shape.opening): first, len(shape.opening) + 1: body}

    def _mask(self, accepts) -> np.ndarray:
        return np.array([bool(text) and bool(accepts(text)) for text in self._texts])

    def _within_opening(self, position: int) -> np.ndarray:
        rest = self.shape.opening[position:]
        return self._mask(
            lambda text: (
                rest.startswith(text)
                or (text.startswith(rest) and self._after_opening.fullmatch(text[len(rest) :]))
            )
        )

    def allowed(self, written: str) -> np.ndarray:
        """The mask of tokens that keep `written` (the reply so far) on the shape."""
        state = min(len(written), len(self.shape.opening) + 1)
        if state not in self._by_state:  # a position inside the opening, built on first use
            self._by_state[state] = self._within_opening(state)
        return self._by_state[state]

    def finished(self, written: str) -> bool:
        """Whether the sentence has reached its end (nothing may follow)."""
        return len(written) > len(self.shape.opening) + 1 and written.endswith(self.shape.end)
