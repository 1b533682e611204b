"""Which passwords Practicum accepts: NIST SP 800-63B, one rule for every way a password is set."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200  # long enough for any passphrase; bounds the strength estimate's work
# zxcvbn scores 0-4; 3 is "safely unguessable: moderate protection from offline attacks".
MIN_STRENGTH = 3
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")
# Words anyone guessing at a Practicum account would try first.
SITE_WORDS = ("practicum", "teacher", "trainee", "trainer", "student", "school", "classroom", "admin")


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common and breached passwords (lower case, no spaces)."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def typeable(password: str) -> bool:
    """Tell whether a password could be typed at sign-in: no control or unpaired characters."""
    # A NUL or a lone surrogate (from a CSV file, a JSON escape) would make the account unusable.
    return all(ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF for ch in password)


def password_problem(password: object, username: str = "", display_name: str = "") -> str:
    """Return why a new password will not do, in plain words, or "" when it will."""
    # No composition rules (NIST): any characters, spaces included; length, lists and strength.
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"it needs at least {MIN_LENGTH} characters (a short sentence you will remember works well)"
    if len(password) > MAX_LENGTH:
        return f"it may have at most {MAX_LENGTH} characters"
    if not typeable(password):
        return "it may hold only characters a keyboard can type"
    squeezed = "".join(password.lower().split())
    if username and squeezed == "".join(username.lower().split()):
        return "it must not be your username"
    if squeezed in common_passwords():
        return "it is on a list of common and leaked passwords that attackers try first"
    words = [w for w in (username, *display_name.split(), *SITE_WORDS) if w]
    estimate = zxcvbn(password, user_inputs=words)
    if estimate["score"] < MIN_STRENGTH:
        warning = (estimate["feedback"].get("warning") or "").rstrip(".")
        why = f": {warning[:1].lower()}{warning[1:]}" if warning else ""
        return f"it is too easy to guess{why}; add two or three unexpected words"
    return ""
