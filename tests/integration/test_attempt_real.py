"""The whole attempt path on real parts: PostgreSQL+pgvector, MiniLM, SmolLM2 via llama.cpp."""

import json

import pytest
from sqlalchemy import select

from ai.llm import LlamaCppLLM
from embeddings.onnx_embedder import OnnxEmbedder
from practicum.db import session
from practicum.models import Attempt, Scenario
from tests.conftest import AuthActions

pytestmark = pytest.mark.integration


@pytest.fixture
def client(real_app):
    return real_app.test_client()


@pytest.fixture
def headers(client):
    return AuthActions(client).headers("rita")


def start(client, headers, key: str) -> int:
    from practicum import library

    with client.application.app_context():
        sid = library.scenario_by_key(session, key).id
    response = client.post("/api/v1/sessions", json={"scenario_id": sid}, headers=headers)
    assert response.status_code == 201
    return response.get_json()["id"]


def a_misconception_key(app) -> str:
    with app.app_context():
        return session.scalar(
            select(Scenario.key).where(Scenario.category == "misconception").order_by(Scenario.id).limit(1)
        )


def test_the_models_are_the_real_ones(real_app):
    from practicum import runtime

    embedder = runtime.embedder(real_app)
    assert isinstance(embedder, OnnxEmbedder) and embedder.runtime == "onnx"  # not its torch fallback
    assert isinstance(runtime.llm(real_app), LlamaCppLLM)
    assert runtime.llm(real_app).model_id.endswith(".gguf")


