"""A token issued before an account's password last changed is refused (by its epoch claim, else by iat)."""

from datetime import UTC, datetime

import pytest

from practicum.accounts import CREDENTIALS_CLAIM, issued_before_tokens_ended, token_claims
from practicum.models import User

CHANGED = datetime(2026, 12, 17, 9, 30, 15, 400_000, tzinfo=UTC)
ITS_SECOND = int(CHANGED.replace(microsecond=0).timestamp())


@pytest.mark.parametrize(
    ("issued_at", "refused"),
    [
        (ITS_SECOND - 1, True),  # the second before the change
        (ITS_SECOND, True),  # its own second: a whole-second iat cannot tell before from after
        (ITS_SECOND + 1, False),  # the next second is surely after it
    ],
)
def test_tokens_are_refused_up_to_the_changes_own_second(issued_at, refused):
    user = User(credentials_changed_at=CHANGED)
    assert issued_before_tokens_ended(user, issued_at) is refused


def test_a_change_on_a_whole_second_still_refuses_that_second():
    user = User(credentials_changed_at=CHANGED.replace(microsecond=0))
    assert issued_before_tokens_ended(user, ITS_SECOND)
    assert not issued_before_tokens_ended(user, ITS_SECOND + 1)


def test_an_account_whose_password_never_changed_refuses_nothing():
    assert not issued_before_tokens_ended(User(), 0)


def test_a_token_carrying_its_epoch_is_judged_exactly_even_within_the_second():
    user = User(credentials_changed_at=CHANGED)
    issued_after = token_claims(user)[CREDENTIALS_CLAIM]
    assert not issued_before_tokens_ended(user, ITS_SECOND, issued_after)
    assert issued_before_tokens_ended(user, ITS_SECOND + 5, 0)  # issued before any change
    earlier = User(credentials_changed_at=CHANGED.replace(microsecond=399_999))
    assert issued_before_tokens_ended(user, ITS_SECOND, token_claims(earlier)[CREDENTIALS_CLAIM])


def test_an_account_never_changed_issues_epoch_zero():
    assert token_claims(User()) == {CREDENTIALS_CLAIM: 0}
    assert not issued_before_tokens_ended(User(), 0, 0)
