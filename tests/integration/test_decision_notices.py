"""Catalogue → messaging: the person who asked for equipment or a service is told the
admin's decision, with the note, in their language, in the inbox and by e-mail with
consent; nobody else is."""

import html

import pytest
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.core.time import local_zone, utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Delivery, Dispatch
from tests.conftest import csrf_token, login


@pytest.fixture
def asked(make, make_item, config):
    """A function sending a request of two laptops and a monitor for a person."""
    config(MAIL_WORKING_HOURS="24/7")
    laptop = make_item(name_fr="Portable 14 pouces", name_en="Laptop 14 inches")
    monitor = make_item(category="monitor", name_fr="Écran 24 pouces", name_en="24-inch monitor")

    def request_of(person):
        catalogue.add_to_basket(person, laptop, 2, utcnow())
        catalogue.add_to_basket(person, monitor, 1, utcnow())
        request = catalogue.submit_basket(person, "", utcnow())
        db.session.commit()
        return request

    return request_of


def _decide(client, request, decision, note=""):
    return client.post(
        f"/catalogue/admin/requests/{request.id}/decide",
        data={"csrf_token": csrf_token(client), "decision": decision, "note": note},
    )


def _inbox_body(person) -> str:
    return db.session.scalar(
        select(Delivery.body).where(Delivery.user_id == person.id, Delivery.channel == "inbox")
    )


def test_a_refusal_reaches_the_requester_with_its_reason(client, make, asked, smtp):
    person = make.user(locale="fr", email_opt_in=True)
    request = asked(person)
    login(client, make.user(roles=("admin",)))
    assert _decide(client, request, "refuse", "Budget du service épuisé").status_code == 302
    jobs.deliver_due()

    body = _inbox_body(person)
    assert "(2 × Portable 14 pouces, 1 × Écran 24 pouces) n'est pas acceptée." in body
    assert "Motif\u00a0: Budget du service épuisé" in body
    assert f"/catalogue/requests/{request.id}" in body
    [(to, mail)] = smtp.messages
    assert to == person.email and str(mail["Subject"]) == "Votre demande n'est pas acceptée"

    login(client, person)
    inbox = html.unescape(client.get("/messaging/").get_data(as_text=True))
    assert "Votre demande n'est pas acceptée" in inbox


def test_an_approval_in_english_without_consent_stays_in_the_inbox(client, make, asked, smtp):
    person, bystander = make.user(locale="en", email_opt_in=False), make.user()
    request = asked(person)
    login(client, make.user(roles=("admin",)))
    _decide(client, request, "approve")
    _decide(client, request, "refuse", "Too late")  # decided already: refused, nothing sent
    jobs.deliver_due()

    body = _inbox_body(person)
    sent = request.submitted_at.astimezone(local_zone()).strftime("%-d %B %Y")
    assert f"Your request of {sent} (" in body  # day first, as the portal writes dates
    assert "(2 × Laptop 14 inches, 1 × 24-inch monitor) is approved." in body
    assert "Note:" not in body  # no note, no empty line for it
    assert smtp.messages == [] and _inbox_body(bystander) is None
    notices = db.session.scalars(select(Dispatch).where(Dispatch.audience_key == "person")).all()
    assert [(d.template.key, d.recipients) for d in notices] == [("request-approved", 1)]
