"""The tool's LTI keys: files in the instance folder, the newest signs, replaced ones published a while."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import jwt

from practicum.lti import tool_keys

WEEK = timedelta(days=7)
START = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_first_key_is_made_owner_readable_and_only_its_public_half_is_published(tmp_path):
    (key,) = tool_keys.jwks(tmp_path, WEEK)["keys"]
    (path,) = tool_keys.key_folder(tmp_path).glob("*.pem")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key["kid"] == path.stem and not {"d", "p", "q"} & set(key)


def test_a_rotation_signs_with_the_new_key_and_keeps_the_old_one_published_for_the_overlap(tmp_path):
    old = tool_keys.make_key(tmp_path, START)
    new, retired = tool_keys.rotate(tmp_path, WEEK, START + timedelta(days=30))
    assert retired == [] and tool_keys.signing_key(tmp_path).kid == new.kid
    token = tool_keys.sign(tmp_path, {"sub": "x"})
    assert jwt.get_unverified_header(token)["kid"] == new.kid
    published = [k.kid for k in tool_keys.published(tmp_path, WEEK, START + timedelta(days=33))]
    assert published == [old.kid, new.kid]  # a platform that cached the old set still checks
    later = START + timedelta(days=38)
    assert [k.kid for k in tool_keys.published(tmp_path, WEEK, later)] == [new.kid]
    newest, retired = tool_keys.rotate(tmp_path, WEEK, later)
    assert retired == [old.kid] and [k.kid for k in tool_keys.keys(tmp_path)] == [new.kid, newest.kid]


def test_a_token_signed_by_the_tool_verifies_against_its_jwks(tmp_path):
    token = tool_keys.sign(tmp_path, {"sub": "x", "aud": "lms"})
    keys = jwt.PyJWKSet.from_dict(tool_keys.jwks(tmp_path, WEEK))
    key = next(k for k in keys.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    assert jwt.decode(token, key.key, algorithms=["RS256"], audience="lms")["sub"] == "x"
