"""What every page shares: security headers, readable error pages, no inline script, AA colours."""

from __future__ import annotations

import re

import pytest

from practicum.config import PROJECT_ROOT
from web.security import CONTENT_SECURITY_POLICY

TEMPLATES, STATIC = PROJECT_ROOT / "templates", PROJECT_ROOT / "static"


@pytest.mark.parametrize("path", ["/login", "/api/v1/scenarios", "/healthz", "/nowhere"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_are_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_unknown_pages_get_a_readable_html_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_api_errors_keep_their_json_shape(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_crash_shows_a_readable_page_without_a_traceback(make_app):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "secret detail" not in body
    assert "Traceback" not in body
    assert f"quote reference {response.headers['X-Request-ID']}" in body


def test_a_wrong_method_gets_a_readable_405(client):
    response = client.put("/login")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def _page_sources():
    return [*TEMPLATES.glob("*.html"), *(STATIC / "js").glob("*.js")]


@pytest.mark.parametrize("path", _page_sources(), ids=lambda p: p.name)
def test_no_inline_script_handlers_or_other_hosts(path):
    text = path.read_text()
    if path.suffix == ".html":
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
        assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    else:
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), "a link to another host"


def test_vendored_assets_ship_with_their_licences():
    for name in (
        "bootstrap/bootstrap.min.css",
        "bootstrap/bootstrap.bundle.min.js",
        "bootstrap/LICENSE",
        "chartjs/chart.umd.min.js",
        "chartjs/LICENSE.md",
    ):
        assert (STATIC / "vendor" / name).stat().st_size > 500, name


def _contrast(colour: str, background: str = "#ffffff") -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_band_colours_meet_wcag_aa_on_white():
    css = (STATIC / "css" / "app.css").read_text()
    colours = dict(re.findall(r"--band-([a-z-]+):\s*(#[0-9a-f]{6})", css))
    assert set(colours) == {"needs-work", "developing", "proficient", "exemplary"}
    for band, colour in colours.items():
        assert _contrast(colour) >= 4.5, band
        assert _contrast(colour, "#f8f9fa") >= 4.5, band  # on the coach box's light grey


def test_stored_coaching_is_the_prose_without_the_facts():
    from types import SimpleNamespace

    from web.present import coaching_of

    stored = SimpleNamespace(
        feedback_source="model", feedback_text="Next time, try naming it.\nScore 50 — Developing."
    )
    assert coaching_of(stored) == "Next time, try naming it."
    assert coaching_of(SimpleNamespace(feedback_source="none", feedback_text="Score 1")) == ""
