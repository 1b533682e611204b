"""A batch-scoring job on real RQ workers survives a worker killed with SIGKILL mid-job.

Everything is real: Redis (Debian's redis-server), `practicum serve` taking the upload, and
`practicum worker` processes running the job; only the models are the fast fakes. Short
heartbeats (JOB_HEARTBEAT_S=1) let the second worker find the abandoned job within seconds;
with JOB_RETRY_WAIT_S=0 the retry is queued at once, not scheduled (no wait for RQ's scheduler
lock of the killed worker, 61 s).
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

from practicum.db import sqlalchemy_url
from practicum.embedded_db import embedded_database_url
from tests.conftest import FIXTURES, free_port
from tests.service.servers import PRACTICUM, environment, wait_for

LINES = 600
PASSWORD = "a walk by the river at dusk"


def practicum(folder: Path, *args: str, **settings: str) -> None:
    done = subprocess.run(
        [str(PRACTICUM), *args],
        env=environment(folder, **settings),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr


def start(folder: Path, log: str, *args: str, **settings: str) -> subprocess.Popen:
    """Start a `practicum` command in its own process group, its output to a file (a pipe that
    nobody reads would fill and stop it)."""
    with (folder / log).open("w") as output:
        return subprocess.Popen(
            [str(PRACTICUM), *args],
            env=environment(folder, **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a process and its children (a worker's RQ scheduler is one)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def api(port: int, path: str, token: str = "", body: bytes | None = None, kind: str = "application/json"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", body, {"Content-Type": kind})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.status, answer.read()


def job_state(port: int, token: str, job_id: int) -> dict:
    return json.loads(api(port, f"/admin/jobs/{job_id}", token)[1])


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def test_a_job_whose_worker_is_killed_finishes_on_the_next_with_every_line_scored_once(redis_url):
    folder = Path(tempfile.mkdtemp(prefix="jobs-"))
    settings = {
        "JOB_QUEUE_URL": redis_url,
        "JOB_HEARTBEAT_S": "1",
        "JOB_RETRY_WAIT_S": "0",  # retried at once: no wait for the killed worker's scheduler lock
        "JOB_RETRIES": "3",
        "BATCH_CHUNK": "5",
    }
    practicum(folder, "db", "upgrade")
    practicum(folder, "scenarios", "import", str(FIXTURES / "mini-set.yaml"))
    practicum(folder, "users", "create", "--username", "ada", "--role", "admin", "--their-own-password",
              "--password", PASSWORD)  # fmt: skip
    port = free_port()
    server = start(folder, "serve.log", "serve", "--port", str(port), **settings)
    workers = []
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        login = json.dumps({"username": "ada", "password": PASSWORD}).encode()
        token = json.loads(api(port, "/auth/login", body=login)[1])["access_token"]
        upload = "".join(
            json.dumps(
                {"id": n, "scenario": "mini-set/decimal-compare", "response": f"What do you see in {n}?"}
            )
            + "\n"
            for n in range(LINES)
        ).encode()
        status, body = api(
            port, "/admin/jobs/batch-score?feedback=none", token, upload, "application/x-ndjson"
        )
        assert status == 202
        job_id = json.loads(body)["id"]

        workers.append(start(folder, "worker-1.log", "worker", **settings))
        at_kill = wait_until(
            lambda: (state := job_state(port, token, job_id))["done"] >= 50 and state, 120, "first progress"
        )
        kill_group(workers[0])
        assert at_kill["done"] < LINES, "the job finished before the worker could be killed"
        after_kill = job_state(port, token, job_id)
        assert after_kill["status"] == "running" and after_kill["attempts"] == 1, after_kill

        workers.append(start(folder, "worker-2.log", "worker", **settings))
        job = wait_until(
            lambda: (state := job_state(port, token, job_id))["status"] in ("finished", "failed") and state,
            240,
            "the job's end on the second worker",
        )
        assert job["status"] == "finished", (job, (folder / "worker-2.log").read_text()[-3000:])
        assert (job["done"], job["total"], job["attempts"], job["failures"]) == (LINES, LINES, 2, 1)
        result = api(port, f"/admin/jobs/{job_id}/result", token)[1].decode().splitlines()
        assert [json.loads(line)["id"] for line in result] == list(range(LINES))
        assert all("score" in json.loads(line) for line in result)

        engine = create_engine(sqlalchemy_url(embedded_database_url(folder)))
        with engine.connect() as connection:
            by_attempt = dict(
                connection.execute(
                    text("SELECT attempt, count(*) FROM job_results WHERE job_id = :j GROUP BY attempt"),
                    {"j": job_id},
                ).all()
            )
        engine.dispose()
        # What the killed worker had committed stayed; the second went on from there.
        assert by_attempt[1] >= after_kill["done"] and by_attempt[1] + by_attempt[2] == LINES
        assert sum(by_attempt.values()) == LINES
    finally:
        for worker in workers:
            kill_group(worker)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        kill_group(server)
        shutil.rmtree(folder, ignore_errors=True)
