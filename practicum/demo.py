"""Demo data: a cohort of trainees who rehearsed over six weeks, so dashboards mean something.

Every attempt goes through the practice service and is scored by the configured embedder and
scorer; feedback skips the language model (source "none") for speed. Dates are moved back
afterwards to spread the attempts over the weeks. The demo refuses to run against a database
that holds real accounts (anything beyond the bootstrap's first three), unless forced.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ai.feedback import FeedbackWriter
from embeddings.embedder import Embedder
from practicum import accounts, library, practice, review
from practicum.bootstrap import FIRST_ACCOUNTS
from practicum.errors import Conflict
from practicum.models import Attempt, PracticeSession, User, utcnow

DEMO_COHORT = "Demo cohort"
DEMO_PREFIX = "demo."
SEED = 7  # chosen so the flags fall where the profiles intend with the current scorer
WEAK_REPLIES = (
    "Stop that and get on with your work.",
    "No, that's wrong. Just do what I asked.",
    "I don't have time for this right now, sit down.",
    "Because I said so. We are not discussing it.",
)
MIDDLE_REPLIES = (
    "Okay, let's take a breath. What do you think you should do next?",
    "I hear you. Can we talk about this after the lesson?",
    "Let's look at this together for a minute.",
)
REFLECTIONS = (
    "I jumped in too fast. Next time I'll ask first.",
    "Naming the feeling helped. I forgot to give a clear next step.",
    "I gave the answer away again.",
    "Felt calmer this time; the choice worked.",
)


@dataclass(frozen=True)
class Profile:
    """How one demo trainee practised: a quality path from first to last attempt."""

    username: str
    name: str
    attempts: int
    start: float  # quality of the first attempt, 0..1
    end: float  # quality of the last attempt, 0..1
    first_day: int  # days ago of the first attempt
    last_day: int  # days ago of the last attempt
    repeat_scenario: bool = False


PROFILES = (
    Profile("priya", "Priya Shah", 12, 0.2, 0.95, 40, 1),  # improving steadily
    Profile("marcus", "Marcus Bell", 9, 0.15, 0.2, 38, 3),  # struggling throughout
    Profile("sofia", "Sofia Alvarez", 10, 0.85, 0.95, 41, 2),  # strong and steady
    Profile("liam", "Liam O'Connor", 10, 0.9, 0.15, 39, 1),  # falling lately
    Profile("amara", "Amara Okafor", 5, 0.4, 0.6, 42, 20),  # has gone quiet
    Profile("noah", "Noah Kim", 6, 0.45, 0.5, 25, 2, repeat_scenario=True),  # stuck on one
    Profile("grace", "Grace Liu", 4, 0.5, 0.9, 12, 0),  # new and quick
    Profile("ethan", "Ethan Brooks", 8, 0.5, 0.6, 35, 4),  # middling
)


def real_accounts(db: Session) -> list[str]:
    """Return usernames that are neither the bootstrap's first accounts nor demo accounts."""
    first = {username for username, *_ in FIRST_ACCOUNTS}
    names = db.scalars(select(User.username))
    return sorted(n for n in names if n not in first and not n.startswith(DEMO_PREFIX))


def scenario_pool(scenarios: list, size: int = 12) -> list:
    """Pick a few scenarios, every category first: the scorer prepares each one on first use."""
    by_category: dict[str, list] = {}
    for scenario in scenarios:
        by_category.setdefault(scenario.category, []).append(scenario)
    rounds = [group[i] for i in range(max(map(len, by_category.values())))
              for group in by_category.values() if i < len(group)]
    return rounds[:size]


def response_for(scenario, quality: float, rng: random.Random,
                 habit: random.Random | None = None) -> str:
    """Write a response of roughly this quality from the scenario's own expert responses.

    `habit`, when given, picks the expert response: a trainee who keeps reaching for the same
    move gives much the same answer each time.
    """
    experts = [r.text for r in scenario.expert_responses]
    expert = (habit or rng).choice(experts)
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", expert) if s]
    if quality >= 0.8:
        return expert
    if quality >= 0.6:
        return " ".join(sentences[: max(1, len(sentences) - 1)])
    if quality >= 0.4:
        return f"{sentences[0]} {rng.choice(MIDDLE_REPLIES)}"
    if quality >= 0.25:
        return rng.choice(MIDDLE_REPLIES)
    return rng.choice(WEAK_REPLIES)


