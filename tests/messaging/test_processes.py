"""The real scheduler (in-process and as `flask scheduler run`), and a sender killed mid-dispatch."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select, text

from app.auth.models import User
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs, services
from app.messaging import scheduler as messaging_scheduler
from app.messaging.models import Delivery, Dispatch, Schedule
from tests.messaging.conftest import Collector, free_port

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "app:create_app"]


def _env(app, smtp_port, tmp_path, **extra):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY=app.config["SECRET_KEY"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_WORKING_HOURS="24/7",
        MESSAGING_POLL_SECONDS="1",
        SCHEDULER_LOCK_FILE=str(tmp_path / "scheduler.lock"),
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        db.session.expire_all()
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _people(count, opt_in=True):
    now = utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "email": f"p{i}@example.org",
                "display_name": f"Person {i}",
                "pseudonym": f"pseudo-{i}",
                "email_opt_in": opt_in,
                "session_token": f"t{i}",
                "leaderboard_visibility": "pseudonym",
                "active": True,
                "created_at": now,
            }
            for i in range(count)
        ],
    )
    db.session.commit()


def _dispatch_status(dispatch_id):
    return db.session.scalar(select(Dispatch.status).where(Dispatch.id == dispatch_id))


@pytest.mark.slow
def test_real_apscheduler_stores_cron_jobs_and_delivers_due_dispatches(app, make, template, smtp):
    make.user(email="yes@example.org", email_opt_in=True)
    tpl = template()
    schedule = services.schedule_message(tpl, "everyone", {}, "cron", utcnow(), cron="0 9 * * mon")
    dispatch = services.create_dispatch(tpl, "everyone", {}, utcnow(), utcnow())
    db.session.commit()
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    scheduler.start()
    try:
        assert _wait_for(lambda: _dispatch_status(dispatch.id) == "done")
        stored = set(
            db.session.scalars(text(f"SELECT id FROM {messaging_scheduler.JOB_TABLE}")).all()
        )
        assert {f"messaging.schedule.{schedule.id}", "messaging.tick"} <= stored
    finally:
        scheduler.shutdown(wait=True)
    assert smtp.recipients() == ["yes@example.org"]


def _stored_job(app, job_id):
    """The job as the scheduler stores it (SQLAlchemyJobStore), schedules mirrored into it."""
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    scheduler.start(paused=True)  # the real job store; nothing runs on its own
    try:
        messaging_scheduler.sync_schedules(scheduler)
        return scheduler.get_job(job_id)
    finally:
        scheduler.shutdown(wait=True)


def test_a_stored_rhythm_more_often_than_daily_sends_at_most_once_a_day(
    app, make, template, smtp, config, caplog
):
    """A schedule saved before the once-a-day rule (every 15 minutes) stays in the job
    store; its occurrences less than 23 hours after a sending are skipped and logged."""
    config(MAIL_WORKING_HOURS="24/7")
    make.user(email="yes@example.org", email_opt_in=True)
    tuesday = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    schedule = Schedule(
        template_id=template().id,
        audience_key="everyone",
        audience_params={},
        kind="cron",
        cron="*/15 * * * *",
        created_at=tuesday - timedelta(days=30),
    )
    db.session.add(schedule)
    db.session.commit()
    job = _stored_job(app, f"{messaging_scheduler.SCHEDULE_JOB_PREFIX}{schedule.id}")
    assert job.func_ref == "app.messaging.scheduler:run_messaging_schedule"
    for minutes in (0, 15, 30, 23 * 60 - 15, 23 * 60, 23 * 60 + 15):
        jobs.run_schedule(*job.args, clock=lambda m=minutes: tuesday + timedelta(minutes=m))
    sent = db.session.scalars(
        select(Dispatch.due_at).where(Dispatch.schedule_id == schedule.id).order_by(Dispatch.id)
    ).all()
    assert sent == [tuesday, tuesday + timedelta(hours=23)]
    assert smtp.recipients() == ["yes@example.org"] * 2
    skipped = [r for r in caplog.records if f"schedule {schedule.id} skipped" in r.getMessage()]
    assert len(skipped) == 4


def test_a_second_lock_is_refused_while_the_first_is_held(app, tmp_path, config):
    config(SCHEDULER_LOCK_FILE=str(tmp_path / "lock"))
    first, second = messaging_scheduler.SchedulerLock(app), messaging_scheduler.SchedulerLock(app)
    assert first.acquire()
    try:
        assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()


@pytest.mark.slow
def test_flask_scheduler_run_delivers_and_a_second_scheduler_runs_nothing(
    app, make, template, smtp, tmp_path
):
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = services.create_dispatch(template(), "everyone", {}, utcnow(), utcnow())
    db.session.commit()
    env = _env(app, smtp.port, tmp_path)
    log = (tmp_path / "first.log").open("w")
    first = subprocess.Popen(
        [*FLASK, "scheduler", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert _wait_for(lambda: _dispatch_status(dispatch.id) == "done"), "not delivered"
        second = subprocess.run(
            [*FLASK, "scheduler", "run", "--no-wait"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert "Another scheduler holds the lock" in second.stderr + second.stdout
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=20)
        log.close()
    first_log = (tmp_path / "first.log").read_text()
    assert "Scheduler lock acquired" in first_log
    assert "executed successfully" not in first_log, "every run logged: the console fills up"
    assert smtp.recipients() == ["yes@example.org"]


class SlowCollector(Collector):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.slow
def test_a_dispatch_killed_midway_resumes_without_losses_or_inbox_duplicates(app, tmp_path):
    people, batch = 200, 10
    _people(people)
    handler = SlowCollector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    env = _env(
        app,
        port,
        tmp_path,
        MESSAGING_BATCH_SIZE=batch,
        MESSAGING_SMTP_CONNECTIONS=1,
        MESSAGING_CLAIM_SECONDS=2,
    )
    try:
        sender = subprocess.Popen(
            [
                *FLASK,
                "messaging",
                "dispatch",
                "--template",
                "weekly-digest",
                "--audience",
                "everyone",
                "--send",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(handler.recipients()) < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=10)
        assert len(handler.recipients()) < people, "killed too late to test a resume"
        subprocess.run(
            [*FLASK, "messaging", "deliver"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
        )
    finally:
        controller.stop()
    db.session.rollback()
    inbox = db.session.execute(
        select(Delivery.user_id, func.count())
        .where(Delivery.channel == "inbox", Delivery.status == "delivered")
        .group_by(Delivery.user_id)
    ).all()
    assert len(inbox) == people and all(count == 1 for _user, count in inbox)
    received = Counter(handler.recipients())
    assert set(received) == {f"p{i}@example.org" for i in range(people)}
    assert sum(received.values()) - people <= batch
    assert db.session.scalar(select(Dispatch.status)) == "done"
