"""Turn a scenario item from a set file into what the scorer takes (shared by scoring tests)."""

from ai.dimensions import ScenarioFacts
from bench.graded import moment_of
from embeddings.search import ExpertMatch


def scoring_inputs(item: dict) -> tuple[ScenarioFacts, list[ExpertMatch]]:
    """Return the scenario's scoring facts (pitfalls included) and its expert responses."""
    moment = moment_of("tests", item, 0)
    return moment.facts, list(moment.experts)


def sample_tips() -> list[str]:
    """One tip per rubric dimension, as a behaviour moment words them for Jordan."""
    from ai.dimensions import tips_for
    from ai.rubric import DIMENSIONS

    facts = ScenarioFacts("k", "defiance", "", "", "Jordan")
    return [tips_for(key, facts)[0] for key in DIMENSIONS]
