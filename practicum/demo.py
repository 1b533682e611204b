"""Demo data: a cohort of trainees who rehearsed over six weeks, so dashboards mean something.

Every attempt goes through the practice service and is scored by the configured embedder and
scorer; feedback skips the language model (source "none") for speed. Each trainee follows a
path of target scores; their answer each time is the candidate (built from the scenario's
expert responses, or a weak reply) whose real score is nearest the target. Dates are moved back
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

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ai.feedback import FeedbackWriter
from embeddings.embedder import Embedder
from practicum import accounts, library, practice, review
from practicum.bootstrap import FIRST_ACCOUNTS
from practicum.errors import Conflict
from practicum.models import Attempt, PracticeSession, User, utcnow
from practicum.xapi import outbox as xapi

DEMO_COHORT = "Demo cohort"
DEMO_PREFIX = "demo."
SEED = 7
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
    """How one demo trainee practised: a path of target scores from first to last attempt."""

    username: str
    name: str
    attempts: int
    start: int  # target score of the first attempt
    end: int  # target score of the last attempt
    first_day: int  # days ago of the first attempt
    last_day: int  # days ago of the last attempt
    repeat_scenario: bool = False


PROFILES = (
    Profile("priya", "Priya Shah", 12, 20, 90, 40, 1),  # improving steadily
    Profile("marcus", "Marcus Bell", 9, 15, 25, 38, 3),  # struggling throughout
    Profile("sofia", "Sofia Alvarez", 10, 88, 92, 41, 2),  # strong and steady
    Profile("liam", "Liam O'Connor", 10, 85, 20, 39, 1),  # falling lately
    Profile("amara", "Amara Okafor", 5, 40, 65, 42, 20),  # has gone quiet
    Profile("noah", "Noah Kim", 6, 50, 50, 25, 2, repeat_scenario=True),  # stuck on one
    Profile("grace", "Grace Liu", 4, 50, 90, 12, 0),  # new and quick
    Profile("ethan", "Ethan Brooks", 8, 55, 65, 35, 4),  # middling
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
    rounds = [
        group[i]
        for i in range(max(map(len, by_category.values())))
        for group in by_category.values()
        if i < len(group)
    ]
    return rounds[:size]


def candidate_answers(scenario) -> list[str]:
    """Answers of every quality, built from the scenario's own expert responses."""
    answers = list(WEAK_REPLIES + MIDDLE_REPLIES)
    for index, response in enumerate(scenario.expert_responses):
        sentences = [s for s in re.split(r"(?<=[.?!])\s+", response.text) if s]
        answers += [
            response.text,
            " ".join(sentences[: max(1, len(sentences) - 1)]),
            f"{sentences[0]} {MIDDLE_REPLIES[index % len(MIDDLE_REPLIES)]}",
        ]
    return list(dict.fromkeys(answers))


class BatchedEmbedder(Embedder):
    """The configured embedder, remembering vectors: a scenario's candidates are embedded in
    one batch call (identical vectors, a fraction of the calls)."""

    def __init__(self, inner: Embedder):
        self.inner, self.model_id = inner, inner.model_id
        self.vectors: dict[str, np.ndarray] = {}

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Return one vector per text, embedding only texts not seen before, in one call."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.inner.embed_batch(missing), strict=True))
        return np.stack([self.vectors[t] for t in texts])


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


class AnswerPicker:
    """Picks, per scenario, the answer whose real score is nearest a target score.

    Scores come from the configured scorer (the same call the practice service makes), so the
    demo tells its story (improving, falling, stuck) whatever the scorer's version.
    """

    def __init__(self, db: Session, embedder: BatchedEmbedder):
        self.db, self.embedder = db, embedder
        self.scored: dict[int, list[tuple[int, str]]] = {}

    def pick(self, scenario, target: float, rng: random.Random) -> str:
        """Return an answer scoring near target (a little noise keeps the lines human)."""
        if scenario.id not in self.scored:
            answers = candidate_answers(scenario)
            # The scorer embeds an answer's sentences (or the whole of a one-sentence answer).
            self.embedder.embed_batch([p for a in answers for p in (a, *_sentences(a))])
            self.scored[scenario.id] = [
                (practice.score_for_scenario(self.db, scenario, text, self.embedder)[1].score, text)
                for text in answers
            ]
        return min(self.scored[scenario.id], key=lambda pair: abs(pair[0] - target) + rng.uniform(0, 4))[1]


