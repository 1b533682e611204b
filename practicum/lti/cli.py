"""`practicum lti …`: rotate the tool's key; send the grades that are due now."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from practicum.db import session
from practicum.lti import grades, tool_keys

lti_cli = AppGroup("lti", help="LTI 1.3: the tool's signing keys, grades waiting for an LMS.")


@lti_cli.command("rotate-key")
@with_appcontext
def rotate_key():
    """Make a new signing key; keys replaced more than LTI_KEY_OVERLAP_DAYS ago are deleted."""
    config = current_app.config["PRACTICUM"]
    new, retired = tool_keys.rotate(config.INSTANCE_DIR, timedelta(days=config.LTI_KEY_OVERLAP_DAYS))
    click.echo(f"New signing key {new.kid}; deleted: {', '.join(retired) or 'none'}.")


@lti_cli.command("send-grades")
@with_appcontext
def send_grades():
    """Send the rehearsal scores whose time has come to their LMS gradebooks."""
    accepted, refused = grades.send_due(session)
    click.echo(f"Grades accepted: {accepted}; refused, to be retried: {refused}.")
