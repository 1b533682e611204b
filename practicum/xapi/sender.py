"""Delivery: due statements go to the LRS in batches; failures wait and are tried again."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from practicum.config import Config
from practicum.metrics import REGISTRY
from practicum.models import utcnow
from practicum.xapi import lrs, outbox
from practicum.xapi.models import OutboxStatement

BATCH_SIZE = 50
DELIVERED = (200, 204)
# One statement in a batch that is malformed (400), too large (413) or conflicts with one the LRS
# holds (409) fails the whole batch: such batches are sent again one statement at a time.
SPLIT = (400, 409, 413)
REFUSED_FOR_GOOD = (400, 413)

log = logging.getLogger(__name__)
OUTCOMES = Counter(
    "practicum_xapi_statements_total",
    "xAPI statements handed to the LRS, by outcome (sent, retry, rejected)",
    ["outcome"],
    registry=REGISTRY,
)


@dataclass
class SendReport:
    """What one sending round did, counted."""

    sent: int = 0
    retrying: int = 0
    rejected: int = 0
    last_error: str = ""


def send_due(db: Session, config: Config, ignore_waits: bool = False) -> SendReport:
    """Send every due statement in batches, committing after each; stop at the first failure.

    ignore_waits sends pending statements whose retry time has not come yet too.
    """
    report = SendReport()
    now = utcnow()
    while True:
        batch = outbox.claim_due(db, now, BATCH_SIZE, ignore_waits)
        if not batch:
            return report
        delivered = _deliver(config, batch, now, report)
        db.commit()
        if not delivered:
            # The LRS is down or refusing us: the rest waits for the next round.
            return report


def _deliver(config: Config, rows: list[OutboxStatement], now: datetime, report: SendReport) -> bool:
    """Send rows as one batch and record the outcome; return False when the LRS failed."""
    try:
        answer = lrs.post_statements(config, [row.statement for row in rows])
    except lrs.LrsUnreachable as error:
        return _failed(rows, now, f"LRS unreachable: {error}", config, report)
    if answer.status in DELIVERED:
        return _sent(rows, now, None, report)
    if answer.status in SPLIT and len(rows) > 1:
        return _deliver_one_by_one(config, rows, now, report)
    if answer.status == 409:
        # xAPI: the LRS already holds a statement with this id; ours never change, so it is ours.
        return _sent(rows, now, "The LRS already held this statement id (409).", report)
    error = f"LRS answered {answer.status}: {answer.text[:300]}".strip()
    if answer.status in REFUSED_FOR_GOOD:
        outbox.mark_rejected(rows, error)
        report.rejected += len(rows)
        OUTCOMES.labels("rejected").inc(len(rows))
        log.error("xAPI statement %s refused by the LRS: %s", rows[0].statement_id, error)
        return True
    return _failed(rows, now, error, config, report)


def _deliver_one_by_one(
    config: Config, rows: list[OutboxStatement], now: datetime, report: SendReport
) -> bool:
    for index, row in enumerate(rows):
        if not _deliver(config, [row], now, report):
            rest = rows[index + 1 :]
            return _failed(rest, now, row.last_error or "", config, report) if rest else False
    return True


def _sent(rows: list[OutboxStatement], now: datetime, note: str | None, report: SendReport) -> bool:
    outbox.mark_sent(rows, now, note)
    report.sent += len(rows)
    OUTCOMES.labels("sent").inc(len(rows))
    return True


def _failed(
    rows: list[OutboxStatement], now: datetime, error: str, config: Config, report: SendReport
) -> bool:
    outbox.mark_failed(rows, now, error, config)
    report.retrying += len(rows)
    report.last_error = error
    OUTCOMES.labels("retry").inc(len(rows))
    log.warning("%d xAPI statement(s) not delivered, will retry: %s", len(rows), error)
    return False


def start_background_sender(app) -> threading.Event | None:
    """Start a daemon thread sending due statements every XAPI_SEND_INTERVAL_S; return its stop switch.

    None when XAPI_LRS_URL is unset. A worker that exits mid-batch leaves its rows pending (the
    transaction is never committed): they are sent again, and the LRS knows them by id.
    """
    config = app.config["PRACTICUM"]
    if not config.XAPI_LRS_URL:
        return None
    stop = threading.Event()
    thread = threading.Thread(target=_send_until, args=(app, config, stop), name="xapi-sender", daemon=True)
    thread.start()
    return stop


def _send_until(app, config: Config, stop: threading.Event) -> None:
    from practicum.db import session

    while not stop.is_set():
        try:
            with app.app_context():
                send_due(session, config)
        except SQLAlchemyError as error:
            # The database is down or restarting: the statements wait in it, safe; try again later.
            log.warning("xAPI sender cannot reach the database: %s", error.__class__.__name__)
        except Exception:
            # A daemon thread that dies stops all delivery unseen: log it whole and carry on.
            log.exception("xAPI sender round failed")
        finally:
            session.remove()
        stop.wait(config.XAPI_SEND_INTERVAL_S)
