"""The trainer's view: who they may see, how each trainee is doing, and the cohort's charts.

A trainer sees the trainees of the cohorts they lead; an admin sees every trainee. Scores
shown here are *effective* scores: a trainer's override where there is one, else the
automatic score (both stay stored; see practicum/review.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ai.bands import BAND_FLOORS, band_for
from ai.dimensions import DIMENSIONS
from practicum.attention import Flag, Thresholds, attention_flags, fitted_change
from practicum.csv_files import to_csv
from practicum.errors import NotFound, ValidationFailed
from practicum.models import Attempt, Cohort, Scenario, User, utcnow

SORT_KEYS = ("name", "cohort", "attempts", "scenarios", "average", "latest", "trend", "last_active", "flags")


def category_label(key: str) -> str:
    """Write a category key the way people read it: 'peer-conflict' → 'Peer conflict'."""
    return key.replace("-", " ").replace("_", " ").capitalize()


def visible_trainees_query(viewer: User, cohort_id: int | None = None):
    """Select the trainees a viewer may see (a trainer: their cohorts'; an admin: all)."""
    query = select(User).where(User.role == "trainee")
    if viewer.role != "admin":
        query = query.join(Cohort, Cohort.id == User.cohort_id).where(Cohort.trainer_id == viewer.id)
    if cohort_id is not None:
        query = query.where(User.cohort_id == cohort_id)
    return query.order_by(User.display_name, User.id)


def visible_cohorts(db: Session, viewer: User) -> list[Cohort]:
    """Return the cohorts a viewer may see."""
    query = select(Cohort).order_by(Cohort.name)
    if viewer.role != "admin":
        query = query.where(Cohort.trainer_id == viewer.id)
    return list(db.scalars(query))


def visible_trainee(db: Session, viewer: User, trainee_id: int) -> User:
    """Return a trainee the viewer may see; anyone else is reported as not found."""
    trainee = db.scalar(visible_trainees_query(viewer).where(User.id == trainee_id))
    if trainee is None:
        raise NotFound(f"No trainee {trainee_id} in your cohorts.")
    return trainee


@dataclass
class Point:
    """One attempt, reduced to what the dashboard needs."""

    attempt_id: int
    user_id: int
    scenario_id: int
    scenario_title: str
    category: str
    score: int
    at: datetime
    dimensions: list[dict]


def attempt_points(db: Session, user_ids: list[int]) -> list[Point]:
    """Return the attempts of these users, oldest first, with effective scores."""
    if not user_ids:
        return []
    effective = func.coalesce(Attempt.override_score, Attempt.score)
    rows = db.execute(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.scenario_id,
            Scenario.title,
            Scenario.category,
            effective,
            Attempt.created_at,
            Attempt.dimensions,
        )
        .join(Scenario, Scenario.id == Attempt.scenario_id)
        .where(Attempt.user_id.in_(user_ids))
        .order_by(Attempt.created_at, Attempt.id)
    )
    return [Point(*row) for row in rows]


@dataclass
class TraineeRow:
    """One line of the cohort table."""

    trainee: User
    attempts: int = 0
    scenarios: int = 0
    average: float | None = None
    latest: int | None = None
    trend: float | None = None
    recent: list[int] = field(default_factory=list)
    weakest: dict | None = None  # a rubric dimension, always
    weakest_category: dict | None = None  # when two or more categories were rehearsed
    last_active: datetime | None = None
    flags: list[Flag] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the JSON form."""
        t = self.trainee
        return {
            "id": t.id,
            "username": t.username,
            "display_name": t.display_name,
            "cohort": t.cohort.name if t.cohort else None,
            "active": t.active,
            "attempts": self.attempts,
            "scenarios": self.scenarios,
            "average": self.average,
            "latest": self.latest,
            "trend": self.trend,
            "recent": self.recent,
            "weakest": self.weakest,
            "weakest_category": self.weakest_category,
            "last_active": self.last_active.isoformat() if self.last_active else None,
            "flags": [f.as_dict() for f in self.flags],
        }


def _average(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 1) if values else None


def weakest_category(points: list[Point]) -> dict | None:
    """Return the category with the lowest average score, when two or more were rehearsed."""
    by_category = defaultdict(list)
    for p in points:
        by_category[p.category].append(p.score)
    if len(by_category) < 2:
        return None
    key, scores = min(by_category.items(), key=lambda item: (_average(item[1]), item[0]))
    return {"kind": "category", "key": key, "label": category_label(key), "average": _average(scores)}


def weakest_area(points: list[Point]) -> dict | None:
    """Return the rubric dimension with the lowest average value (0–100) over the attempts."""
    by_dimension = defaultdict(list)
    for p in points:
        for d in p.dimensions or []:
            if d.get("weight", 1) and d.get("key") in DIMENSIONS:
                by_dimension[d["key"]].append(100 * float(d.get("value", 0)))
    if not by_dimension:
        return None
    key, values = min(by_dimension.items(), key=lambda item: (_average(item[1]), item[0]))
    return {"kind": "dimension", "key": key, "label": DIMENSIONS[key], "average": _average(values)}


def trainee_row(trainee: User, points: list[Point], now: datetime, t: Thresholds) -> TraineeRow:
    """Summarise one trainee's attempts (oldest first) into a table row with flags."""
    scores = [p.score for p in points]
    tries = defaultdict(list)
    for p in points:
        tries[p.scenario_title].append(p.score)
    last_active = points[-1].at if points else None
    return TraineeRow(
        trainee=trainee,
        attempts=len(points),
        scenarios=len({p.scenario_id for p in points}),
        average=_average(scores),
        latest=scores[-1] if scores else None,
        trend=fitted_change(scores[-t.trend_window :]),
        recent=scores[-t.trend_window :],
        weakest=weakest_area(points),
        weakest_category=weakest_category(points),
        last_active=last_active,
        flags=attention_flags(scores, dict(tries), last_active, now, t),
    )


