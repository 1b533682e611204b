"""A real LRS for the xAPI tests: Ralph (ralph-malph, from .venv-ralph) on 127.0.0.1, file backend."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

RALPH_VENV = Path(__file__).resolve().parent.parent / ".venv-ralph"
RALPH_PYTHON = RALPH_VENV / "bin" / "python"
USERNAME, PASSWORD = "practicum", "an LRS password for tests"
# Ralph's API under uvicorn, as `ralph runserver` starts it, less its reloader (which watches the
# folder). One fix: Ralph 5.1.0's file backend writes a new store file each time (CREATE), so every
# POST after the first answers 500 ("already exists and overwrite is not allowed"); it appends here.
SERVE = """
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]))
"""
# Ralph's own models of the xAPI statement (ralph.models.xapi), run in Ralph's venv.
VALIDATE = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
for statement in json.load(sys.stdin):
    BaseXapiStatement.model_validate(statement)
print("valid")
"""


def require_ralph() -> None:
    """Fail with the way out when .venv-ralph is missing (`make test` builds it)."""
    if not RALPH_PYTHON.exists():
        pytest.fail("Ralph's venv is missing: run `make .venv-ralph/.installed` (make test does).")


class Ralph:
    """One Ralph LRS with basic auth, storing statements in a JSON-lines file under folder."""

    def __init__(self, folder: Path, port: int):
        require_ralph()
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}/xAPI"
        self.store = folder / "data" / "fs_lrs.jsonl"
        self.process: subprocess.Popen | None = None
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(folder),
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
        }
        # `ralph auth` writes the bcrypt-hashed credentials file its basic auth reads.
        account = ["-A", "practicum-tests", "http://127.0.0.1/"]
        command = [str(RALPH_VENV / "bin" / "ralph"), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all"]
        subprocess.run([*command, *account, "-w"], env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        """Start the LRS and wait until it answers."""
        log = (self.folder / "ralph.log").open("a")
        self.process = subprocess.Popen(
            [str(RALPH_PYTHON), "-c", SERVE, str(self.port)],
            env=self.env,
            cwd=self.folder,
            stdout=log,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.folder / "ralph.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("Ralph did not answer within 60 s")

    def stop(self) -> None:
        """Stop the LRS (an outage, or the end of the test)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def statements(self) -> list[dict]:
        """Read every statement back through the LRS's GET /xAPI/statements, following `more`."""
        found, path = [], "/xAPI/statements?limit=100"
        while path:
            request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=self._headers())
            with urllib.request.urlopen(request, timeout=10) as answer:
                page = json.load(answer)
            found += page["statements"]
            path = page.get("more") or ""
        return found

    def stored_ids(self) -> list[str]:
        """Return the id of every statement in the LRS's own store file, repeats included."""
        if not self.store.exists():
            return []
        return [json.loads(line)["id"] for line in self.store.read_text().splitlines() if line.strip()]

    def _headers(self) -> dict:
        pair = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        return {"Authorization": f"Basic {pair}", "X-Experience-API-Version": "1.0.3"}


def ralph_validates(statements: list[dict]) -> str:
    """Validate statements with Ralph's pydantic xAPI models; return its output (errors included)."""
    require_ralph()
    done = subprocess.run(
        [str(RALPH_PYTHON), "-c", VALIDATE], input=json.dumps(statements), capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else done.stderr[-3000:]
