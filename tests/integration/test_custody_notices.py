"""Recycling → messaging: the owner of a returned device hears of each step an agent
records (received, wiped with its certificate, its outcome), in their language, in the
inbox and by e-mail with consent; nobody else does."""

import html

import pytest
from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Delivery, Dispatch
from tests.conftest import csrf_token, login
from tests.recycling.conftest import local_today


@pytest.fixture
def desk(client, make, rec, config):
    """A point in Pessac with its agent signed in, and a function declaring a return."""
    config(MAIL_WORKING_HOURS="24/7")
    point = rec.point(commune=make.commune(name="Pessac"), name="Mairie de Pessac")
    agent = rec.agent(point)

    def declare(owner, **kwargs):
        return rec.device_return(owner, point, now=utcnow(), **kwargs)

    desk.agent, desk.declare = agent, declare
    login(client, agent)
    return desk


def _agent_posts(client, device_return, step, **fields):
    return client.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/{step}",
        data={"csrf_token": csrf_token(client), **fields},
    )


def _notices(user) -> list[str]:
    return db.session.scalars(
        select(Delivery.body)
        .where(Delivery.user_id == user.id, Delivery.channel == "inbox")
        .order_by(Delivery.id)
    ).all()


def test_the_owner_hears_of_receipt_wipe_and_outcome(client, make, desk, smtp):
    owner = make.user(locale="fr", email_opt_in=True)
    laptop = desk.declare(owner, device_type="laptop", wipe_requested=True)
    assert jobs.deliver_due() == 0  # declaring it oneself sends nothing

    assert _agent_posts(client, laptop, "receive").status_code == 302
    jobs.deliver_due()
    [received] = _notices(owner)
    assert (
        f"Ordinateur portable (reçu {laptop.receipt_number})\u00a0: un agent a confirmé sa "
        "réception au point de collecte Mairie de Pessac le " in received
    )
    assert f"/recycling/returns/{laptop.receipt_number}" in received

    today = local_today()
    wiped = _agent_posts(
        client, laptop, "wipe", method="crypto_erase", wipe_date=today,
        certificate_number="CERT-2026-118",
    )  # fmt: skip
    assert wiped.status_code == 302
    _agent_posts(client, laptop, "outcome", outcome="refurbished", recipient="Ecoreso")
    jobs.deliver_due()
    _received, wipe, outcome = _notices(owner)
    assert "ses données ont été effacées le " in wipe
    assert ", certificat CERT-2026-118. Méthode\u00a0: effacement cryptographique." in wipe
    assert (
        "\u00a0: l'appareil a été reconditionné, remis à Ecoreso. Merci pour votre geste."
        in outcome
    )

    subjects = [str(m["Subject"]) for to, m in smtp.messages if to == owner.email]
    device = f"Votre ordinateur portable ({laptop.receipt_number})\u00a0: "
    assert subjects == [
        device + "appareil reçu au point de collecte",
        device + "données effacées (certificat CERT-2026-118)",
        device + "appareil reconditionné",
    ]

    login(client, owner)
    inbox = html.unescape(client.get("/messaging/").get_data(as_text=True))
    assert "certificat CERT-2026-118" in inbox


def test_an_english_owner_reads_it_in_english_and_nobody_else_is_told(client, make, desk, smtp):
    owner = make.user(locale="en", email_opt_in=False)
    bystander = make.user(email_opt_in=True)
    phone = desk.declare(owner, device_type="smartphone", wipe_requested=False, data_wiped=True)
    _agent_posts(client, phone, "receive")
    jobs.deliver_due()
    [received] = _notices(owner)
    assert received.startswith(f"Hello {owner.first_name},")
    assert f"Smartphone (receipt {phone.receipt_number}): an agent confirmed its receipt" in (
        received
    )
    assert _notices(bystander) == [] and smtp.messages == []  # no consent: inbox only
    notices = db.session.scalars(select(Dispatch).where(Dispatch.audience_key == "person"))
    assert [d.recipients for d in notices] == [1]


def test_a_refused_step_tells_nobody(client, make, desk):
    """Recording the wipe before the receipt is refused: no step, no notice."""
    owner = make.user(email_opt_in=True)
    laptop = desk.declare(owner, device_type="laptop")
    refused = _agent_posts(
        client, laptop, "wipe", method="crypto_erase", wipe_date=local_today(),
        certificate_number="CERT-1",
    )  # fmt: skip
    assert refused.status_code == 422
    assert db.session.scalars(select(Dispatch).where(Dispatch.audience_key == "person")).all() == []
