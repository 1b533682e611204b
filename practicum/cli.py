"""The `practicum` command: operations as thin wrappers over the service."""

from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.exc import ProgrammingError

from practicum import accounts, bootstrap, library, runtime
from practicum.batch import score_lines
from practicum.db import session, transaction
from practicum.errors import PracticumError
from practicum.lti.cli import lti_cli
from practicum.warmup import start_library_warmup
from practicum.xapi.commands import xapi_cli
from scenarios.loader import InvalidScenarioSet, load_scenario_set

db_cli = AppGroup("db", help="Database schema.")
scenarios_cli = AppGroup("scenarios", help="Scenario sets.")
users_cli = AppGroup("users", help="Accounts.")


@db_cli.command("upgrade")
@with_appcontext
def db_upgrade():
    """Apply every pending migration."""
    from practicum.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database schema is up to date.")


@scenarios_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def scenarios_import(files):
    """Validate and import scenario-set files (YAML or JSON); an invalid file changes nothing."""
    failed = False
    for name in files:
        try:
            document = load_scenario_set(Path(name).read_bytes(), name)
        except InvalidScenarioSet as error:
            failed = True
            click.echo(f"{name}: {len(error.problems)} problem(s), nothing imported", err=True)
            for problem in error.problems:
                click.echo(f"  {problem}", err=True)
            continue
        with transaction():
            report = library.import_scenario_set(session, document, runtime.embedder())
        click.echo(_import_summary(name, report))
    if failed:
        sys.exit(1)


def _import_summary(name: str, report) -> str:
    if not report.changed:
        return f"{name}: unchanged (set {report.set_key} v{report.version}), nothing to do"
    return (
        f"{name}: imported set {report.set_key} v{report.version}: {report.scenarios} "
        f"scenarios, {report.expert_responses} expert responses "
        f"({report.embedded} embedded, {report.reused} reused)"
    )


