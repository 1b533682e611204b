"""Reading numbers people type into query strings and forms (both edges use it)."""

from __future__ import annotations

import re

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only ("²".isdigit() is true), under 10⁹


def whole_number(value: str) -> int | None:
    """Return value as a non-negative int when it is 1 to 9 ASCII digits, else None."""
    return int(value) if WHOLE_NUMBER.fullmatch(value or "") else None
