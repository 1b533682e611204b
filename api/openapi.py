"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import jsonify

from api import bp

ERROR = {"$ref": "#/components/responses/Error"}
BEARER = [{"bearer": []}]


def _op(summary: str, ok: str = "200", body: str | None = None, auth: bool = True,
        errors: tuple[str, ...] = ("401", "403", "404", "422", "429")) -> dict:
    operation = {"summary": summary,
                 "responses": {ok: {"description": "Success",
                                    "content": {"application/json": {"schema": {"type": "object"}}}},
                               **{code: ERROR for code in errors}}}
    if auth:
        operation["security"] = BEARER
    if body:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    return operation


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


PATHS = {
    "/auth/login": {"post": _op("Sign in; returns access and refresh tokens", body="Login",
                                auth=False, errors=("401", "422", "429"))},
    "/auth/refresh": {"post": _op("Exchange a refresh token for an access token")},
    "/auth/logout": {"post": _op("Revoke the token sent")},
    "/auth/me": {"get": _op("The signed-in account")},
    "/scenarios": {"get": {**_op("Scenarios that can be rehearsed now"), "parameters": [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
        for n in ("category", "grade_band", "subject", "q")]}},
    "/scenarios/{scenario_id}": {"parameters": [_id("scenario_id")],
                                 "get": _op("One scenario: scene and student")},
    "/sessions": {"post": _op("Start a practice session", ok="201", body="StartSession")},
    "/sessions/{session_id}": {"parameters": [_id("session_id")],
                               "get": _op("One of your sessions with its attempts")},
    "/sessions/{session_id}/end": {"parameters": [_id("session_id")],
                                   "post": _op("End a session", body="EndSession")},
    "/sessions/{session_id}/attempts": {"parameters": [_id("session_id")], "post": _op(
        "Score an answer and write feedback", ok="201", body="Answer")},
    "/sessions/{session_id}/attempts/stream": {"parameters": [_id("session_id")], "post": {
        **_op("Score an answer; Server-Sent Events: scored, token…, feedback, done",
              body="Answer"),
        "responses": {"200": {"description": "text/event-stream",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      **{c: ERROR for c in ("401", "403", "404", "422", "429")}}}},
    "/attempts": {"get": _op("Your attempts, newest first")},
    "/attempts/{attempt_id}": {"parameters": [_id("attempt_id")], "get": _op("One attempt")},
    "/openapi.json": {"get": _op("This document", auth=False, errors=())},
}

SCHEMAS = {
    "Login": {"type": "object", "required": ["username", "password"], "properties": {
        "username": {"type": "string"}, "password": {"type": "string"}}},
    "StartSession": {"type": "object", "required": ["scenario_id"], "properties": {
        "scenario_id": {"type": "integer"},
        "confidence_before": {"type": "integer", "minimum": 1, "maximum": 5}}},
    "EndSession": {"type": "object", "properties": {
        "confidence_after": {"type": "integer", "minimum": 1, "maximum": 5},
        "reflection": {"type": "string", "maxLength": 2000}}},
    "Answer": {"type": "object", "required": ["response"], "properties": {
        "response": {"type": "string", "minLength": 1, "maxLength": 5000},
        "feedback": {"type": "boolean", "default": True}}},
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "details"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "details": {"type": ["object", "array"]}}}}},
}


def document() -> dict:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Practicum API", "version": "1.0.0",
                 "description": "Rehearse classroom moments: scenarios, sessions, scored attempts."},
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "bearerFormat": "JWT"}},
            "schemas": SCHEMAS,
            "responses": {"Error": {"description": "Error", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    """Serve the OpenAPI document (public)."""
    return jsonify(document())
