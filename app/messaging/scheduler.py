"""The scheduler process: `flask scheduler run`.

APScheduler with its jobs stored in the app database (SQLAlchemyJobStore). It runs
the jobs every domain registered (app.core.jobs) and messaging's own: a tick that
delivers due dispatches and mirrors recurring schedules into the job store. A
process-wide lock (PostgreSQL advisory lock, or a file lock on SQLite) makes sure a
second scheduler started by mistake never runs jobs. Web workers never import this.
"""

import logging
import time
from datetime import datetime
from pathlib import Path

import click
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from filelock import FileLock, Timeout
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, select, text
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


class SchedulerLock:
    """Held for the life of the scheduler process."""

    def __init__(self, app):
        self.app = app
        self.connection = None
        self.file_lock = None

    def acquire(self) -> bool:
        with self.app.app_context():
            engine = db.engine
        if engine.dialect.name == "postgresql":
            # A dedicated connection: the session-level lock lives as long as it does.
            self.connection = engine.connect()
            held = self.connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            self.connection.commit()
            if not held:
                self.connection.close()
                self.connection = None
            return bool(held)
        path = self.app.config.get("SCHEDULER_LOCK_FILE") or str(
            Path(self.app.instance_path) / "scheduler.lock"
        )
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.file_lock = FileLock(path)
        try:
            self.file_lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        if self.connection is not None:
            self.connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
            self.connection.close()
            self.connection = None
        if self.file_lock is not None and self.file_lock.is_locked:
            self.file_lock.release()


def run_registered_job(job_id: str) -> None:
    """Run a job another domain registered, in an app context."""
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


def run_messaging_schedule(schedule_id: int) -> None:
    """Run one occurrence of a recurring message schedule."""
    from app.messaging import jobs

    with _state["app"].app_context():
        jobs.run_schedule(schedule_id)


def tick() -> None:
    """Mirror recurring schedules into the job store, then deliver what is due."""
    from app.messaging import jobs

    with _state["app"].app_context():
        sync_schedules(_state["scheduler"])
        jobs.deliver_due()


def sync_schedules(scheduler) -> None:
    """Add, replace or remove the cron jobs of message schedules; drop stale registered jobs."""
    from app.messaging.models import Schedule
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


def build_scheduler(app, blocking: bool = True):
    """An APScheduler with the SQLAlchemy job store on the app database and every job added."""
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
                engine=create_engine(engine.url, poolclass=NullPool), tablename=JOB_TABLE
            )
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(RUN_LATENESS.total_seconds()),
        },
        timezone=zone,
    )
    _state.update(app=app, scheduler=scheduler)
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


@scheduler_cli.command("run")
@click.option(
    "--wait/--no-wait",
    default=True,
    help="When another scheduler holds the lock: wait for it (default) or exit.",
)
def run_scheduler(wait: bool):
    """Run the scheduled jobs; only one scheduler per database ever runs them."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    # APScheduler logs every run at INFO ("Running job…", "executed successfully"): two
    # lines every 30 s. Its warnings (a missed run) and errors (a job that failed) stay.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    app = current_app._get_current_object()
    lock = SchedulerLock(app)
    announced = False
    while not lock.acquire():
        if not announced:
            log.warning("Another scheduler holds the lock: this one runs no jobs.")
            announced = True
        if not wait:
            raise SystemExit(1)
        time.sleep(app.config["MESSAGING_POLL_SECONDS"])
    log.info("Scheduler lock acquired: running jobs.")
    # A new release's built-in texts reach the built-in templates nobody edited: the
    # notices the jobs send use them before any organiser opens the templates page.
    refreshed = ensure_builtin_templates()
    db.session.commit()
    if refreshed:
        log.info("Built-in templates installed or updated: %s", ", ".join(refreshed))
    scheduler = build_scheduler(app, blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        lock.release()
