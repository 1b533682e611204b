"""A token issued before an account's last password change is refused, to the second."""

from datetime import UTC, datetime

import pytest

from practicum.accounts import issued_before_tokens_ended
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
