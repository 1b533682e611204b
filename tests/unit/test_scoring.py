"""The scorer: bands land where a teacher educator would put them, deterministically, explained."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from ai import scoring
from ai.dimensions import DIMENSIONS, ScenarioFacts
from ai.rubric_model import HEAD_LABELS, MODEL_PATH, model_from_json, shipped_model
from ai.scoring import SCORER_VERSION, score_response, score_text
from ai.signals import (
    SCENARIO_VECTORS,
    EmbeddedResponse,
    ScenarioVectorCache,
    ScenarioVectors,
    embed_response,
    response_features,
    sentences,
)
from embeddings.embedder import DIMENSIONS as VECTOR_SIZE
from embeddings.embedder import FakeEmbedder
from embeddings.search import ExpertMatch
from tests.scenario_items import scoring_inputs

FIXTURE = Path(__file__).parents[1] / "fixtures" / "mini-set.yaml"


def scenario(key: str, **changes) -> tuple[ScenarioFacts, list[ExpertMatch]]:
    item = next(s for s in yaml.safe_load(FIXTURE.read_text())["scenarios"] if s["key"] == key)
    item.update(changes)
    return scoring_inputs(item)


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting its batch calls and texts."""

    def __init__(self):
        self.calls, self.texts = 0, 0

    def embed_batch(self, texts):
        self.calls, self.texts = self.calls + 1, self.texts + len(texts)
        return super().embed_batch(texts)


@pytest.fixture
def embedder():
    SCENARIO_VECTORS.clear()
    return FakeEmbedder()


def score(embedder, key, text, **changes):
    facts, experts = scenario(key, **changes)
    return score_text(embedder, text, facts, experts)


MAYA = "decimal-compare"
JORDAN = "wont-change-seats"


@pytest.mark.parametrize("key", [MAYA, JORDAN])
@pytest.mark.parametrize("text", ["ok", "Whatever.", "I like pizza and football at the weekend."])
def test_a_poor_or_off_topic_answer_needs_work(embedder, key, text):
    assert score(embedder, key, text).band == "needs_work"


@pytest.mark.parametrize(
    "key, text",
    [
        (MAYA, "Hmm, not quite. Try again and check the digits."),
        (JORDAN, "Jordan, I hear that it feels unfair. Please move to the window seat for now."),
    ],
)
def test_a_reasonable_answer_is_developing_or_proficient(embedder, key, text):
    assert score(embedder, key, text).band in {"developing", "proficient"}


@pytest.mark.parametrize(
    "key, text",
    [
        (
            MAYA,
            "Walk me through how you compared 0.25 and 0.3, Maya. What does the 2 in 0.25 "
            "stand for? Look at the tenths place first.",
        ),
        (
            JORDAN,
            "[quietly] I can see you're annoyed, Jordan. You can move to the window seat or "
            "start question one now, your call. I'll check back in two minutes.",
        ),
    ],
)
def test_an_expert_like_answer_is_proficient_or_exemplary(embedder, key, text):
    assert score(embedder, key, text).band in {"proficient", "exemplary"}


def test_the_same_input_gives_the_same_score_and_dimensions(embedder):
    text = "Walk me through it, Maya. Which digit is in the tenths place?"
    first, second = score(embedder, MAYA, text), score(FakeEmbedder(), MAYA, text)
    assert first.score == second.score and first.dimension_dicts() == second.dimension_dicts()


def test_every_attempt_records_the_bumped_scorer_version(embedder):
    result = score(embedder, MAYA, "What do you notice about the tenths place, Maya?")
    assert result.scorer_version == SCORER_VERSION != "sim-rubric-1"


def test_dimensions_keep_their_stored_shape_with_a_reason_each(embedder):
    result = score(embedder, MAYA, "Not quite. Which number has more tenths, Maya?")
    dims = result.dimension_dicts()
    assert [d["key"] for d in dims] == list(DIMENSIONS)
    for d in dims:
        assert set(d) == {"key", "label", "value", "level", "reason", "weight", "evidence"}
        assert 0 <= d["value"] <= 1 and d["reason"].endswith((".", "\u201d"))
        assert d["level"] in {"met", "partly", "missed"}
    assert all(r.tip and r.label for r in result.dimensions)


def test_a_dimension_weighted_zero_is_not_scored(embedder):
    keys = {d.key for d in score(embedder, JORDAN, "Please move seats now, Jordan.").dimensions}
    assert "guides_not_tells" not in keys  # defiance weighs it 0


def test_scenario_weights_override_the_category(embedder):
    weights = {"tone": 0, "next_step": 3}
    result = score(embedder, JORDAN, "Please move seats now, Jordan.", dimension_weights=weights)
    by_key = {d.key: d.weight for d in result.dimensions}
    assert "tone" not in by_key and by_key["next_step"] == 3


def test_giving_the_answer_away_caps_guidance_and_the_score(embedder):
    result = score(embedder, MAYA, "That's wrong, Maya. The answer is 0.3 because 0.30 is bigger than 0.25.")
    guides = next(d for d in result.dimensions if d.key == "guides_not_tells")
    assert guides.value <= 0.4 and "gave the answer away" in guides.reason
    assert result.score <= scoring.REVEAL_SCORE_CAP


