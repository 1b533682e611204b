"""Prometheus metrics at /metrics: request latency by route, attempts, feedback sources, the LLM."""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from practicum.queue_metrics import JobCollector, ModelQueueCollector

# Our own registry: only what Practicum measures, not the client library's process defaults.
REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "practicum_request_seconds",
    "Time to answer a request, by route template (not the raw path: ids would explode the labels)",
    ["route", "method", "status"],
    registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ATTEMPTS = Counter(
    "practicum_attempts_scored_total", "Answers scored and stored, by band", ["band"], registry=REGISTRY
)
FEEDBACK = Counter(
    "practicum_feedback_total",
    "Coaching written, by source (model, fallback, …)",
    ["source"],
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "practicum_llm_tokens_total", "Tokens the language model wrote for coaching", registry=REGISTRY
)
REGISTRY.register(JobCollector())
REGISTRY.register(ModelQueueCollector())
LLM_SECONDS = Histogram(
    "practicum_llm_seconds",
    "Time the language model took for one coaching text",
    registry=REGISTRY,
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30),
)


def init_app(app) -> None:
    """Time every request and serve /metrics."""
    from api.access import require_role  # here: api's modules import practicum's

    bp = Blueprint("metrics", __name__)
    exposition = require_role("admin")(_exposition)

    @bp.get("/metrics")
    def metrics() -> Response:
        """Serve the metrics to Prometheus (METRICS_TOKEN as a bearer token) or to an admin's token."""
        return _exposition() if _scrape_token_matches() else exposition()

    metrics.required_roles = ("admin",)  # for the role matrix: a scrape token is the only other way
    app.before_request(_start_clock)
    app.after_request(_observe)
    app.register_blueprint(bp)


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        REQUEST_SECONDS.labels(route, request.method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
    return response


def attempt_stored(band: str, feedback_source: str, timings: dict) -> None:
    """Count one stored attempt, its coaching's source and the model's work on it."""
    ATTEMPTS.labels(band).inc()
    FEEDBACK.labels(feedback_source).inc()
    if isinstance(timings.get("tokens"), int):
        LLM_TOKENS.inc(timings["tokens"])
    if isinstance(timings.get("llm_ms"), int | float):
        LLM_SECONDS.observe(timings["llm_ms"] / 1000)


def _scrape_token_matches() -> bool:
    expected = current_app.config["PRACTICUM"].METRICS_TOKEN
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _exposition() -> Response:
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """This process's metrics, or every worker's added up when they share a folder
    (practicum/launch.py sets PROMETHEUS_MULTIPROC_DIR for gunicorn with several workers)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    combined.register(JobCollector())  # read from the job records, once, not per worker
    combined.register(ModelQueueCollector())  # read from the shared queue, once
    return combined
