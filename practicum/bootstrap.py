"""First-run set-up for `make run`: schema, shipped scenario sets, first accounts."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from sqlalchemy import func, select

from practicum import accounts, library, runtime
from practicum.db import session, transaction
from practicum.migrate import upgrade
from practicum.models import User
from scenarios.loader import load_scenario_set, shipped_set_files

FIRST_ACCOUNTS = (
    ("admin", "admin", "Practicum admin", None),
    ("trainer", "trainer", "Demo trainer", "Cohort A"),
    ("trainee", "trainee", "Demo trainee", "Cohort A"),
)


def bootstrap(app) -> Iterator[str]:
    """Bring the database up to date; yield one line of news per step."""
    upgrade(app.config["DATABASE_URL"])
    yield "Database schema is up to date."
    for path in shipped_set_files():
        document = load_scenario_set(path.read_bytes(), path.name)
        with transaction():
            report = library.import_scenario_set(session, document, runtime.embedder(app))
        state = f"imported v{report.version}" if report.changed else "unchanged"
        yield f"Scenario set {report.set_key}: {state} ({report.scenarios} scenarios)."
    yield from _first_accounts(app)


def _first_accounts(app) -> Iterator[str]:
    credentials = app.config["PRACTICUM"].INSTANCE_DIR / "first-accounts.txt"
    if session.scalar(select(func.count(User.id))):
        hint = f" (first-run sign-in details: {credentials})" if credentials.exists() else ""
        yield f"Accounts exist; sign in with yours{hint}."
        return
    lines = []
    with transaction():
        for username, role, name, cohort in FIRST_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            accounts.create_user(session, username, password, role, name, cohort, chosen_by_someone_else=True)
            lines.append(f"{role:8} username: {username:8} password: {password}")
        trainer = session.scalar(select(User).where(User.username == "trainer"))
        accounts.cohort_named(session, "Cohort A").trainer_id = trainer.id
    credentials.write_text("\n".join(lines) + "\n")
    credentials.chmod(0o600)
    yield (
        f"Created the first accounts (random passwords, also saved to {credentials}; "
        "each is asked to choose its own at first sign-in):"
    )
    yield from (f"  {line}" for line in lines)
