"""Background jobs through the API and pages: batch scoring, the failed list, retries, large sets.

No Redis here: the web process's own job thread runs the jobs (the default of `make run`);
tests/service/test_job_worker.py runs them on real RQ workers.
"""

from __future__ import annotations

import io
import json
import time

import pytest
from sqlalchemy import text

from embeddings.embedder import FakeEmbedder
from practicum import job_work
from tests.api.conftest import STRONG, WEAK, web_session_token
from tests.conftest import FIXTURES

CSRF = "test-csrf-token"
LINES = [
    {"id": "a", "scenario": "decimal-compare", "response": STRONG},
    {"id": "b", "scenario": "mini-set/decimal-compare", "response": WEAK},
    {"id": "c", "scenario": "wont-change-seats", "response": "Let's talk about it after class."},
]


def jsonl(items) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in items).encode()


def queue(client, headers, data: bytes, feedback: str = "none"):
    return client.post(
        "/api/v1/admin/jobs/batch-score",
        data={"file": (io.BytesIO(data), "answers.jsonl"), "feedback": feedback},
        headers=headers,
    )


def wait_for(client, headers, job_id: int, statuses=("finished", "failed"), seconds: float = 60) -> dict:
    """Poll a job until it reaches one of statuses (the job thread runs it meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/admin/jobs/{job_id}", headers=headers).get_json()
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} is still {job['status']}")


def test_a_batch_job_scores_each_line_once_and_the_result_downloads_in_order(client, headers):
    ada = headers("ada")
    answer = queue(client, ada, jsonl(LINES))
    assert answer.status_code == 202, answer.get_json()
    queued = answer.get_json()
    assert queued["total"] == 3 and queued["kind"] == "batch_score" and queued["feedback"] == "none"
    job = wait_for(client, ada, queued["id"])
    assert job["status"] == "finished", job
    assert (job["done"], job["total"], job["attempts"], job["summary"]) == (
        3,
        3,
        1,
        {"scored": 3, "errors": 0},
    )
    result = client.get(f"/api/v1/admin/jobs/{job['id']}/result", headers=ada)
    assert result.status_code == 200 and result.mimetype == "application/x-ndjson"
    rows = [json.loads(line) for line in result.get_data(as_text=True).splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["score"] > rows[1]["score"]  # the strong answer beats the weak one
    assert all(r["feedback_source"] == "none" for r in rows)
    listed = client.get("/api/v1/admin/jobs", headers=ada).get_json()
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]
    assert listed["queue"] == {"runner": "in-process", "waiting": None}


def test_the_job_gives_the_same_lines_as_practicum_score(app, client, headers, runner, tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(jsonl(LINES))
    assert runner.invoke(args=["score", str(source), str(out), "--no-feedback"]).exit_code == 0
    ada = headers("ada")
    job = wait_for(client, ada, queue(client, ada, jsonl(LINES)).get_json()["id"])
    downloaded = client.get(f"/api/v1/admin/jobs/{job['id']}/result", headers=ada).get_data(as_text=True)
    assert downloaded == out.read_text()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b'{"scenario": "decimal-compare", "response": "ok"}\nnot json\n',
            {"line": 2, "message": "invalid JSON"},
        ),
        (jsonl([{"scenario": "no-such-scenario", "response": "Hi"}]), {"line": 1, "message": "No current"}),
        (jsonl([{"scenario": "decimal-compare", "response": "   "}]), {"line": 1, "message": "empty"}),
        (jsonl([{"scenario": "decimal-compare", "response": "x" * 5001}]), {"line": 1, "message": "5,000"}),
        (jsonl([["a list"]]), {"line": 1, "message": "JSON object"}),
    ],
)
def test_a_bad_file_is_refused_up_front_naming_each_bad_line(client, headers, data, problem):
    ada = headers("ada")
    answer = queue(client, ada, data)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "validation_failed" and "nothing was queued" in error["message"]
    first = error["details"]["problems"][0]
    assert first["line"] == problem["line"] and problem["message"] in first["message"]
    assert client.get("/api/v1/admin/jobs", headers=ada).get_json()["jobs"] == []


def test_empty_non_utf8_too_long_and_unknown_feedback_are_refused(make_app, people, headers):
    client = make_app(BATCH_MAX_LINES=2).test_client()
    ada = headers("ada")
    for data, words in (
        (b"\n\n", "no lines"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (jsonl(LINES), "the limit is 2"),
    ):
        answer = queue(client, ada, data)
        assert answer.status_code == 422, answer.get_json()
        assert words in answer.get_json()["error"]["message"]
    answer = queue(client, ada, jsonl(LINES[:1]), feedback="poetry")
    assert answer.status_code == 422 and answer.get_json()["error"]["details"] == {
        "feedback": "model or none"
    }


def test_a_file_just_under_the_upload_limit_is_taken_though_the_request_is_larger(client, headers):
    line = jsonl(LINES[:1])
    data = line + b"\n" * (2 * 1024 * 1024 - len(line) - 50)  # with the form around it: over 2 MB
    ada = headers("ada")
    answer = queue(client, ada, data)
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["total"] == 1
    assert wait_for(client, ada, answer.get_json()["id"])["status"] == "finished"


def test_a_file_over_the_upload_limit_is_a_413_in_the_error_shape(client, headers):
    answer = queue(client, headers("ada"), b" " * (2 * 1024 * 1024 + 10))
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "payload_too_large"


ROUTES = [
    ("post", "/api/v1/admin/jobs/batch-score"),
    ("get", "/api/v1/admin/jobs"),
    ("get", "/api/v1/admin/jobs/1"),
    ("get", "/api/v1/admin/jobs/1/result"),
    ("post", "/api/v1/admin/jobs/1/retry"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("who", ["tina", "terry"])
def test_trainees_and_trainers_may_not_touch_jobs(client, headers, method, path, who):
    answer = getattr(client, method)(path, headers=headers(who))
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_jobs_need_a_sign_in(client, people, method, path):
    assert getattr(client, method)(path).status_code == 401


def test_unknown_jobs_and_unfinished_results_are_clear_errors(client, headers):
    ada = headers("ada")
    assert client.get("/api/v1/admin/jobs/99", headers=ada).status_code == 404
    assert client.post("/api/v1/admin/jobs/99/retry", headers=ada).status_code == 404
    assert client.get("/api/v1/admin/jobs?status=lost", headers=ada).status_code == 422
    job = wait_for(client, ada, queue(client, ada, jsonl(LINES[:1])).get_json()["id"])
    retried = client.post(f"/api/v1/admin/jobs/{job['id']}/retry", headers=ada)
    assert retried.status_code == 409 and "only a failed job" in retried.get_json()["error"]["message"]


def crash_once_after(chunks_before_crash: int):
    """Wrap score_chunk so that the first attempt dies after some chunks (as a killed process would)."""
    real, calls = job_work.score_chunk, {"n": 0}

    def scoring(*args):
        calls["n"] += 1
        if calls["n"] == chunks_before_crash + 1:
            raise RuntimeError("the machine went away")
        return real(*args)

    return scoring


def test_a_failed_job_is_listed_with_its_error_and_a_retry_continues_where_it_stopped(
    make_app, people, headers, monkeypatch
):
    app = make_app(JOB_RETRIES=0, BATCH_CHUNK=2)
    client, ada = app.test_client(), headers("ada")
    monkeypatch.setattr(job_work, "score_chunk", crash_once_after(2))
    items = [{**LINES[0], "id": n} for n in range(7)]
    failed = wait_for(client, ada, queue(client, ada, jsonl(items)).get_json()["id"], ("failed",))
    assert (failed["done"], failed["attempts"], failed["failures"]) == (4, 1, 1)
    assert failed["error"] == "RuntimeError: the machine went away"
    listed = client.get("/api/v1/admin/jobs?status=failed", headers=ada).get_json()["jobs"]
    assert [j["id"] for j in listed] == [failed["id"]]
    assert client.post(f"/api/v1/admin/jobs/{failed['id']}/retry", headers=ada).status_code == 202
    job = wait_for(client, ada, failed["id"])
    assert (job["status"], job["done"], job["attempts"], job["error"]) == ("finished", 7, 2, None)
    with app.app_context():
        from practicum.db import session
        from practicum.models import JobResult

        written = session.query(JobResult.line, JobResult.attempt).order_by(JobResult.line).all()
    assert written == [(n, 1) for n in range(1, 5)] + [(n, 2) for n in range(5, 8)]
    rows = client.get(f"/api/v1/admin/jobs/{job['id']}/result", headers=ada).get_data(as_text=True)
    assert [json.loads(r)["id"] for r in rows.splitlines()] == list(range(7))
    actions = [e["action"] for e in client.get("/api/v1/admin/audit", headers=ada).get_json()["entries"]]
    assert "job_queued" in actions and "job_retried" in actions


def test_a_failed_attempt_is_retried_by_itself_when_retries_are_left(make_app, people, headers, monkeypatch):
    app = make_app(JOB_RETRIES=1, JOB_RETRY_WAIT_S=1, BATCH_CHUNK=1)
    client, ada = app.test_client(), headers("ada")
    monkeypatch.setattr(job_work, "score_chunk", crash_once_after(1))
    job = wait_for(client, ada, queue(client, ada, jsonl(LINES)).get_json()["id"])
    assert (job["status"], job["attempts"], job["failures"], job["done"]) == ("finished", 2, 1, 3)


def test_metrics_count_finished_jobs_failed_attempts_and_the_queue(make_app, people, headers, monkeypatch):
    app = make_app(JOB_RETRIES=0)
    client, ada = app.test_client(), headers("ada")
    wait_for(client, ada, queue(client, ada, jsonl(LINES)).get_json()["id"])
    monkeypatch.setattr(job_work, "score_chunk", crash_once_after(0))
    wait_for(client, ada, queue(client, ada, jsonl(LINES)).get_json()["id"])
    text = client.get("/metrics", headers=ada).get_data(as_text=True)
    assert 'practicum_jobs_finished_total{kind="batch_score"} 1.0' in text
    assert 'practicum_job_failures_total{kind="batch_score"} 1.0' in text
    assert 'practicum_jobs{kind="batch_score",status="failed"} 1.0' in text
    assert "practicum_job_queue_depth 0.0" in text


class WatchingEmbedder(FakeEmbedder):
    """The fake embedder, noting at each call whether trainees could already see the set."""

    def __init__(self, engine, set_key: str):
        self.engine, self.set_key, self.seen_while_embedding = engine, set_key, []

    def embed_batch(self, texts):
        with self.engine.connect() as connection:
            found = connection.execute(
                text("SELECT count(*) FROM scenario_sets WHERE key = :k"), {"k": self.set_key}
            )
            self.seen_while_embedding.append(found.scalar())
        return super().embed_batch(texts)


def test_a_large_set_is_published_by_a_job_and_is_seen_only_when_complete(make_app, people, headers, engine):
    app = make_app(EMBED_JOB_SCENARIOS=0)
    watching = app.extensions["practicum.embedder"] = WatchingEmbedder(engine, "conversation-set")
    client, ada = app.test_client(), headers("ada")
    data = (FIXTURES / "conversation-set.yaml").read_bytes()
    answer = client.post("/api/v1/scenario-sets", data={"file": (io.BytesIO(data), "set.yaml")}, headers=ada)
    assert answer.status_code == 202, answer.get_json()
    job = wait_for(client, ada, answer.get_json()["job"]["id"])
    assert job["status"] == "finished" and job["kind"] == "embed_set", job
    assert job["summary"]["changed"] and job["summary"]["set_key"] == "conversation-set"
    assert job["done"] == job["total"] == job["summary"]["embedded"] > 0
    assert watching.seen_while_embedding and set(watching.seen_while_embedding) == {0}
    keys = [s["key"] for s in client.get("/api/v1/scenario-sets", headers=ada).get_json()["scenario_sets"]]
    assert "conversation-set" in keys


def test_the_jobs_page_queues_a_file_lists_jobs_and_refuses_bad_lines(app, client, people, headers):
    with client.session_transaction() as cookie:
        cookie["sid"] = web_session_token(app, people["ada"])
        cookie["csrf_token"] = CSRF
    page = client.get("/admin/jobs")
    assert page.status_code == 200 and "Score a file of responses" in page.get_data(as_text=True)
    bad = client.post(
        "/admin/jobs/batch-score",
        data={"csrf_token": CSRF, "file": (io.BytesIO(b"nope\n"), "a.jsonl"), "feedback": "none"},
    )
    assert bad.status_code == 422 and "Line 1: invalid JSON" in bad.get_data(as_text=True)
    good = client.post(
        "/admin/jobs/batch-score",
        data={"csrf_token": CSRF, "file": (io.BytesIO(jsonl(LINES)), "a.jsonl"), "feedback": "none"},
    )
    assert good.status_code == 302
    job = wait_for(client, headers("ada"), 1)
    listed = client.get("/admin/jobs").get_data(as_text=True)
    assert f'data-job="{job["id"]}" data-status="finished"' in listed
    download = client.get(f"/admin/jobs/{job['id']}/result")
    assert download.status_code == 200 and len(download.get_data(as_text=True).splitlines()) == 3


def test_scoring_in_chunks_gives_the_same_lines_as_one_at_a_time(app, people):
    from ai.feedback import FeedbackWriter
    from practicum import runtime
    from practicum.batch import score_lines

    items = [{**line, "id": n} for n, line in enumerate(LINES * 4)] + [
        {"scenario": "nowhere", "response": "Hi"}
    ]
    outputs = []
    with app.app_context():
        for chunk_size in (32, 1):
            out = io.StringIO()
            source = io.StringIO(jsonl(items).decode())
            counts = score_lines(source, out, runtime.embedder(), FeedbackWriter(None), chunk_size=chunk_size)
            outputs.append(out.getvalue())
    assert counts == {"scored": 12, "errors": 1}
    assert outputs[0] == outputs[1]


def work_the_queue(app) -> None:
    """Run a real RQ worker (`practicum worker --burst`) in this process until the queue is empty."""
    import signal

    from practicum.job_worker import run_worker

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_worker(app, burst=True)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def wait_for_redis(url: str) -> None:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            Redis.from_url(url).ping()
            return
        except RedisDown:  # until the server listens
            time.sleep(0.1)
    raise AssertionError("redis-server did not start")


def test_on_redis_jobs_wait_in_the_queue_and_an_rq_worker_runs_them(make_app, people, headers, redis_url):
    wait_for_redis(redis_url)
    app = make_app(JOB_QUEUE_URL=redis_url, JOB_HEARTBEAT_S=1)
    client, ada = app.test_client(), headers("ada")
    job_id = queue(client, ada, jsonl(LINES)).get_json()["id"]
    listed = client.get("/api/v1/admin/jobs", headers=ada).get_json()
    assert listed["queue"] == {"runner": "redis", "waiting": 1}
    assert listed["jobs"][0]["status"] == "queued"
    assert "practicum_job_queue_depth 1.0" in client.get("/metrics", headers=ada).get_data(as_text=True)
    work_the_queue(app)
    job = client.get(f"/api/v1/admin/jobs/{job_id}", headers=ada).get_json()
    assert (job["status"], job["done"], job["attempts"]) == ("finished", 3, 1)
    assert "practicum_job_queue_depth 0.0" in client.get("/metrics", headers=ada).get_data(as_text=True)


def test_on_redis_a_job_out_of_retries_joins_the_failed_list_with_its_error(
    make_app, people, headers, redis_url, monkeypatch
):
    wait_for_redis(redis_url)
    app = make_app(JOB_QUEUE_URL=redis_url, JOB_RETRIES=0, JOB_HEARTBEAT_S=1)
    client, ada = app.test_client(), headers("ada")
    monkeypatch.setattr(job_work, "score_chunk", crash_once_after(0))
    job_id = queue(client, ada, jsonl(LINES)).get_json()["id"]
    work_the_queue(app)
    failed = client.get("/api/v1/admin/jobs?status=failed", headers=ada).get_json()["jobs"]
    assert [(j["id"], j["error"], j["failures"]) for j in failed] == [
        (job_id, "RuntimeError: the machine went away", 1)
    ]
    assert client.post(f"/api/v1/admin/jobs/{job_id}/retry", headers=ada).status_code == 202
    work_the_queue(app)  # the crash was once: this attempt scores every line
    job = client.get(f"/api/v1/admin/jobs/{job_id}", headers=ada).get_json()
    assert (job["status"], job["done"], job["attempts"], job["failures"]) == ("finished", 3, 2, 1)


def test_the_publish_stream_follows_a_large_sets_job_with_its_usual_events(make_app, people, headers):
    client = make_app(EMBED_JOB_SCENARIOS=0).test_client()
    ada = headers("ada")
    data = (FIXTURES / "conversation-set.yaml").read_bytes()
    answer = client.post(
        "/api/v1/scenario-sets/stream", data={"file": (io.BytesIO(data), "s.yaml")}, headers=ada
    )
    assert answer.status_code == 200 and answer.mimetype == "text/event-stream"
    events = [block.split("\n") for block in answer.get_data(as_text=True).strip().split("\n\n")]
    kinds = [lines[0].removeprefix("event: ") for lines in events]
    assert kinds[0] == "started" and kinds[-1] == "done" and set(kinds[1:-1]) <= {"progress"}, kinds
    started, done = (json.loads(events[i][1].removeprefix("data: ")) for i in (0, -1))
    assert started["key"] == "conversation-set" and started["job_id"] == 1
    assert done["set_key"] == "conversation-set" and done["changed"] and done["version"] == 1
    job = client.get("/api/v1/admin/jobs/1", headers=ada).get_json()
    assert (job["kind"], job["status"]) == ("embed_set", "finished")


def test_the_publish_stream_ends_with_an_error_event_when_the_job_fails(
    make_app, people, headers, monkeypatch
):
    from practicum import scenario_admin

    def publish(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scenario_admin, "publish", publish)
    client = make_app(EMBED_JOB_SCENARIOS=0, JOB_RETRIES=0).test_client()
    upload = {"file": (io.BytesIO((FIXTURES / "conversation-set.yaml").read_bytes()), "s.yaml")}
    answer = client.post("/api/v1/scenario-sets/stream", data=upload, headers=headers("ada"))
    last = answer.get_data(as_text=True).strip().split("\n\n")[-1].split("\n")
    assert last[0] == "event: error"
    error = json.loads(last[1].removeprefix("data: "))["error"]
    assert error == {
        "code": "job_failed",
        "message": "Publishing failed: RuntimeError: disk full",
        "details": {"job_id": 1},
    }
    sets = client.get("/api/v1/scenario-sets", headers=headers("ada")).get_json()["scenario_sets"]
    assert "conversation-set" not in [s["key"] for s in sets]


def test_a_job_stalled_by_a_stopped_server_is_offered_for_retry_and_continues(app, client, people, headers):
    from datetime import timedelta

    from sqlalchemy import update

    from practicum.db import session
    from practicum.models import Job, utcnow

    ada = headers("ada")
    job_id = wait_for(client, ada, queue(client, ada, jsonl(LINES)).get_json()["id"])["id"]
    with app.app_context():  # as a server stopped mid-job leaves it: running, untouched for 2 h
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="running", updated_at=utcnow() - timedelta(hours=2))
        )
        session.commit()
    with client.session_transaction() as cookie:
        cookie["sid"] = web_session_token(app, people["ada"])
        cookie["csrf_token"] = CSRF
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "It has not moved for longer than a job may run" in page
    assert client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": CSRF}).status_code == 302
    job = wait_for(client, ada, job_id)
    assert (job["status"], job["done"], job["attempts"]) == ("finished", 3, 2)
    assert "It has not moved" not in client.get("/admin/jobs").get_data(as_text=True)


def test_without_an_answering_redis_the_job_is_refused_clearly_and_listed_as_failed(
    make_app, people, headers
):
    from tests.conftest import free_port

    client = make_app(JOB_QUEUE_URL=f"redis://127.0.0.1:{free_port()}/0").test_client()
    ada = headers("ada")
    answer = queue(client, ada, jsonl(LINES))
    assert answer.status_code == 503
    error = answer.get_json()["error"]
    assert error["code"] == "queue_unavailable" and error["details"] == {"job_id": 1}
    listed = client.get("/api/v1/admin/jobs?status=failed", headers=ada).get_json()
    assert [j["id"] for j in listed["jobs"]] == [1] and listed["queue"] == {
        "runner": "redis",
        "waiting": None,
    }
    assert listed["jobs"][0]["error"].startswith("The job queue (Redis) did not answer")
    assert client.get("/metrics", headers=ada).status_code == 200