def _sort_value(row: TraineeRow, key: str):
    if key == "name":
        return row.trainee.display_name.lower()
    if key == "cohort":
        return row.trainee.cohort.name if row.trainee.cohort else ""
    if key == "flags":
        return len(row.flags)
    return getattr(row, key)


def sort_rows(rows: list[TraineeRow], key: str = "name", descending: bool = False):
    """Sort rows by an allowed key; rows without a value go last either way."""
    if key not in SORT_KEYS:
        raise ValidationFailed(f"Sort by one of: {', '.join(SORT_KEYS)}.", {"sort": "unknown"})
    present = [r for r in rows if _sort_value(r, key) is not None]
    absent = [r for r in rows if _sort_value(r, key) is None]
    return sorted(present, key=lambda r: _sort_value(r, key), reverse=descending) + absent


@dataclass
class Dashboard:
    """The cohort table and its charts."""

    rows: list[TraineeRow]
    charts: dict
    cohorts: list[Cohort]


def cohort_dashboard(
    db: Session,
    viewer: User,
    t: Thresholds,
    cohort_id: int | None = None,
    query: str = "",
    flag: str = "",
    sort: str = "name",
    descending: bool = False,
    now: datetime | None = None,
) -> Dashboard:
    """Build the table (filtered and sorted) and the charts over the same trainees."""
    now = now or utcnow()
    trainees = list(db.scalars(visible_trainees_query(viewer, cohort_id)))
    query = query.strip().lower()
    if query:
        trainees = [u for u in trainees if query in u.display_name.lower() or query in u.username]
    points = attempt_points(db, [u.id for u in trainees])
    by_user = defaultdict(list)
    for p in points:
        by_user[p.user_id].append(p)
    rows = [trainee_row(u, by_user[u.id], now, t) for u in trainees]
    if flag:
        rows = [r for r in rows if any(f.code == flag for f in r.flags)]
        chosen = {r.trainee.id for r in rows}
        points = [p for p in points if p.user_id in chosen]
    return Dashboard(sort_rows(rows, sort, descending), cohort_charts(points), visible_cohorts(db, viewer))


def cohort_charts(points: list[Point]) -> dict:
    """Return the three charts: score distribution, average by week, average by category."""
    bins = [
        {"from": low, "to": min(low + 9, 100), "count": 0, "band": band_for(low)} for low in range(0, 100, 10)
    ]
    for p in points:
        bins[min(p.score // 10, 9)]["count"] += 1
    weeks, categories = defaultdict(list), defaultdict(list)
    for p in points:
        monday = (p.at - timedelta(days=p.at.weekday())).date()
        weeks[monday].append(p.score)
        categories[p.category].append(p.score)
    return {
        "distribution": bins,
        "over_time": [
            {"week": week.isoformat(), "average": _average(s), "attempts": len(s)}
            for week, s in sorted(weeks.items())
        ],
        "by_category": [
            {"category": c, "label": category_label(c), "average": _average(s), "attempts": len(s)}
            for c, s in sorted(categories.items())
        ],
        "bands": [{"band": band, "from": floor} for band, floor in BAND_FLOORS],
    }


def category_series(points: list[Point]) -> dict[str, list[dict]]:
    """Return one trainee's effective scores over time, one line per category."""
    series = defaultdict(list)
    for p in points:
        series[p.category].append(
            {
                "at": p.at.isoformat(),
                "score": p.score,
                "attempt_id": p.attempt_id,
                "scenario": p.scenario_title,
            }
        )
    return dict(sorted(series.items()))


COHORT_COLUMNS = [
    "trainee",
    "username",
    "cohort",
    "attempts",
    "scenarios",
    "average",
    "latest",
    "trend",
    "weakest_area",
    "last_active",
    "flags",
]


def cohort_csv(rows: list[TraineeRow]) -> str:
    """Return the cohort table as CSV, safe to open in a spreadsheet."""
    return to_csv(
        COHORT_COLUMNS,
        (
            [
                r.trainee.display_name,
                r.trainee.username,
                r.trainee.cohort.name if r.trainee.cohort else "",
                r.attempts,
                r.scenarios,
                r.average,
                r.latest,
                r.trend,
                r.weakest["label"] if r.weakest else "",
                r.last_active.date().isoformat() if r.last_active else "",
                "; ".join(f.explanation for f in r.flags),
            ]
            for r in rows
        ),
    )
