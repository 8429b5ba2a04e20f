"""Review of 7 December: nothing closed the declarations whose device was never brought.
A daily job (and `flask recycling close-unbrought`) closes those still waiting
RECYCLING_UNBROUGHT_CLOSE_DAYS after they were declared, as an agent's closure does: a
signed step « par le portail », audited by the system, the asset tag free, the waiting
clean-up entries taken back and the owner told (inbox, and e-mail with consent)."""

import html
import re
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup.models import CleanupAction
from app.core import time as clock
from app.core.audit import AuditEvent
from app.core.jobs import registered_jobs
from app.core.privacy_services import erase_user
from app.extensions import db
from app.messaging import jobs as messaging_jobs
from app.messaging import scheduler as messaging_scheduler
from app.messaging.models import Delivery, Dispatch
from app.recycling import services
from app.recycling.models import DeviceReturn
from tests.cleanup.conftest import build_campaign
from tests.conftest import login
from tests.messaging.conftest import config, smtp  # noqa: F401
from tests.recycling.conftest import NOW

JOB_ID = "recycling.close_unbrought_returns"


@pytest.fixture
def frozen(monkeypatch):
    """The portal's clock stopped at NOW in every module that reads it (as the messaging
    tests stop it), so that the job, its notices and their delivery share one moment."""
    real = clock.utcnow

    def stopped():
        return NOW

    monkeypatch.setattr(clock, "utcnow", stopped)
    for name, module in list(sys.modules.items()):
        if name.startswith("app") and getattr(module, "utcnow", None) is real:
            monkeypatch.setattr(module, "utcnow", stopped)


@pytest.fixture
def point(rec, config, frozen):  # noqa: F811
    config(MAIL_WORKING_HOURS="24/7", RECYCLING_REMINDER_DAYS=7,
           RECYCLING_UNBROUGHT_CLOSE_DAYS=60)  # fmt: skip
    return rec.point(name="Mairie de Pessac", address="Place de la Ve République")


def _run_the_job(app):
    """The job as the scheduler runs it: its registered function, by its id, through the
    scheduler's own runner (its app context, its lock check)."""
    messaging_scheduler.build_scheduler(app, blocking=False)  # sets the runner's app
    messaging_scheduler.run_registered_job(JOB_ID)
    db.session.expire_all()


def _declared(rec, owner, point, days, **kwargs):
    return rec.device_return(owner, point, now=NOW - timedelta(days=days), **kwargs)


def _notices(user) -> list[str]:
    """The bodies of the custody notices in the person's inbox."""
    return db.session.scalars(
        select(Delivery.body)
        .join(Dispatch, Dispatch.id == Delivery.dispatch_id)
        .where(Delivery.user_id == user.id, Delivery.channel == "inbox",
               Dispatch.dedupe_key.like("return:%:not_brought"))
    ).all()  # fmt: skip


def test_the_job_runs_every_day_in_the_scheduler(app):
    job = {spec.job_id: spec for spec in registered_jobs(app)}[JOB_ID]
    assert (job.trigger, job.trigger_args) == ("cron", {"hour": 9, "minute": 30})
    scheduler = messaging_scheduler.build_scheduler(app, blocking=False)
    scheduler.start(paused=True)  # the real job store; nothing runs on its own
    try:
        stored = scheduler.get_job(JOB_ID)
        assert (stored.name, str(stored.trigger)) == (JOB_ID, "cron[hour='9', minute='30']")
    finally:
        scheduler.shutdown(wait=True)


def test_a_declaration_left_60_days_is_closed_signed_by_the_portal(app, make, rec, point):
    owner = make.user(locale="fr")
    old = _declared(rec, owner, point, 61, asset_tag="BM-PC-61")
    _run_the_job(app)
    closed = db.session.get(DeviceReturn, old.id)
    assert (closed.status, closed.asset_tag_key) == ("not_brought", None)
    step = closed.steps[-1]
    assert (step.step, step.actor_id, step.actor_name, step.at) == ("not_brought", None, "", NOW)
    assert not services.check_custody(closed).broken
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "close"))
    assert (event.object_id, event.summary, event.actor_id) == (
        old.receipt_number, "not_brought", None,
    )  # fmt: skip
    # The tag is free: declared again, it is a new declaration.
    again = _declared(rec, owner, point, 0, asset_tag="BM-PC-61")
    assert again.id != old.id


