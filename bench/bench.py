"""`make bench`: Practicum's operations beside the same operation done with the raw library.

Every figure is measured in this run, on the real parts: MiniLM (run by ONNX Runtime, as served;
torch beside it for scoring speed), PostgreSQL with pgvector (embedded pgserver), SmolLM2-135M
Q4_1 through llama-cpp-python.
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import select, text

from ai.feedback import coaching_messages, feedback_facts
from ai.llm import _without_weight_repacking
from bench import batch_speed, calibration_scale, student_voice, upload_flood
from bench.harness import real_app
from bench.library_speed import bench_library
from practicum import practice, runtime
from practicum.db import session
from practicum.models import Scenario

RESPONSES = [
    "I can see you're frustrated. You can move to the window seat or stay and start now — "
    "your call. I'll check back in two minutes.",
    "Walk me through how you compared those two numbers. What does each digit stand for?",
    "Stop that right now or you're going to the office.",
    "Thanks for telling me. I can't keep this just between us, because my job is keeping you "
    "safe — I'll come with you to talk to Ms Ortiz.",
    "ok",
]
ROUNDS = 8


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """Return p50 and p95 of millisecond samples."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def row(name: str, ours: list[float], raw: list[float], raw_name: str) -> None:
    o50, o95 = percentiles(ours)
    r50, r95 = percentiles(raw)
    print(
        f"{name:34} p50 {o50:8.1f} ms  p95 {o95:8.1f} ms | {raw_name:34} p50 {r50:8.1f} ms  "
        f"p95 {r95:8.1f} ms | ratio p50 {o50 / r50:5.2f}"
    )


def bench_scoring(app, scenarios) -> None:
    model = runtime.embedder(app).load()
    ours, raw = [], []
    for _ in range(ROUNDS):
        for scenario in scenarios:
            for response in RESPONSES:
                raw.append(timed(lambda r=response: model.encode([r], normalize_embeddings=True)))
                ours.append(
                    timed(
                        lambda r=response, s=scenario: practice.score_for_scenario(
                            session, s, r, runtime.embedder(app)
                        )
                    )
                )
    row("scoring without LLM", ours, raw, f"raw encode ({type(model).__name__})")


def bench_pgvector(app, scenarios) -> None:
    from embeddings.search import closest_in_category, closest_references

    vectors = runtime.embedder(app).embed_batch(RESPONSES)
    ours, category, raw = [], [], []
    connection = session.connection().connection.dbapi_connection
    for _ in range(ROUNDS):
        for scenario in scenarios:
            for vector in vectors:
                ours.append(timed(lambda s=scenario, v=vector: closest_references(session, s.id, v)))
                category.append(
                    timed(lambda s=scenario, v=vector: closest_in_category(session, s.category, v, s.key))
                )
                raw.append(timed(lambda s=scenario, v=vector: _raw_query(connection, s.id, v)))
    row("pgvector: experts and pitfalls", ours, raw, "raw psycopg2 UNION ORDER BY <=>")
    row("pgvector: category (HNSW)", category, raw, "raw psycopg2 ORDER BY <=>")


def _raw_query(connection, scenario_id, vector) -> list:
    with connection.cursor() as cursor:
        literal = str(list(map(float, vector)))
        cursor.execute(
            "SELECT id, text, 1 - (embedding <=> %s::vector) AS s FROM expert_responses "
            "WHERE scenario_id = %s UNION ALL SELECT id, text, 1 - (embedding <=> %s::vector) "
            "FROM pitfalls WHERE scenario_id = %s "
            "ORDER BY s DESC",
            (literal, scenario_id, literal, scenario_id),
        )
        return cursor.fetchall()


def stream_stats(chunks) -> tuple[float, float, int]:
    """Consume a token stream: time to first token (ms), tokens per second, token count."""
    started = time.perf_counter()
    first, count = None, 0
    for _ in chunks:
        first = first or (time.perf_counter() - started) * 1000
        count += 1
    elapsed = time.perf_counter() - started
    return first or elapsed * 1000, count / elapsed if elapsed else 0.0, count


def raw_chat(llama, facts, max_tokens: int, stream: bool = False):
    """The app's request made the plain way: create_chat_completion under the GBNF grammar."""
    from llama_cpp import LlamaGrammar

    from ai.feedback import NEXT_STEP

    return llama.create_chat_completion(
        messages=coaching_messages(facts),
        max_tokens=max_tokens,
        temperature=0.0,
        repeat_penalty=1.3,
        grammar=LlamaGrammar.from_string(NEXT_STEP.gbnf(), verbose=False),
        stream=stream,
    )


