"""Retention: domains register a step; the core.retention job runs them all, then commits."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.auth.models import SignInLink
from app.auth.services import create_sign_in_link
from app.cleanup.models import CleanupCampaign, CleanupParticipant
from app.cleanup.queries import compute_results
from app.cleanup.services import freeze_campaign, months_before
from app.core.audit import AuditEvent, record_audit
from app.core.jobs import registered_jobs
from app.core.privacy import register_retention
from app.core.privacy_services import apply_retention, export_personal_data
from app.extensions import db
from app.messaging.models import Delivery
from tests.conftest import login
from tests.trust.world import add_activity, aggregates, build_world, send_message


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
        assert len(apply_retention(now)) == len(before) + 2
    finally:
        hooks[:] = before
    assert seen == [("first", now), ("second", now)]


def test_the_retention_command_says_what_each_step_did(app, runner, make):
    """Not how many steps ran (the same every day) but the rows each one changed, by domain:
    a spent sign-in link and a departed account, past their periods, then nothing left."""
    now = datetime.now(UTC)
    person = make.user()
    _person, _raw = create_sign_in_link(person.email, now - timedelta(days=3))
    departed = make.user(active=False, deactivated_by="admin")
    departed.deactivated_at = now - timedelta(days=3650)
    db.session.commit()

    first = runner.invoke(args=["privacy", "retention"])
    assert first.exit_code == 0, first.output
    assert "auth: 1 sign-in link(s) deleted" in first.output
    assert "core: 1 departed account(s) erased" in first.output
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 0
    again = runner.invoke(args=["privacy", "retention"]).output
    assert "auth: 0 sign-in link(s) deleted" in again
    assert "core: 0 departed account(s) erased" in again
    # Every domain says what it did, none "done" alone.
    assert "cleanup: 0 participant(s) detached from their person" in again
    assert "messaging: 0 message body(ies) deleted" in again
    assert "messaging: 0 undelivered message content(s) deleted" in again
    assert "messaging: 0 notice(s) stripped of whom and what" in again
    assert "reports no count" not in again
    assert "retention step(s) applied:" in again


def test_the_retention_command_says_when_a_step_reports_no_count(app, runner):
    hooks = app.extensions.setdefault("empreinte.retention", [])
    before = list(hooks)
    hooks[:] = [lambda now: None]
    try:
        output = runner.invoke(args=["privacy", "retention"]).output
    finally:
        hooks[:] = before
    assert (
        output
        == "1 retention step(s) applied:\n  tests.trust.test_retention: done (this step reports no count)\n"
    )


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


# --- The domains' retention steps, with a fixed clock -------------------------

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _world_with_activity(make):
    world = build_world(make, NOW)
    person, other = make.user(display_name="Inès Roux"), make.user()
    add_activity(world, person, "ines")
    add_activity(world, other, "other")
    send_message(world)
    return world, person


def test_months_before_clamps_to_the_end_of_the_month():
    assert months_before(datetime(2027, 3, 31, 9, tzinfo=UTC), 1) == datetime(
        2027, 2, 28, 9, tzinfo=UTC
    )
    assert months_before(NOW, 12) == datetime(2025, 11, 25, 10, tzinfo=UTC)


def test_actions_are_anonymised_only_once_the_retention_after_closing_has_passed(app, make):
    world, person = _world_with_activity(make)
    campaign = world.campaign
    ends_at = campaign.ends_at
    assert freeze_campaign(campaign, ends_at, announce=False)
    db.session.commit()
    frozen = campaign.results_json
    before = aggregates(world)
    months = app.config["ACTION_RETENTION_MONTHS"]

    apply_retention(months_before(ends_at, -months) - timedelta(minutes=1))
    db.session.commit()
    assert len(export_personal_data(person, NOW)["actions"]) == 4

    apply_retention(months_before(ends_at, -months))
    db.session.commit()
    assert export_personal_data(person, NOW)["actions"] == []
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CleanupParticipant)
            .where(CleanupParticipant.user_id.is_not(None))
        )
        == 0
    )
    assert aggregates(world) == before
    # The results can still be recomputed from the anonymous rows, identically.
    recomputed = compute_results(db.session.get(CleanupCampaign, campaign.id), ends_at)
    assert json.loads(frozen) == recomputed


def test_delivered_message_bodies_are_purged_after_the_retention_days(app, client, make):
    world, person = _world_with_activity(make)
    before = aggregates(world)
    days = app.config["MESSAGE_BODY_RETENTION_DAYS"]

    apply_retention(NOW + timedelta(days=days) - timedelta(minutes=1))
    db.session.commit()
    assert export_personal_data(person, NOW)["messages"][0]["body"].startswith("Bonjour Inès")

    apply_retention(NOW + timedelta(days=days))
    db.session.commit()
    messages = export_personal_data(person, NOW)["messages"]
    assert messages[0]["body"] is None and messages[0]["subject"] == "Bonjour Inès"
    assert db.session.scalar(select(func.count()).where(Delivery.body.is_not(None))) == 0
    assert aggregates(world) == before
    login(client, person)
    page = client.get("/messaging/").get_data(as_text=True)
    assert "Bonjour Inès" in page and "fin de sa durée de conservation" in page
