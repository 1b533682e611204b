"""Token requests checked without a database: fields, scopes, lifetimes, roles, the stored digest."""

import hashlib

import pytest

from practicum import api_tokens
from practicum.models import User

GOOD = {"name": "Moodle", "scopes": ["reports:read"], "expires_in_hours": 24}


def problems(**changes):
    request = {**GOOD, **changes}
    return api_tokens.validate_request(request["name"], request["scopes"], request["expires_in_hours"])


def test_a_good_request_has_no_problems_at_either_end_of_the_lifetimes():
    assert problems() == {}
    assert problems(expires_in_hours=1) == {} and problems(expires_in_hours=2160) == {}
    assert problems(scopes=list(api_tokens.SCOPES)) == {}


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"expires_in_hours": 0}, "expires_in_hours", "from 1 to 2160"),
        ({"expires_in_hours": 2161}, "expires_in_hours", "90 days"),
        ({"expires_in_hours": None}, "expires_in_hours", "whole number"),
        ({"expires_in_hours": False}, "expires_in_hours", "whole number"),
        ({"scopes": ["reports:write"]}, "scopes", "unknown scope reports:write"),
        ({"scopes": []}, "scopes", "non-empty list"),
        ({"scopes": None}, "scopes", "non-empty list"),
        ({"name": ""}, "name", "1–80"),
        ({"name": None}, "name", "1–80"),
    ],
)
def test_each_problem_names_its_field_and_what_would_do(changes, field, words):
    found = problems(**changes)
    assert list(found) == [field] and words in found[field]


def test_roles_allow_their_scopes_only():
    def scopes(role):
        return api_tokens.allowed_scopes(User(role=role))

    assert scopes("admin") == set(api_tokens.SCOPES)
    assert scopes("trainer") == set(api_tokens.SCOPES) - {"admin"}
    assert scopes("trainee") == set() and scopes("someone") == set()


def test_tokens_are_told_from_jwts_and_stored_as_their_sha256():
    assert api_tokens.looks_like_token("pat_abc") and not api_tokens.looks_like_token("eyJhbGciOi.x.y")
    assert api_tokens.digest("pat_abc") == hashlib.sha256(b"pat_abc").hexdigest()
    assert set(api_tokens.SCOPE_MEANINGS) == set(api_tokens.SCOPES)
