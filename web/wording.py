"""Plain words on the pages: field names become labels, empty values "(none)", numbers get commas."""

from __future__ import annotations

import re

from web import bp

# The form fields and filters a page can name, as the page's own labels read.
FIELD_LABELS = {
    "username": "Username",
    "password": "Password",
    "display_name": "Name",
    "role": "Role",
    "cohort": "Cohort",
    "cohort_id": "Cohort",
    "current_password": "Current password",
    "new_password": "New password",
    "confirm_password": "New password again",
    "name": "Cohort name",
    "trainer_id": "Trainer",
    "since": "From",
    "until": "To",
    "score": "Score",
    "reason": "Reason",
    "text": "Note",
    "response": "Your answer",
    "reflection": "Reflection",
    "confidence_before": "Confidence before",
    "confidence_after": "Confidence after",
    "confirm": "Username to confirm",
    "file": "File",
}
# What some details say in a machine's shorthand, in words.
PROBLEM_WORDS = {
    "required": "fill this in",
    "integer": "a whole number",
    "YYYY-MM-DD": "a date like 2026-01-31",
    "text": "text",
}
# Audit details, named as an admin reads them.
AUDIT_LABELS = {
    "automatic": "automatic score",
    "previous": "previous score",
    "score": "trainer's score",
    "trainer_id": "trainer (account number)",
    "cohort_id": "cohort (number)",
    "display_name": "name",
    "rows": "rows read",
    "created": "accounts created",
    "embedded": "responses embedded",
}
QUOTED_FIELD = re.compile(r"'([a-z]+(?:_[a-z]+)*)'")
BARE_FIELD = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
NONE_SHOWN = "(none)"


@bp.app_template_filter("field_label")
def field_label(name: str) -> str:
    """Return the label a person knows a field by ('confirm_password' → 'New password again')."""
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


@bp.app_template_filter("plain_problem")
def plain_problem(problem) -> str:
    """Return a field's problem in words ('integer' → 'a whole number')."""
    text = str(problem)
    return PROBLEM_WORDS.get(text, text)


@bp.app_template_filter("plain_message")
def plain_message(message: str) -> str:
    """Return a message with any field name in it replaced by the field's label."""
    message = QUOTED_FIELD.sub(lambda m: _label_if_known(m.group(1), m.group(0)), message)
    return BARE_FIELD.sub(lambda m: _label_if_known(m.group(0), m.group(0)), message)


def _label_if_known(name: str, written: str) -> str:
    return f"“{FIELD_LABELS[name]}”" if name in FIELD_LABELS else written


@bp.app_template_filter("audit_label")
def audit_label(key: str) -> str:
    """Return the words for an audit detail's key ('previous' → 'previous score')."""
    return AUDIT_LABELS.get(key) or key.replace("_", " ")


@bp.app_template_filter("audit_value")
def audit_value(value) -> str:
    """Return an audit detail's value as a person reads it: nothing recorded is "(none)"."""
    if value is None or value == "" or value == [] or value == {}:
        return NONE_SHOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{audit_label(k)} {audit_value(v)}" for k, v in value.items())
    return str(value)


@bp.app_template_filter("thousands")
def thousands(number: int) -> str:
    """Write a count with thousands separators: 5000 → '5,000'."""
    return f"{number:,}"
