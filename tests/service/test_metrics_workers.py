"""/metrics adds up every gunicorn worker: each worker counts its own, in one shared folder."""

import os
import re
import shutil
import signal
import tempfile
import urllib.request
from pathlib import Path

from practicum.launch import serves_several_workers
from tests.conftest import free_port
from tests.service.servers import start_serve, stop, wait_for

TOKEN = "a scrape token of the metrics test"
HEALTHZ_COUNT = re.compile(
    r'practicum_request_seconds_count\{[^}]*route="/healthz"[^}]*status="200"[^}]*\} (\S+)'
)


def healthz_count(port: int) -> float:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read().decode()
    return sum(float(n) for n in HEALTHZ_COUNT.findall(text))


def test_two_workers_requests_are_all_counted():
    folder = Path(tempfile.mkdtemp(prefix="pm-"))
    port = free_port()
    server = start_serve(folder, port, WEB_WORKERS="2", METRICS_TOKEN=TOKEN)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        before = healthz_count(port)
        for _ in range(40):  # a new connection each: gunicorn hands them to either worker
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
                assert answer.status == 200
        # Scraped again and again, any worker answers with both workers' counts.
        assert [healthz_count(port) - before for _ in range(6)] == [40.0] * 6
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def test_only_gunicorn_with_several_workers_gets_a_shared_folder():
    assert serves_several_workers(["serve", "--port", "5000"], {"WEB_WORKERS": "2"})
    assert not serves_several_workers(["serve"], {"WEB_WORKERS": "1"})
    assert not serves_several_workers(["serve"], {})
    assert not serves_several_workers(["serve", "--dev"], {"WEB_WORKERS": "4"})
    assert not serves_several_workers(["bootstrap"], {"WEB_WORKERS": "4"})
    assert not serves_several_workers(["serve"], {"WEB_WORKERS": "two"})
    # No WEB_WORKERS, limits in Redis: Config's default of one a core, 2 here or more.
    with_redis = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    assert serves_several_workers(["serve"], with_redis) == ((os.cpu_count() or 1) > 1)
