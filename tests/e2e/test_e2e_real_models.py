"""The browser against the real default models (MiniLM and SmolLM2): how soon the score shows."""

from __future__ import annotations

import json
import time

import pytest

from ai.llm import LlamaCppLLM
from embeddings.embedder import build_embedder
from practicum import library
from practicum.config import default_embedding_model_path, default_llm_model_path
from practicum.db import session, transaction
from practicum.models import ScenarioSet
from scenarios.loader import load_scenario_set
from tests.conftest import FIXTURES
from tests.e2e.conftest import SCREENSHOTS, sign_in
from tests.e2e.test_e2e_rehearsal import LAST_TURN, open_scenario, wait_until_saved

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

TITLE = "Which decimal is bigger? (real models)"
ANSWERS = [
    "Walk me through how you compared 0.25 and 0.3. What does the 2 stand for?",
    "I can see why 25 feels bigger. Let's look at the tenths first: which has more?",
]
# Generous: the target is under a second on an idle machine; shared CI machines are slower.
SCORE_LIMIT_S = 5.0


@pytest.fixture(scope="module")
def live_on_real_models(live):
    """Swap the live app onto the real models, with a copy of the mini set they embedded."""
    app = live.app
    usual = app.extensions["practicum.embedder"], app.extensions["practicum.llm"]
    embedder = build_embedder("onnx", default_embedding_model_path())
    llm = LlamaCppLLM(default_llm_model_path(), threads=app.config["PRACTICUM"].LLM_THREADS)
    embedder.load()
    llm.load()
    document = load_scenario_set((FIXTURES / "mini-set.yaml").read_bytes(), "mini-set.yaml")
    document["key"] = "mini-set-real-models"
    document["scenarios"] = [{**s, "title": f"{s['title']} (real models)"} for s in document["scenarios"]]
    with app.app_context(), transaction():
        library.import_scenario_set(session, document, embedder)
    app.extensions["practicum.embedder"], app.extensions["practicum.llm"] = embedder, llm
    yield
    app.extensions["practicum.embedder"], app.extensions["practicum.llm"] = usual
    with app.app_context(), transaction():  # hide the copy from the other browser tests
        session.query(ScenarioSet).filter_by(key=document["key"]).update({"status": "archived"})


def test_score_shows_within_seconds_with_the_default_models(page, new_trainee, live_on_real_models):
    sign_in(page, new_trainee())
    open_scenario(page, TITLE)
    timings = [_send(page, answer) for answer in ANSWERS]
    report = {"model": default_llm_model_path().rsplit("/", 1)[-1], "attempts": timings}
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / "e2e-timings.json").write_text(json.dumps(report, indent=2))
    print(f"\nreal models in the browser: {json.dumps(timings)}")
    assert all(t["score_s"] < SCORE_LIMIT_S for t in timings), timings


def _send(page, answer: str) -> dict:
    """Send an answer; return seconds to the score, to the first coaching text, and to saved."""
    box = page.get_by_label("What would you say to Maya?")
    box.fill(answer)
    started = time.perf_counter()
    box.press("Control+Enter")
    turn = page.locator(LAST_TURN)
    turn.locator("[data-slot=result]").wait_for(state="visible")
    score_s = time.perf_counter() - started
    page.wait_for_function(
        """() => {
      const coach = [...document.querySelectorAll('#chat .turn')].pop()
        .querySelector('[data-slot=coach]');
      return coach.textContent.length > 0;
    }""",
        timeout=30_000,
    )
    first_text_s = time.perf_counter() - started
    page.locator(LAST_TURN).get_by_role("link", name="Details").wait_for(timeout=30_000)
    wait_until_saved(page)
    return {
        "score_s": round(score_s, 3),
        "first_coaching_text_s": round(first_text_s, 3),
        "saved_s": round(time.perf_counter() - started, 3),
        "score": int(turn.locator("[data-slot=score]").inner_text()),
    }
