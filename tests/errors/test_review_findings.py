"""Inputs an API review found giving 500s or losing data; each now gets a clear answer."""

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import select

from practicum.db import session
from practicum.models import PracticeSession
from tests.errors.test_api_errors import assert_error, started_session

ZERO_WIDTH = "\u200b\u200b\u200b"


@pytest.mark.parametrize("body", ["[1, 2]", '"abc"', "5", "null"])
def test_sign_in_with_a_json_body_that_is_not_an_object(client, body):
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_error(response, 422, "validation_failed")


def test_ending_a_session_twice_keeps_what_the_first_end_saved(app, client, trainee_headers):
    session_id = started_session(client, trainee_headers)
    end = f"/api/v1/sessions/{session_id}/end"
    first = client.post(
        end, headers=trainee_headers, json={"confidence_after": 4, "reflection": "I learned."}
    )
    assert first.status_code == 200
    assert_error(client.post(end, headers=trainee_headers, json={}), 409, "conflict")
    with app.app_context():
        stored = session.get(PracticeSession, session_id)
        assert (stored.confidence_after, stored.reflection) == (4, "I learned.")
    late = client.post(
        f"/api/v1/sessions/{session_id}/attempts", headers=trainee_headers, json={"response": "Hi"}
    )
    assert_error(late, 409, "conflict")


@pytest.mark.parametrize("response_text", [ZERO_WIDTH, "\u2060\ufeff \u200d", "   \n\t "])
def test_an_answer_with_nothing_visible_is_empty(client, trainee_headers, response_text):
    session_id = started_session(client, trainee_headers)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts", headers=trainee_headers, json={"response": response_text}
    )
    assert assert_error(response, 422, "validation_failed")["message"] == "Your answer is empty."


@pytest.mark.parametrize("claims", [{"sub": "abc"}, {"sub": "1; drop"}, {"sub": ""}])
def test_a_signed_token_naming_no_account_is_refused(app, client, claims):
    with app.app_context():
        token = create_access_token(identity="1", additional_claims=claims)
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "unauthorized")


def test_a_signed_token_without_iat_is_answered_not_crashed_on(app, client, trainee_headers):
    import time

    import jwt

    from practicum.models import User

    with app.app_context():
        tina = session.scalar(select(User.id).where(User.username == "tina"))
    claims = {
        "sub": str(tina),
        "type": "access",
        "jti": "no-iat",
        "fresh": False,
        "exp": int(time.time()) + 60,
    }
    token = jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["username"] == "tina"
