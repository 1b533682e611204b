"""LLM_BACKEND=openai against a live llama.cpp OpenAI-compatible server serving SmolLM2.

The server is llama-cpp-python's own (`llama_cpp.server`), started as a subprocess by
tests/integration/llama_server.py on a free port of 127.0.0.1. Time limits are generous: these
tests check what is written and recorded, never how fast.
"""

import json
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from ai.feedback import NEXT_STEP, FeedbackFacts, FeedbackWriter, coaching_messages
from ai.llm import LlamaCppLLM, OpenAICompatibleLLM
from practicum import create_app, runtime
from practicum.config import default_llm_model_path
from practicum.db import session
from practicum.errors import ModelUnavailable
from tests.conftest import AuthActions, clear_database, create_account, free_port, import_file
from tests.conftest import test_config as config_for_tests  # renamed: pytest collects test_*

pytestmark = pytest.mark.integration

LAUNCHER = Path(__file__).with_name("llama_server.py")
SERVED_MODEL = "SmolLM2-135M-Instruct-Q4_1"
START_LIMIT_S = 180
GENEROUS_S = 300
NOTE = "Ask the student to explain how they got their answer."


def served_models(base_url: str, timeout: float = GENEROUS_S) -> list[str]:
    with urllib.request.urlopen(f"{base_url}/v1/models", timeout=timeout) as response:
        return [model["id"] for model in json.load(response)["data"]]


