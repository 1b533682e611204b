"""How the trainers' calibration lookup scales with the attempts stored (for `make bench`).

Every scored answer asks for its scenario's re-scored attempts (practicum/calibration.py). The
benchmark stores 100,000 answers that no trainer re-scored, spread over the library's scenarios,
and times the lookup with the partial index of migration 0013 and, in a transaction rolled back,
without it.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from sqlalchemy import select, text

from practicum.calibration import trainer_calibration
from practicum.db import session
from practicum.models import Scenario, User

ANSWERS = 100_000
STORE = text(
    "WITH s AS (INSERT INTO practice_sessions (user_id, scenario_id, started_at) "
    "SELECT :user, (:scenarios)[1 + (g % :count)], now() FROM generate_series(1, :n) AS g "
    "RETURNING id, scenario_id) "
    "INSERT INTO attempts (session_id, user_id, scenario_id, response_text, response_embedding, score, "
    "band, dimensions, matches, feedback_text, feedback_source, model_id, scorer_version, timings, "
    "turn, created_at) SELECT id, :user, scenario_id, 'An answer of a sentence or two, as trainees write.', "
    "CAST(:vector AS vector), 50, 'developing', '[]', '[]', '', 'none', '', 'bench', '{}', 1, now() FROM s"
)


def lookup_ms(scenario_id: int, rounds: int = 50) -> float:
    """The median time of one calibration lookup for a scenario."""
    vector = np.random.RandomState(0).randn(384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        trainer_calibration(session, scenario_id, vector)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def report(app) -> None:
    """Store the answers, then print the lookup's time with and without the index."""
    scenarios = list(session.scalars(select(Scenario.id).order_by(Scenario.id)))
    user = session.scalars(select(User.id).order_by(User.id)).first()
    empty = lookup_ms(scenarios[0])
    session.execute(
        STORE,
        {
            "user": user,
            "scenarios": scenarios,
            "count": len(scenarios),
            "n": ANSWERS,
            "vector": str([0.05] * 384),
        },
    )
    session.execute(text("ANALYZE attempts"))
    session.commit()
    indexed = lookup_ms(scenarios[0])
    session.execute(text("DROP INDEX ix_attempts_overridden_by_scenario"))
    scanned = lookup_ms(scenarios[0], rounds=10)
    session.rollback()  # the index comes back
    print(
        f"calibration lookup ({len(scenarios)} scenarios) p50 {empty:.1f} ms with no answers stored; "
        f"with {ANSWERS:,}: {indexed:.1f} ms, {scanned:.1f} ms without the partial index (migration 0013)"
    )
