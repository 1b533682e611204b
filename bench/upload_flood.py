"""A small scenario file with a flood of problems: how fast and how large the refusal is."""

from __future__ import annotations

import io
import statistics
import time

import yaml

ROUNDS = 5


def anchor_bomb(entries: int = 1800, uses: int = 98) -> bytes:
    """One scenario with many invalid entries, reused through an alias (inside the alias limits)."""
    bad = "\n".join("      - {}" for _ in range(entries))
    reused = "\n".join("  - *a" for _ in range(uses - 1))
    head = "key: bomb\ntitle: Bomb\nscenarios:\n  - &a\n    key: k\n    title: t\n    expert_responses:\n"
    return (head + bad + "\n" + reused + "\n").encode()


def report(app) -> None:
    """Print the validation answer's time and size beside a bare yaml.safe_load of the same file."""
    from tests.conftest import AuthActions, create_account

    create_account(app, "bench-admin", "admin")
    client = app.test_client()
    headers = AuthActions(client).headers("bench-admin")
    data = anchor_bomb()
    ours, raw, size = [], [], 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        answer = client.post(
            "/api/v1/scenario-sets/validate", headers=headers, data={"file": (io.BytesIO(data), "bomb.yaml")}
        )
        ours.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 422:
            raise RuntimeError(f"the flood file was answered {answer.status_code}")
        size = len(answer.get_data())
        started = time.perf_counter()
        yaml.safe_load(data)
        raw.append((time.perf_counter() - started) * 1000)
    print(
        f"\nA {len(data) / 1024:.0f} KB file with 177,085 problems (200 listed): answered in p50 "
        f"{statistics.median(ours):.0f} ms, max {max(ours):.0f} ms, {size / 1024:.0f} KB | "
        f"bare yaml.safe_load p50 {statistics.median(raw):.0f} ms"
    )
