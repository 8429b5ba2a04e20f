"""The scheduler process: `flask scheduler run`.

APScheduler with its jobs stored in the app database (SQLAlchemyJobStore). It runs
the jobs every domain registered (app.core.jobs) and messaging's own: a tick that
delivers due dispatches and mirrors recurring schedules into the job store. A
process-wide lock (PostgreSQL advisory lock, or a file lock on SQLite) makes sure a
second scheduler started by mistake never runs jobs. Every job first checks that the
lock is still held (a restart or failover of PostgreSQL ends its connection, and the
lock with it): when it is gone the scheduler pauses until it takes the lock again.
Web workers never import this.
"""

import logging
import os
import signal
import threading
import time
from datetime import datetime
from pathlib import Path

import click
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from filelock import FileLock, Timeout
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.core.jobs import registered_jobs
from app.core.time import local_zone
from app.extensions import db
from app.messaging.builtins import ensure_builtin_templates
from app.messaging.recurrence import RUN_LATENESS, last_moment

log = logging.getLogger("empreinte.scheduler")

JOB_TABLE = "messaging_scheduler_job"
TICK_JOB_ID = "messaging.tick"
SCHEDULE_JOB_PREFIX = "messaging.schedule."
ADVISORY_LOCK_KEY = 0x456D7072  # "Empr": the one scheduler of this database

# The process's app and scheduler, set by build_scheduler; jobs stored in the
# database refer to the functions below by name and find the app here.
_state: dict = {}


# The lock's row in pg_locks: a bigint key is split into classid (high half) and objid.
HELD_SQL = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND objsubid = 1"
    " AND ((classid::bigint << 32) | objid::bigint) = :key)"
)


