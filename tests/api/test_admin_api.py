"""Admin work on people, cohorts and the audit log, through the API."""

import io

from sqlalchemy import func, select

from practicum.db import session
from practicum.models import AuditEntry, User
from tests.conftest import PASSWORD, AuthActions, first_scenario_id

USERS = "/api/v1/admin/users"
ME, REFRESH = "/api/v1/auth/me", "/api/v1/auth/refresh"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def refused_with(response, message: str) -> None:
    assert response.status_code == 401
    assert response.get_json() == {"error": {"code": "unauthorized", "message": message, "details": {}}}


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_create_an_account_with_a_generated_password(app, client, headers):
    ada = headers("ada")
    made = client.post(
        USERS,
        headers=ada,
        json={"username": "Nina", "role": "trainee", "display_name": "Nina N", "cohort": "Cohort T"},
    )
    assert made.status_code == 201
    body = made.get_json()
    assert body["username"] == "nina" and body["cohort"] == "Cohort T" and body["active"]
    assert len(body["password"]) >= 12
    AuthActions(client).login("nina", body["password"])
    again = client.post(USERS, headers=ada, json={"username": "nina", "role": "trainee"})
    assert again.status_code == 409
    bad = client.post(USERS, headers=ada, json={"username": "x", "role": "wizard", "password": "short"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["details"]) == {"username", "password", "role"}
    assert client.post(USERS, headers=ada, json={"username": 5, "role": "trainee"}).status_code == 422
    with app.app_context():
        entry = session.scalar(select(AuditEntry).where(AuditEntry.target == "nina"))
        assert entry.action == "user_created" and entry.actor.username == "ada"


def test_bulk_import_reports_every_row(app, client, headers, people):
    data = (
        "username,display_name,role,cohort,password\n"
        "amy,Amy A,trainee,Cohort T,\n"
        "bob,Bob B,trainer,,a long password\n"
        "tina,Dup,trainee,,\n"
        "c,Too short,trainee,,\n"
        "dan,Dan D,wizard,,\n"
        "amy,Amy again,trainee,,\n"
    )
    response = client.post(
        f"{USERS}/import", headers=headers("ada"), data={"file": (io.BytesIO(data.encode()), "people.csv")}
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["created"], report["failed"]) == (2, 4)
    rows = {r["row"]: r for r in report["rows"]}
    assert rows[2]["status"] == "created" and len(rows[2]["password"]) >= 12
    assert rows[3]["status"] == "created" and rows[3]["password"] is None
    assert "already exists" in rows[4]["message"]
    assert "username" in rows[5]["message"]
    assert "role" in rows[6]["message"]
    assert "already exists" in rows[7]["message"]
    AuthActions(client).login("bob", "a long password")
    raw = client.post(
        f"{USERS}/import",
        headers={**headers("ada"), "Content-Type": "text/csv"},
        data="name,role\nx,trainee\n",
    )
    assert raw.status_code == 422 and "username" in raw.get_json()["error"]["message"]
    assert "users_imported" in audit_actions(app)


def test_deactivation_stops_tokens_for_good(app, client, people):
    auth = AuthActions(client)
    tokens = auth.login("tina")
    tina, tina_refresh = bearer(tokens["access_token"]), bearer(tokens["refresh_token"])
    ada = auth.headers("ada")
    assert client.get(ME, headers=tina).status_code == 200
    off = client.post(f"{USERS}/{people['tina']}/deactivate", headers=ada)
    assert off.status_code == 200 and off.get_json()["active"] is False
    refused_with(client.get(ME, headers=tina), "This account is inactive.")
    refused_with(client.post(REFRESH, headers=tina_refresh), "This account is inactive.")
    login = client.post("/api/v1/auth/login", json={"username": "tina", "password": PASSWORD})
    assert login.status_code == 401
    assert client.post(f"{USERS}/{people['tina']}/activate", headers=ada).status_code == 200
    ended = "Your sign-in has ended: your password was changed or your account was paused. Sign in again."
    refused_with(client.get(ME, headers=tina), ended)  # reactivating revives no old token
    refused_with(client.post(REFRESH, headers=tina_refresh), ended)
    fresh = auth.login("tina")  # at once: tokens carry their epoch, so no second need pass
    assert client.get(ME, headers=bearer(fresh["access_token"])).status_code == 200
    own = client.post(f"{USERS}/{people['ada']}/deactivate", headers=ada)
    assert own.status_code == 409
    actions = audit_actions(app)
    assert actions.index("user_deactivated") < actions.index("user_reactivated")


def test_reset_a_password(client, people, headers):
    ada = headers("ada")
    generated = client.post(f"{USERS}/{people['tom']}/password", headers=ada).get_json()
    assert len(generated["password"]) >= 12
    assert (
        client.post("/api/v1/auth/login", json={"username": "tom", "password": PASSWORD}).status_code == 401
    )
    AuthActions(client).login("tom", generated["password"])
    chosen = client.post(
        f"{USERS}/{people['tom']}/password", headers=ada, json={"password": "another long one"}
    )
    assert chosen.get_json() == {"reset": True, "password": None}
    AuthActions(client).login("tom", "another long one")
    short = client.post(f"{USERS}/{people['tom']}/password", headers=ada, json={"password": "x"})
    assert short.status_code == 422


def test_a_password_reset_refuses_every_token_issued_before_it(app, client, people, headers):
    auth = AuthActions(client)
    tina, tom = auth.login("tina"), auth.login("tom")
    reset = client.post(
        f"{USERS}/{people['tina']}/password", headers=headers("ada"), json={"password": "a brand new one"}
    )
    assert reset.status_code == 200
    changed = "Your sign-in has ended: your password was changed or your account was paused. Sign in again."
    refused_with(client.get(ME, headers=bearer(tina["access_token"])), changed)
    refused_with(client.post(REFRESH, headers=bearer(tina["refresh_token"])), changed)
    scenario = {"scenario_id": first_scenario_id(client, bearer(tom["access_token"]))}
    refused_with(
        client.post("/api/v1/sessions", headers=bearer(tina["access_token"]), json=scenario), changed
    )
    # Another account's tokens keep working.
    assert (
        client.post("/api/v1/sessions", headers=bearer(tom["access_token"]), json=scenario).status_code == 201
    )
    assert client.post(REFRESH, headers=bearer(tom["refresh_token"])).status_code == 200
    fresh = auth.login("tina", "a brand new one")  # at once, in the reset's own second too
    assert client.get(ME, headers=bearer(fresh["access_token"])).get_json()["username"] == "tina"
    renewed = client.post(REFRESH, headers=bearer(fresh["refresh_token"]))
    assert client.get(ME, headers=bearer(renewed.get_json()["access_token"])).status_code == 200
    with app.app_context():
        assert session.get(User, people["tom"]).credentials_changed_at is None


def test_assign_cohorts_and_trainers(app, client, people, headers):
    ada = headers("ada")
    made = client.post(
        "/api/v1/admin/cohorts", headers=ada, json={"name": "Cohort N", "trainer_id": people["olga"]}
    )
    assert made.status_code == 201 and made.get_json()["trainer"]["username"] == "olga"
    cohort_id = made.get_json()["id"]
    moved = client.patch(f"{USERS}/{people['tina']}", headers=ada, json={"cohort_id": cohort_id})
    assert moved.get_json()["cohort"] == "Cohort N"
    olga_sees = client.get("/api/v1/trainer/dashboard", headers=headers("olga")).get_json()
    assert {r["username"] for r in olga_sees["trainees"]} == {"tina", "otto"}
    client.patch(f"/api/v1/admin/cohorts/{cohort_id}", headers=ada, json={"trainer_id": people["terry"]})
    terry_sees = client.get("/api/v1/trainer/dashboard", headers=headers("terry")).get_json()
    assert {r["username"] for r in terry_sees["trainees"]} == {"tina", "tom"}
    listed = client.get("/api/v1/admin/cohorts", headers=ada).get_json()["cohorts"]
    assert {c["name"]: c["trainees"] for c in listed} == {"Cohort N": 1, "Cohort O": 1, "Cohort T": 1}
    for bad in ({"trainer_id": people["tina"]}, {"name": ""}, {"name": "Cohort T"}):
        response = client.patch(f"/api/v1/admin/cohorts/{cohort_id}", headers=ada, json=bad)
        assert response.status_code in (409, 422)
    assert (
        client.patch(f"{USERS}/{people['tina']}", headers=ada, json={"password_hash": "x"}).status_code == 422
    )
    assert (
        client.patch(f"{USERS}/{people['tina']}", headers=ada, json={"cohort_id": 99999}).status_code == 404
    )
    out = client.patch(f"{USERS}/{people['tina']}", headers=ada, json={"cohort_id": None})
    assert out.get_json()["cohort"] is None


def test_list_and_filter_people(client, people, headers):
    ada = headers("ada")
    trainees = client.get(USERS, headers=ada, query_string={"role": "trainee"}).get_json()
    assert {u["username"] for u in trainees["users"]} == {"tina", "tom", "otto"}
    found = client.get(USERS, headers=ada, query_string={"q": "OT"}).get_json()["users"]
    assert [u["username"] for u in found] == ["otto"]
    assert client.get(f"{USERS}/{people['tom']}", headers=ada).get_json()["username"] == "tom"


def test_every_admin_action_is_audited_and_the_log_filters(app, client, people, headers):
    ada = headers("ada")
    client.post(USERS, headers=ada, json={"username": "zed", "role": "trainee"})
    client.patch(f"{USERS}/{people['tom']}", headers=ada, json={"display_name": "Tom T"})
    client.post(f"{USERS}/{people['tom']}/password", headers=ada)
    client.post(f"{USERS}/{people['tom']}/deactivate", headers=ada)
    client.post("/api/v1/admin/cohorts", headers=ada, json={"name": "Cohort Z"})
    log = client.get("/api/v1/admin/audit", headers=ada, query_string={"actor": "ada"}).get_json()
    assert [e["action"] for e in log["entries"]] == [
        "cohort_created",
        "user_deactivated",
        "password_reset",
        "user_updated",
        "user_created",
    ]
    assert all(e["actor"] == "ada" for e in log["entries"])
    only = client.get(
        "/api/v1/admin/audit", headers=ada, query_string={"action": "password_reset", "target": "to"}
    ).get_json()
    assert only["total"] == 1 and only["entries"][0]["target"] == "tom"
    assert "user_created" in only["actions"]
    today = client.get(
        "/api/v1/admin/audit",
        headers=ada,
        query_string={"since": "2000-01-01", "until": "2999-01-01", "per_page": 2},
    ).get_json()
    assert today["total"] >= 5 and len(today["entries"]) == 2
    bad = client.get("/api/v1/admin/audit", headers=ada, query_string={"since": "yesterday"})
    assert bad.status_code == 422
    with app.app_context():
        assert session.scalar(select(func.count(User.id))) == 7


def test_admin_routes_refuse_trainers_and_trainees(client, people, headers):
    for name in ("terry", "tina"):
        response = client.get(USERS, headers=headers(name))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_a_reset_with_a_body_that_is_not_an_object_changes_nothing(client, people, headers):
    ada = headers("ada")
    for body, kind in (
        ("[1]", "application/json"),
        ('"abc"', "application/json"),
        ("{oops", "application/json"),
    ):
        refused = client.post(f"{USERS}/{people['tom']}/password", headers=ada, data=body, content_type=kind)
        assert refused.status_code == 422, body
    plain = client.post(
        f"{USERS}/{people['tom']}/password", headers=ada, data="hello", content_type="text/plain"
    )
    assert plain.status_code == 422
    AuthActions(client).login("tom")  # the old password still works


def test_names_on_new_accounts_are_checked_like_edits(app, client, people, headers):
    ada = headers("ada")
    too_long = client.post(
        USERS, headers=ada, json={"username": "nina", "role": "trainee", "cohort": "z" * 121}
    )
    assert too_long.status_code == 422 and "cohort" in too_long.get_json()["error"]["details"]
    blank = client.post(USERS, headers=ada, json={"username": "nina", "role": "trainee", "cohort": "   "})
    assert blank.status_code == 422
    long_name = client.post(
        USERS, headers=ada, json={"username": "nina", "role": "trainee", "display_name": "n" * 121}
    )
    assert long_name.status_code == 422 and "display_name" in long_name.get_json()["error"]["details"]
    spaces = client.post(
        USERS, headers=ada, json={"username": "nina", "role": "trainee", "display_name": "   "}
    )
    assert spaces.status_code == 201 and spaces.get_json()["display_name"] == "nina"
    padded = client.post(
        USERS, headers=ada, json={"username": "nico", "role": "trainee", "cohort": " Cohort T "}
    )
    assert padded.get_json()["cohort"] == "Cohort T"


def test_an_import_row_with_a_long_cohort_fails_alone(client, people, headers):
    csv = (
        "username,role,cohort\nrowone,trainee,Cohort T\nrowtwo,trainee," + "z" * 200 + "\nrowthree,trainee,\n"
    )
    report = client.post(
        f"{USERS}/import", headers=headers("ada"), data={"file": (io.BytesIO(csv.encode()), "people.csv")}
    )
    assert report.status_code == 200, report.get_json()
    statuses = [r["status"] for r in report.get_json()["rows"]]
    assert statuses == ["created", "failed", "created"]


def test_searching_people_treats_wildcards_as_text(client, people, headers):
    ada = headers("ada")
    assert client.get(f"{USERS}?q=%25", headers=ada).get_json()["users"] == []
    assert client.get(f"{USERS}?q=_", headers=ada).get_json()["users"] == []
    assert [u["username"] for u in client.get(f"{USERS}?q=tin", headers=ada).get_json()["users"]] == ["tina"]


def test_renaming_a_cohort_answers_with_its_trainee_count(client, people, headers):
    ada = headers("ada")
    cohorts = client.get("/api/v1/admin/cohorts", headers=ada).get_json()["cohorts"]
    cohort_t = next(c for c in cohorts if c["name"] == "Cohort T")
    renamed = client.patch(
        f"/api/v1/admin/cohorts/{cohort_t['id']}", headers=ada, json={"name": "Cohort Tee"}
    )
    assert renamed.get_json()["trainees"] == cohort_t["trainees"] == 2


def test_an_empty_edit_records_nothing(app, client, people, headers):
    before = audit_actions(app).count("user_updated")
    assert client.patch(f"{USERS}/{people['tom']}", headers=headers("ada"), json={}).status_code == 200
    assert audit_actions(app).count("user_updated") == before


def test_the_audit_log_refuses_the_last_day_of_year_9999(client, people, headers):
    response = client.get("/api/v1/admin/audit?until=9999-12-31", headers=headers("ada"))
    assert response.status_code == 422 and "until" in response.get_json()["error"]["details"]


def test_an_import_row_whose_password_cannot_be_typed_fails_alone(client, people, headers):
    csv = "username,role,password\nrowok,trainee,a fine long one\nrowbad,trainee,long\x00password\n"
    report = client.post(
        f"{USERS}/import", headers=headers("ada"), data={"file": (io.BytesIO(csv.encode()), "people.csv")}
    )
    rows = report.get_json()["rows"]
    assert [r["status"] for r in rows] == ["created", "failed"]
    assert "keyboard" in rows[1]["message"]


def test_erasing_a_person_removes_their_data_and_keeps_what_they_wrote_for_others(
    app, client, people, headers
):
    from practicum.models import Attempt, AttemptNote, PracticeSession
    from tests.api.conftest import STRONG, WEAK, rehearse

    first = rehearse(app, people["tina"], STRONG)
    rehearse(app, people["tina"], WEAK)
    toms = rehearse(app, people["tom"], STRONG)
    for attempt in (first, toms):
        assert (
            client.post(
                f"/api/v1/trainer/attempts/{attempt}/notes", headers=headers("terry"), json={"text": "Good."}
            ).status_code
            == 201
        )
    ada = headers("ada")
    wrong = client.delete(f"{USERS}/{people['tina']}", headers=ada, json={"confirm": "tom"})
    assert wrong.status_code == 422 and "Type the username (tina)" in wrong.get_json()["error"]["message"]
    tina_token = headers("tina")
    erased = client.delete(f"{USERS}/{people['tina']}", headers=ada, json={"confirm": "Tina"})
    assert erased.get_json() == {"erased": True, "sessions": 2, "attempts": 2}
    with app.app_context():
        assert session.get(User, people["tina"]) is None
        assert (
            session.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id == people["tina"]))
            == 0
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(PracticeSession)
                .where(PracticeSession.user_id == people["tina"])
            )
            == 0
        )
        assert session.scalar(select(func.count()).select_from(AttemptNote)) == 1  # the note on tom's attempt
    assert client.get(ME, headers=tina_token).status_code == 401
    assert client.delete(f"{USERS}/{people['ada']}", headers=ada, json={"confirm": "ada"}).status_code == 409
    # Erasing the trainer keeps their note on tom's attempt, unsigned.
    assert (
        client.delete(f"{USERS}/{people['terry']}", headers=ada, json={"confirm": "terry"}).status_code == 200
    )
    with app.app_context():
        note = session.scalar(select(AttemptNote))
        assert note.attempt_id == toms and note.author_id is None
    assert "user_erased" in audit_actions(app)
