"""GET /api/v1/scenarios: pages, full-text search over title, scene, subject and tags, filters."""

from __future__ import annotations

import pytest

from practicum import library_search
from practicum.db import session
from tests.conftest import create_account
from tests.library_rows import add_scenarios

LIBRARY = [
    {"key": "decimals", "title": "Is 0.25 bigger than 0.3?", "category": "misconception", "grade_band": "3-5",
     "subject": "Maths", "context": "Your class compares decimals on whiteboards."},
    {"key": "decimal-title", "title": "Decimal places and money", "category": "misconception",
     "grade_band": "6-8", "subject": "Maths", "context": "Pupils add prices."},
    {"key": "seats", "title": "Won't change seats", "category": "defiance", "grade_band": "9-10",
     "subject": "Any", "context": "Jordan refuses to move to the seat you asked."},
    {"key": "photosynthesis", "title": "Plants need light", "category": "misconception",
     "grade_band": "11-12", "subject": "Biology", "context": "A lab on photosynthesis in leaves."},
    {"key": "tagged", "title": "Lining up", "category": "routines", "grade_band": "K-2", "subject": "Any",
     "context": "After break the line is noisy.", "tags": ["transitions"]},
]  # fmt: skip


@pytest.fixture
def tina(app, auth):
    add_scenarios(app, LIBRARY)
    create_account(app, "tina", "trainee")
    return auth.headers("tina")


def listing(client, headers, **query) -> dict:
    response = client.get("/api/v1/scenarios", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def keys(answer: dict) -> list[str]:
    return [s["key"] for s in answer["scenarios"]]


def test_pages_hold_per_page_scenarios_in_category_then_title_order(client, tina):
    first = listing(client, tina, per_page=2)
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 5, 3)
    assert keys(first) == ["seats", "decimal-title"]  # defiance, then misconception by title
    everything = [key for page in (1, 2, 3) for key in keys(listing(client, tina, per_page=2, page=page))]
    assert everything == ["seats", "decimal-title", "decimals", "photosynthesis", "tagged"]
    beyond = listing(client, tina, per_page=2, page=4)
    assert beyond["scenarios"] == [] and beyond["total"] == 5


def test_default_page_holds_fifty(client, app, auth):
    add_scenarios(app, [{"key": f"k{n}"} for n in range(60)])
    create_account(app, "tina", "trainee")
    answer = listing(client, auth.headers("tina"))
    assert (len(answer["scenarios"]), answer["per_page"], answer["total"], answer["pages"]) == (50, 50, 60, 2)
    assert len(listing(client, auth.headers("tina"), page=2)["scenarios"]) == 10


@pytest.mark.parametrize(
    "query",
    [
        "per_page=0",
        "per_page=101",
        "per_page=-1",
        "per_page=abc",
        "page=0",
        "page=1.5",
        "page=%C2%B2",
        "q=" + "a" * 201,
    ],
)
def test_bad_paging_or_search_is_a_json_validation_error(client, tina, query):
    response = client.get(f"/api/v1/scenarios?{query}", headers=tina)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and error["message"] and error["details"]


def test_largest_page_is_allowed(client, tina):
    assert listing(client, tina, per_page=100)["per_page"] == 100


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("decimals", {"decimals", "decimal-title"}),  # the placeholder's example: scene and title
        ("whiteboard", {"decimals"}),  # a word of the scene only, stemmed
        ("biology", {"photosynthesis"}),  # the subject
        ("transition", {"tagged"}),  # a tag
        ("refuses seat", {"seats"}),  # every word must be there
        ('"change seats"', {"seats"}),  # a quoted phrase
        ("decimals -money", {"decimals"}),  # web-search syntax excludes a word
        ("decim -money", {"decimals"}),  # and word starts do not bring it back
        ('"decim places"', {"decimal-title"}),
        ("photo", {"photosynthesis"}),  # a word's start
        ("cimal", {"decimal-title"}),  # nothing else matches: part of a title
        ("algebra", set()),
    ],
)
def test_search_finds_words_in_title_scene_subject_and_tags(client, tina, words, found):
    assert set(keys(listing(client, tina, q=words))) == found


def test_a_title_match_ranks_above_a_scene_match(client, app, auth):
    add_scenarios(
        app,
        [
            {"key": "scene", "title": "A Monday", "context": "They share fractions of a pizza."},
            {"key": "title", "title": "Fractions on a number line", "context": "A calm lesson."},
            {"key": "both", "title": "Fractions and pizza", "context": "Fractions again, fractions."},
        ],
    )
    create_account(app, "tina", "trainee")
    answer = listing(client, auth.headers("tina"), q="fractions")
    assert keys(answer) == ["both", "title", "scene"] and answer["total"] == 3


def test_filters_narrow_a_search_and_count_only_matches(client, tina):
    answer = listing(client, tina, q="decimals", grade_band="6-8")
    assert keys(answer) == ["decimal-title"] and answer["total"] == 1
    assert keys(listing(client, tina, category="defiance", subject="Any")) == ["seats"]
    assert listing(client, tina, subject="Maths", per_page=1)["total"] == 2


@pytest.mark.parametrize("words", ["the", "!!!", "a & b | c", "x:*", "'", "(", "-", "o'clock"])
def test_odd_searches_answer_without_error(client, tina, words):
    listing(client, tina, q=words)


def test_grade_bands_are_offered_in_school_order(app, tina):
    with app.app_context():
        overview = library_search.library_overview(session)
    assert overview.options["grade_band"] == ["K-2", "3-5", "6-8", "9-10", "11-12"]
    assert overview.options["category"] == ["defiance", "misconception", "routines"]
    assert overview.total == 5


def test_grade_band_order_puts_unknown_bands_last():
    bands = ["Adult", "11-12", "Grade 3", "K-2", "Pre-K", "9-10"]
    assert sorted(bands, key=library_search.grade_band_order) == [
        "Pre-K",
        "K-2",
        "Grade 3",
        "9-10",
        "11-12",
        "Adult",
    ]
