"""Prometheus metrics: admins and the scrape token read them; they count what happened."""

from __future__ import annotations

from tests.api.conftest import STRONG, rehearse


def test_only_admins_and_the_scrape_token_read_metrics(make_app, people, headers):
    app = make_app(METRICS_TOKEN="scrape-" + "x" * 30)
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers=headers("tina")).status_code == 403
    assert client.get("/metrics", headers=headers("ada")).status_code == 200
    scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape-" + "x" * 30})
    assert scraped.status_code == 200 and scraped.mimetype == "text/plain"


def test_no_scrape_token_means_admins_only(client, people):
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def sample(text: str, name: str) -> float:
    """Sum every sample of a metric line that starts with name (all label sets)."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_requests_attempts_and_feedback_are_counted(app, client, people, headers):
    ada = headers("ada")
    before = client.get("/metrics", headers=ada).get_data(as_text=True)
    client.get("/api/v1/scenarios", headers=headers("tina"))
    rehearse(app, people["tina"], STRONG)
    after = client.get("/metrics", headers=ada).get_data(as_text=True)
    route = 'practicum_request_seconds_count{method="GET",route="/api/v1/scenarios",status="200"}'
    assert sample(after, route) == sample(before, route) + 1
    assert (
        sample(after, "practicum_attempts_scored_total{")
        == sample(before, "practicum_attempts_scored_total{") + 1
    )
    assert sample(after, "practicum_feedback_total{") == sample(before, "practicum_feedback_total{") + 1
    assert "/api/v1/sessions/1" not in after  # routes are templates, never raw ids


def test_the_model_queue_depth_is_read_when_scraped(app, client, headers):
    from ai.llm import FakeLLM

    class Queued(FakeLLM):
        def waiting(self):
            return 3, "shared"

    text = client.get("/metrics", headers=headers("ada")).get_data(as_text=True)
    assert "practicum_llm_queue_depth" not in text  # a model that cannot tell is not reported as 0
    app.extensions["practicum.llm"] = Queued()
    text = client.get("/metrics", headers=headers("ada")).get_data(as_text=True)
    assert 'practicum_llm_queue_depth{scope="shared"} 3.0' in text
