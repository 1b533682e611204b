"""The library page: pages with numbered and previous/next links that keep the search and filters."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.library_rows import add_scenarios
from web.library import page_numbers

LINK = re.compile(r'<a class="page-link"(?: rel="(prev|next)")? href="([^"]+)">(.*?)</a>')


def page_links(page: str) -> list[tuple[str, dict, str]]:
    """Return each page link as (rel, its query string parsed, its text without hidden words)."""
    found = []
    for rel, href, label in LINK.findall(page):
        query = {k: v[0] for k, v in parse_qs(urlsplit(html.unescape(href)).query).items()}
        found.append((rel, query, re.sub(r"<[^>]+>|Page ", "", label)))
    return found


def card_titles(page: str) -> list[str]:
    return re.findall(r'<h3 class="h6 card-title" id="scenario-\d+">([^<]+)</h3>', page)


@pytest.fixture
def fractions(app, mini_set):
    """30 routines scenarios about fractions and 5 defiance ones, beside the mini set's two."""
    rows = [
        {"key": f"f{n}", "title": f"Fractions {n:02d}", "context": "Halves and quarters of a pizza."}
        for n in range(30)
    ]
    rows += [{"key": f"d{n}", "title": f"Refusal {n}", "category": "defiance"} for n in range(5)]
    add_scenarios(app, rows)


def test_the_library_is_paged_with_numbered_links(trainee, client, fractions):
    first = client.get("/library").get_data(as_text=True)
    assert len(card_titles(first)) == 24 and "Showing 1–24 of 37 scenarios." in first
    assert [(rel, query, text) for rel, query, text in page_links(first)] == [
        ("", {"page": "2"}, "2"),
        ("next", {"page": "2"}, "Next"),
    ]
    assert 'aria-current="page"><span class="page-link"><span class="visually-hidden">Page </span>1<' in first
    second = client.get("/library?page=2").get_data(as_text=True)
    assert len(card_titles(second)) == 13 and "Showing 25–37 of 37 scenarios." in second
    assert set(card_titles(first)).isdisjoint(card_titles(second))
    assert ("prev", {"page": "1"}, "Previous") in page_links(second)


def test_page_links_keep_the_search_and_filters(trainee, client, fractions):
    page = client.get("/library?q=pizza&category=routines&grade_band=6-8").get_data(as_text=True)
    assert "Showing 1–24 of 30 matching scenarios (37 in the library)." in page
    wanted = {"q": "pizza", "category": "routines", "grade_band": "6-8", "page": "2"}
    assert ("next", wanted, "Next") in page_links(page)
    second = client.get("/library", query_string=wanted).get_data(as_text=True)
    assert len(card_titles(second)) == 6 and all(t.startswith("Fractions") for t in card_titles(second))
    assert ("prev", {**wanted, "page": "1"}, "Previous") in page_links(second)


def test_the_search_box_finds_what_it_suggests(trainee, client):
    page = client.get("/library").get_data(as_text=True)
    suggestion = re.search(r'placeholder="e\.g\. ([^"]+)"', page).group(1)
    found = client.get("/library", query_string={"q": suggestion}).get_data(as_text=True)
    assert card_titles(found) == ["Which decimal is bigger?"]
    assert f"Matches for “{suggestion}”, best first" in found


def test_grade_bands_are_offered_in_school_order(trainee, client, app):
    add_scenarios(
        app, [{"key": f"g{n}", "grade_band": band} for n, band in enumerate(["11-12", "K-2", "9-10", "6-8"])]
    )
    page = client.get("/library").get_data(as_text=True)
    menu = page[
        page.index('<select id="grade_band"') : page.index("</select>", page.index('id="grade_band"'))
    ]
    assert re.findall(r'<option value="([^"]+)"', menu) == ["K-2", "3-5", "6-8", "9-10", "11-12"]


def test_a_page_past_the_last_says_so_and_links_back(trainee, client):
    page = client.get("/library?q=decimal&page=9").get_data(as_text=True)
    assert "There is no page 9." in page and 'href="/library?q=decimal">Go to the first page' in page
    assert client.get("/library?page=abc").status_code == 200


def test_a_search_too_long_gets_a_readable_page(trainee, client):
    response = client.get("/library", query_string={"q": "x" * 201})
    assert response.status_code == 422 and "at most 200 characters" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("current", "last", "numbers"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (10, 20, [1, None, 8, 9, 10, 11, 12, None, 20]),
        (1, 20, [1, 2, 3, None, 20]),
        (4, 20, [1, 2, 3, 4, 5, 6, None, 20]),
        (30, 20, [1, None, 20]),
    ],
)
def test_page_numbers_show_the_ends_and_the_neighbourhood(current, last, numbers):
    assert page_numbers(current, last) == numbers
