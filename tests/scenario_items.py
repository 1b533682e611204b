"""Turn a scenario item from a set file into what the scorer takes (shared by scoring tests)."""

from ai.dimensions import ScenarioFacts
from embeddings.search import ExpertMatch


def scoring_inputs(item: dict) -> tuple[ScenarioFacts, list[ExpertMatch]]:
    """Return the scenario's scoring facts and its expert responses (similarity not yet known)."""
    facts = ScenarioFacts(
        item["key"],
        item["category"],
        item["context"],
        item["student"]["opening_line"],
        item["student"]["name"],
        tuple(item.get("key_moves", [])),
        item.get("dimension_weights", {}),
    )
    experts = [
        ExpertMatch(i, 1, e["text"], e.get("strategy", ""), 0.0)
        for i, e in enumerate(item["expert_responses"])
    ]
    return facts, experts