def operator_message(error: PracticumError) -> str:
    """Say a domain error in one line: its message, then each field's problem."""
    details = error.details if isinstance(error.details, dict) else {}
    problems = "; ".join(
        f"{field.replace('_', ' ').capitalize()}: {problem}." for field, problem in details.items()
    )
    return f"{error.message} {problems}".strip()


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(["trainee", "trainer", "admin"]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--display-name", default="")
@click.option("--cohort", default=None, help="Cohort name (created if new).")
@click.option(
    "--their-own-password",
    is_flag=True,
    help="The account's holder typed the password; otherwise they choose their own at first sign-in.",
)
@with_appcontext
def users_create(username, role, password, display_name, cohort, their_own_password):
    """Create an account."""
    try:
        with transaction():
            user = accounts.create_user(
                session,
                username,
                password,
                role,
                display_name,
                cohort,
                chosen_by_someone_else=not their_own_password,
            )
    except PracticumError as error:
        raise click.ClickException(operator_message(error)) from None
    click.echo(f"Created {user.role} {user.username}.")


@click.command("score")
@click.argument("input_file", type=click.File("r", encoding="utf-8"))
@click.argument("output_file", type=click.File("w", encoding="utf-8"))
@click.option("--no-feedback", is_flag=True, help="Skip the language model.")
@with_appcontext
def score_command(input_file, output_file, no_feedback):
    """Score many responses: JSONL in ({"scenario", "response", "id"?}), JSONL out."""
    writer = runtime.feedback_writer(with_model=not no_feedback)
    show = sys.stderr.isatty()
    counts = score_lines(
        input_file,
        output_file,
        runtime.embedder(),
        writer,
        progress=(lambda n: click.echo(f"\rscored {n}", nl=False, err=True)) if show else None,
    )
    if show:
        click.echo("", err=True)
    click.echo(f"scored {counts['scored']} line(s), {counts['errors']} error(s)", err=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--dev", is_flag=True, help="Werkzeug's development server instead of gunicorn.")
@with_appcontext
def serve_command(host, port, dev):
    """Serve the app with gunicorn (threaded workers; WEB_* settings), models loaded first."""
    app = current_app._get_current_object()
    _check_free(host, port)  # said at once, before the models take their seconds
    if dev:
        _serve_dev(app, host, port)
        return
    from practicum.server import serve

    config = app.config["PRACTICUM"]
    click.echo(
        f"Practicum is starting on http://{host}:{port}/ (gunicorn, {config.WEB_WORKERS} worker(s) "
        f"of {config.WEB_THREADS} threads"
        + (
            "; the scenario library is warmed first, about 20 s on 2 cores, "
            "then each worker loads the models before it answers)"
            if config.WARM_MODELS
            else ")"
        )
    )
    serve(app, host, port)


def _check_free(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            in_use = error.errno == errno.EADDRINUSE
            reason = "the port is in use (another server?)" if in_use else (error.strerror or str(error))
            raise click.ClickException(f"Cannot listen on {host}:{port}: {reason}.") from None


def _serve_dev(app, host: str, port: int) -> None:
    """Werkzeug's threaded development server (for debugging only: no timeouts, one process)."""
    from werkzeug import serving
    from werkzeug.serving import make_server

    # Werkzeug colours its request log always; in a log file the colour codes are noise.
    serving._log_add_style = sys.stderr.isatty()
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as error:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from None
    runtime.limit_blas_threads(app)
    if app.config["PRACTICUM"].WARM_MODELS:
        click.echo("Loading the embedding model and the language model…")
        runtime.warm(app)
        start_library_warmup(app)
    # A stop asked for by SIGTERM is a clean exit, as Ctrl+C is.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"Practicum (development server) is running on http://{host}:{port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst):
    """Run background jobs (batch scoring, set embedding) from the Redis queue at JOB_QUEUE_URL."""
    app = current_app._get_current_object()
    if not app.config["PRACTICUM"].JOB_QUEUE_URL:
        raise click.ClickException(
            "JOB_QUEUE_URL is not set: without Redis the web process runs jobs itself, no worker needed."
        )
    from practicum.job_worker import run_worker

    runtime.limit_blas_threads(app)  # it shares the cores with the web workers
    run_worker(app, burst)


@click.command("bootstrap")
@with_appcontext
def bootstrap_command():
    """Migrate, import the shipped scenario sets and create the first accounts if none exist."""
    for line in bootstrap.bootstrap(current_app._get_current_object()):
        click.echo(line)


@click.command("demo")
@click.option("--force", is_flag=True, help="Add the demo even if real accounts exist.")
@with_appcontext
def demo_command(force):
    """Create a demo cohort with six weeks of scored practice (for trying the dashboards)."""
    import time

    from practicum.demo import create_demo

    started = time.perf_counter()
    app = current_app._get_current_object()
    for line in bootstrap.bootstrap(app):
        click.echo(line)
    try:
        for line in create_demo(session, runtime.embedder(app), force):
            click.echo(line)
    except PracticumError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")


COMMANDS = (
    db_cli,
    scenarios_cli,
    users_cli,
    score_command,
    serve_command,
    worker_command,
    bootstrap_command,
    demo_command,
    xapi_cli,
    lti_cli,
)


def register_commands(app) -> None:
    """Attach every command to the app's CLI (`flask` and the test runner use it)."""
    for command in COMMANDS:
        app.cli.add_command(command)


class PracticumGroup(FlaskGroup):
    """The `practicum` command: its subcommands are its own, so listing them needs no app."""

    def list_commands(self, ctx) -> list[str]:
        """List the commands without creating the app (which would start the database)."""
        return sorted(self.commands)


def main() -> None:
    """Entry point of the `practicum` console command."""
    from embeddings.embedder import EmbeddingUnavailable
    from practicum import create_app
    from practicum.config import Config, ConfigError

    # From the first moment: a SIGTERM runs the exit hooks (the embedded PostgreSQL stops
    # with the last process using it), as Ctrl+C does; a plain SIGTERM would skip them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    group = PracticumGroup(
        create_app=lambda: create_app(),
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,  # only practicum/config.py reads settings, from the environment
        help="Practicum: rehearsal of hard classroom moments.",
    )
    for command in COMMANDS:
        group.add_command(command)
    try:
        Config().resolve()  # bad settings are said in one line, even for --help
        group(prog_name="practicum")
    except (ConfigError, PracticumError, EmbeddingUnavailable) as error:
        # Settings or models an operator can fix: one line that says what, no traceback.
        click.echo(f"Error: {getattr(error, 'message', None) or error}", err=True)
        sys.exit(1)
    except ProgrammingError as error:
        if not schema_missing(error):
            raise
        click.echo(f"Error: {NO_SCHEMA}", err=True)
        sys.exit(1)


NO_SCHEMA = (
    "The database has no Practicum tables yet: run `practicum bootstrap` (tables, shipped "
    "scenarios and first accounts) or `practicum db upgrade` (tables only) first."
)


def schema_missing(error: ProgrammingError) -> bool:
    """Tell whether a database error says a table is missing (a database never set up)."""
    return getattr(error.orig, "pgcode", None) == UNDEFINED_TABLE


UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for "relation does not exist"
