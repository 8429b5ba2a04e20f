"""A scheduler whose lock went away (its PostgreSQL connection ended, its lock file
replaced) stops running jobs, and takes the lock again once it is free."""

import signal
import subprocess
import time
from pathlib import Path

import pytest
from apscheduler.schedulers.base import STATE_PAUSED
from sqlalchemy import create_engine, select, text

from app.core.time import utcnow
from app.extensions import db
from app.messaging import scheduler as messaging_scheduler
from app.messaging import services
from app.messaging.models import Dispatch
from tests.databases import runs_on_postgresql
from tests.messaging.test_processes import FLASK, ROOT, _env, _wait_for

KEY = messaging_scheduler.ADVISORY_LOCK_KEY
LOST = "Scheduler lock lost"


def _status(dispatch_id):
    return db.session.scalar(select(Dispatch.status).where(Dispatch.id == dispatch_id))


def _due_dispatch(make, template):
    """A dispatch due now to one person who takes e-mails."""
    make.user(email="yes@example.org", email_opt_in=True)
    dispatch = services.create_dispatch(template(), "everyone", {}, utcnow(), utcnow())
    db.session.commit()
    return dispatch.id


def _end_lock_connection_and_take_the_lock(connection):
    """End the lock's backend as a restart or failover would, and hold the lock here
    (the second scheduler); pg_advisory_lock waits for the ended backend to let it go."""
    connection.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            " AND objid = :key AND database ="
            " (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"key": KEY},
    )
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": KEY})


@pytest.fixture
def other_connection(app):
    """A connection of its own, outside the test's session: the other scheduler's."""
    engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _lose_the_lock(app, tmp_path, other_connection):
    """Take the first scheduler's lock away as production does, and give it to another."""
    if runs_on_postgresql():
        _end_lock_connection_and_take_the_lock(other_connection)
        return None
    # SQLite: the lock file removed (a clean-up of instance/, a redeploy): a second
    # scheduler creates the file again and locks it.
    Path(app.config["SCHEDULER_LOCK_FILE"]).unlink()
    second = messaging_scheduler.SchedulerLock(app)
    assert second.acquire()
    return second


@pytest.mark.slow
def test_a_scheduler_that_lost_its_lock_runs_no_more_jobs(
    app, make, template, smtp, config, tmp_path, caplog, other_connection
):
    config(SCHEDULER_LOCK_FILE=str(tmp_path / "scheduler.lock"), MESSAGING_POLL_SECONDS=1)
    lock = messaging_scheduler.SchedulerLock(app)
    assert lock.acquire()
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False, lock=lock)
    scheduler.start()
    second = None
    try:
        assert lock.held()
        second = _lose_the_lock(app, tmp_path, other_connection)
        dispatch_id = _due_dispatch(make, template)
        assert _wait_for(lambda: scheduler.state == STATE_PAUSED, timeout=10), "still running"
        time.sleep(2.5)  # more ticks' time: none of them runs
        assert _status(dispatch_id) == "scheduled"
    finally:
        scheduler.shutdown(wait=True)
        lock.release()
        if second is not None:
            second.release()
    assert smtp.recipients() == []
    assert [r.levelname for r in caplog.records if LOST in r.getMessage()] == ["ERROR"]


@pytest.mark.slow
@pytest.mark.skipif(not runs_on_postgresql(), reason="the advisory lock is PostgreSQL's")
def test_flask_scheduler_run_stops_when_its_lock_connection_ends_and_takes_it_again(
    app, make, template, smtp, tmp_path, other_connection
):
    """The operator's steps: the lock's backend terminated while another scheduler waits."""
    env = _env(app, smtp.port, tmp_path)
    log_path = tmp_path / "first.log"
    log = log_path.open("w")
    first = subprocess.Popen(
        [*FLASK, "scheduler", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert _wait_for(lambda: "Scheduler lock acquired" in log_path.read_text())
        _end_lock_connection_and_take_the_lock(other_connection)
        dispatch_id = _due_dispatch(make, template)
        assert _wait_for(lambda: LOST in log_path.read_text(), timeout=10), "never noticed"
        time.sleep(2.5)  # several ticks of MESSAGING_POLL_SECONDS=1
        assert _status(dispatch_id) == "scheduled", "ran a job without the lock"
        assert smtp.recipients() == []
        # The other scheduler stops: the first takes the lock again and runs the jobs.
        other_connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": KEY})
        assert _wait_for(lambda: _status(dispatch_id) == "done"), "never resumed"
    finally:
        # SIGTERM, as systemd stops it; never left running for the tests after this one.
        first.send_signal(signal.SIGTERM)
        try:
            first.wait(timeout=20)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
            log.close()
    lines = log_path.read_text().splitlines()
    assert sum("Scheduler lock acquired" in line for line in lines) == 2
    assert [line.split()[2] for line in lines if LOST in line] == ["ERROR"]
    assert first.returncode == 0
    assert smtp.recipients() == ["yes@example.org"]
