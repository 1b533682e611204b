"""Start and stop `practicum serve` processes for the service tests."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until url answers 200, failing early if the process ends."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


PRACTICUM = Path(sys.executable).with_name("practicum")


def environment(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a `practicum` process on the embedded database with fake models."""
    env = {
        **os.environ,
        "PRACTICUM_INSTANCE_DIR": str(folder),
        "EMBEDDING_BACKEND": "fake",
        "LLM_BACKEND": "fake",
        "WARM_MODELS": "0",
        **settings,
    }
    env.pop("DATABASE_URL", None)
    return env


def start_serve(folder: Path, port: int, *flags: str, **settings: str) -> subprocess.Popen:
    """Start `practicum serve` on the embedded database with fake models (and these settings)."""
    return subprocess.Popen(
        [str(PRACTICUM), "serve", "--port", str(port), *flags],
        env=environment(folder, **settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(server: subprocess.Popen) -> None:
    """Kill a server process that is still running."""
    if server.poll() is None:
        server.kill()
        server.wait()


def bootstrap_trainee_password(folder: Path, **settings: str) -> str:
    """Run `practicum bootstrap` in folder; return the first trainee's password it printed."""
    booted = subprocess.run(
        [str(PRACTICUM), "bootstrap"],
        env=environment(folder, **settings),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert booted.returncode == 0, booted.stderr
    first = (folder / "first-accounts.txt").read_text()
    return next(line for line in first.splitlines() if "trainee" in line).rsplit("password: ", 1)[1].strip()
