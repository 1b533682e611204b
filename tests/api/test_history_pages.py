"""A trainee's history comes a page at a time, in the API and on the page."""

from practicum import practice
from tests.api.conftest import STRONG, WEAK, rehearse
from tests.api.test_staff_pages import browse  # noqa: F401 (fixture)


def test_the_api_pages_attempts_newest_first(app, client, headers, people):
    ids = [rehearse(app, people["tom"], text) for text in (WEAK, STRONG, WEAK)]
    first = client.get("/api/v1/attempts?per_page=2", headers=headers("tom")).get_json()
    assert [a["id"] for a in first["attempts"]] == ids[:0:-1]
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 3, 2)
    second = client.get("/api/v1/attempts?per_page=2&page=2", headers=headers("tom")).get_json()
    assert [a["id"] for a in second["attempts"]] == ids[:1]
    beyond = client.get("/api/v1/attempts?per_page=2&page=3", headers=headers("tom")).get_json()
    assert beyond["attempts"] == [] and beyond["total"] == 3
    others = client.get("/api/v1/attempts", headers=headers("tina")).get_json()
    assert others["attempts"] == [] and others["total"] == 0


def test_the_api_refuses_pages_it_cannot_serve(app, client, headers, people):
    for query in ("per_page=0", "per_page=201", "page=0", "page=abc", "per_page=-1"):
        answer = client.get(f"/api/v1/attempts?{query}", headers=headers("tom"))
        assert answer.status_code == 422, query
        assert set(answer.get_json()["error"]) == {"code", "message", "details"}


def test_the_history_page_links_older_and_newer_pages(app, browse, people, monkeypatch):  # noqa: F811
    monkeypatch.setattr(practice, "HISTORY_PAGE_SIZE", 2)
    for text in (WEAK, STRONG, WEAK):
        rehearse(app, people["tom"], text)
    client = browse("tom")
    first = client.get("/history").get_data(as_text=True)
    assert first.count("<tr data-score") == 2 and "page 1 of 2" in first
    assert 'href="/history?page=2">Older' in first and "Newer" not in first
    second = client.get("/history?page=2").get_data(as_text=True)
    assert second.count("<tr data-score") == 1 and 'href="/history?page=1">Newer' in second
    missing = client.get("/history?page=9")
    assert missing.status_code == 200 and "There is no page 9" in missing.get_data(as_text=True)
    assert client.get("/history?page=junk").status_code == 200  # read as the first page


def test_the_trainee_reads_what_their_trainer_said(app, client, people, headers):
    from tests.api.conftest import STRONG, rehearse
    from tests.web.conftest import Browser

    attempt_id = rehearse(app, people["tina"], STRONG)
    terry = headers("terry")
    note = client.post(
        f"/api/v1/trainer/attempts/{attempt_id}/notes", headers=terry, json={"text": "Lovely <b>hint</b>."}
    )
    assert note.status_code == 201
    override = client.put(
        f"/api/v1/trainer/attempts/{attempt_id}/override",
        headers=terry,
        json={"score": 91, "reason": "Spot on"},
    )
    assert override.status_code == 200
    body = client.get(f"/api/v1/attempts/{attempt_id}", headers=headers("tina")).get_json()
    review = body["trainer_review"]
    assert review["override"]["score"] == 91 and review["override"]["reason"] == "Spot on"
    assert [n["text"] for n in review["notes"]] == ["Lovely <b>hint</b>."]
    assert review["automatic_score"] == body["score"]
    page = Browser(app.test_client())
    assert page.login("tina").status_code == 302
    html = page.client.get(f"/history/{attempt_id}").get_data(as_text=True)
    assert (
        "From your trainer" in html
        and 'Your trainer\'s score: <strong data-slot="override">91</strong>' in html
    )
    assert "Lovely &lt;b&gt;hint&lt;/b&gt;." in html and "Spot on" in html
    assert "trainer: 91" in page.client.get("/history").get_data(as_text=True)


def test_a_trainee_downloads_all_their_attempts_and_nobody_elses(app, client, people, headers):
    import csv
    import io

    from tests.api.conftest import STRONG, WEAK, rehearse
    from tests.web.conftest import Browser

    for text in ("=HYPERLINK(1) " + STRONG, WEAK):
        rehearse(app, people["tina"], text)
    rehearse(app, people["tom"], STRONG)
    got = client.get("/api/v1/attempts.csv", headers=headers("tina"))
    assert got.mimetype == "text/csv" and 'filename="tina-attempts.csv"' in got.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))
    assert len(rows) == 2 and rows[0]["response"].startswith("'=HYPERLINK")  # oldest first, formula-safe
    page = Browser(app.test_client())
    assert page.login("tina").status_code == 302
    assert "Download all your attempts (CSV)" in page.client.get("/history").get_data(as_text=True)
    same = page.client.get("/history.csv")
    assert same.mimetype == "text/csv" and same.get_data(as_text=True) == got.get_data(as_text=True)
