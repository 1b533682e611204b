"""`practicum serve` sends xAPI statements by itself: each gunicorn worker's sender thread.

Fake models (tests/service/servers.environment); the LRS is a real Ralph on 127.0.0.1.
"""

import re
import shutil
import signal
import tempfile
import time
from pathlib import Path

from tests.conftest import free_port
from tests.service.servers import (
    bootstrap_trainee_password,
    start_serve,
    stop,
    wait_for,
)
from tests.service.test_shared_rate_limits import call
from tests.xapi_lrs import PASSWORD, USERNAME, Ralph

XAPI = {"XAPI_LRS_USERNAME": USERNAME, "XAPI_LRS_PASSWORD": PASSWORD, "BASE_URL": "https://practicum.test"}


def test_two_workers_send_a_rehearsals_statements_once_each():
    folder = Path(tempfile.mkdtemp(prefix="xs-"))
    ralph = Ralph(folder / "ralph", free_port())
    ralph.start()
    settings = {**XAPI, "XAPI_LRS_URL": ralph.url, "XAPI_SEND_INTERVAL_S": "0.2", "WEB_WORKERS": "2"}
    password = bootstrap_trainee_password(folder)
    port = free_port()
    server = start_serve(folder, port, **settings)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        token = call(port, "POST", "/auth/login", {"username": "trainee", "password": password})[1][
            "access_token"
        ]
        mine = "a walk by the river at dusk"
        change = {"current_password": password, "new_password": mine}
        token = call(port, "POST", "/auth/password", change, token)[1]["access_token"]
        scenario = call(port, "GET", "/scenarios?per_page=1", token=token)[1]["scenarios"][0]["id"]
        status, started = call(
            port, "POST", "/sessions", {"scenario_id": scenario, "confidence_before": 2}, token
        )
        assert status == 201, started
        answer = {
            "response": "Thank you for telling me. What would help you most right now?",
            "feedback": False,
        }
        assert call(port, "POST", f"/sessions/{started['id']}/attempts", answer, token)[0] == 201
        ending = {"confidence_after": 4, "reflection": "I asked first."}
        assert call(port, "POST", f"/sessions/{started['id']}/end", ending, token)[0] == 200
        deadline = time.monotonic() + 60  # a bound on waiting, not a speed claim
        while len(ralph.stored_ids()) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        verbs = [s["verb"]["display"]["en-US"] for s in ralph.statements()]
        assert sorted(verbs) == ["answered", "completed", "launched"]
        stored = ralph.stored_ids()
        assert len(stored) == len(set(stored)) == 3
        # Each statement POSTed once: a second send of a known id would be answered 204.
        posts = re.findall(
            r'"POST /xAPI/statements HTTP/1.1" (\d+)', (ralph.folder / "ralph.log").read_text()
        )
        assert posts and set(posts) == {"200"}
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        stop(server)
        ralph.stop()
        shutil.rmtree(folder, ignore_errors=True)
