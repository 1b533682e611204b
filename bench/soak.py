"""`make soak`: /healthz through the shipped nginx while 3,000 slow clients each hold half a request.

The app runs as `practicum serve` (gunicorn, its default settings) on a throwaway embedded
database with the fake models (health checks touch neither); the proxy is docker/nginx.conf
itself, with only its upstream, port and pid file pointed at this machine. The same slow
clients are then sent to gunicorn directly, to show what the proxy is for.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SLOW_CLIENTS = 3000
PROBES = 20
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Debian redis-server on loopback, as docker/compose.yaml gives the app."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until url answers 200, failing if the process ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} ended: {process.stdout.read() if process.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def probe(url: str, timeout: float) -> tuple[float | None, dict]:
    """Return the seconds /healthz took (None: no answer within timeout) and its headers."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            answer.read()
            return time.perf_counter() - started, dict(answer.headers)
    except (OSError, urllib.error.URLError):
        return None, {}


async def with_slow_clients(port: int, url: str, probes: int, timeout: float) -> tuple[int, list, dict, int]:
    """Open the slow clients, probe url meanwhile; return how many opened, timings, headers, dropped."""
    clients = []
    for _ in range(SLOW_CLIENTS):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            break
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: soak\r\n")  # half a request: no blank line
        clients.append((reader, writer))
    await asyncio.sleep(0.5)
    timings, headers = [], {}
    for _ in range(probes):
        took, headers = await asyncio.to_thread(probe, url, timeout)
        timings.append(took)
    await asyncio.sleep(11)  # past the proxy's 10 s header timeout
    dropped = 0
    for reader, _ in clients:
        try:  # a dropped client reads the end of the stream (or a reset) at once
            await asyncio.wait_for(reader.read(), timeout=0.01)
            dropped += 1
        except TimeoutError:
            pass
        except (ConnectionError, OSError):
            dropped += 1
    for _, writer in clients:
        writer.close()
    return len(clients), timings, headers, dropped


def report(name: str, opened: int, timings: list, timeout: float) -> None:
    answered = [t for t in timings if t is not None]
    line = f"{name:28} {opened:5} slow clients open: {len(answered)}/{len(timings)} /healthz answered"
    if answered:
        line += f", p50 {statistics.median(answered) * 1000:.0f} ms, max {max(answered) * 1000:.0f} ms"
    if len(answered) < len(timings):
        line += f" ({len(timings) - len(answered)} gave no answer within {timeout:.0f} s)"
    print(line)


def proxy_config(folder: Path, app_port: int, proxy_port: int) -> Path:
    """Write docker/nginx.conf with this machine's upstream, port and pid file."""
    text = (ROOT / "docker" / "nginx.conf").read_text()
    for shipped, here in (
        ("server app:5000;", f"server 127.0.0.1:{app_port};"),
        ("listen 8080;", f"listen 127.0.0.1:{proxy_port};"),
        ("pid /tmp/nginx-practicum.pid;", f"pid {folder}/nginx.pid;"),
    ):
        if shipped not in text:
            raise RuntimeError(f"docker/nginx.conf no longer has {shipped!r}")
        text = text.replace(shipped, here)
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def main() -> None:
    """Start the app and the proxy, run both soaks, print the figures."""
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    app_port, proxy_port = free_port(), free_port()
    env = {
        **os.environ,
        "PRACTICUM_INSTANCE_DIR": str(folder),
        "EMBEDDING_BACKEND": "fake",
        "LLM_BACKEND": "fake",
        "WARM_MODELS": "0",
    }
    env.pop("DATABASE_URL", None)
    practicum = Path(sys.executable).with_name("practicum")
    app = subprocess.Popen(
        [str(practicum), "serve", "--port", str(app_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    proxy = None
    try:
        wait_until_answering(f"http://127.0.0.1:{app_port}/healthz", app)
        proxy = subprocess.Popen(
            ["nginx", "-c", str(proxy_config(folder, app_port, proxy_port)), "-g", "daemon off;"]
        )
        wait_until_answering(f"http://127.0.0.1:{proxy_port}/healthz", proxy)
        print(
            f"Soak: {SLOW_CLIENTS:,} clients that each send half a request, "
            f"{PROBES} /healthz probes meanwhile\n"
        )
        opened, timings, headers, dropped = asyncio.run(
            with_slow_clients(proxy_port, f"http://127.0.0.1:{proxy_port}/healthz", PROBES, 5)
        )
        report("through nginx (shipped)", opened, timings, 5)
        print(f"{'':28} after 11 s the proxy had dropped {dropped:,} of them (10 s header timeout)")
        named = {k: v for k, v in headers.items() if k.lower() in ("server", "x-powered-by")}
        print(f"{'':28} software named in the answer's headers: {named or 'none'}")
        opened, timings, _, _ = asyncio.run(
            with_slow_clients(app_port, f"http://127.0.0.1:{app_port}/healthz", 5, 3)
        )
        report("gunicorn alone (no proxy)", opened, timings, 3)
    finally:
        for process in (proxy, app):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
