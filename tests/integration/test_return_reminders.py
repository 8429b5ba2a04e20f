"""Recycling → messaging: a device declared days ago that no agent has received is
recalled to its owner once, with the point, its hours and the way to withdraw; nothing
for a device received, withdrawn or declared lately."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.jobs import registered_jobs
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Delivery, Dispatch
from app.recycling import services
from app.recycling.models import DeviceReturn


@pytest.fixture
def point(make, rec, config):
    config(MAIL_WORKING_HOURS="24/7", RECYCLING_REMINDER_DAYS=7)
    return rec.point(
        commune=make.commune(name="Pessac"),
        name="Mairie de Pessac",
        address="Place de la Ve République",
        opening_hours="Mo-Fr 08:30-12:00",
    )


def _run_the_reminder_job(app):
    """As the scheduler does: the registered job, in the app context."""
    job = {spec.job_id: spec for spec in registered_jobs(app)}["recycling.remind_waiting_returns"]
    job.func()


def _inbox(user) -> list[str]:
    """The reminders in the person's inbox (an agent's steps send news of their own)."""
    return db.session.scalars(
        select(Delivery.body)
        .join(Dispatch, Dispatch.id == Delivery.dispatch_id)
        .where(
            Delivery.user_id == user.id,
            Delivery.channel == "inbox",
            Dispatch.dedupe_key.like("return:%:reminder"),
        )
    ).all()


def test_a_device_left_waiting_is_recalled_once_to_its_owner(app, make, rec, point, smtp):
    owner = make.user(locale="fr", email_opt_in=True)
    days_ago = utcnow() - timedelta(days=8)
    laptop = rec.device_return(owner, point, device_type="laptop", now=days_ago)

    _run_the_reminder_job(app)
    jobs.deliver_due()
    [message] = [m for to, m in smtp.messages if to == owner.email]
    assert message["Subject"] == "L'appareil que vous avez déclaré attend d'être rapporté"
    body = message.get_body(("plain",)).get_content()
    assert (
        f"L'appareil «\u00a0Ordinateur portable\u00a0» (reçu {laptop.receipt_number}) que vous "
        "avez déclaré le " in body
    )
    assert (
        "au point de collecte Mairie de Pessac (Place de la Ve République) n'a encore été reçu par aucun"
        in body
    )
    assert (
        "Horaires\u00a0: du lundi au vendredi\u00a0: 8\u00a0h\u00a030–12\u00a0h\u00a0; samedi et dimanche\u00a0: fermé."
        in body
    )
    assert "retirez la déclaration depuis votre reçu" in body
    assert f"/recycling/returns/{laptop.receipt_number}" in body
    assert len(_inbox(owner)) == 1

    # The next working day's run reminds nobody again.
    _run_the_reminder_job(app)
    jobs.deliver_due()
    assert len(_inbox(owner)) == 1
    assert db.session.get(DeviceReturn, laptop.id).reminded_at is not None


def test_received_withdrawn_and_recent_declarations_are_not_recalled(app, make, rec, point):
    owner = make.user(locale="en")
    days_ago = utcnow() - timedelta(days=8)
    received = rec.device_return(owner, point, now=days_ago)
    services.confirm_receipt(received, rec.agent(point), days_ago + timedelta(days=1))
    withdrawn = rec.device_return(owner, point, device_type="monitor", now=days_ago)
    services.withdraw_return(owner, withdrawn, days_ago + timedelta(days=1))
    db.session.commit()
    rec.device_return(owner, point, device_type="tablet", now=utcnow() - timedelta(days=6))

    _run_the_reminder_job(app)
    jobs.deliver_due()
    assert _inbox(owner) == []


def test_someone_reading_english_is_reminded_in_english(app, make, rec, point):
    owner = make.user(locale="en")
    tablet = rec.device_return(
        owner, point, device_type="tablet", now=utcnow() - timedelta(days=7, minutes=1)
    )
    _run_the_reminder_job(app)
    jobs.deliver_due()
    [body] = _inbox(owner)
    declared = tablet.declared_at.astimezone(local_zone()).strftime("%-d %B %Y")
    assert (
        f"The device (Tablet, receipt {tablet.receipt_number}) you declared on {declared} " in body
    )
    assert "Opening hours: Monday to Friday: 08:30–12:00; Saturday and Sunday: closed." in body
    assert "withdraw the declaration from your receipt" in body


def test_reminders_can_be_turned_off(app, make, rec, point, config):
    config(RECYCLING_REMINDER_DAYS=0)
    owner = make.user()
    rec.device_return(owner, point, now=utcnow() - timedelta(days=30))
    _run_the_reminder_job(app)
    jobs.deliver_due()
    assert _inbox(owner) == []


def test_the_reminder_runs_on_working_day_mornings(app):
    job = {spec.job_id: spec for spec in registered_jobs(app)}["recycling.remind_waiting_returns"]
    assert (job.trigger, job.trigger_args) == ("cron", {"day_of_week": "mon-fri", "hour": 9})
