"""The trainer's page for one trainee: attempts ten to a page, long answers shortened until
opened, one pair of review forms at a time, and a weakest area that is a rubric dimension."""

from __future__ import annotations

import re

import pytest

from ai.rubric import DIMENSIONS
from tests.api.conftest import STRONG, WEAK, people, rehearse  # noqa: F401  (people: a fixture)
from tests.web.conftest import Browser

LONG = STRONG + " " + "Then we can check it with a number line and see which one is closer to one. " * 3
ATTEMPT = re.compile(r'<article class="card mb-3 attempt" id="attempt-(\d+)"')
NOTE_FORMS = re.compile(r'action="/trainer/attempts/\d+/notes"')


@pytest.fixture
def fourteen(app, people):  # noqa: F811  (people: the imported fixture)
    """Tina's 14 attempts, newest last in the list (ids in the order they were made)."""
    return [rehearse(app, people["tina"], LONG if i % 2 else STRONG, days_ago=14 - i) for i in range(14)]


@pytest.fixture
def terry(app, people):  # noqa: F811
    browser = Browser(app.test_client())
    assert browser.login("terry").status_code == 302
    browser.page = f"/trainer/trainees/{people['tina']}"
    return browser


def attempts_on(terry, query: str = "") -> tuple[list[int], str]:
    html = terry.client.get(terry.page + query).get_data(as_text=True)
    return [int(found) for found in ATTEMPT.findall(html)], html


def test_attempts_come_ten_to_a_page_newest_first(fourteen, terry):
    first, html = attempts_on(terry)
    assert first == fourteen[::-1][:10]
    assert "Attempts 14 to 5 of 14, page 1 of 2." in html
    assert 'aria-label="Attempt pages"' in html and "Older</a>" in html
    second, html = attempts_on(terry, "?page=2")
    assert second == fourteen[::-1][10:]
    assert "Attempts 4 to 1 of 14, page 2 of 2." in html and "Newer</a>" in html
    assert attempts_on(terry, "?page=99")[0] == second  # past the end: the last page
    assert attempts_on(terry, "?page=abc")[0] == first


def test_long_answers_are_shortened_until_opened(fourteen, terry):
    _, html = attempts_on(terry)
    shortened = re.findall(r'<details class="mb-2 answer-details">\s*<summary class="answer-summary">', html)
    assert len(shortened) == 5  # the long answers on this page; the short ones show whole
    summary = re.search(r'<summary class="answer-summary">(.*?)</summary>', html, re.S).group(1)
    assert "…" in summary and "show all" in summary and len(summary) < 400


def test_the_review_forms_open_on_one_attempt_at_a_time(fourteen, terry):
    _, html = attempts_on(terry)
    assert NOTE_FORMS.findall(html) == []
    links = re.findall(r'aria-label="(Add a note or your score: [^"]+)"', html)
    assert len(links) == 10 and len(set(links)) == 10  # each with a name of its own
    chosen = fourteen[2]  # the third oldest: on page 2
    _, html = attempts_on(terry, f"?page=2&review={chosen}")
    assert NOTE_FORMS.findall(html) == [f'action="/trainer/attempts/{chosen}/notes"']
    added = terry.post(f"/trainer/attempts/{chosen}/notes", {"text": "Ask about the tenths sooner."})
    assert added.status_code == 302 and added.location.endswith(f"?page=2&review={chosen}#attempt-{chosen}")
    assert "Ask about the tenths sooner." in terry.client.get(added.location).get_data(as_text=True)


def test_a_refused_note_reopens_its_forms_on_the_right_page(fourteen, terry):
    chosen = fourteen[0]
    refused = terry.post(f"/trainer/attempts/{chosen}/notes", {"text": " "})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert [int(found) for found in ATTEMPT.findall(html)] == fourteen[::-1][10:]
    assert NOTE_FORMS.findall(html) == [f'action="/trainer/attempts/{chosen}/notes"']


def test_the_weakest_area_is_always_a_rubric_dimension(app, people, terry):  # noqa: F811
    rehearse(app, people["tina"], STRONG, scenario=0)
    rehearse(app, people["tina"], WEAK, scenario=1)  # two categories rehearsed
    labels = {label for _, label in DIMENSIONS.values()}
    dashboard = terry.client.get("/trainer").get_data(as_text=True)
    row = re.search(r'data-username="tina">(.*?)</tr>', dashboard, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    weakest = next(cell for cell in cells if "(" in cell and ")" in cell)
    assert weakest.split(" (")[0] in labels
    page = terry.client.get(terry.page).get_data(as_text=True)
    area = re.search(r"Weakest area: <strong>(.*?)</strong>", page).group(1)
    assert area in labels
    assert re.search(r"Weakest category: <strong>(Misconception|Defiance)</strong>", page)
