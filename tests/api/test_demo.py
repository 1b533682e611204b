"""`practicum demo`: a cohort with weeks of practice, made through the service; real data is safe."""

from datetime import timedelta

from sqlalchemy import func, select

from practicum.attention import Thresholds
from practicum.db import session
from practicum.demo import PROFILES
from practicum.models import Attempt, Cohort, User, utcnow
from practicum.trainers import cohort_dashboard
from tests.conftest import create_account


def demo_counts(app) -> dict:
    with app.app_context():
        attempts = (
            select(Attempt)
            .join(User, User.id == Attempt.user_id)
            .where(User.username.startswith("demo."))
            .subquery()
        )
        return {
            "trainees": session.scalar(select(func.count(User.id)).where(User.username.startswith("demo."))),
            "attempts": session.scalar(select(func.count()).select_from(attempts)),
            "oldest": session.scalar(select(func.min(attempts.c.created_at))),
            "sources": set(session.scalars(select(attempts.c.feedback_source))),
        }


def test_demo_fills_a_cohort_with_weeks_of_practice(make_app):
    # The demo picks answers by their real scores, so it runs here as it does for an operator: on
    # MiniLM. The fake embedder's vectors lie where the judge has seen no answer, so its scores
    # bunch in the middle and no trainee's path (improving, falling) could be drawn with them.
    app = make_app(EMBEDDING_BACKEND="onnx")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Priya Shah: 12 attempts" in result.output and "Done in" in result.output
    counts = demo_counts(app)
    assert counts["trainees"] == len(PROFILES)
    assert counts["attempts"] == sum(p.attempts for p in PROFILES)
    assert counts["oldest"] < utcnow() - timedelta(days=35)
    assert counts["sources"] == {"none"}
    with app.app_context():
        cohort = session.scalar(select(Cohort).where(Cohort.name == "Demo cohort"))
        assert cohort.trainer.username == "trainer"
    with app.app_context():
        trainer = session.scalar(select(User).where(User.username == "trainer"))
        board = cohort_dashboard(session, trainer, Thresholds())
    flags = {r.trainee.username: {f.code for f in r.flags} for r in board.rows if r.attempts}
    assert flags == {
        "demo.priya": set(),
        "demo.marcus": {"low_average"},
        "demo.sofia": set(),
        "demo.liam": {"falling"},
        "demo.amara": {"inactive"},
        "demo.noah": {"stuck"},
        "demo.grace": set(),
        "demo.ethan": set(),
    }
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already here" in again.output
    assert demo_counts(app)["attempts"] == counts["attempts"]


def test_demo_refuses_a_database_with_real_accounts_unless_forced(app, runner):
    create_account(app, "zed", "trainee")
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 1
    assert "real accounts (zed)" in refused.output and "--force" in refused.output
    assert demo_counts(app)["trainees"] == 0
    forced = runner.invoke(args=["demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert demo_counts(app)["trainees"] == len(PROFILES)