def test_an_attempt_is_scored_matched_given_feedback_and_stored(real_app, client, headers):
    key = a_misconception_key(real_app)
    session_id = start(client, headers, key)
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts",
        headers=headers,
        json={
            "response": "Can you walk me through how you worked that "
            "out? Which step do you want to check first?"
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert 0 <= body["score"] <= 100 and body["band"] in body["band_label"].lower().replace(" ", "_")
    similarities = [m["similarity"] for m in body["matches"]]
    assert len(similarities) >= 3 and similarities == sorted(similarities, reverse=True)
    assert all(-1 <= s <= 1 for s in similarities)
    assert body["feedback_source"] in ("model", "fallback")
    assert body["model_id"].endswith(".gguf")
    assert body["feedback"] and body["dimensions"]
    with real_app.app_context():
        stored = session.get(Attempt, body["id"])
        assert stored.score == body["score"] and stored.feedback_source == body["feedback_source"]
        assert len(stored.response_embedding) == 384
        assert stored.timings["embed_ms"] > 0 and "llm_ms" in stored.timings


def test_the_stream_sends_score_first_then_tokens_then_the_stored_id(real_app, client, headers):
    session_id = start(client, headers, a_misconception_key(real_app))
    response = client.post(
        f"/api/v1/sessions/{session_id}/attempts/stream",
        headers=headers,
        json={
            "response": "What do you notice about the two numbers? "
            "Try comparing the first digit after the point."
        },
    )
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    events = [
        (
            block.split("\n")[0].removeprefix("event: "),
            json.loads(block.split("\n")[1].removeprefix("data: ")),
        )
        for block in response.get_data(as_text=True).strip().split("\n\n")
    ]
    kinds = [kind for kind, _ in events]
    # The shipped misconception scenario is a conversation: the student's reply comes last.
    assert kinds[0] == "scored" and kinds[-3:] == ["feedback", "reply", "done"]
    assert set(kinds[1:-3]) <= {"token"} and len(kinds) > 5
    assert "score" in events[0][1] and events[0][1]["matches"] and events[0][1]["turn"] == 1
    reply, done = events[-2][1], events[-1][1]
    assert reply["line"] and ("next" in reply) != ("end" in reply) and reply["source"] == "authored"
    assert done["conversation"]["turn"] == 2 and done["conversation"]["student_line"] == reply["line"]
    with real_app.app_context():
        stored = session.get(Attempt, done["attempt_id"])
        assert stored is not None and stored.feedback_text == events[-3][1]["text"]
        assert stored.turn == 1 and stored.reply["line"] == reply["line"]


def test_scores_land_low_middle_and_high(real_app, client, headers):
    """Calibration on the real model: off-topic < bare order < skilful, in sensible bands."""
    key = _defiance_key(real_app)
    assert key == "phone-wont-put-away"  # the answers below are written for Jayden's moment
    with real_app.app_context():
        expert = (
            session.scalar(select(Scenario).where(Scenario.key == key).order_by(Scenario.id.desc()))
            .expert_responses[0]
            .text
        )

    def score(text):
        # Each answer in a session of its own: the moment is a conversation, and a second answer
        # in one session would be scored against the beat the first one led to.
        response = client.post(
            f"/api/v1/sessions/{start(client, headers, key)}/attempts",
            headers=headers,
            json={"response": text, "feedback": False},
        )
        assert response.status_code == 201
        return response.get_json()

    low = score("I like pizza and football on the weekend.")
    middle = score("Please do what I asked. Move now.")
    high = score(
        "[crouches by the desk, quietly] I can tell that message really matters to you, Jayden. "
        "Phone in your bag for the test, and if it's urgent, come and tell me at the end and we'll sort it."
    )
    assert low["band"] == "needs_work"
    assert low["score"] < middle["score"] < high["score"]
    assert high["band"] in ("proficient", "exemplary")
    pasted = score(expert)  # an expert response pasted back is recognised, not rewarded
    assert pasted["copied_expert"] and pasted["score"] < high["score"]


def _defiance_key(app) -> str:
    with app.app_context():
        return session.scalar(
            select(Scenario.key).where(Scenario.category == "defiance").order_by(Scenario.id).limit(1)
        )


def test_reimporting_unchanged_is_a_noop_and_a_change_makes_a_version(real_app, client, headers):
    import yaml

    from practicum import library, runtime
    from practicum.db import transaction
    from scenarios.loader import load_scenario_set, shipped_set_files

    path = shipped_set_files()[0]
    document = load_scenario_set(path.read_bytes(), path.name)
    first_key = document["scenarios"][0]["key"]
    session_id = start(client, headers, first_key)
    old = client.post(
        f"/api/v1/sessions/{session_id}/attempts",
        headers=headers,
        json={"response": "Tell me what happened.", "feedback": False},
    ).get_json()
    with real_app.app_context():
        with transaction():
            same = library.import_scenario_set(session, document, runtime.embedder(real_app))
        assert not same.changed and same.embedded == 0
        changed = yaml.safe_load(path.read_text())
        changed["scenarios"][0]["title"] += " (revised)"
        changed["scenarios"][0]["expert_responses"].append(
            {
                "text": "Let's pause. Tell me in one sentence what you need right now.",
                "strategy": "ask for the need",
            }
        )
        with transaction():
            report = library.import_scenario_set(session, changed, runtime.embedder(real_app))
        assert report.changed and report.version == same.version + 1
        assert report.embedded == 1  # only the new text; unchanged text reuses its vector
        attempt = session.get(Attempt, old["id"])
        assert attempt.scenario.set_version.version == same.version
        current = library.scenario_by_key(session, first_key)
        assert current.title.endswith("(revised)") and current.id != attempt.scenario_id


def test_cli_score_writes_one_line_per_input_with_real_models(real_app, tmp_path):
    key = a_misconception_key(real_app)
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "a1", "scenario": key, "response": "Show me how you got that."}),
                json.dumps({"scenario": key, "response": "The answer is 7."}),
                json.dumps({"scenario": "no-such-scenario", "response": "Hello"}),
                "not json",
            ]
        )
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    result = real_app.test_cli_runner().invoke(args=["score", str(source), str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 4
    assert lines[0]["id"] == "a1" and lines[0]["feedback_source"] in ("model", "fallback")
    for line in lines[:2]:
        assert {"score", "band", "dimensions", "matches", "feedback"} <= set(line)
    assert "error" in lines[2] and "error" in lines[3]


def test_the_default_model_rephrases_most_tips_within_the_guard(real_models):
    """SmolLM2 at temperature 0 is deterministic: most next-step notes pass the guard."""
    from ai.feedback import FeedbackFacts, FeedbackWriter
    from tests.scenario_items import sample_tips

    # The product's 10 s limit is a speed guard; this test checks wording, so a busy machine
    # must not turn it into a timing test.
    writer = FeedbackWriter(real_models[1], time_limit_s=300)
    outcomes = [writer.write(FeedbackFacts(45, "developing", [], [], "", "", tip)) for tip in sample_tips()]
    passed = [o for o in outcomes if o.source == "model"]
    assert len(passed) >= 4, [(o.model_text, o.rejected_because) for o in outcomes]
    assert all(o.coaching.startswith("Next time, try") for o in passed)


@pytest.mark.parametrize("name", ["Tomás", "Lucía", "Zoë", "Łukasz"])
def test_the_default_model_writes_an_accented_name_as_it_is(real_models, name):
    """The sentence's shape lets the model spell the student's name; ASCII alone made it 'Tomas'."""
    from ai.feedback import FeedbackFacts, FeedbackWriter

    writer = FeedbackWriter(real_models[1], time_limit_s=300)
    note = f"Ask {name} to explain how they got their answer."
    feedback = writer.write(FeedbackFacts(45, "developing", [], [], "", "", note))
    assert feedback.source == "model", (feedback.model_text, feedback.rejected_because)
    assert f"asking {name} to explain" in feedback.coaching
