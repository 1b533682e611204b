"""Admins upload, check, preview, publish and archive scenario sets; hostile files write nothing."""

import io
import json
import time

import pytest
import yaml
from sqlalchemy import func, select

from practicum.db import session
from practicum.models import AuditEntry, ExpertResponse, Pitfall, ScenarioSet, ScenarioSetVersion
from tests.api.conftest import STRONG, rehearse
from tests.conftest import FIXTURES

SETS = "/api/v1/scenario-sets"
MINI = (FIXTURES / "mini-set.yaml").read_bytes()


def upload(client, headers, path, data: bytes, name: str = "set.yaml"):
    return client.post(path, headers=headers, data={"file": (io.BytesIO(data), name)})


def new_set(key: str = "new-set") -> bytes:
    document = yaml.safe_load(MINI)
    document["key"], document["title"] = key, "A new set"
    return yaml.safe_dump(document, sort_keys=False).encode()


def stored(app) -> dict:
    with app.app_context():
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (ScenarioSet, ScenarioSetVersion, ExpertResponse, Pitfall, AuditEntry)
        }


def test_a_valid_file_is_previewed_then_published(app, client, headers):
    ada = headers("ada")
    before = stored(app)
    checked = upload(client, ada, f"{SETS}/validate", new_set())
    assert checked.status_code == 200
    preview = checked.get_json()["preview"]
    assert preview["key"] == "new-set" and preview["next_version"] == 1
    assert [s["key"] for s in preview["scenarios"]] == ["decimal-compare", "wont-change-seats"]
    assert preview["scenarios"][0]["student"] == "Maya" and preview["expert_responses"] == 6
    assert preview["pitfalls"] == 2 and preview["scenarios"][1]["pitfalls"] == []
    assert [p["severity"] for p in preview["scenarios"][0]["pitfalls"]] == ["weak", "red_line"]
    assert preview["scenarios"][0]["pitfalls"][1]["reason"].startswith("Sarcasm tells Maya")
    assert stored(app) == before  # checking writes nothing
    published = upload(client, ada, SETS, new_set())
    assert published.status_code == 201
    assert published.get_json() | {"reused": 6} == {
        "set_key": "new-set",
        "version": 1,
        "changed": True,
        "scenarios": 2,
        "expert_responses": 6,
        "embedded": 0,
        "reused": 6,
    }
    listed = {s["key"]: s for s in client.get(SETS, headers=ada).get_json()["scenario_sets"]}
    assert listed["new-set"]["scenarios"] == 2 and listed["new-set"]["latest_version"] == 1
    again = upload(client, ada, SETS, new_set())
    assert again.status_code == 200 and again.get_json()["changed"] is False
    assert upload(client, ada, f"{SETS}/validate", new_set()).get_json()["preview"]["unchanged"]
    with app.app_context():
        entry = session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "scenario_set_imported", AuditEntry.target == "new-set"
            )
        )
        assert entry.actor.username == "ada"


def test_a_new_version_and_json_bodies(app, client, headers):
    ada = headers("ada")
    document = yaml.safe_load(new_set())
    upload(client, ada, SETS, new_set())
    document["scenarios"][0]["title"] = "Which decimal is larger?"
    raw = client.post(SETS, headers={**ada, "Content-Type": "application/json"}, data=json.dumps(document))
    assert raw.status_code == 201 and raw.get_json()["version"] == 2
    detail = client.get(f"{SETS}/{stored_set_id(app, 'new-set')}", headers=ada).get_json()
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    assert detail["scenarios"][0]["title"] == "Which decimal is larger?"


def stored_set_id(app, key: str) -> int:
    with app.app_context():
        return session.scalar(select(ScenarioSet.id).where(ScenarioSet.key == key))


def test_an_invalid_file_lists_every_problem_with_path_and_line(app, client, headers):
    document = yaml.safe_load(MINI)
    del document["scenarios"][1]["expert_responses"][0]["text"]
    document["scenarios"][0]["student"]["name"] = ""
    before = stored(app)
    for path in (f"{SETS}/validate", SETS, f"{SETS}/stream"):
        response = upload(client, headers("ada"), path, yaml.safe_dump(document, sort_keys=False).encode())
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["message"] == "The file has 2 problems; nothing was imported."
        problems = {p["path"]: p for p in error["details"]["problems"]}
        assert set(problems) == {"scenarios[0].student.name", "scenarios[1].expert_responses[0].text"}
        assert all(isinstance(p["line"], int) for p in problems.values())
    assert stored(app) == before
    wrong_type = upload(client, headers("ada"), SETS, MINI, "set.txt")
    assert wrong_type.status_code == 422


