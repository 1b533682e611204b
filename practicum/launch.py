"""The `practicum` console command's first step: what must be settled before anything is imported.

Several gunicorn workers each count their own requests, attempts and model work. Prometheus'
client library adds them up across processes only when PROMETHEUS_MULTIPROC_DIR is set before
it is first imported (it chooses how to store values at import), so `practicum serve` with
WEB_WORKERS above 1 gets a fresh folder here, removed when the master ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def serves_several_workers(args: list[str], env) -> bool:
    """Whether these arguments start gunicorn (not --dev) with more than one worker.

    The count is Config's own (WEB_WORKERS, or its default: one a core with limits in Redis);
    practicum.config imports nothing of prometheus_client.
    """
    from practicum.config import Config, ConfigError

    if "serve" not in args or "--dev" in args:
        return False
    try:
        return Config(dict(env)).WEB_WORKERS > 1
    except ConfigError:
        return False  # said in its own words when the command reads the settings


def main() -> None:
    """Give several workers one metrics folder, then run the command."""
    if serves_several_workers(sys.argv[1:], os.environ) and not os.environ.get(METRICS_DIR):
        folder = tempfile.mkdtemp(prefix="practicum-metrics-")
        os.environ[METRICS_DIR] = folder
        atexit.register(shutil.rmtree, folder, True)
    from practicum.cli import main as run_command

    run_command()