def bench_llm(app, scenarios) -> None:
    from llama_cpp import Llama

    cfg = app.config["PRACTICUM"]
    with _without_weight_repacking():  # the same AMX workaround the app needs (see ai/llm.py)
        raw_llama = Llama(  # the app's thread settings, so the ratio compares like with like
            model_path=cfg.LLM_MODEL_PATH,
            n_ctx=2048,
            n_threads=cfg.LLM_THREADS,
            n_threads_batch=cfg.LLM_THREADS,
            seed=7,
            verbose=False,
        )
    writer = runtime.feedback_writer(app)
    ours, raw, sources = [], [], []
    for scenario in scenarios:
        for response in RESPONSES[:3]:
            _, result, _, _ = practice.score_for_scenario(session, scenario, response, runtime.embedder(app))
            facts = feedback_facts(result, practice.scenario_facts(scenario))
            outcome = {}

            def ours_stream(f=facts, out=outcome):
                for kind, value in writer.stream(f):
                    if kind == "token":
                        yield value
                    else:
                        out["feedback"] = value

            ours.append(stream_stats(ours_stream()))
            sources.append(outcome["feedback"].source)
            raw.append(
                stream_stats(
                    c
                    for c in raw_chat(raw_llama, facts, cfg.LLM_MAX_TOKENS, stream=True)
                    if c["choices"][0]["delta"].get("content")
                )
            )
    for label, index, unit in (("time to first token", 0, "ms"), ("tokens per second", 1, "/s")):
        o, r = statistics.median(s[index] for s in ours), statistics.median(s[index] for s in raw)
        print(
            f"LLM {label:30} ours {o:8.1f} {unit} | raw Llama.create_chat_completion "
            f"{r:8.1f} {unit} | ratio {o / r:5.2f}"
        )
    passed = sources.count("model")
    print(
        f"LLM feedback passing the guard: {passed}/{len(sources)} "
        f"({100 * passed / len(sources):.0f}%); the rest used the template"
    )
    return raw_llama


def bench_end_to_end(app, scenario, raw_llama) -> None:
    from tests.conftest import AuthActions, create_account

    create_account(app, "bench-trainee", "trainee")
    client = app.test_client()
    headers = AuthActions(client).headers("bench-trainee")
    session_id = client.post(
        "/api/v1/sessions", json={"scenario_id": scenario.id}, headers=headers
    ).get_json()["id"]
    model = runtime.embedder(app).load()
    connection = session.connection().connection.dbapi_connection
    max_tokens = app.config["PRACTICUM"].LLM_MAX_TOKENS
    ours, raw, first_event = [], [], []
    for response in RESPONSES[:4] * 2:
        ours.append(
            timed(
                lambda r=response: client.post(
                    f"/api/v1/sessions/{session_id}/attempts", json={"response": r}, headers=headers
                )
            )
        )
        first_event.append(_time_to_first_event(client, session_id, headers, response))
        _, result, _, _ = practice.score_for_scenario(session, scenario, response, runtime.embedder(app))
        facts = feedback_facts(result, practice.scenario_facts(scenario))
        raw.append(
            timed(
                lambda r=response, f=facts: (
                    _raw_query(connection, scenario.id, model.encode([r], normalize_embeddings=True)[0]),
                    raw_chat(raw_llama, f, max_tokens),
                )
            )
        )
    row("end-to-end attempt (API, stored)", ours, raw, "raw encode + SQL + chat completion")
    p50, p95 = percentiles(first_event)
    print(f"{'streamed attempt: first event':34} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms")


def _time_to_first_event(client, session_id, headers, response) -> float:
    started = time.perf_counter()
    reply = client.post(
        f"/api/v1/sessions/{session_id}/attempts/stream",
        json={"response": response},
        headers=headers,
        buffered=False,
    )
    iterator = iter(reply.response)
    next(iterator)
    first = (time.perf_counter() - started) * 1000
    for _ in iterator:
        pass
    reply.close()
    return first


def main() -> None:
    """Run every benchmark once and print the table."""
    print("Practicum benchmark (2-core CPU; real MiniLM, pgvector, SmolLM2-135M Q4_1)\n")
    with real_app() as app, app.app_context():
        scenarios = list(session.scalars(select(Scenario).order_by(Scenario.id).limit(4)))
        session.execute(text("SELECT 1"))
        bench_scoring(app, scenarios)
        batch_speed.report(app, scenarios, RESPONSES)
        bench_pgvector(app, scenarios)
        raw_llama = bench_llm(app, scenarios)
        bench_end_to_end(app, scenarios[0], raw_llama)
        student_voice.report(app)
        _print_scoring_speed(app)
        upload_flood.report(app)
        calibration_scale.report(app)
        bench_library(app)  # last: it publishes 5,000 more scenarios


def _print_scoring_speed(app) -> None:
    try:
        from bench.scoring_speed import measure
    except ImportError:
        return
    print("scoring speed (bench/scoring_speed.py), ONNX Runtime as served:", measure(runtime.embedder(app)))
    from embeddings.embedder import build_embedder

    torch_embedder = build_embedder("sentence_transformers", app.config["PRACTICUM"].EMBEDDING_MODEL)
    print(
        "scoring speed, the same MiniLM run by torch (EMBEDDING_BACKEND=sentence_transformers):",
        measure(torch_embedder),
    )


if __name__ == "__main__":
    main()