def test_a_pitfall_without_a_reason_or_with_an_unknown_severity_is_refused(app, client, headers):
    document = yaml.safe_load(new_set("pitfall-set"))
    del document["scenarios"][0]["pitfalls"][0]["reason"]
    document["scenarios"][0]["pitfalls"][1]["severity"] = "bad"
    before = stored(app)
    for path in (f"{SETS}/validate", SETS, f"{SETS}/stream"):
        response = upload(client, headers("ada"), path, yaml.safe_dump(document, sort_keys=False).encode())
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["message"] == "The file has 2 problems; nothing was imported."
        problems = {p["path"]: p for p in error["details"]["problems"]}
        assert set(problems) == {"scenarios[0].pitfalls[0].reason", "scenarios[0].pitfalls[1].severity"}
        assert all(isinstance(p["line"], int) for p in problems.values())
    assert stored(app) == before
    assert stored_set_id(app, "pitfall-set") is None


def test_publishing_streams_embedding_progress(app, client, headers):
    response = upload(client, headers("ada"), f"{SETS}/stream", new_set("streamed"))
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    events = [block.split("\n")[0].removeprefix("event: ") for block in response.text.strip().split("\n\n")]
    assert events[0] == "started" and events[-1] == "done"
    done = json.loads(response.text.strip().split("\n\n")[-1].split("data: ")[1])
    assert done["set_key"] == "streamed" and done["version"] == 1
    assert stored_set_id(app, "streamed")


def test_progress_is_reported_while_new_responses_are_embedded(app, client, headers):
    document = yaml.safe_load(new_set("fresh"))
    for scenario in document["scenarios"]:
        for response in scenario["expert_responses"]:
            response["text"] += " (new wording)"
    response = client.post(
        f"{SETS}/stream",
        headers={**headers("ada"), "Content-Type": "application/json"},
        data=json.dumps(document),
    )
    blocks = response.text.strip().split("\n\n")
    progress = [json.loads(b.split("data: ")[1]) for b in blocks if b.startswith("event: progress")]
    assert progress[-1] == {"done": 6, "total": 6}


def laughs_within_the_alias_limit() -> str:
    """A valid-looking set whose tags are 9**9 strings made from only 81 aliases."""
    anchors = "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]\n" for i in range(1, 10)
    )
    text = MINI.decode().replace("scenarios:\n", anchors + "scenarios:\n", 1)
    return text.replace("    key_moves:\n", "    tags: *x9\n    key_moves:\n", 1)


HOSTILE = {
    "laughs-in-tags.yaml": laughs_within_the_alias_limit(),
    "billion-laughs.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"l{i}: &l{i} [*{'a' if i == 0 else f'l{i - 1}'}]\n".replace(
            "]", ", " + ", ".join([f"*{'a' if i == 0 else f'l{i - 1}'}"] * 8) + "]"
        )
        for i in range(12)
    ),
    "deep.yaml": "key: " + "[" * 5000 + "]" * 5000,
    "deep-maps.yaml": "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n",
    "python-object.yaml": "key: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
    "python-name.yaml": "key: !!python/name:os.system\n",
    "deep.json": "[" * 100000 + "]" * 100000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_in_under_a_second(app, client, headers, name):
    ada = headers("ada")
    before = stored(app)
    started = time.perf_counter()
    response = upload(client, ada, SETS, HOSTILE[name].encode(), name)
    elapsed = time.perf_counter() - started
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_failed"
    assert elapsed < 1.0, f"{name} took {elapsed:.2f} s"
    assert stored(app) == before


@pytest.mark.parametrize("size", [2 * 1024 * 1024 + 1, 5 * 1024 * 1024])
def test_files_over_two_megabytes_are_refused_clearly(app, client, headers, size):
    before = stored(app)
    response = upload(client, headers("ada"), SETS, b"#" * size)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large" and "the limit is 2 MB" in error["message"]
    assert stored(app) == before