class SchedulerLock:
    """Held for the life of the scheduler process, and checked before every job."""

    def __init__(self, app):
        self.app = app
        self.connection = None
        self.file_lock = None
        self.file_identity = None
        # Set by the job that found the lock gone: `flask scheduler run` takes it again.
        self.lost = threading.Event()
        # Jobs run in several threads; a SQLAlchemy connection serves one at a time.
        self._guard = threading.Lock()

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; False if another scheduler does."""
        with self.app.app_context():
            engine = db.engine
        if engine.dialect.name == "postgresql":
            # A dedicated connection: the session-level lock lives as long as it does.
            connection = engine.connect()
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            connection.commit()
            if not held:
                connection.close()
                return False
            with self._guard:
                self.connection = connection
            self.lost.clear()
            return True
        path = self.app.config.get("SCHEDULER_LOCK_FILE") or str(
            Path(self.app.instance_path) / "scheduler.lock"
        )
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Not per thread: the process holds it, and jobs check it from their own threads.
        self.file_lock = FileLock(path, thread_local=False)
        try:
            self.file_lock.acquire(timeout=0)
        except Timeout:
            return False
        stat = os.stat(path)
        self.file_identity = (stat.st_dev, stat.st_ino)
        self.lost.clear()
        return True

    def held(self) -> bool:
        """Whether this process still holds the lock: on PostgreSQL asked on its own
        connection (dead with a restart or failover); on SQLite, the lock file is still
        the one locked (removed or replaced, another scheduler could lock the new one)."""
        with self._guard:
            if self.connection is not None:
                try:
                    held = self.connection.execute(HELD_SQL, {"key": ADVISORY_LOCK_KEY}).scalar()
                    self.connection.commit()
                except SQLAlchemyError:  # the connection died, or died at an earlier check
                    return False
                return bool(held)
            if self.file_lock is None or not self.file_lock.is_locked:
                return False
            try:
                stat = os.stat(self.file_lock.lock_file)
            except FileNotFoundError:
                return False
            return (stat.st_dev, stat.st_ino) == self.file_identity

    def release(self) -> None:
        """Let the lock go; a connection that already died is only closed."""
        with self._guard:
            if self.connection is not None:
                try:
                    self.connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                    self.connection.commit()
                except SQLAlchemyError:
                    pass  # the connection is gone, and its lock with it
                self.connection.close()
                self.connection = None
            if self.file_lock is not None and self.file_lock.is_locked:
                self.file_lock.release()
            self.file_identity = None


# One job pauses the scheduler and logs the loss, not each job that finds the lock gone.
_pausing = threading.Lock()

#: What a job returns when it ran nothing, its scheduler lock gone (`_may_run_jobs`):
#: `log_each_job_run` says "skipped", not "done".
SKIPPED = "skipped: the scheduler lock is lost"


def _may_run_jobs() -> bool:
    """Whether a job may run: this process still holds the scheduler lock. If not, the
    scheduler pauses at once (one ERROR line) and `flask scheduler run` waits to take
    the lock again; another scheduler may hold it by then."""
    lock = _state.get("lock")
    if lock is None or lock.held():
        return True
    scheduler = _state["scheduler"]
    with _pausing:
        if not lock.lost.is_set():
            if scheduler.running:
                scheduler.pause()
            log.error(
                "Scheduler lock lost (its database connection ended, or its lock file "
                "was removed): this one runs no jobs until it takes the lock again."
            )
            lock.lost.set()
    return False


def run_registered_job(job_id: str) -> str | None:
    """Run a job another domain registered, in an app context."""
    if not _may_run_jobs():
        return SKIPPED
    app = _state["app"]
    with app.app_context():
        spec = next((j for j in registered_jobs(app) if j.job_id == job_id), None)
        if spec is None:
            log.warning("job %s is no longer registered", job_id)
            return
        try:
            spec.func()
        except Exception:
            db.session.rollback()
            raise


def run_messaging_schedule(schedule_id: int) -> str | None:
    """Run one occurrence of a recurring message schedule."""
    from app.messaging import jobs

    if not _may_run_jobs():
        return SKIPPED
    with _state["app"].app_context():
        jobs.run_schedule(schedule_id)


def tick() -> str | None:
    """Mirror recurring schedules into the job store, then deliver what is due."""
    from app.messaging import jobs

    if not _may_run_jobs():
        return SKIPPED
    with _state["app"].app_context():
        sync_schedules(_state["scheduler"])
        jobs.deliver_due()


def sync_schedules(scheduler) -> None:
    """Add, replace or remove the cron jobs of message schedules; drop stale registered jobs."""
    from app.messaging.builtins import wrong_audience
    from app.messaging.models import Schedule
    from app.messaging.queries import ended_with_campaign
    from app.messaging.services import MessagingError, parse_cron

    schedules = db.session.scalars(
        select(Schedule).where(Schedule.active.is_(True), Schedule.kind == "cron")
    ).all()
    db.session.commit()
    wanted = {}
    now = datetime.now(local_zone())
    for schedule in schedules:
        try:
            trigger = parse_cron(schedule.cron)
        except MessagingError:
            log.warning("schedule %s has an invalid cron expression", schedule.id)
            continue
        if ended_with_campaign(schedule, now) is not None:
            continue  # about a campaign now over: it ends with it, its job leaves the store
        if wrong_audience(schedule.template.key, schedule.audience_key):
            continue  # planned before its audience was refused: it never goes, no job
        if schedule.until is not None:
            # No occurrence after its last day; ended, its job leaves the store.
            trigger.end_date = last_moment(schedule.until)
            if trigger.get_next_fire_time(None, now) is None:
                continue
        wanted[f"{SCHEDULE_JOB_PREFIX}{schedule.id}"] = (schedule, trigger)
    current = {job.id: job for job in scheduler.get_jobs()}
    keep = {TICK_JOB_ID} | {spec.job_id for spec in registered_jobs(_state["app"])}
    for job_id in current:
        if job_id not in wanted and job_id not in keep:
            scheduler.remove_job(job_id)
    for job_id, (schedule, trigger) in wanted.items():
        job = current.get(job_id)
        # str() of a trigger leaves its end out: compared too, a changed end replaces it.
        if (
            job is None
            or str(job.trigger) != str(trigger)
            or getattr(job.trigger, "end_date", None) != trigger.end_date
        ):
            scheduler.add_job(
                run_messaging_schedule,
                trigger,
                args=[schedule.id],
                id=job_id,
                name=f"message schedule {schedule.id}",
                replace_existing=True,
            )


def build_scheduler(app, blocking: bool = True, lock: SchedulerLock | None = None):
    """An APScheduler with the SQLAlchemy job store on the app database and every job added.

    Given the process's lock, each job checks it first (`_may_run_jobs`)."""
    with app.app_context():
        engine = db.engine
        zone = local_zone()
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        # Its own engine on the same database: the job store disposes it on shutdown,
        # which must not close connections the app's session still uses. No pool: the
        # store is read every few seconds at most, and APScheduler disposes the engine
        # before its loop stops, so a connection the loop still held would stay open.
        jobstores={
            "default": SQLAlchemyJobStore(
                # As the app's engine: a failed statement's error never logs its values.
                engine=create_engine(engine.url, poolclass=NullPool, hide_parameters=True),
                tablename=JOB_TABLE,
            )
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(RUN_LATENESS.total_seconds()),
        },
        timezone=zone,
    )
    _state.update(app=app, scheduler=scheduler, lock=lock)
    for spec in registered_jobs(app):
        scheduler.add_job(
            run_registered_job,
            spec.trigger,
            args=[spec.job_id],
            id=spec.job_id,
            name=spec.job_id,
            replace_existing=True,
            **spec.trigger_args,
        )
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=app.config["MESSAGING_POLL_SECONDS"], timezone=zone),
        id=TICK_JOB_ID,
        name=TICK_JOB_ID,
        replace_existing=True,
        next_run_time=datetime.now(zone),
    )
    return scheduler


