"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

import re

from flask import current_app, jsonify

from api import bp
from api.token_scopes import ROUTE_SCOPES
from practicum.api_tokens import SCOPES

ERROR = {"$ref": "#/components/responses/Error"}
BEARER = [{"bearer": []}]


def _op(
    summary: str,
    ok: str = "200",
    body: str | None = None,
    auth: bool = True,
    errors: tuple[str, ...] = ("401", "403", "404", "422", "429"),
) -> dict:
    operation = {
        "summary": summary,
        "responses": {
            ok: {"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}},
            **{code: ERROR for code in errors},
        },
    }
    if auth:
        operation["security"] = BEARER
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    return operation


def _returns(operation: dict, schema: str, ok: str = "200") -> dict:
    """Name the schema of an operation's success answer."""
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    operation["responses"][ok] = {"description": "Success", "content": content}
    return operation


STREAM_EVENTS = (
    "Server-Sent Events, in order: `scored` (score, band, dimensions, turn), `token`… (coaching "
    "as it is written), `feedback` (the whole coaching), `reply` (conversations only: the "
    "student's reply, a Reply), then `done` ({attempt_id, attempt, conversation}) or `error` "
    "(the API's error shape)."
)


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _query(*names: str) -> list[dict]:
    return [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names]


SCENARIO_LIST_PARAMETERS = [
    {
        "name": "q",
        "in": "query",
        "required": False,
        "description": "Words to find in the title, scene, subject and tags (English stems, web-search "
        'syntax: "quoted phrase", -excluded, or); a word start also matches. At most 200 characters.',
        "schema": {"type": "string", "maxLength": 200},
    },
    *(
        {
            "name": n,
            "in": "query",
            "required": False,
            "description": f"Only this {label}.",
            "schema": {"type": "string"},
        }
        for n, label in (
            ("category", "category"),
            ("grade_band", "grade band, e.g. 3-5"),
            ("subject", "subject"),
        )
    ),
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Page number, from 1; a page past the last is empty.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": "Scenarios per page; anything outside 1-100 is a 422.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
    },
]


def _csv(summary: str) -> dict:
    return {
        **_op(summary),
        "responses": {
            "200": {
                "description": "CSV (cells starting with = + - @ are prefixed with a quote)",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
            **{c: ERROR for c in ("401", "403", "404", "422", "429")},
        },
    }


def _upload(summary: str, ok: str = "200") -> dict:
    operation = _op(summary, ok=ok, errors=("401", "403", "413", "422", "429"))
    file_schema = {"type": "string", "contentMediaType": "application/octet-stream"}
    operation["requestBody"] = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"], "properties": {"file": file_schema}}
            },
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
    return operation


def _with_queued(operation: dict) -> dict:
    """Add the 202 answer of an operation that may hand its work to a background job."""
    body = {"application/json": {"schema": {"type": "object"}}}
    operation["responses"]["202"] = {"description": "Queued as a job", "content": body}
    return operation


