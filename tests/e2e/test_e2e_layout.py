"""On a laptop: the trainer's charts read at a glance (sensible dates, bars in band colours),
sit above the trainee table, and the rehearsal room shows its keyboard shortcut."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from practicum.db import session
from practicum.models import User
from tests.conftest import create_account
from tests.e2e.conftest import STRONG, WEAK, rehearse, sign_in, unique
from tests.e2e.test_e2e_rehearsal import open_scenario
from tests.e2e.test_trainer_admin import chart_drawn

pytestmark = pytest.mark.e2e

DAY_MS = 86_400_000
X_AXIS = """() => {
  const x = Chart.getChart(document.getElementById('chart-series')).scales.x;
  return { min: x.min, max: x.max, labels: x.ticks.map((tick) => tick.label) };
}"""
# Each category's bar and the colour of the band its rounded average falls in.
BARS = """() => {
  const chart = Chart.getChart(document.getElementById('chart-by-category'));
  const floors = JSON.parse(document.getElementById('chart-data').textContent).charts.bands;
  const styles = getComputedStyle(document.documentElement);
  return chart.data.datasets[0].data.map((average, i) => {
    const band = floors.find((floor) => Math.round(average) >= floor.from).band;
    return [chart.data.datasets[0].backgroundColor[i],
            styles.getPropertyValue(`--band-${band.replace('_', '-')}`).trim()];
  });
}"""


def add_trainee(live, cohort_of: str, days_ago: list[float]) -> str:
    """Put a new trainee in the cohort of `cohort_of`, with one attempt per entry of days_ago."""
    with live.app.app_context():
        cohort_name = session.scalar(select(User).where(User.username == cohort_of)).cohort.name
    username = unique("dated")
    create_account(live.app, username, "trainee", cohort_name)
    for days in days_ago:
        rehearse(live.app, username, STRONG if days < 30 else WEAK, days)
    return username


def open_trainee(page, username: str) -> dict:
    page.goto("/trainer")
    page.get_by_role("link", name=username, exact=True).click()
    page.wait_for_url(re.compile(r"/trainer/trainees/\d+$"))
    assert chart_drawn(page, "chart-series")
    return page.evaluate(X_AXIS)


def test_a_single_attempt_gets_a_week_of_axis_around_it(page, live, cohort):
    username = add_trainee(live, cohort["keen"], [1])
    sign_in(page, cohort["trainer"])
    axis = open_trainee(page, username)
    assert 6 * DAY_MS <= axis["max"] - axis["min"] <= 8 * DAY_MS  # was seven years
    assert 3 <= len(axis["labels"]) <= 8


def test_an_axis_across_new_year_names_the_years(page, live, cohort):
    username = add_trainee(live, cohort["keen"], [400, 1])
    sign_in(page, cohort["trainer"])
    axis = open_trainee(page, username)
    assert axis["max"] - axis["min"] < 450 * DAY_MS
    years = {m.group() for label in axis["labels"] for m in re.finditer(r"\b20\d\d\b", label)}
    assert len(years) >= 2, axis["labels"]


def test_the_dashboard_charts_sit_above_the_table_in_band_colours(page, cohort):
    sign_in(page, cohort["trainer"])
    page.goto("/trainer")
    assert chart_drawn(page, "chart-by-category")
    bars = page.evaluate(BARS)
    assert bars and all(drawn == expected for drawn, expected in bars), bars
    chart_top = page.locator("#chart-distribution").evaluate("c => c.getBoundingClientRect().top")
    table_top = page.locator("#cohort-table").evaluate("t => t.getBoundingClientRect().top")
    assert chart_top < table_top  # the summary row on top, as on a laptop it fits beside


def test_the_keyboard_hint_shows_on_a_laptop(page, new_trainee):
    sign_in(page, new_trainee())
    open_scenario(page, "Which decimal is bigger?")
    assert page.locator("#response-help").is_visible()
    assert "Ctrl" in page.locator("#response-help").inner_text()


# Each label is [day, time]: joined, as the tooltip shows it.
HISTORY_LABELS = (
    "() => Chart.getChart(document.getElementById('score-chart')).data.labels.map((l) => l.join(', '))"
)
HISTORY_LINES = """() => Chart.getChart(document.getElementById('score-chart')).data.datasets.map((d) => ({
  label: d.label, tension: d.tension, points: d.data.filter((y) => y !== null).length }))"""
YEAR = re.compile(r"\b20\d\d\b")


def test_the_history_chart_dates_carry_the_year_only_across_years(page, new_trainee, live):
    username = new_trainee()
    rehearse(live.app, username, STRONG, days_ago=3)
    rehearse(live.app, username, WEAK, days_ago=1)
    sign_in(page, username)
    page.goto("/history")
    assert all(not YEAR.search(label) for label in page.evaluate(HISTORY_LABELS))
    rehearse(live.app, username, WEAK, days_ago=400)
    page.goto("/history")
    labels = page.evaluate(HISTORY_LABELS)
    assert len(labels) == 3 and all(YEAR.search(label) for label in labels)


def test_the_history_chart_tells_tries_apart_and_draws_each_scenario_straight(page, new_trainee, live):
    username = new_trainee()
    for hours_ago in (5, 3, 1):  # three tries on the same day
        rehearse(live.app, username, STRONG, days_ago=hours_ago / 24)
    rehearse(live.app, username, WEAK, days_ago=2 / 24, scenario_key="wont-change-seats")
    sign_in(page, username)
    page.goto("/history")
    assert chart_drawn(page, "score-chart")
    labels = page.evaluate(HISTORY_LABELS)
    assert len(labels) == len(set(labels)) == 4  # the time tells tries on one day apart
    lines = {line["label"]: line for line in page.evaluate(HISTORY_LINES)}
    assert set(lines) == {"Which decimal is bigger?", "Won't change seats"}
    assert lines["Which decimal is bigger?"]["points"] == 3 and lines["Won't change seats"]["points"] == 1
    assert all(line["tension"] == 0 for line in lines.values())  # no curve above or below a score