# Each line says its level: `grep ERROR` finds the e-mails given up (README, messaging).
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

scheduler_cli = AppGroup("scheduler", help="The process that runs scheduled jobs.")


def take_lock(lock: SchedulerLock, wait: bool, poll_seconds: float) -> None:
    """Return once this process holds the scheduler lock; without `wait`, exit 1 instead
    of waiting. Each reason to wait is logged once, not at every try."""
    said = None
    while True:
        try:
            if lock.acquire():
                log.info("Scheduler lock acquired: running jobs.")
                return
            reason = "Another scheduler holds the lock: this one runs no jobs."
        except DBAPIError:  # the database restarting: the lock is tried again
            reason = "The database cannot be reached for the scheduler lock: this one runs no jobs."
        if reason != said:
            log.warning(reason)
            said = reason
        if not wait:
            raise SystemExit(1)
        time.sleep(poll_seconds)


#: How long a stopping scheduler waits for the jobs under way (a send finishing the
#: e-mails in flight takes a second or two), within systemd's default 90 s.
STOP_GRACE_SECONDS = 10.0


def _wait_for_running_jobs(scheduler, seconds: float) -> bool:
    """Wait until no job of the scheduler runs any more, `seconds` at most; whether they
    all ended. Each executor counts its running instances by job (APScheduler 3's
    `_instances`, kept up to date as each ends)."""
    deadline = time.monotonic() + seconds
    executors = list(getattr(scheduler, "_executors", {}).values())
    while time.monotonic() < deadline:
        if not any(any(getattr(e, "_instances", {}).values()) for e in executors):
            return True
        time.sleep(0.05)
    log.warning(
        "Stopping with a job still running after %.0f s: its work resumes at the next start.",
        seconds,
    )
    return False


def _stop_running(signum, frame) -> None:
    raise KeyboardInterrupt


