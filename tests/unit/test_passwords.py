"""The password rule (NIST SP 800-63B): length, a shipped leaked-password list, a strength estimate."""

from __future__ import annotations

import pytest

from practicum.admin import new_password
from practicum.passwords import MIN_LENGTH, common_passwords, password_problem


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 12, "too easy to guess"),
        ("a" * 12, "too easy to guess"),
        ("123456789012", "too easy to guess"),
        ("password1234", "common and leaked"),
        ("qwerty123456", "common and leaked"),
        ("Q W E R T Y 1 2 3 4 5 6", "common and leaked"),  # spaces and case do not hide it
        ("password12", "at least 12 characters"),
        ("x" * 201, "at most 200"),
        ("tina.teacher", "must not be your username"),
        ("sunny\x00daylight morning", "keyboard can type"),
        ("practicum2026", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, why):
    assert why in password_problem(password, username="tina.teacher")


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "a sentence I will remember", "Wir lernen 3 Sprachen!", "ünïcödé ist auch ok"],
)
def test_long_uncommon_passwords_of_any_characters_are_accepted(password):
    assert password_problem(password, username="tina") == ""


def test_no_composition_rule_is_imposed():
    # All lower-case letters and spaces, no digit, no symbol: fine when long and unusual.
    assert password_problem("purple lantern over the quay") == ""


def test_the_shipped_list_is_read_and_holds_only_passwords_long_enough_to_matter():
    found = common_passwords()
    assert len(found) > 200 and all(len(p) >= MIN_LENGTH for p in found)
    assert "qwertyuiopasdfgh" in found or "1qaz2wsx3edc" in found


def test_generated_passwords_always_pass_the_rule():
    assert all(password_problem(new_password()) == "" for _ in range(200))
