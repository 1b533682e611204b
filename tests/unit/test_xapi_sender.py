"""The outbox's delivery rules: what each LRS answer does to a batch, and the retry waits.

The LRS here is canned answers (a function standing in for lrs.post_statements): these tests
check the sender's decisions; tests/api/test_xapi_lrs.py checks delivery to a real LRS.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from practicum.config import Config, ConfigError
from practicum.xapi import lrs, outbox, sender
from practicum.xapi.models import PENDING, REJECTED, SENT, OutboxStatement

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
CONFIG = Config(environ={}, XAPI_LRS_URL="http://lrs.test/xAPI", XAPI_RETRY_S=30, XAPI_RETRY_MAX_S=3600)


def rows(count: int) -> list[OutboxStatement]:
    made = []
    for _ in range(count):
        statement_id = uuid.uuid4()
        made.append(
            OutboxStatement(
                statement_id=statement_id, statement={"id": str(statement_id)}, status=PENDING, tries=0
            )
        )
    return made


def lrs_answering(monkeypatch, answer_for):
    """Make the LRS answer answer_for(batch); return the batches it was sent, in order."""
    batches = []

    def post(config, statements):
        batches.append([s["id"] for s in statements])
        answer = answer_for(statements)
        if isinstance(answer, Exception):
            raise answer
        return lrs.LrsAnswer(*answer)

    monkeypatch.setattr(lrs, "post_statements", post)
    return batches


@pytest.mark.parametrize("tries, wait_s", [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (500, 3600)])
def test_waits_double_from_the_first_up_to_the_longest(tries, wait_s):
    assert outbox.retry_delay(tries, 30, 3600) == timedelta(seconds=wait_s)


@pytest.mark.parametrize("status", [200, 204])
def test_a_batch_the_lrs_takes_is_sent(monkeypatch, status):
    batch = rows(3)
    batches = lrs_answering(monkeypatch, lambda _: (status, ""))
    report = sender.SendReport()
    assert sender._deliver(CONFIG, batch, NOW, report) is True
    assert len(batches) == 1 and report.sent == 3
    assert all(row.status == SENT and row.sent_at == NOW and row.last_error is None for row in batch)


@pytest.mark.parametrize(
    "failure",
    [lrs.LrsUnreachable("Connection refused"), (500, "boom"), (503, ""), (401, "bad login"), (302, "")],
)
def test_a_failed_batch_waits_and_records_why(monkeypatch, failure):
    batch = rows(2)
    lrs_answering(monkeypatch, lambda _: failure)
    report = sender.SendReport()
    assert sender._deliver(CONFIG, batch, NOW, report) is False
    assert report.retrying == 2 and report.sent == 0
    for row in batch:
        assert row.status == PENDING and row.tries == 1
        assert row.next_try_at == NOW + timedelta(seconds=30)
        assert row.last_error and ("Connection refused" in row.last_error or "LRS answered" in row.last_error)
    sender._deliver(CONFIG, batch, NOW, sender.SendReport())
    assert all(row.tries == 2 and row.next_try_at == NOW + timedelta(seconds=60) for row in batch)


def test_a_known_id_is_taken_as_delivered(monkeypatch):
    batch = rows(1)
    lrs_answering(monkeypatch, lambda _: (409, "Differing statements already exist"))
    report = sender.SendReport()
    assert sender._deliver(CONFIG, batch, NOW, report) is True
    assert batch[0].status == SENT and "409" in batch[0].last_error


def test_one_malformed_statement_is_found_and_the_rest_delivered(monkeypatch):
    batch = rows(3)
    bad = batch[1].statement["id"]
    batches = lrs_answering(monkeypatch, lambda sent: (400, "invalid") if bad in str(sent) else (200, "[]"))
    report = sender.SendReport()
    assert sender._deliver(CONFIG, batch, NOW, report) is True
    assert len(batches) == 4  # the batch, then each statement alone
    assert [row.status for row in batch] == [SENT, REJECTED, SENT]
    assert "400" in batch[1].last_error and report.rejected == 1 and report.sent == 2


def test_an_outage_while_sending_one_by_one_leaves_the_rest_waiting(monkeypatch):
    batch = rows(3)
    answers = iter([(409, "conflict"), (200, "[]"), lrs.LrsUnreachable("Connection reset")])
    batches = lrs_answering(monkeypatch, lambda _: next(answers))
    report = sender.SendReport()
    assert sender._deliver(CONFIG, batch, NOW, report) is False
    assert len(batches) == 3  # the batch, the first alone, the second alone; the third waits
    assert [row.status for row in batch] == [SENT, PENDING, PENDING]
    assert batch[1].tries == 1 and batch[2].tries == 1
    assert "Connection reset" in batch[2].last_error


def test_the_lrs_address_and_headers(monkeypatch):
    seen = {}

    class Answer:
        status = 200

        def read(self, _limit):
            return b'["x"]'

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def open_(request, timeout):
        seen.update(url=request.full_url, headers=dict(request.header_items()), method=request.get_method())
        return Answer()

    monkeypatch.setattr(lrs._OPENER, "open", open_)
    config = Config(
        environ={}, XAPI_LRS_URL="http://lrs.test/xAPI/", XAPI_LRS_USERNAME="u", XAPI_LRS_PASSWORD="p"
    )
    assert lrs.post_statements(config, [{"id": "x"}]) == lrs.LrsAnswer(200, '["x"]')
    assert seen["url"] == "http://lrs.test/xAPI/statements" and seen["method"] == "POST"
    assert seen["headers"]["X-experience-api-version"] == "1.0.3"
    assert seen["headers"]["Authorization"] == "Basic dTpw"


@pytest.mark.parametrize(
    "settings, complaint",
    [
        ({"XAPI_LRS_URL": "http://lrs.test/xAPI"}, "BASE_URL"),
        ({"XAPI_LRS_URL": "lrs.test/xAPI", "BASE_URL": "https://practicum.test"}, "XAPI_LRS_URL"),
    ],
)
def test_an_lrs_needs_addresses_that_can_be_iris(tmp_path, settings, complaint):
    config = Config(environ={"PRACTICUM_INSTANCE_DIR": str(tmp_path), **settings})
    with pytest.raises(ConfigError, match=complaint):
        config.resolve()


def test_xapi_settings_are_read_from_the_environment(tmp_path):
    environ = {
        "PRACTICUM_INSTANCE_DIR": str(tmp_path),
        "XAPI_LRS_URL": "https://lrs.test/xAPI",
        "BASE_URL": "https://practicum.test",
        "XAPI_SEND_TEXT": "1",
        "XAPI_RETRY_S": "5",
    }
    config = Config(environ=environ).resolve()
    assert config.XAPI_SEND_TEXT is True and config.XAPI_RETRY_S == 5
    assert Config(environ={}).XAPI_SEND_TEXT is False
