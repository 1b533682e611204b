"""The OpenAPI document matches the routes."""

import re


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_every_api_route_and_method_is_documented(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    routed = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented paths with no route"


def test_health_probes(app, client):
    from practicum import runtime

    assert client.get("/healthz").get_json() == {"status": "ok"}
    cold = client.get("/readyz")
    assert cold.status_code == 503
    assert cold.get_json()["checks"] == {"database": True, "models": False, "llm": False}
    runtime.warm(app)
    warm = client.get("/readyz")
    assert warm.status_code == 200 and warm.get_json()["status"] == "ready"
