"""The library at scale: /library and GET /api/v1/scenarios over 5,000 scenarios, beside a bare SELECT.

`make bench` runs it after the scoring figures; `python -m bench.library_speed` runs it alone on a
throwaway database with the fake models (the library needs none).
"""

from __future__ import annotations

import random
import time

from sqlalchemy import insert, select

from practicum.db import session
from practicum.models import Scenario, ScenarioSet, ScenarioSetVersion, User

SCENARIOS, SETS, ROUNDS = 5000, 50, 20
TOPICS = (
    "decimals", "fractions", "photosynthesis", "persuasive writing", "the water cycle", "phones in class",
    "seating plans", "lateness", "group work", "long division", "map skills", "poetry", "volcanoes",
    "a broken friendship", "homework", "exam nerves", "lab safety", "times tables", "spelling", "debate",
)  # fmt: skip
CATEGORIES = (
    "defiance", "family-communication", "feedback-integrity", "identity-belonging", "low-level-disruption",
    "mindset", "misconception", "peer-conflict", "questioning", "wellbeing-disclosure",
)  # fmt: skip
SUBJECTS = ("Maths", "English", "Science", "History", "Geography", "Art", "PE", "Any")
BANDS = ("K-2", "3-5", "6-8", "9-10", "11-12")
# (what is timed, the query string): the first page, searches, filters, a page deep in, nothing found.
CASES = (
    ("first page", {}),
    ("search 'decimals'", {"q": "decimals"}),
    ("search + grade band", {"q": "fractions homework", "grade_band": "6-8"}),
    ("category, page 5", {"category": "defiance", "page": "5"}),
    ("word part 'decima' (fallback)", {"q": "decima"}),
    ("no match", {"q": "xylophone zebra"}),
    ("page 100", {"page": "100"}),
)


def publish_many(count: int = SCENARIOS, sets: int = SETS) -> None:
    """Write count current scenarios straight into the database, each set with an older version too."""
    rng = random.Random(13)
    for number in range(sets):
        scenario_set = ScenarioSet(key=f"bench-{number}", title=f"Bench set {number}")
        session.add(scenario_set)
        session.flush()
        for version in (1, 2):  # the listing must skip version 1's rows
            row = ScenarioSetVersion(
                set_id=scenario_set.id,
                version=version,
                title="Bench",
                content_hash=f"{number}-{version}",
                source={},
            )
            session.add(row)
            session.flush()
            items = [_scenario(rng, row.id, i) for i in range(count // sets)]
            session.execute(insert(Scenario), items)
    session.commit()
    session.connection().exec_driver_sql("ANALYZE scenario_sets, scenario_set_versions, scenarios")
    session.commit()


def _scenario(rng: random.Random, version_id: int, position: int) -> dict:
    topic, other = rng.sample(TOPICS, 2)
    name = rng.choice(("Maya", "Jordan", "Priya", "Sam", "Leo", "Ava"))
    return {
        "set_version_id": version_id,
        "position": position,
        "key": f"moment-{position}",
        "title": f"{name} and {topic} ({position})",
        "category": rng.choice(CATEGORIES),
        "grade_band": rng.choice(BANDS),
        "subject": rng.choice(SUBJECTS),
        "context": (
            f"You are teaching {topic} to your class. Halfway through, {name} mentions {other} and the "
            f"room turns to it. You have a few seconds to answer before the lesson drifts, and the rest "
            f"of the class is watching to see what you do next."
        ),
        "student_name": name,
        "student_persona": "Quick to speak, slow to settle.",
        "opening_line": f"Why do we even need {topic}?",
        "key_moves": [],
        "dimension_weights": {},
        "follow_ups": {},
        "tags": rng.sample(["transitions", "assessment", "pastoral", "literacy", "numeracy", "safety"], 2),
    }


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def measure(app) -> list[str]:
    """Time every case on the page and the API beside a bare SELECT of the rows each returned."""
    from bench.bench import percentiles

    browser, api, headers = _signed_in(app)
    connection = session.connection().connection.dbapi_connection
    lines = []
    for name, query in CASES:
        page, listing, raw = [], [], []
        for _ in range(ROUNDS):
            ms, shown = timed(lambda q=query: browser.get("/library", query_string=q))
            page.append(_checked(ms, shown))
            ms, found = timed(lambda q=query: api.get("/api/v1/scenarios", query_string=q, headers=headers))
            listing.append(_checked(ms, found))
            ids = [s["id"] for s in found.get_json()["scenarios"]]
            raw.append(timed(lambda i=ids: _bare_select(connection, i))[0])
        (p50, p95), (a50, a95), (r50, r95) = percentiles(page), percentiles(listing), percentiles(raw)
        lines.append(
            f"library {name:30} page p50 {p50:6.1f} p95 {p95:6.1f} ms ({len(shown.data) // 1024} KB) | "
            f"API p50 {a50:6.1f} p95 {a95:6.1f} ms ({found.get_json()['total']} found) | "
            f"bare SELECT p50 {r50:5.2f} p95 {r95:5.2f} ms"
        )
    return lines


def _signed_in(app):
    """Return a browser with a live web session, an API client and its bearer headers."""
    from practicum import web_sessions
    from tests.conftest import AuthActions, create_account

    create_account(app, "bench-reader", "trainee")
    browser, api = app.test_client(), app.test_client()
    reader = session.scalar(select(User).where(User.username == "bench-reader"))
    with browser.session_transaction() as cookie:
        cookie["sid"] = web_sessions.start(session, reader)
    return browser, api, AuthActions(api).headers("bench-reader")


def _checked(ms: float, reply) -> float:
    # A redirect to sign-in or an error page would be timed as if it were the library.
    if reply.status_code != 200:
        raise RuntimeError(f"{reply.request.url} answered {reply.status_code}")
    return ms


def _bare_select(connection, ids: list[int]) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, key, title, category, grade_band, subject FROM scenarios WHERE id = ANY(%s)", (ids,)
        )
        return cursor.fetchall()


def bench_library(app) -> None:
    """Publish 5,000 more scenarios and print the library's timings."""
    publish_many()
    print(f"\nThe library with {SCENARIOS} scenarios more ({ROUNDS} rounds a case):")
    for line in measure(app):
        print(line)


def main() -> None:
    """Run only the library benchmark, on a throwaway database with the fake models."""
    from bench.harness import real_app

    with (
        real_app(import_library=False, EMBEDDING_BACKEND="fake", LLM_BACKEND="fake") as app,
        app.app_context(),
    ):
        bench_library(app)


if __name__ == "__main__":
    main()
