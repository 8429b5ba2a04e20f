"""Retention: domains register a step; the core.retention job runs them all, then commits."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.core.audit import AuditEvent, record_audit
from app.core.jobs import registered_jobs
from app.core.privacy import register_retention
from app.core.privacy_services import apply_retention
from app.extensions import db


def test_retention_periods_have_documented_defaults(app):
    assert app.config["ACTION_RETENTION_MONTHS"] == 12
    assert app.config["MESSAGE_BODY_RETENTION_DAYS"] == 90


def test_every_registered_hook_runs_with_the_given_clock(app):
    seen = []
    now = datetime(2027, 1, 1, tzinfo=UTC)
    hooks = app.extensions.setdefault("empreinte.retention", [])
    before = list(hooks)
    try:
        register_retention(app, lambda at: seen.append(("first", at)))
        register_retention(app, lambda at: seen.append(("second", at)))
        assert apply_retention(now) == len(before) + 2
    finally:
        hooks[:] = before
    assert seen == [("first", now), ("second", now)]


def test_retention_job_commits_what_the_hooks_wrote(app, make):
    actor = make.user()
    hooks = app.extensions.setdefault("empreinte.retention", [])
    before = list(hooks)
    hooks.append(lambda now: record_audit(actor, "purge", "message", 1, now, "retention"))
    try:
        job = {j.job_id: j for j in registered_jobs(app)}["core.retention"]
        assert job.trigger == "cron"
        job.func()
    finally:
        hooks[:] = before
    db.session.rollback()  # only what the job committed remains
    assert db.session.scalar(select(AuditEvent.action)) == "purge"
