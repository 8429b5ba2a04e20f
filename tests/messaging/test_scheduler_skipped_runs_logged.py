"""A job that ran nothing because its scheduler had lost the lock is logged as skipped:
the log read "Job messaging.tick done in 0.04 s" for a tick that delivered nothing."""

import logging

import pytest

from app.messaging import scheduler as messaging_scheduler
from tests.messaging.test_processes import _wait_for
from tests.messaging.test_scheduler_lock_lost import (  # noqa: F401 - a fixture
    LOST,
    _lose_the_lock,
    other_connection,
)

TICK = messaging_scheduler.TICK_JOB_ID


@pytest.mark.slow
def test_a_tick_run_without_the_lock_is_logged_as_skipped_not_done(
    app,
    config,
    tmp_path,
    caplog,
    other_connection,  # noqa: F811 - the fixture
):
    config(SCHEDULER_LOCK_FILE=str(tmp_path / "scheduler.lock"), MESSAGING_POLL_SECONDS=1)
    messaging_scheduler.quiet_apscheduler_logs()
    caplog.set_level(logging.INFO)
    lock = messaging_scheduler.SchedulerLock(app)
    assert lock.acquire()
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False, lock=lock)
    messaging_scheduler.log_each_job_run(scheduler)
    scheduler.start()
    second = None
    try:
        assert _wait_for(lambda: f"Job {TICK} done in " in caplog.text), "no tick ran"
        second = _lose_the_lock(app, tmp_path, other_connection)
        assert _wait_for(lambda: f"Job {TICK} skipped" in caplog.text, timeout=10)
    finally:
        scheduler.shutdown(wait=True)
        lock.release()
        if second is not None:
            second.release()
    lines = [record.getMessage() for record in caplog.records]
    after_loss = lines[next(i for i, line in enumerate(lines) if LOST in line) :]
    ticks = [line for line in after_loss if line.startswith(f"Job {TICK} ")]
    assert ticks == [f"Job {TICK} skipped: the scheduler lock is lost"]
