"""The attention rules and the CSV helpers, on their own (no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from practicum.attention import Thresholds, attention_flags, fitted_change
from practicum.csv_files import read_csv, safe_cell, to_csv
from practicum.errors import ValidationFailed

NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULES = Thresholds()


def codes(scores, tries=None, days_idle=1):
    last = NOW - timedelta(days=days_idle) if days_idle is not None else None
    return {f.code for f in attention_flags(scores, tries or {}, last, NOW, RULES)}


def test_fitted_change_needs_three_points_and_follows_the_line():
    assert fitted_change([50, 60]) is None
    assert fitted_change([40, 50, 60, 70]) == 30.0
    assert fitted_change([70, 70, 70]) == 0.0


@pytest.mark.parametrize(
    "scores, tries, idle, expected",
    [
        ([60, 62, 65, 70], {}, 1, set()),
        ([80, 75, 70, 60, 55], {}, 1, {"falling"}),
        ([80, 75, 70, 60, 55, 58], {}, 1, {"falling"}),
        ([30, 35, 32], {}, 1, {"low_average"}),
        ([30, 35], {}, 1, set()),  # too few attempts to judge an average
        ([70], {}, 14, {"inactive"}),
        ([70], {}, 13, set()),
        ([], {}, None, {"inactive"}),
        ([50, 52, 54, 51], {"Seats": [50, 52, 54, 51]}, 1, {"stuck"}),
        ([50, 52, 56, 51], {"Seats": [50, 52, 56, 51]}, 1, set()),
    ],
)
def test_each_rule_fires_at_its_threshold(scores, tries, idle, expected):
    assert codes(scores, tries, idle) == expected


def test_every_rule_is_written_in_words():
    rules = {r["code"]: r["rule"] for r in Thresholds(inactive_days=21).rules()}
    assert rules["inactive"] == "No rehearsal for 21 days or more."
    assert set(rules) == {"falling", "inactive", "low_average", "stuck"}


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (-5, -5),
        (None, ""),
        (12.5, 12.5),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_a_quote(cell, shown):
    assert safe_cell(cell) == shown


FORMULA = ("=", "+", "-", "@")


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("formula", ["=1+1", "+1", "-2", "@SUM(A1)", ' "=1+1', "  =cmd|' /C calc'!A0"])
def test_no_piece_after_any_separator_starts_a_formula(separator, formula):
    cell = f"What do you think{separator}{formula}"
    safe = safe_cell(cell)
    # However a spreadsheet splits the line (",", ";" or tab), no piece may start a formula.
    for split_on in (",", ";", "\t"):
        for piece in safe.split(split_on):
            assert not piece.lstrip(' "').startswith(FORMULA), (split_on, safe)
    assert safe.replace("'", "") == cell.replace("'", "")  # only quotes were added


def test_written_rows_hold_no_formula_in_any_locale():
    text = to_csv(["response"], [["a;=1+1"], ["b\t@x"], ["c,-3 ok"], ["d\n=2"], ["well - fine; yes"]])
    for split_on in (",", ";", "\t", "\n"):
        for piece in text.replace("\r\n", "\n").split(split_on):
            assert not piece.lstrip(' "').startswith(FORMULA), (split_on, piece)
    assert "well - fine; yes" in text  # prose with a dash mid-cell is left alone


def test_to_csv_and_read_csv():
    assert to_csv(["a", "b"], [["=x", 1]]).splitlines() == ["a,b", "'=x,1"]
    rows = read_csv("\ufeffUsername , Role\n tina , trainee \n".encode(), ("username", "role"))
    assert rows == [{"username": "tina", "role": "trainee"}]
    with pytest.raises(ValidationFailed, match="lacks: role"):
        read_csv(b"username\nx\n", ("username", "role"))
    with pytest.raises(ValidationFailed, match="UTF-8"):
        read_csv(b"\xff\xfe", ("username",))


def test_a_trainee_who_never_started_is_told_apart_from_one_who_stopped():
    from datetime import timedelta

    from practicum.attention import Thresholds, attention_flags
    from practicum.models import utcnow

    now = utcnow()
    never = {f.code: f.label for f in attention_flags([], {}, None, now, Thresholds())}
    month_ago = now - timedelta(days=30)
    stopped = {f.code: f.label for f in attention_flags([70], {}, month_ago, now, Thresholds())}
    # Neither reads "Inactive", which the admin pages use for a deactivated account.
    assert never == {"inactive": "Not started"} and stopped == {"inactive": "Not rehearsing"}