class _NoTentativeAdds(logging.Filter):
    """Drops APScheduler's "Adding job tentatively -- it will be properly scheduled when
    the scheduler starts", said of each job added before the start: it reads as a warning
    and is the normal way the jobs are set up."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Adding job tentatively")


def quiet_apscheduler_logs() -> None:
    """APScheduler's own lines, kept to what an operator reads: its executors' two lines a
    run ("Running job…", "executed successfully") give way to log_each_job_run's one; their
    warnings (a missed run) and errors (a job that failed, with its traceback) stay."""
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    scheduler_logger = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _NoTentativeAdds) for f in scheduler_logger.filters):
        scheduler_logger.addFilter(_NoTentativeAdds())


def log_each_job_run(scheduler) -> None:
    """One INFO line per job run, as README "Logs" says: the job's id, its outcome and how
    long it took (`Job messaging.tick done in 0.12 s`), or that it ran nothing, its lock
    lost (`Job messaging.tick skipped: the scheduler lock is lost`). Nothing personal: a
    failure is named by its exception's class, its message (an address, a name) left to
    the executor's ERROR line."""
    # By run (the job and the time it was due): a very short job can end before its
    # submission is told, and a start told late, kept by job alone, was taken for the
    # next run's, which then read "done in 60.07 s".
    started: dict[tuple, float] = {}
    ended_first: set[tuple] = set()
    lock = threading.Lock()

    def submitted(event) -> None:
        with lock:
            for run_time in event.scheduled_run_times:
                run = (event.job_id, run_time)
                if run in ended_first:
                    ended_first.discard(run)
                else:
                    started[run] = time.monotonic()

    def finished(event) -> None:
        run = (event.job_id, event.scheduled_run_time)
        with lock:
            began = started.pop(run, None)
            if began is None:
                ended_first.add(run)
        if began is None:  # it ended before its submission was told: from when it was due
            late = datetime.now(event.scheduled_run_time.tzinfo) - event.scheduled_run_time
            took = max(late.total_seconds(), 0.0)
        else:
            took = time.monotonic() - began
        if event.exception is None and event.retval == SKIPPED:
            log.info("Job %s %s", event.job_id, SKIPPED)
        elif event.exception is None:
            log.info("Job %s done in %.2f s", event.job_id, took)
        else:
            log.info(
                "Job %s failed after %.2f s (%s)",
                event.job_id,
                took,
                type(event.exception).__name__,
            )

    def missed(event) -> None:  # a run too late to go: never finished, nothing to keep
        with lock:
            started.pop((event.job_id, event.scheduled_run_time), None)

    scheduler.add_listener(submitted, EVENT_JOB_SUBMITTED)
    scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.add_listener(missed, EVENT_JOB_MISSED)


@scheduler_cli.command("run")
@click.option(
    "--wait/--no-wait",
    default=True,
    help="When another scheduler holds the lock: wait for it (default) or exit.",
)
def run_scheduler(wait: bool):
    """Run the scheduled jobs; only one scheduler per database ever runs them."""
    from app.messaging import jobs

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    quiet_apscheduler_logs()
    app = current_app._get_current_object()
    poll_seconds = app.config["MESSAGING_POLL_SECONDS"]
    # SIGTERM (systemd's stop) and SIGINT end it cleanly: jobs stopped, lock let go. Set
    # here, not inherited: a process started in the background of a script has SIGINT
    # ignored, and one that lost its lock must still stop when told.
    signal.signal(signal.SIGTERM, _stop_running)
    signal.signal(signal.SIGINT, _stop_running)
    lock = SchedulerLock(app)
    take_lock(lock, wait, poll_seconds)
    # A new release's built-in texts reach the built-in templates nobody edited: the
    # notices the jobs send use them before any organiser opens the templates page.
    refreshed = ensure_builtin_templates()
    db.session.commit()
    if refreshed:
        log.info("Built-in templates installed or updated: %s", ", ".join(refreshed))
    # In the background: this thread stays free to take the lock again once a job
    # found it lost and paused the scheduler.
    scheduler = build_scheduler(app, blocking=False, lock=lock)
    log_each_job_run(scheduler)
    scheduler.start()
    try:
        while True:
            if lock.lost.wait(poll_seconds):
                lock.release()
                take_lock(lock, wait, poll_seconds)
                scheduler.resume()
    except KeyboardInterrupt:
        pass
    finally:
        # A send under way ends after the e-mails in flight and lets go of the rows it
        # claimed; waited for, so that it ends before the lock and the interpreter do,
        # STOP_GRACE_SECONDS at most, and outside APScheduler's shutdown: its
        # `shutdown(wait=True)` waits holding the job stores' lock, which the tick asks
        # for (`sync_schedules` reads the jobs), and a stop during a tick never ended.
        jobs.stop_sending()
        if scheduler.running:
            scheduler.shutdown(wait=False)
            _wait_for_running_jobs(scheduler, STOP_GRACE_SECONDS)
        lock.release()
