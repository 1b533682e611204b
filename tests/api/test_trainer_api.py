"""The trainer's dashboard, trainee page, notes, overrides and CSV exports, through the API."""

import csv
import io

import pytest
from sqlalchemy import select

from practicum.db import session
from practicum.models import AuditEntry, User
from tests.api.conftest import STRONG, WEAK, rehearse, set_score, token_headers
from tests.conftest import FIXTURES, create_account, import_file


def dashboard(client, headers, **query):
    response = client.get("/api/v1/trainer/dashboard", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def usernames(board) -> list[str]:
    return [row["username"] for row in board["trainees"]]


def test_a_trainer_sees_only_their_own_cohorts_trainees(app, client, people, headers):
    otto_attempt = rehearse(app, people["otto"], STRONG)
    assert usernames(dashboard(client, headers("terry"))) == ["tina", "tom"]
    assert usernames(dashboard(client, headers("olga"))) == ["otto"]
    assert [c["name"] for c in dashboard(client, headers("terry"))["cohorts"]] == ["Cohort T"]
    terry = headers("terry")
    for response in (
        client.get(f"/api/v1/trainer/trainees/{people['otto']}", headers=terry),
        client.get(f"/api/v1/trainer/trainees/{people['otto']}/attempts.csv", headers=terry),
        client.post(
            f"/api/v1/trainer/attempts/{otto_attempt}/notes", headers=terry, json={"text": "Peeking"}
        ),
        client.put(
            f"/api/v1/trainer/attempts/{otto_attempt}/override",
            headers=terry,
            json={"score": 99, "reason": "Peeking"},
        ),
        client.delete(f"/api/v1/trainer/attempts/{otto_attempt}/override", headers=terry),
    ):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    # Filtering by another trainer's cohort shows nothing rather than their trainees.
    with app.app_context():
        other_cohort = session.get(User, people["otto"]).cohort_id
    assert dashboard(client, terry, cohort_id=other_cohort)["trainees"] == []
    assert "otto" not in client.get("/api/v1/trainer/dashboard.csv", headers=terry).text


def test_an_admin_sees_every_trainee(client, people, headers):
    assert usernames(dashboard(client, headers("ada"))) == ["otto", "tina", "tom"]


def test_trainees_cannot_open_the_dashboard(client, people, headers):
    response = client.get("/api/v1/trainer/dashboard", headers=headers("tina"))
    assert response.status_code == 403


def test_a_row_summarises_attempts_scores_trend_and_weakest_area(app, client, people, headers):
    ids = [rehearse(app, people["tina"], STRONG, days_ago=10 - i, scenario=1) for i in range(4)]
    for attempt_id, score in zip(ids, (40, 50, 60, 70), strict=True):
        set_score(app, attempt_id, score)
    rehearse(app, people["tina"], WEAK, days_ago=1, scenario=0)
    row = dashboard(client, headers("terry"))["trainees"][0]
    assert row["username"] == "tina" and row["attempts"] == 5 and row["scenarios"] == 2
    latest = row["latest"]
    assert row["average"] == pytest.approx((40 + 50 + 60 + 70 + latest) / 5, abs=0.1)
    assert row["recent"][:4] == [40, 50, 60, 70]
    assert row["trend"] is not None
    assert row["weakest"]["kind"] == "dimension"  # always a rubric dimension
    assert row["weakest_category"]["key"] == ("defiance" if latest < 55 else "misconception")
    assert row["last_active"] is not None


def test_flags_fire_with_a_reason_in_words(app, client, people, headers):
    falling = [rehearse(app, people["tina"], STRONG, days_ago=5 - i, scenario=1) for i in range(5)]
    for attempt_id, score in zip(falling, (80, 70, 55, 45, 30), strict=True):
        set_score(app, attempt_id, score)
    for i in range(4):
        set_score(app, rehearse(app, people["tom"], WEAK, days_ago=30 - i, scenario=0), 20)
    rows = {r["username"]: r for r in dashboard(client, headers("terry"))["trainees"]}
    tina = {f["code"]: f["explanation"] for f in rows["tina"]["flags"]}
    tom = {f["code"]: f["explanation"] for f in rows["tom"]["flags"]}
    assert "falling" in tina and "over the last 5 attempts" in tina["falling"]
    assert "stuck" in tina and "5 tries at" in tina["stuck"]
    assert set(tina) == {"falling", "stuck"}
    assert tom["inactive"] == "No rehearsal for 27 days."
    assert tom["low_average"].startswith("Average 20 (Needs work) over 4 attempts")
    board = dashboard(client, headers("terry"), flag="inactive")
    assert usernames(board) == ["tom"]
    assert sum(b["count"] for b in board["charts"]["distribution"]) == 4
    assert {r["code"] for r in board["rules"]} == {"falling", "inactive", "low_average", "stuck"}


def test_thresholds_come_from_configuration(make_app):
    app = make_app(ATTENTION_INACTIVE_DAYS=60)
    import_file(app, FIXTURES / "mini-set.yaml")
    trainer = create_account(app, "terry", "trainer")
    trainee = create_account(app, "tina", "trainee", "Cohort T")
    with app.app_context():
        session.get(User, trainee).cohort.trainer_id = trainer
        session.commit()
    rehearse(app, trainee, STRONG, days_ago=30)
    board = app.test_client().get("/api/v1/trainer/dashboard", headers=token_headers(app, trainer)).get_json()
    assert board["trainees"][0]["flags"] == []
    assert "60 days" in next(r["rule"] for r in board["rules"] if r["code"] == "inactive")


def test_sorting_and_filtering(app, client, people, headers):
    set_score(app, rehearse(app, people["tina"], STRONG), 90)
    set_score(app, rehearse(app, people["tom"], WEAK), 30)
    terry = headers("terry")
    assert usernames(dashboard(client, terry, sort="average", order="desc")) == ["tina", "tom"]
    assert usernames(dashboard(client, terry, sort="average")) == ["tom", "tina"]
    assert usernames(dashboard(client, terry, q="TO")) == ["tom"]
    for bad in ({"sort": "password_hash"}, {"order": "sideways"}, {"cohort_id": "x"}):
        response = client.get("/api/v1/trainer/dashboard", headers=terry, query_string=bad)
        assert response.status_code == 422


def test_charts_cover_distribution_time_and_category(app, client, people, headers):
    for days, scenario, score in ((14, 0, 35), (7, 1, 65), (0, 1, 85)):
        set_score(app, rehearse(app, people["tina"], STRONG, days, scenario), score)
    charts = dashboard(client, headers("terry"))["charts"]
    counts = {b["from"]: b["count"] for b in charts["distribution"]}
    assert counts[30] == counts[60] == counts[80] == 1 and sum(counts.values()) == 3
    assert [b["band"] for b in charts["distribution"]][::3] == [
        "needs_work",
        "needs_work",
        "proficient",
        "exemplary",
    ]
    assert len(charts["over_time"]) == 3
    assert {c["category"]: c["average"] for c in charts["by_category"]} == {
        "defiance": 35.0,
        "misconception": 75.0,
    }


def test_the_trainee_page_has_series_sessions_and_feedback(app, client, people, headers):
    rehearse(
        app,
        people["tina"],
        STRONG,
        days_ago=3,
        scenario=1,
        confidence=(2, 4),
        reflection="I asked before telling.",
    )
    rehearse(app, people["tina"], WEAK, days_ago=1, scenario=0)
    page = client.get(f"/api/v1/trainer/trainees/{people['tina']}", headers=headers("terry")).get_json()
    assert page["trainee"]["attempts"] == 2
    assert set(page["series"]) == {"misconception", "defiance"}
    first_session = page["sessions"][-1]
    assert (first_session["confidence_before"], first_session["confidence_after"]) == (2, 4)
    assert first_session["reflection"] == "I asked before telling."
    newest = page["attempts"][0]
    assert newest["response"] == WEAK and newest["feedback"]
    assert newest["automatic_score"] == newest["score"] and newest["override"] is None
    assert newest["notes"] == [] and newest["scenario"]["category"] == "defiance"


def test_notes_and_overrides_keep_the_automatic_score(app, client, people, headers):
    attempt = rehearse(app, people["tina"], STRONG)
    terry = headers("terry")
    base = f"/api/v1/trainer/attempts/{attempt}"
    note = client.post(f"{base}/notes", headers=terry, json={"text": "Good question first."})
    assert note.status_code == 201 and note.get_json()["author"] == "terry"
    assert client.post(f"{base}/notes", headers=terry, json={"text": "  "}).status_code == 422
    for bad in (
        {"score": 101, "reason": "x" * 5},
        {"score": 50},
        {"score": True, "reason": "ok!"},
        {"score": 50, "reason": ""},
    ):
        assert client.put(f"{base}/override", headers=terry, json=bad).status_code == 422
    changed = client.put(
        f"{base}/override", headers=terry, json={"score": 12, "reason": "Gave the answer away."}
    ).get_json()
    automatic = changed["automatic_score"]
    assert changed["score"] == automatic and changed["effective_score"] == 12
    assert changed["override"]["reason"] == "Gave the answer away."
    assert changed["override"]["by"] == "terry" and changed["override"]["band"] == "needs_work"
    row = dashboard(client, terry)["trainees"][0]
    assert row["average"] == 12 and row["latest"] == 12
    page = client.get(f"/api/v1/trainer/trainees/{people['tina']}", headers=terry).get_json()
    assert page["attempts"][0]["notes"][0]["text"] == "Good question first."
    # The trainee's own view still shows the automatic score.
    mine = client.get(f"/api/v1/attempts/{attempt}", headers=headers("tina")).get_json()
    assert mine["score"] == automatic
    cleared = client.delete(f"{base}/override", headers=terry).get_json()
    assert cleared["override"] is None and cleared["effective_score"] == automatic
    with app.app_context():
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-3:] == ["attempt_note_added", "score_overridden", "score_override_cleared"]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.text)))


def test_csv_exports_neutralise_formulas(app, client, people, headers):
    with app.app_context():
        session.get(User, people["tina"]).display_name = '=HYPERLINK("http://x")'
        session.commit()
    attempt = rehearse(app, people["tina"], "+SUM(1,2) " + STRONG)
    terry = headers("terry")
    client.post(f"/api/v1/trainer/attempts/{attempt}/notes", headers=terry, json={"text": "@cmd note"})
    client.put(
        f"/api/v1/trainer/attempts/{attempt}/override",
        headers=terry,
        json={"score": 50, "reason": "-1+1 reason"},
    )
    table = read_csv(client.get("/api/v1/trainer/dashboard.csv", headers=terry))
    assert table[0][:3] == ["trainee", "username", "cohort"]
    names = [row[0] for row in table[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    rows = read_csv(client.get(f"/api/v1/trainer/trainees/{people['tina']}/attempts.csv", headers=terry))
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["response"].startswith("'+SUM(1,2)")
    assert record["notes"] == "'@cmd note" and record["trainer_reason"] == "'-1+1 reason"
    assert record["trainer_score"] == "50" and int(record["automatic_score"]) >= 0
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows + table for cell in r)