DASHBOARD_QUERY = _query("cohort_id", "q", "flag", "sort", "order")
TRAINER_PATHS = {
    "/trainer/dashboard": {
        "get": {**_op("Your trainees' table, cohort charts, attention rules"), "parameters": DASHBOARD_QUERY}
    },
    "/trainer/dashboard.csv": {"get": {**_csv("The cohort table as CSV"), "parameters": DASHBOARD_QUERY}},
    "/trainer/trainees/{trainee_id}": {
        "parameters": [_id("trainee_id")],
        "get": _op("One of your trainees: summary, scores per category, sessions, attempts"),
    },
    "/trainer/trainees/{trainee_id}/attempts.csv": {
        "parameters": [_id("trainee_id")],
        "get": _csv("A trainee's attempts as CSV"),
    },
    "/trainer/attempts/{attempt_id}/notes": {
        "parameters": [_id("attempt_id")],
        "post": _op("Add a note to an attempt", ok="201", body="Note"),
    },
    "/trainer/attempts/{attempt_id}/override": {
        "parameters": [_id("attempt_id")],
        "put": _op("Set your score with a reason (the automatic score is kept)", body="Override"),
        "delete": _op("Remove your score; the automatic score counts again"),
    },
}
ADMIN_PATHS = {
    "/admin/users": {
        "get": {**_op("Accounts"), "parameters": _query("role", "cohort_id", "q", "active")},
        "post": _op("Create an account (password generated when absent)", ok="201", body="NewUser"),
    },
    "/admin/users/import": {
        "post": _upload(
            "Create accounts from CSV: username, role[, display_name, cohort, password]; a report per row"
        )
    },
    "/admin/users/{user_id}": {
        "parameters": [_id("user_id")],
        "get": _op("One account"),
        "patch": _op("Change name, role or cohort", body="UserChange"),
        "delete": _op("Erase an account and all it wrote (confirm with its username)", body="EraseUser"),
    },
    "/admin/users/{user_id}/deactivate": {
        "parameters": [_id("user_id")],
        "post": _op("Deactivate an account (its tokens stop working at once)"),
    },
    "/admin/users/{user_id}/activate": {"parameters": [_id("user_id")], "post": _op("Reactivate an account")},
    "/admin/users/{user_id}/password": {
        "parameters": [_id("user_id")],
        "post": _op("Reset a password (generated and returned once when absent)"),
    },
    "/admin/cohorts": {
        "get": _op("Cohorts with trainer and trainee counts"),
        "post": _op("Create a cohort", ok="201", body="Cohort"),
    },
    "/admin/cohorts/{cohort_id}": {
        "parameters": [_id("cohort_id")],
        "patch": _op("Rename a cohort or assign its trainer", body="Cohort"),
    },
    "/admin/audit": {
        "get": {
            **_op("The audit log, newest first"),
            "parameters": _query("action", "actor", "target", "since", "until", "page", "per_page"),
        }
    },
    "/scenario-sets": {
        "get": _op("Scenario sets with versions and counts"),
        "post": _with_queued(
            _upload(
                "Validate and publish a set as a new version; a set of more than EMBED_JOB_SCENARIOS "
                "scenarios is embedded by a job instead (202 with {job}; see /admin/jobs/{job_id})",
                ok="201",
            )
        ),
    },
    "/scenario-sets/validate": {
        "post": _upload("Validate a set: a preview, or 422 with every problem's path and line")
    },
    "/scenario-sets/stream": {
        "post": {
            **_upload("Publish with progress; Server-Sent Events: started, progress…, done or error"),
            "responses": {
                "200": {
                    "description": "text/event-stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                **{c: ERROR for c in ("401", "403", "413", "422", "429")},
            },
        }
    },
    "/scenario-sets/{set_id}": {
        "parameters": [_id("set_id")],
        "get": _op("A set: versions, counts, scenarios of the newest version"),
    },
    "/scenario-sets/{set_id}/archive": {
        "parameters": [_id("set_id")],
        "post": _op("Archive a set (its attempts stay readable)"),
    },
    "/scenario-sets/{set_id}/restore": {
        "parameters": [_id("set_id")],
        "post": _op("Restore an archived set"),
    },
}

BATCH_SCORE = _upload(
    "Queue a JSONL file of responses ({scenario, response, id?} a line) for batch scoring; every line "
    "is checked first (422 naming each bad line). Form field or query `feedback`: model (default) or "
    "none. 503 when the job queue (Redis) does not answer",
    ok="202",
)
BATCH_SCORE["responses"]["503"] = ERROR
JOB_PATHS = {
    "/admin/jobs/batch-score": {"post": {**BATCH_SCORE, "parameters": _query("feedback")}},
    "/admin/jobs": {
        "get": {
            **_op("Background jobs, newest first, with progress; status=failed is the failed list"),
            "parameters": _query("status"),
        }
    },
    "/admin/jobs/{job_id}": {"parameters": [_id("job_id")], "get": _op("One job: status, progress, error")},
    "/admin/jobs/{job_id}/result": {
        "parameters": [_id("job_id")],
        "get": {
            **_op(
                "A finished batch job's output, one JSONL line per input line",
                errors=("401", "403", "404", "409", "429"),
            ),
            "responses": {
                "200": {
                    "description": "JSONL",
                    "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
                },
                **{c: ERROR for c in ("401", "403", "404", "409", "429")},
            },
        },
    },
    "/admin/jobs/{job_id}/retry": {
        "parameters": [_id("job_id")],
        "post": _op(
            "Queue a failed or stalled job again (a batch continues after its last stored line)",
            ok="202",
            errors=("401", "403", "404", "409", "429", "503"),
        ),
    },
}

TOKEN_PATHS = {
    "/tokens": {
        "get": {
            **_op("Your API tokens (never the tokens themselves); admins: user_id=N or all=true"),
            "parameters": _query("user_id", "all"),
        },
        "post": _op(
            "Make a personal access token (trainers and admins); the token is in this answer only",
            ok="201",
            body="NewApiToken",
            errors=("401", "403", "409", "422", "429"),
        ),
    },
    "/tokens/{token_id}": {
        "parameters": [_id("token_id")],
        "delete": _op("Revoke a token at once (your own; any, for an admin)"),
    },
}

LTI_PATHS = {
    "/admin/lti/platforms": {
        "get": _op("Registered LMS platforms, and the tool's URLs to copy into an LMS"),
        "post": _op(
            "Register an LMS platform (audited)",
            ok="201",
            body="LtiPlatform",
            errors=("401", "403", "409", "422", "429"),
        ),
    },
    "/admin/lti/platforms/{platform_id}": {
        "parameters": [_id("platform_id")],
        "get": _op("One registered platform"),
        "put": _op(
            "Replace a platform's registration (audited)",
            body="LtiPlatform",
            errors=("401", "403", "404", "409", "422", "429"),
        ),
        "delete": _op("Remove a platform and its links; the accounts and cohorts it made stay (audited)"),
    },
    "/trainer/cohorts/{cohort_id}/lti-roster": {
        "parameters": [_id("cohort_id")],
        "post": _op(
            "Sync the course roster from the LMS (NRPS) into the cohort (audited)",
            errors=("401", "403", "404", "409", "429", "502"),
        ),
    },
}

PATHS = {
    "/auth/login": {
        "post": _op(
            "Sign in; returns access and refresh tokens",
            body="Login",
            auth=False,
            errors=("401", "422", "429"),
        )
    },
    "/auth/refresh": {
        "post": _op(
            "Exchange a refresh token, once, for a new access and refresh token. A refresh token "
            "sent a second time ends its whole sign-in (reuse detection)"
        )
    },
    "/auth/password": {
        "post": _op(
            "Replace your own password: every earlier token ends; new tokens come back",
            body="ChangePassword",
        )
    },
    "/auth/logout": {"post": _op("End the sign-in the token sent (access or refresh) belongs to")},
    "/auth/me": {"get": _op("The signed-in account")},
    "/scenarios": {
        "get": {
            **_op(
                "Scenarios that can be rehearsed now, a page at a time: by category and title, or best "
                "match first when searched; the answer holds scenarios, page, per_page, total, pages"
            ),
            "parameters": SCENARIO_LIST_PARAMETERS,
        }
    },
    "/scenarios/{scenario_id}": {
        "parameters": [_id("scenario_id")],
        "get": _op("One scenario: scene and student"),
    },
    "/sessions": {
        "post": _returns(_op("Start a practice session", ok="201", body="StartSession"), "Session", "201")
    },
    "/sessions/{session_id}": {
        "parameters": [_id("session_id")],
        "get": _returns(_op("One of your sessions: its attempts and its conversation"), "Session"),
    },
    "/sessions/{session_id}/end": {
        "parameters": [_id("session_id")],
        "post": _op("End a session", body="EndSession"),
    },
    "/sessions/{session_id}/attempts": {
        "parameters": [_id("session_id")],
        "post": _returns(
            _op(
                "Score an answer, write feedback and (in a conversation) the student's reply",
                ok="201",
                body="Answer",
            ),
            "AnsweredAttempt",
            "201",
        ),
    },
    "/sessions/{session_id}/attempts/stream": {
        "parameters": [_id("session_id")],
        "post": {
            **_op(
                "Score an answer; Server-Sent Events: scored, token…, feedback, reply, done", body="Answer"
            ),
            "responses": {
                "200": {
                    "description": STREAM_EVENTS,
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                **{c: ERROR for c in ("401", "403", "404", "422", "429")},
            },
        },
    },
    "/attempts": {
        "get": {
            **_op("Your attempts, newest first, a page at a time"),
            "parameters": _query("page", "per_page"),
        }
    },
    "/attempts.csv": {
        "get": _csv("All of your attempts as CSV: answers, scores, your trainer's score and notes")
    },
    "/attempts/{attempt_id}": {
        "parameters": [_id("attempt_id")],
        "get": _op("One of your attempts, with your trainer's score, reason and notes (trainer_review)"),
    },
    "/openapi.json": {"get": _op("This document", auth=False, errors=())},
    **TRAINER_PATHS,
    **ADMIN_PATHS,
    **JOB_PATHS,
    **TOKEN_PATHS,
    **LTI_PATHS,
}

SCHEMAS = {
    "LtiPlatform": {
        "type": "object",
        "required": [
            "name",
            "issuer",
            "client_id",
            "deployment_ids",
            "auth_login_url",
            "auth_token_url",
            "jwks_url",
        ],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "issuer": {"type": "string", "minLength": 1, "maxLength": 255},
            "client_id": {"type": "string", "minLength": 1, "maxLength": 255},
            "deployment_ids": {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": 255},
                "minItems": 1,
                "maxItems": 100,
            },
            "auth_login_url": {"type": "string", "format": "uri", "maxLength": 500},
            "auth_token_url": {"type": "string", "format": "uri", "maxLength": 500},
            "jwks_url": {"type": "string", "format": "uri", "maxLength": 500},
        },
    },
    "Login": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
    },
    "EraseUser": {
        "type": "object",
        "required": ["confirm"],
        "properties": {"confirm": {"type": "string", "description": "the account's username"}},
    },
    "ChangePassword": {
        "type": "object",
        "required": ["current_password", "new_password"],
        "properties": {
            "current_password": {"type": "string"},
            "new_password": {"type": "string", "minLength": 10},
        },
    },
    "StartSession": {
        "type": "object",
        "required": ["scenario_id"],
        "properties": {
            "scenario_id": {"type": "integer"},
            "confidence_before": {"type": "integer", "minimum": 1, "maximum": 5},
        },
    },
    "EndSession": {
        "type": "object",
        "properties": {
            "confidence_after": {"type": "integer", "minimum": 1, "maximum": 5},
            "reflection": {"type": "string", "maxLength": 2000},
        },
    },
    "Answer": {
        "type": "object",
        "required": ["response"],
        "properties": {
            "response": {"type": "string", "minLength": 1, "maxLength": 5000},
            "feedback": {"type": "boolean", "default": True},
            "revise": {
                "type": "boolean",
                "default": False,
                "description": "Answer your last turn again instead of the next one (a revision).",
            },
        },
    },
    "Reply": {
        "type": "object",
        "description": "The student's reply to an answer in a conversation.",
        "required": ["line", "source"],
        "properties": {
            "line": {"type": "string"},
            "next": {"type": "string", "description": "the beat the conversation goes on to"},
            "end": {"enum": ["resolved", "partly_resolved", "escalated"]},
            "ending_label": {"type": "string"},
            "note": {"type": "string", "description": "what the answer did, in words"},
            "source": {"enum": ["authored", "model"]},
        },
    },
    "Turn": {
        "type": "object",
        "properties": {
            "turn": {"type": "integer", "minimum": 1, "maximum": 5},
            "beat": {"type": ["string", "null"]},
            "student_line": {"type": "string"},
            "attempt_id": {"type": "integer"},
            "response": {"type": "string"},
            "score": {"type": "integer"},
            "band": {"type": "string"},
            "reply": {"oneOf": [{"$ref": "#/components/schemas/Reply"}, {"type": "null"}]},
        },
    },
    "Conversation": {
        "type": "object",
        "description": "Where a session's conversation stands; a one-exchange scenario has beats 0.",
        "properties": {
            "beats": {"type": "integer"},
            "turn": {"type": "integer", "description": "the turn to answer next (the last one once ended)"},
            "beat": {"type": ["string", "null"], "description": "its beat; null is the opening"},
            "student_line": {"type": "string", "description": "what the student just said"},
            "ending": {"enum": ["resolved", "partly_resolved", "escalated", None]},
            "ending_label": {"type": ["string", "null"]},
            "summary": {"type": "string", "description": "how it ended and what moved it"},
            "turns": {"type": "array", "items": {"$ref": "#/components/schemas/Turn"}},
        },
    },
    "Session": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "scenario": {"type": "object"},
            "attempts": {"type": "array", "items": {"type": "object"}},
            "conversation": {"$ref": "#/components/schemas/Conversation"},
        },
    },
    "AnsweredAttempt": {
        "type": "object",
        "description": "The stored attempt (score, dimensions, feedback, turn) with the reply.",
        "properties": {
            "id": {"type": "integer"},
            "score": {"type": "integer"},
            "turn": {"type": "integer"},
            "feedback": {"type": "string"},
            "follow_up": {"type": "string"},
            "reply": {"oneOf": [{"$ref": "#/components/schemas/Reply"}, {"type": "null"}]},
            "conversation": {"$ref": "#/components/schemas/Conversation"},
        },
    },
    "Note": {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000}},
    },
    "Override": {
        "type": "object",
        "required": ["score", "reason"],
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "reason": {"type": "string", "minLength": 3, "maxLength": 500},
        },
    },
    "NewUser": {
        "type": "object",
        "required": ["username", "role"],
        "properties": {
            "username": {"type": "string"},
            "role": {"enum": ["trainee", "trainer", "admin"]},
            "display_name": {"type": "string"},
            "cohort": {"type": "string"},
            "password": {"type": "string", "minLength": 10},
        },
    },
    "UserChange": {
        "type": "object",
        "properties": {
            "display_name": {"type": "string"},
            "role": {"enum": ["trainee", "trainer", "admin"]},
            "cohort_id": {"type": ["integer", "null"]},
        },
    },
    "Cohort": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 120},
            "trainer_id": {"type": ["integer", "null"]},
        },
    },
    "NewApiToken": {
        "type": "object",
        "required": ["name", "scopes", "expires_in_hours"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 80},
            "scopes": {
                "type": "array",
                "minItems": 1,
                "items": {"enum": list(SCOPES)},
            },
            "expires_in_hours": {"type": "integer", "minimum": 1, "maximum": 2160},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": ["object", "array"]},
                },
            }
        },
    },
}


def document() -> dict:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Practicum API",
            "version": "1.0.0",
            "description": "Rehearse classroom moments: scenarios, sessions, scored attempts.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _with_token_scopes(PATHS),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "pat_…",
                    "description": "A personal access token (POST /tokens); each operation names the "
                    "scope it needs. Not accepted on /auth and /tokens.",
                },
            },
            "schemas": SCHEMAS,
            "responses": {
                "Error": {
                    "description": "Error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
        },
    }


def _with_token_scopes(paths: dict) -> dict:
    """Return the paths with an API token, and the scope it needs, offered where one is accepted."""
    endpoints = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower()): (
            rule.endpoint
        )
        for rule in current_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")  # the pages have paths like the API's (/admin/cohorts)
        for method in rule.methods
    }
    marked = {}
    for path, item in paths.items():
        marked[path] = dict(item)
        for method, operation in item.items():
            scope = ROUTE_SCOPES.get(endpoints.get((path, method), ""))
            if method != "parameters" and scope:
                marked[path][method] = {**operation, "security": [*BEARER, {"apiToken": [scope]}]}
    return marked


@bp.get("/openapi.json")
def openapi_document():
    """Serve the OpenAPI document (public)."""
    return jsonify(document())