def test_recent_received_and_withdrawn_declarations_are_left_alone(app, make, rec, point):
    owner = make.user()
    recent = _declared(rec, owner, point, 59)
    received = _declared(rec, owner, point, 90, device_type="monitor")
    services.confirm_receipt(received, rec.agent(point), NOW - timedelta(days=80))
    withdrawn = _declared(rec, owner, point, 90, device_type="tablet")
    services.withdraw_return(owner, withdrawn, NOW - timedelta(days=80))
    db.session.commit()
    _run_the_job(app)
    statuses = [db.session.get(DeviceReturn, r.id).status for r in (recent, received, withdrawn)]
    assert statuses == ["declared", "received", "withdrawn"]
    assert (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "close"))
        == 0
    )


def test_a_receipt_undone_lately_waits_its_own_delay(app, make, rec, point):
    owner = make.user()
    laptop = _declared(rec, owner, point, 90)
    agent = rec.agent(point)
    services.confirm_receipt(laptop, agent, NOW - timedelta(days=11))
    services.undo_receipt(laptop, agent, "Wrong device", NOW - timedelta(days=10))
    db.session.commit()
    _run_the_job(app)
    assert db.session.get(DeviceReturn, laptop.id).status == "declared"


def test_the_owner_is_told_in_the_inbox_and_by_e_mail_with_consent(app, make, rec, point, smtp):  # noqa: F811
    consenting = make.user(locale="fr", email_opt_in=True)
    silent = make.user(locale="en", email_opt_in=False)
    laptop = _declared(rec, consenting, point, 61)
    _declared(rec, silent, point, 75, device_type="tablet")
    _run_the_job(app)
    messaging_jobs.deliver_due()
    [body] = _notices(consenting)
    assert (
        f"L'appareil («\u00a0Ordinateur portable\u00a0», reçu {laptop.receipt_number}) que vous "
        "avez déclaré pour Mairie de Pessac (Place de la Ve République) n'est jamais arrivé\u00a0: "
        "le portail a clos la déclaration automatiquement le " in body
    )
    assert "61 jours après qu'elle a été faite" in body
    [body] = _notices(silent)
    assert "the portal closed the declaration automatically on " in body
    assert ", 75 days after it was made" in body
    assert smtp.recipients() == [consenting.email]


def test_an_erased_owners_declaration_is_closed_telling_nobody(app, make, rec, point):
    owner = make.user()
    laptop = _declared(rec, owner, point, 61)
    erase_user(owner, NOW - timedelta(days=1))
    db.session.commit()
    _run_the_job(app)
    assert db.session.get(DeviceReturn, laptop.id).status == "not_brought"
    assert db.session.scalar(select(func.count(Dispatch.id)).where(
        Dispatch.dedupe_key.like("return:%:not_brought"))) == 0  # fmt: skip


def test_its_waiting_clean_up_entry_is_taken_back(app, make, rec, point):
    build_campaign(make, starts_at=NOW - timedelta(days=70), ends_at=NOW + timedelta(days=10))
    owner = make.user()
    laptop = _declared(rec, owner, point, 61)
    entries = select(func.count(CleanupAction.id)).where(
        CleanupAction.source_key == f"device-return:{laptop.id}"
    )
    assert db.session.scalar(entries) == 1  # waiting for the device
    _run_the_job(app)
    assert db.session.scalar(entries) == 0


def test_the_receipt_says_the_portal_closed_it(app, client, make, rec, point):
    owner = make.user(locale="fr")
    laptop = _declared(rec, owner, point, 61)
    _run_the_job(app)
    login(client, owner)
    page = html.unescape(client.get(f"/recycling/returns/{laptop.receipt_number}").text)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Le portail a clos cette déclaration automatiquement, 61 jours après" in text
    assert "· par le portail, automatiquement" in text
    assert "agent anonymisé" not in text and "Un agent a clos" not in text
    api = client.get(f"/api/v1/device-returns/{laptop.receipt_number}").get_json()
    assert api["custody"][-1]["by"] == "Le portail, automatiquement"


def test_the_days_can_be_set_or_the_job_turned_off(app, make, rec, point, config):  # noqa: F811
    owner = make.user()
    laptop = _declared(rec, owner, point, 31)
    config(RECYCLING_UNBROUGHT_CLOSE_DAYS=0)
    _run_the_job(app)
    assert db.session.get(DeviceReturn, laptop.id).status == "declared"
    config(RECYCLING_UNBROUGHT_CLOSE_DAYS=30)
    _run_the_job(app)
    assert db.session.get(DeviceReturn, laptop.id).status == "not_brought"


def test_the_command_runs_it_once(app, make, rec, point):
    laptop = _declared(rec, make.user(), point, 61)
    result = app.test_cli_runner().invoke(args=["recycling", "close-unbrought"])
    assert (result.exit_code, result.output) == (
        0, "1 declaration(s) closed: the device never came.\n",
    )  # fmt: skip
    db.session.expire_all()
    assert db.session.get(DeviceReturn, laptop.id).status == "not_brought"
