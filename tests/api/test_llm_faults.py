"""A language model that hangs, talks garbage or is gone: the score is stored, coaching is the template."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from practicum import runtime
from tests.api.conftest import STRONG
from tests.conftest import FIXTURES, AuthActions, create_account, first_scenario_id, import_file


class FaultyModelServer(BaseHTTPRequestHandler):
    """An OpenAI-compatible server whose chat answers misbehave as the class attribute says."""

    fault = "hang"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        body = json.dumps({"data": [{"id": "faulty-model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.fault == "hang":
            time.sleep(20)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if self.fault == "garbage":
            self.wfile.write(b"data: {not json at all\n\ndata: \x00\xff\xfe\n\n")
        else:
            self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def faulty_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultyModelServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def answer_once(app, client):
    """Import the mini set, sign a trainee in, start a rehearsal and answer it; return the answer."""
    import_file(app, FIXTURES / "mini-set.yaml")
    create_account(app, "tina", "trainee")
    headers = AuthActions(client).headers("tina")
    scenario_id = first_scenario_id(client, headers)
    session_id = client.post(
        "/api/v1/sessions", json={"scenario_id": scenario_id}, headers=headers
    ).get_json()["id"]
    return client.post(f"/api/v1/sessions/{session_id}/attempts", json={"response": STRONG}, headers=headers)


@pytest.mark.parametrize("fault", ["hang", "garbage", "empty"])
def test_a_misbehaving_model_degrades_to_the_template_and_the_score_is_kept(make_app, faulty_server, fault):
    FaultyModelServer.fault = fault
    url = f"http://127.0.0.1:{faulty_server.server_address[1]}"
    app = make_app(LLM_BACKEND="openai", LLM_BASE_URL=url, LLM_TIME_LIMIT_S=1.0)
    client = app.test_client()
    started = time.monotonic()
    answer = answer_once(app, client)
    took = time.monotonic() - started
    body = answer.get_json()
    assert answer.status_code == 201, body
    assert body["feedback_source"] == "fallback" and body["feedback"].startswith("Next time, try this: ")
    assert isinstance(body["score"], int)
    if fault == "hang":
        assert took < 15  # the 1 s time limit, not the 20 s hang, decided when the answer came
    runtime.warm(app)
    ready = client.get("/readyz").get_json()
    assert ready["checks"]["database"] and ready["checks"]["models"]
    # The server still lists its models; the chat it wrote (or did not) names the fault.
    assert ready["status"] == "degraded" and not ready["checks"]["llm"]
    assert ready["llm"]["state"] == {"hang": "hanging", "garbage": "garbage", "empty": "garbage"}[fault]


def test_a_missing_model_file_serves_scores_with_the_template_and_readiness_says_missing(make_app, tmp_path):
    app = make_app(LLM_BACKEND="llama_cpp", LLM_MODEL_PATH=str(tmp_path / "not-there.gguf"))
    client = app.test_client()
    runtime.warm(app)
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "degraded" and ready["llm"]["state"] == "missing"
    assert "not-there.gguf" in ready["llm"]["detail"]
    answer = answer_once(app, client)
    assert answer.status_code == 201 and answer.get_json()["feedback_source"] == "fallback"