def test_archiving_hides_a_set_but_its_attempts_stay_readable(app, client, people, headers):
    attempt = rehearse(app, people["tina"], STRONG)
    ada, tina = headers("ada"), headers("tina")
    set_id = stored_set_id(app, "mini-set")
    archived = client.post(f"{SETS}/{set_id}/archive", headers=ada)
    assert archived.status_code == 200 and archived.get_json()["status"] == "archived"
    assert archived.get_json()["attempts"] == 1
    assert client.get("/api/v1/scenarios", headers=tina).get_json()["scenarios"] == []
    assert client.get(f"/api/v1/attempts/{attempt}", headers=tina).status_code == 200
    page = client.get(f"/api/v1/trainer/trainees/{people['tina']}", headers=headers("terry"))
    assert page.get_json()["attempts"][0]["id"] == attempt
    restored = client.post(f"{SETS}/{set_id}/restore", headers=ada)
    assert restored.get_json()["status"] == "active"
    assert len(client.get("/api/v1/scenarios", headers=tina).get_json()["scenarios"]) == 2
    assert client.post(f"{SETS}/999999/archive", headers=ada).status_code == 404
    with app.app_context():
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"scenario_set_archived", "scenario_set_restored"} <= actions


def test_the_preview_outlines_a_conversation_beat_by_beat(client, headers):
    data = (FIXTURES / "conversation-set.yaml").read_bytes()
    preview = upload(client, headers("ada"), f"{SETS}/validate", data).get_json()["preview"]
    [opening] = preview["scenarios"][0]["conversation"]
    assert opening["key"] == "opening" and opening["line"].startswith("I'm just checking the time")
    conditions = [r["condition"] for r in opening["reactions"]]
    assert conditions == [
        "If the answer crosses a red line",
        "If the answer makes the move “offer a face-saving choice”",
        "Otherwise",
    ]
    door = opening["reactions"][0]["beat"]
    assert door["key"] == "at-the-door" and door["reactions"][0]["ending"] == "Escalated"
    assert preview["scenarios"][0]["expert_responses"] == 2  # the opening's; each beat has its own


def test_a_broken_conversation_is_refused_with_the_path_of_each_problem(client, headers):
    document = yaml.safe_load((FIXTURES / "conversation-set.yaml").read_bytes())
    document["scenarios"][0]["beats"][1]["reactions"][1]["next"] = "nowhere"
    bad = yaml.safe_dump(document, sort_keys=False).encode()
    answer = upload(client, headers("ada"), f"{SETS}/validate", bad)
    assert answer.status_code == 422
    [problem] = answer.get_json()["error"]["details"]["problems"]
    assert problem["path"] == "scenarios[0].beats[1].reactions[1].next"
    assert "no beat" in problem["message"] and problem["line"] > 30


def test_two_publishes_of_one_new_key_at_once_give_one_version_and_a_409(app, headers, monkeypatch):
    import threading

    from practicum import library

    ada = headers("ada")
    embed = library._embed_missing

    def slow_embed(*args, **kwargs):
        time.sleep(0.4)  # keeps the winner's transaction open while the other request arrives
        return embed(*args, **kwargs)

    monkeypatch.setattr(library, "_embed_missing", slow_embed)
    start, answers = threading.Barrier(2), []

    def publish():
        client = app.test_client()
        start.wait()
        response = upload(client, ada, SETS, new_set("raced-set"))
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [201, 409]
    loser = next(body for status, body in answers if status == 409)
    assert loser["error"]["code"] == "conflict" and "publishing the set" in loser["error"]["message"]
    with app.app_context():
        raced = session.scalar(select(ScenarioSet).where(ScenarioSet.key == "raced-set"))
        versions = session.scalars(
            select(ScenarioSetVersion.version).where(ScenarioSetVersion.set_id == raced.id)
        )
        assert list(versions) == [1]


def test_a_flood_of_problems_is_answered_with_200_of_them_and_a_count(client, headers):
    from bench.upload_flood import anchor_bomb

    answer = upload(client, headers("ada"), f"{SETS}/validate", anchor_bomb())
    assert answer.status_code == 422 and len(answer.get_data()) < 1_000_000
    problems = answer.get_json()["error"]["details"]["problems"]
    assert len(problems) == 201 and "176,885 more problems" in problems[-1]["message"]