def test_the_expert_reference_is_each_expert_judged_against_the_others(embedder):
    from ai.reference import expert_reference

    facts, experts = scenario(MAYA)
    vectors = SCENARIO_VECTORS.get(
        embedder, facts.key_moves, [e.text for e in experts], facts.opening_line, facts.context
    )
    reference = expert_reference(vectors, facts, shipped_model())
    assert reference is not None and 0 < reference < 1
    assert expert_reference(vectors, facts, shipped_model()) == reference
    one = SCENARIO_VECTORS.get(embedder, (), [experts[0].text], facts.opening_line, facts.context)
    assert expert_reference(one, facts, shipped_model()) is None
    left_out, kept = vectors.experts[0][0], vectors.without_expert(0)
    assert len(kept.experts) == len(experts) - 1 and left_out not in dict(kept.experts)
    assert sentences(left_out)[0] in vectors.moves and sentences(left_out)[0] not in kept.moves
    assert len(kept.moves) == len(kept.move_vectors)


def test_an_expert_reference_moves_where_expert_level_lands():
    dims = [scoring.DimensionResult("tone", 0.6, "x", 1.0)]
    plain = scoring.rubric_points(dims, scoring.BLENDS["rules"])
    low_bar = scoring.rubric_points(dims, scoring.BLENDS["rules"], reference=0.6)
    high_bar = scoring.rubric_points(dims, scoring.BLENDS["rules"], reference=0.95)
    assert high_bar < plain < low_bar <= scoring.EXPERT_POINTS


def test_praise_that_treats_a_mistake_as_right_is_named(embedder):
    result = score(embedder, MAYA, "Great job, that's correct! Let's move on to the next one.")
    recognises = next(d for d in result.dimensions if d.key == "recognises_issue")
    assert recognises.value < 0.5 and "treated the answer as fine" in recognises.reason


def test_too_little_to_judge_misses_every_dimension(embedder):
    result = score(embedder, MAYA, "Good job!")
    assert result.score <= scoring.NO_SUBSTANCE_CAP
    assert {d.value for d in result.dimensions} == {0.0}


def test_a_key_move_made_is_named_in_the_reason(embedder):
    key_moves = ["You can move to the window seat or start question one now."]
    result = score(
        embedder,
        JORDAN,
        "You can move to the window seat or start question one now, Jordan.",
        key_moves=key_moves,
    )
    specific = next(d for d in result.dimensions if d.key == "specific")
    assert specific.value == 1.0


def test_similarity_to_every_expert_counts_not_only_the_best(embedder):
    facts, experts = scenario(MAYA)
    text = "Walk me through how you compared 0.25 and 0.3."
    embedded = embed_response(embedder, text)
    one = [ExpertMatch(1, 1, experts[0].text, "", 0.8)]
    many = one + [ExpertMatch(2, 1, experts[1].text, "", 0.1), ExpertMatch(3, 1, experts[2].text, "", 0.1)]
    a = score_response(text, one, facts, (), embedded, embedder)
    b = score_response(text, many, facts, (), embedded, embedder)
    assert a.signals["sim_mean"] > b.signals["sim_mean"]
    assert scoring.similarity_points([0.6]) > scoring.similarity_points([0.6, 0.1, 0.1])


def test_old_callers_without_embeddings_still_get_a_rule_based_score(embedder):
    facts, _ = scenario(JORDAN)
    result = score_response("Please start question one, Jordan.", [], facts, ())
    assert 0 <= result.score <= 100 and result.dimensions


def test_a_response_is_embedded_once_its_sentences_in_one_call():
    counting = CountingEmbedder()
    embedded = embed_response(counting, "First sentence here. Second one? Third!")
    assert counting.calls == 1 and counting.texts == 3
    assert embedded.sentence_vectors.shape == (3, VECTOR_SIZE)
    mean = embedded.sentence_vectors.mean(axis=0)
    assert np.allclose(embedded.vector, mean / np.linalg.norm(mean))
    single = embed_response(counting, "Only one sentence here.")
    assert counting.calls == 2 and counting.texts == 4
    assert np.array_equal(single.vector, single.sentence_vectors[0])


def test_scenario_vectors_are_embedded_once_per_content():
    counting, cache = CountingEmbedder(), ScenarioVectorCache(size=2)
    for _ in range(3):
        cache.get(counting, ["Key move."], ["Expert one. Two.", "Expert three."], "Hi.", "Ctx.")
    assert counting.calls == 1
    cache.get(counting, ["Key move."], ["Expert three.", "Expert one. Two."], "Hi.", "Ctx.")
    assert counting.calls == 1  # the experts' ranking order does not matter
    cache.get(counting, ["Another move."], ["Expert three."], "Hi.", "Ctx.")
    assert counting.calls == 2


def test_the_shipped_model_reads_exactly_the_signals_computed():
    zero = np.zeros(VECTOR_SIZE, dtype=np.float32)
    signals = response_features(
        "Try it.",
        "Try it.",
        [0.5],
        EmbeddedResponse(zero, ("x",), zero[None, :]),
        ScenarioVectors(("m",), zero[None, :], zero, zero),
        "context",
        "opening",
    )
    model = shipped_model()
    assert set(model.features) == set(signals) and set(model.heads) == set(HEAD_LABELS)
    assert all(0 < p < 1 for p in model.predict(signals).values())
    assert model.applies_to("misconception") and not model.applies_to("defiance")


def test_penalty_signals_can_only_lower_a_head():
    model = model_from_json(json.loads(MODEL_PATH.read_text()))
    index = {name: i for i, name in enumerate(model.features)}
    for weights, _ in model.heads.values():
        for name in ("affirm_cues", "affirm_without_error", "move_on_cues"):
            assert weights[index[name]] <= 0
