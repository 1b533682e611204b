"""'Needs attention' rules: simple, explainable flags on a trainee's recent practice.

Each rule has a threshold in Config (ATTENTION_*) and says in words why it fired, so a trainer
can check the reason against the numbers on the same page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from ai.bands import band_for, band_label


@dataclass(frozen=True)
class Thresholds:
    """The configured limits of every rule."""

    trend_window: int = 5
    falling_points: int = 15
    inactive_days: int = 14
    low_average: int = 40
    min_attempts: int = 3
    retry_count: int = 4
    retry_min_gain: int = 5

    @classmethod
    def from_config(cls, config) -> Thresholds:
        """Read the thresholds from the app's Config."""
        return cls(
            config.ATTENTION_TREND_WINDOW,
            config.ATTENTION_FALLING_POINTS,
            config.ATTENTION_INACTIVE_DAYS,
            config.ATTENTION_LOW_AVERAGE,
            config.ATTENTION_MIN_ATTEMPTS,
            config.ATTENTION_RETRY_COUNT,
            config.ATTENTION_RETRY_MIN_GAIN,
        )

    def rules(self) -> list[dict[str, str]]:
        """Return each rule in words, for the legend under the dashboard."""
        return [
            {
                "code": "falling",
                "label": "Falling scores",
                "rule": f"Over the last {self.trend_window} attempts, scores fell by "
                f"{self.falling_points} points or more.",
            },
            {
                "code": "inactive",
                "label": "Not rehearsing",
                "rule": f"No rehearsal for {self.inactive_days} days or more.",
            },
            {
                "code": "low_average",
                "label": "Low average",
                "rule": f"Average below {self.low_average} after at least {self.min_attempts} attempts.",
            },
            {
                "code": "stuck",
                "label": "Stuck on a scenario",
                "rule": f"{self.retry_count} or more tries at one scenario without gaining "
                f"{self.retry_min_gain} points on the first try.",
            },
        ]


@dataclass(frozen=True)
class Flag:
    """One reason a trainee needs attention, in words."""

    code: str
    label: str
    explanation: str

    def as_dict(self) -> dict[str, str]:
        """Return the JSON form."""
        return asdict(self)


def fitted_change(scores: list[int]) -> float | None:
    """Return how much a straight line fitted to the scores rises (or falls) across them."""
    n = len(scores)
    if n < 3:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(scores) / n
    spread = sum((x - mean_x) ** 2 for x in range(n))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(scores)) / spread
    return round(slope * (n - 1), 1)


def _falling(scores: list[int], t: Thresholds) -> Flag | None:
    change = fitted_change(scores[-t.trend_window :])
    if change is None or change > -t.falling_points:
        return None
    shown = len(scores[-t.trend_window :])
    return Flag(
        "falling",
        "Falling scores",
        f"Scores fell about {abs(change):.0f} points over the last {shown} attempts.",
    )


def _inactive(last_active: datetime | None, now: datetime, t: Thresholds) -> Flag | None:
    if last_active is None:
        return Flag("inactive", "Not started", "Has not rehearsed yet.")
    days = (now - last_active).days
    if days < t.inactive_days:
        return None
    return Flag("inactive", "Not rehearsing", f"No rehearsal for {days} days.")


def _low_average(scores: list[int], t: Thresholds) -> Flag | None:
    if len(scores) < t.min_attempts:
        return None
    average = sum(scores) / len(scores)
    if average >= t.low_average:
        return None
    return Flag(
        "low_average",
        "Low average",
        f"Average {average:.0f} ({band_label(band_for(round(average)))}) over "
        f"{len(scores)} attempts is below {t.low_average}.",
    )


def _stuck(tries: dict[str, list[int]], t: Thresholds) -> Flag | None:
    """tries maps a scenario title to its scores in order."""
    for title, scores in sorted(tries.items(), key=lambda item: -len(item[1])):
        if len(scores) >= t.retry_count and max(scores[1:]) < scores[0] + t.retry_min_gain:
            return Flag(
                "stuck",
                "Stuck on a scenario",
                f"{len(scores)} tries at “{title}” without improving on the first score ({scores[0]}).",
            )
    return None


def attention_flags(
    scores: list[int], tries: dict[str, list[int]], last_active: datetime | None, now: datetime, t: Thresholds
) -> list[Flag]:
    """Return every rule that fires for a trainee's scores (oldest first) and activity."""
    found = (_falling(scores, t), _inactive(last_active, now, t), _low_average(scores, t), _stuck(tries, t))
    return [flag for flag in found if flag]
