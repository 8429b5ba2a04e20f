"""`flask scheduler run` logs one line per job run (README "Logs"): its logs said nothing
after "Scheduler started" while it sent thousands of e-mails, and began with five
"Adding job tentatively…" lines that read like warnings."""

import logging
import time
from datetime import datetime

from apscheduler.events import (
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.triggers.date import DateTrigger

from app.core.time import local_zone
from app.messaging import scheduler as messaging_scheduler

TICK = messaging_scheduler.TICK_JOB_ID


class JobFailure(Exception):
    """The failure of the test's job."""


def fail_with_a_personal_message() -> None:
    """A job that fails with a message naming someone, which its log line must not repeat."""
    raise JobFailure("cannot write to jeanne.martin@example.org")


def _lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def _run_the_real_scheduler(app, caplog, until) -> list[str]:
    """Set up the scheduler as `flask scheduler run` does, start it, and give its lines
    once `until(lines)` holds (or after 30 s)."""
    messaging_scheduler.quiet_apscheduler_logs()
    caplog.set_level(logging.INFO)
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    messaging_scheduler.log_each_job_run(scheduler)
    scheduler.add_job(
        fail_with_a_personal_message,
        DateTrigger(datetime.now(local_zone())),
        id="test.fails",
        name="test.fails",
        replace_existing=True,
    )
    scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while not until(_lines(caplog)) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)
    return _lines(caplog)


def _ran(job_id: str, outcome: str):
    return lambda lines: any(line.startswith(f"Job {job_id} {outcome}") for line in lines)


def test_each_job_run_is_one_info_line_with_its_outcome_and_duration(app, caplog):
    lines = _run_the_real_scheduler(app, caplog, _ran(TICK, "done"))
    (tick,) = [line for line in lines if line.startswith(f"Job {TICK} ")]
    assert tick.startswith(f"Job {TICK} done in ") and tick.endswith(" s")
    # APScheduler's two lines a run ("Running job…", "…executed successfully") are gone.
    assert not [
        r for r in caplog.records if r.name.startswith("apscheduler.executors") and r.levelno < 30
    ]


def test_a_failed_job_is_named_without_its_message(app, caplog):
    lines = _run_the_real_scheduler(app, caplog, _ran("test.fails", "failed"))
    (failed,) = [line for line in lines if line.startswith("Job test.fails ")]
    assert failed.startswith("Job test.fails failed after ") and failed.endswith("(JobFailure)")
    records = [r for r in caplog.records if r.getMessage() == failed]
    assert records[0].levelno == logging.INFO


def test_jobs_added_before_the_start_say_nothing(app, caplog):
    lines = _run_the_real_scheduler(app, caplog, _ran(TICK, "done"))
    assert not any("tentatively" in line for line in lines)


def test_a_start_told_after_its_end_is_not_taken_for_the_next_runs(app, caplog):
    """A short job ended before APScheduler told its submission; that late start, kept by
    job alone, was taken for the next run's, and the log read "done in 60.07 s" for a run
    of a few milliseconds. The events in that order, through the scheduler's listeners."""
    caplog.set_level(logging.INFO)
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    messaging_scheduler.log_each_job_run(scheduler)
    first = datetime.now(local_zone())
    scheduler._dispatch_event(JobExecutionEvent(EVENT_JOB_EXECUTED, "test.short", "default", first))
    scheduler._dispatch_event(
        JobSubmissionEvent(EVENT_JOB_SUBMITTED, "test.short", "default", [first])
    )
    time.sleep(1.2)
    second = datetime.now(local_zone())
    scheduler._dispatch_event(
        JobExecutionEvent(EVENT_JOB_EXECUTED, "test.short", "default", second)
    )
    scheduler._dispatch_event(
        JobSubmissionEvent(EVENT_JOB_SUBMITTED, "test.short", "default", [second])
    )
    durations = [
        float(line.split(" done in ")[1].removesuffix(" s"))
        for line in _lines(caplog)
        if line.startswith("Job test.short done in ")
    ]
    assert len(durations) == 2 and max(durations) < 1.0


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _without_the_tick(scheduler):
    """The scheduler without its tick: the tick drops every job no schedule names, these
    tests' own included, and one dropped between its start and its removal from the
    store made APScheduler's thread raise (JobLookupError) on a busy machine."""
    scheduler.remove_job(messaging_scheduler.TICK_JOB_ID)
    return scheduler


def test_a_stopping_scheduler_waits_for_a_running_job_but_not_for_ever(app):
    """A stop waits for the job under way (a send finishing its e-mails), at most the
    grace given, after APScheduler's shutdown: its `shutdown(wait=True)` waited holding the
    job stores' lock, which the tick asks for, and a stop during a tick never ended."""
    scheduler = _without_the_tick(messaging_scheduler.build_scheduler(app, blocking=False))
    for job_id, seconds in (("test.short", 0.3), ("test.held", 5)):
        scheduler.add_job(_sleep, DateTrigger(datetime.now(local_zone())), args=[seconds],
                          id=job_id, name=job_id, replace_existing=True)  # fmt: skip
    scheduler.start()
    executor = scheduler._lookup_executor("default")
    deadline = time.monotonic() + 10
    while sum(executor._instances.values()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    scheduler.shutdown(wait=False)
    began = time.monotonic()
    assert not messaging_scheduler._wait_for_running_jobs(scheduler, 1.0)
    assert 0.9 <= time.monotonic() - began < 2  # the short job ended; the held one is left
    assert dict(executor._instances) in ({"test.held": 1}, {"test.held": 1, "test.short": 0})
    assert messaging_scheduler._wait_for_running_jobs(scheduler, 8.0)


# The scheduler a test's job reads (its job store keeps a job's arguments as data).
_RUNNING = []


def _read_the_jobs() -> None:
    """What the tick does (`sync_schedules`): read the scheduler's jobs."""
    time.sleep(0.5)
    _RUNNING[0].get_jobs()


def test_a_job_reading_the_jobs_during_the_stop_lets_it_end(app):
    scheduler = _without_the_tick(messaging_scheduler.build_scheduler(app, blocking=False))
    _RUNNING[:] = [scheduler]
    scheduler.add_job(_read_the_jobs, DateTrigger(datetime.now(local_zone())),
                      id="test.reads", name="test.reads", replace_existing=True)  # fmt: skip
    scheduler.start()
    executor = scheduler._lookup_executor("default")
    deadline = time.monotonic() + 10
    while not executor._instances and time.monotonic() < deadline:
        time.sleep(0.02)
    scheduler.shutdown(wait=False)
    assert messaging_scheduler._wait_for_running_jobs(scheduler, 5.0)
