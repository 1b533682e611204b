"""The model's health follows what its generations did, so /readyz can name the fault."""

from __future__ import annotations

import pytest

from ai.feedback import FeedbackWriter
from ai.llm import FakeLLM, MissingLLM, build_llm
from ai.model_health import REJECTIONS_FOR_GARBAGE, ModelHealth
from practicum.config import Config
from practicum.errors import ModelUnavailable
from tests.unit.test_feedback import GOOD, facts


def test_a_fault_is_reported_until_a_generation_succeeds():
    health = ModelHealth()
    assert health.report()["state"] == "ok"
    health.record_fault("hanging", "time limit reached")
    report = health.report()
    assert report["state"] == "hanging" and report["detail"] == "time limit reached" and report["since"]
    health.record_success()
    assert health.report()["state"] == "ok"


def test_one_refusal_by_the_guard_is_ordinary_a_run_of_them_is_garbage():
    health = ModelHealth()
    for _ in range(REJECTIONS_FOR_GARBAGE - 1):
        health.record_rejection("talks about scores")
    assert health.report()["state"] == "ok"
    health.record_rejection("talks about scores")
    assert health.report()["state"] == "garbage"


def test_unknown_faults_are_refused():
    with pytest.raises(ValueError):
        ModelHealth().record_fault("sleepy", "")


def test_the_writer_records_a_slow_model_as_hanging_and_a_good_one_as_ok():
    slow = FakeLLM([GOOD], delay_s=0.05)
    FeedbackWriter(slow, time_limit_s=0.12).write(facts())
    assert slow.health.report()["state"] == "hanging"
    quick = FakeLLM([GOOD])
    assert FeedbackWriter(quick).write(facts()).source == "model"
    assert quick.health.report()["state"] == "ok"


def test_the_writer_records_the_fault_the_backend_names():
    class Garbled(FakeLLM):
        def stream_chat(self, messages, max_tokens, grammar=None):
            raise ModelUnavailable("LLM server sent an unreadable event", "garbage")
            yield ""

    model = Garbled()
    assert FeedbackWriter(model).write(facts()).source == "fallback"
    assert model.health.report()["state"] == "garbage"


def test_a_missing_gguf_gives_a_model_that_always_falls_back(tmp_path):
    config = Config(LLM_BACKEND="llama_cpp", LLM_MODEL_PATH=str(tmp_path / "gone.gguf"))
    model = build_llm(config)
    assert isinstance(model, MissingLLM) and not model.reachable()
    feedback = FeedbackWriter(model).write(facts())
    assert feedback.source == "fallback" and "gone.gguf" in feedback.rejected_because
    assert model.health.report()["state"] == "missing"
