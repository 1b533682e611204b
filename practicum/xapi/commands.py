"""`practicum xapi send`: deliver queued statements now (cron, or a server without the thread)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from practicum.db import session
from practicum.xapi import outbox
from practicum.xapi.sender import send_due

xapi_cli = AppGroup("xapi", help="xAPI learning records.")


@xapi_cli.command("send")
@click.option("--now", "ignore_waits", is_flag=True, help="Also send statements still waiting to be retried.")
@with_appcontext
def xapi_send(ignore_waits):
    """Send the due xAPI statements to the LRS; exit 1 when some could not be delivered."""
    config = current_app.config["PRACTICUM"]
    if not config.XAPI_LRS_URL:
        raise click.ClickException("XAPI_LRS_URL is not set: no statements are queued or sent.")
    report = send_due(session, config, ignore_waits)
    left = outbox.counts(session)
    click.echo(
        f"Sent {report.sent} statement(s), {report.retrying} to retry, {report.rejected} refused by the LRS; "
        f"{left['pending']} pending, {left['sent']} sent, {left['rejected']} refused in all."
    )
    if report.retrying:
        click.echo(f"Last error: {report.last_error}", err=True)
        sys.exit(1)