def _rehearse(db: Session, user: User, scenario, quality: float, when, rng, embedder,
              writer: FeedbackWriter, habit: random.Random | None) -> Attempt:
    """One session with one attempt, scored by the service, then dated `when`."""
    confidence = max(1, min(5, round(1 + 4 * quality + rng.uniform(-1, 1))))
    started = practice.start_session(db, user, scenario.id, max(1, confidence - 1))
    text = response_for(scenario, quality, rng, habit)
    scored = practice.score_attempt(db, user, started.id, text, embedder)
    attempt = practice.store_attempt(db, scored, writer.write(scored.facts))
    practice.end_session(db, user, started.id, confidence,
                         rng.choice(REFLECTIONS) if rng.random() < 0.4 else None)
    db.execute(update(Attempt).where(Attempt.id == attempt.id).values(created_at=when))
    db.execute(update(PracticeSession).where(PracticeSession.id == started.id)
               .values(started_at=when - timedelta(minutes=4), ended_at=when))
    return attempt


def _practise(db: Session, user: User, profile: Profile, scenarios, rng, embedder,
              writer) -> list[Attempt]:
    now = utcnow()
    chosen = rng.sample(scenarios, k=min(len(scenarios), profile.attempts))
    made = []
    for index in range(profile.attempts):
        share = index / max(1, profile.attempts - 1)
        quality = profile.start + (profile.end - profile.start) * share
        quality = min(1.0, max(0.0, quality + rng.uniform(-0.05, 0.05)))
        days = profile.first_day + (profile.last_day - profile.first_day) * share
        when = now - timedelta(days=days, hours=rng.uniform(0, 6))
        scenario = chosen[0] if profile.repeat_scenario else chosen[index % len(chosen)]
        habit = random.Random(profile.username) if profile.repeat_scenario else None
        made.append(_rehearse(db, user, scenario, quality, when, rng, embedder, writer, habit))
    db.execute(update(User).where(User.id == user.id).values(
        created_at=now - timedelta(days=profile.first_day + 2),
        last_login_at=now - timedelta(days=profile.last_day)))
    db.commit()
    return made


def create_demo(db: Session, embedder: Embedder, force: bool = False,
                seed: int = SEED) -> Iterator[str]:
    """Create the demo cohort and its trainees' attempts; yield one line of news per step."""
    others = real_accounts(db)
    if others and not force:
        shown = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
        raise Conflict(f"This database holds real accounts ({shown}); the demo would mix "
                       "made-up practice into their cohorts. Use --force to add it anyway.")
    if db.scalar(select(User.id).where(User.username.startswith(DEMO_PREFIX))):
        yield "Demo data is already here; nothing to do."
        return
    scenarios = scenario_pool(library.current_scenarios(db))
    if not scenarios:
        raise Conflict("There are no scenarios yet; run `practicum bootstrap` first.")
    trainer = db.scalar(select(User).where(User.username == "trainer"))
    cohort = accounts.cohort_named(db, DEMO_COHORT)
    if trainer is not None and trainer.role == "trainer" and cohort.trainer_id is None:
        cohort.trainer_id = trainer.id
    password = secrets.token_urlsafe(12)
    rng, writer = random.Random(seed), FeedbackWriter(None)
    db.commit()
    yield f"Demo cohort {DEMO_COHORT!r} (trainer: {trainer.username if trainer else 'none'})."
    for profile in PROFILES:
        user = accounts.create_user(db, DEMO_PREFIX + profile.username, password, "trainee",
                                    profile.name, DEMO_COHORT)
        db.commit()
        made = _practise(db, user, profile, scenarios, rng, embedder, writer)
        scores = [a.score for a in made]
        yield f"  {profile.name}: {len(made)} attempts, scores {scores[0]} → {scores[-1]}."
    _trainer_touches(db, trainer)
    yield f"Demo trainees sign in as demo.<name> (e.g. demo.priya) with password: {password}"


def _trainer_touches(db: Session, trainer: User | None) -> None:
    """Leave one note and one override (through the review service), so both show."""
    if trainer is None or trainer.role != "trainer":
        return
    latest = db.scalar(select(Attempt).join(User, User.id == Attempt.user_id)
                       .where(User.username == DEMO_PREFIX + "marcus")
                       .order_by(Attempt.created_at.desc()).limit(1))
    if latest is not None:
        review.add_note(db, trainer, latest.id, "Let's rehearse this one together on Thursday.")
        review.override_score(db, trainer, latest.id, min(100, latest.score + 10),
                              "Named the feeling out loud in our session; that counts.")
