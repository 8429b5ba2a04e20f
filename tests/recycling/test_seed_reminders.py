"""The demo's history of returns does not set off a flood of reminders."""

from datetime import timedelta

from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import Dispatch
from app.recycling import jobs
from app.recycling.models import DeviceReturn


def test_the_first_reminder_run_after_the_demo_seed_reminds_nobody_of_old_declarations(app, runner):
    """Declarations left waiting for months were reminded in their time: the job's first
    run under `make run` sends nothing about them (it reminded ~180 people at once)."""
    result = runner.invoke(args=["demo", "seed", "--employees", "150"])
    started = utcnow()
    assert result.exit_code == 0, result.output
    days = app.config["RECYCLING_REMINDER_DAYS"]
    long_waiting = db.session.scalar(
        select(func.count())
        .select_from(DeviceReturn)
        .where(DeviceReturn.status == "declared")
        .where(DeviceReturn.declared_at <= utcnow() - timedelta(days=days))
    )
    assert long_waiting > 0  # the history has some, or this test would prove nothing
    reminded = select(func.count()).select_from(Dispatch).where(Dispatch.created_at >= started)
    jobs.remind_waiting_returns()
    assert db.session.scalar(reminded) == 0