def _rehearse(
    db: Session, user: User, scenario, text: str, confidence: int, when, rng, embedder, writer: FeedbackWriter
) -> Attempt:
    """One session with one attempt, scored by the service, then dated `when` (sent to no LRS)."""
    with xapi.not_recorded():
        started = practice.start_session(db, user, scenario.id, max(1, confidence - 1))
        scored = practice.score_attempt(db, user, started.id, text, embedder)
        attempt = practice.store_attempt(db, scored, writer.write(scored.facts))
        practice.end_session(
            db, user, started.id, confidence, rng.choice(REFLECTIONS) if rng.random() < 0.4 else None
        )
    db.execute(update(Attempt).where(Attempt.id == attempt.id).values(created_at=when))
    db.execute(
        update(PracticeSession)
        .where(PracticeSession.id == started.id)
        .values(started_at=when - timedelta(minutes=4), ended_at=when)
    )
    return attempt


def _practise(
    db: Session, user: User, profile: Profile, scenarios, rng, embedder, writer, picker: AnswerPicker
) -> list[Attempt]:
    now = utcnow()
    chosen = rng.sample(scenarios, k=min(len(scenarios), profile.attempts))
    made = []
    for index in range(profile.attempts):
        share = index / max(1, profile.attempts - 1)
        target = profile.start + (profile.end - profile.start) * share
        days = profile.first_day + (profile.last_day - profile.first_day) * share
        when = now - timedelta(days=days, hours=rng.uniform(0, 6))
        scenario = chosen[0] if profile.repeat_scenario else chosen[index % len(chosen)]
        # Someone stuck gives the same answer again; others vary a little around the target.
        text = picker.pick(scenario, target, random.Random(0) if profile.repeat_scenario else rng)
        confidence = max(1, min(5, round(1 + target / 25 + rng.uniform(-1, 1))))
        made.append(_rehearse(db, user, scenario, text, confidence, when, rng, embedder, writer))
    db.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            created_at=now - timedelta(days=profile.first_day + 2),
            last_login_at=now - timedelta(days=profile.last_day),
        )
    )
    db.commit()
    return made


def create_demo(db: Session, embedder: Embedder, force: bool = False, seed: int = SEED) -> Iterator[str]:
    """Create the demo cohort and its trainees' attempts; yield one line of news per step."""
    others = real_accounts(db)
    if others and not force:
        shown = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
        raise Conflict(
            f"This database holds real accounts ({shown}); the demo would mix "
            "made-up practice into their cohorts. Use --force to add it anyway."
        )
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
    embedder = BatchedEmbedder(embedder)
    picker = AnswerPicker(db, embedder)
    db.commit()
    yield f"Demo cohort {DEMO_COHORT!r} (trainer: {trainer.username if trainer else 'none'})."
    for profile in PROFILES:
        user = accounts.create_user(
            db, DEMO_PREFIX + profile.username, password, "trainee", profile.name, DEMO_COHORT
        )
        db.commit()
        made = _practise(db, user, profile, scenarios, rng, embedder, writer, picker)
        scores = [a.score for a in made]
        yield f"  {profile.name}: {len(made)} attempts, scores {scores[0]} → {scores[-1]}."
    _trainer_touches(db, trainer)
    yield f"Demo trainees sign in as demo.<name> (e.g. demo.priya) with password: {password}"


def _trainer_touches(db: Session, trainer: User | None) -> None:
    """Leave one note and one override (through the review service), so both show."""
    if trainer is None or trainer.role != "trainer":
        return
    latest = db.scalar(
        select(Attempt)
        .join(User, User.id == Attempt.user_id)
        .where(User.username == DEMO_PREFIX + "marcus")
        .order_by(Attempt.created_at.desc())
        .limit(1)
    )
    if latest is not None:
        review.add_note(db, trainer, latest.id, "Let's rehearse this one together on Thursday.")
        review.override_score(
            db,
            trainer,
            latest.id,
            min(100, latest.score + 10),
            "Named the feeling out loud in our session; that counts.",
        )