def wait_until_serving(server: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama.cpp server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            served_models(base_url, timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama.cpp server did not answer within {START_LIMIT_S} s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_server(folder: Path):
    """Start llama.cpp's OpenAI-compatible server on SmolLM2; yield its base URL; always stop it."""
    port = free_port()
    base_url, log = f"http://127.0.0.1:{port}", folder / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                str(LAUNCHER),
                default_llm_model_path(),
                "--alias",
                SERVED_MODEL,
                "--port",
                str(port),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(server, base_url, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("llama-server")) as base_url:
        yield base_url


def dead_url() -> str:
    """A URL on which nothing listens: the port was free a moment ago."""
    return f"http://127.0.0.1:{free_port()}"


def test_the_server_reports_the_smollm2_model(llama_server):
    assert served_models(llama_server) == [SERVED_MODEL]


def test_a_chat_reply_streams_token_by_token_under_the_servers_model_id(llama_server):
    llm = OpenAICompatibleLLM(llama_server, timeout=GENEROUS_S)
    messages = [
        {"role": "system", "content": "You are a teacher. Answer in one sentence."},
        {"role": "user", "content": "Why do we check our working in maths?"},
    ]
    pieces = list(llm.stream_chat(messages, max_tokens=24))
    assert len(pieces) > 3 and all(isinstance(piece, str) and piece for piece in pieces)
    assert len("".join(pieces).split()) >= 3
    assert llm.model_id == SERVED_MODEL  # none configured: the client asked the server


def test_the_grammar_reaches_the_server(llama_server):
    llm = OpenAICompatibleLLM(llama_server, timeout=GENEROUS_S)
    messages = [{"role": "system", "content": "Answer freely."}, {"role": "user", "content": "Hello"}]
    assert "".join(llm.stream_chat(messages, 16, 'root ::= "Banana split."')) == "Banana split."


def test_the_next_step_sentence_takes_the_grammars_form_and_passes_the_guard(llama_server):
    writer = FeedbackWriter(OpenAICompatibleLLM(llama_server, timeout=GENEROUS_S), time_limit_s=GENEROUS_S)
    feedback = writer.write(FeedbackFacts(45, "developing", [], [], "", "", NOTE))
    assert NEXT_STEP.fullmatch(feedback.model_text)
    assert feedback.source == "model", feedback.rejected_because
    assert feedback.coaching == feedback.model_text and feedback.model_id == SERVED_MODEL


def test_the_server_writes_what_the_in_process_backend_writes(llama_server):
    """Same GGUF, prompt, grammar and greedy sampling: the same next-step sentence, every tip."""
    from tests.scenario_items import sample_tips

    remote = OpenAICompatibleLLM(llama_server, timeout=GENEROUS_S)
    # One thread, like the server: the words do not depend on it, the time on a busy machine does.
    in_process = LlamaCppLLM(default_llm_model_path(), threads=1)
    accented = [f"Ask {name} to explain how they got their answer." for name in ("Tomás", "Łukasz")]
    for tip in [*sample_tips(), *accented]:
        messages = coaching_messages(FeedbackFacts(45, "developing", [], [], "", "", tip))
        served = "".join(remote.stream_chat(messages, 60, NEXT_STEP))
        assert served == "".join(in_process.stream_chat(messages, 60, NEXT_STEP))


@pytest.fixture(scope="module")
def served_app(tmp_path_factory, database_url, engine, real_models, llama_server):
    """The real app with LLM_BACKEND=openai on the live server, MiniLM, one shipped set."""
    from scenarios.loader import shipped_set_files

    clear_database(engine)
    app = create_app(
        config_for_tests(
            tmp_path_factory.mktemp("served"),
            database_url,
            EMBEDDING_BACKEND="sentence_transformers",
            LLM_BACKEND="openai",
            LLM_BASE_URL=llama_server,
            LLM_TIME_LIMIT_S=GENEROUS_S,
        )
    )
    app.extensions["practicum.embedder"] = real_models[0]
    import_file(app, shipped_set_files()[0])
    create_account(app, "olga", "trainee", "Cohort O")
    yield app
    session.remove()


def app_beside(served_app, tmp_path, **overrides):
    """Another app on the same database and embedder, with other LLM settings."""
    app = create_app(
        config_for_tests(
            tmp_path,
            served_app.config["DATABASE_URL"],
            EMBEDDING_BACKEND="sentence_transformers",
            LLM_BACKEND="openai",
            **overrides,
        )
    )
    app.extensions["practicum.embedder"] = runtime.embedder(served_app)
    return app


def start_session(client, headers) -> int:
    from sqlalchemy import select

    from practicum.models import Scenario

    with client.application.app_context():
        scenario_id = session.scalar(select(Scenario.id).order_by(Scenario.id).limit(1))
    response = client.post("/api/v1/sessions", json={"scenario_id": scenario_id}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def attempt(client) -> dict:
    headers = AuthActions(client).headers("olga")
    session_id = start_session(client, headers)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts",
        headers=headers,
        json={"response": "What makes you think that? Show me your first step."},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_attempt_scored_through_the_app_records_the_servers_model(served_app):
    from practicum.models import Attempt

    assert isinstance(runtime.llm(served_app), OpenAICompatibleLLM)
    body = attempt(served_app.test_client())
    assert body["feedback_source"] in ("model", "fallback")
    assert body["model_id"] == SERVED_MODEL
    assert body["feedback"].startswith("Next time, try") and body["matches"]
    with served_app.app_context():
        stored = session.get(Attempt, body["id"])
        assert stored.model_id == SERVED_MODEL and stored.feedback_source == body["feedback_source"]
        assert stored.timings["tokens"] > 0


def test_a_server_that_is_down_gives_the_template_feedback(served_app, tmp_path):
    app = app_beside(served_app, tmp_path, LLM_BASE_URL=dead_url())
    body = attempt(app.test_client())
    assert body["feedback_source"] == "fallback"
    assert body["feedback"].startswith("Next time, try this: ")
    assert body["model_id"] == "openai-compatible"  # the server could not be asked its model


def test_readiness_tells_whether_the_model_server_answers(served_app, tmp_path):
    runtime.warm(served_app)
    up = served_app.test_client().get("/readyz")
    assert up.status_code == 200
    ready = up.get_json()
    assert ready["status"] == "ready" and ready["checks"] == {"database": True, "models": True, "llm": True}
    assert ready["llm"]["state"] == "ok"
    down = app_beside(served_app, tmp_path, LLM_BASE_URL=dead_url())
    runtime.warm(down)
    answer = down.test_client().get("/readyz")
    assert answer.status_code == 200  # it still scores; the coaching comes from the template
    degraded = answer.get_json()
    assert degraded["status"] == "degraded"
    assert degraded["checks"] == {"database": True, "models": True, "llm": False}
    assert degraded["llm"]["state"] == "unreachable"


def stream_events(client) -> list[str]:
    headers = AuthActions(client).headers("olga")
    session_id = start_session(client, headers)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts/stream",
        headers=headers,
        json={"response": "Talk me through the first step you took."},
    )
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    return [
        block.split("\n")[0].removeprefix("event: ")
        for block in response.get_data(as_text=True).strip().split("\n\n")
    ]


# The first shipped scenario is a conversation, so the student's next line follows the feedback.
def test_the_servers_tokens_stream_through_the_app(served_app):
    kinds = stream_events(served_app.test_client())
    assert kinds[0] == "scored" and kinds[-3:] == ["feedback", "reply", "done"]
    assert set(kinds[1:-3]) == {"token"}


def test_a_stream_from_a_server_that_is_down_ends_with_feedback_not_an_error(served_app, tmp_path):
    client = app_beside(served_app, tmp_path, LLM_BASE_URL=dead_url()).test_client()
    assert stream_events(client) == ["scored", "feedback", "reply", "done"]


def test_a_server_that_fails_mid_reply_is_reported_as_unavailable(tmp_path):
    """llama-cpp-python's server answers 200, then drops the stream when a grammar fails to parse.

    It dies of it too (SIGSEGV in 0.3.36), so this test starts a server of its own. The writer
    turns ModelUnavailable into the template (tests/unit/test_feedback.py).
    """
    with running_server(tmp_path) as base_url:
        llm = OpenAICompatibleLLM(base_url, timeout=GENEROUS_S)
        messages = [{"role": "system", "content": "Answer."}, {"role": "user", "content": "Hi"}]
        with pytest.raises(ModelUnavailable, match="LLM server"):
            list(llm.stream_chat(messages, 16, "root ::= undefined-rule"))
