"""User review, 11 December: the three notices of a returned device (received, wiped,
recycled) all had the subject « Des nouvelles de l'appareil que vous avez déclaré » and
had to be opened to be told apart; their French read « sa réception à Cité municipale »,
« déclaré pour Centre technique… », « Méthode : Réécriture… », « devenir : recyclé »."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.builtins import BUILTIN_TEMPLATES, ensure_builtin_templates
from app.messaging.models import Delivery, MessageTemplate
from app.recycling import services as recycling
from tests.conftest import csrf_token, login
from tests.recycling.conftest import local_today, rec  # noqa: F401 - points and returns

NBSP = "\u00a0"


@pytest.fixture
def desk(client, make, rec, config):  # noqa: F811
    """A point in Bordeaux with its agent signed in; returns are declared there."""
    config(MAIL_WORKING_HOURS="24/7")
    point = rec.point(name="Cité municipale – Bordeaux", address="4 rue Claude-Bonnier")
    agent = rec.agent(point)
    login(client, agent)
    desk.point, desk.agent = point, agent
    desk.declare = lambda owner, **kw: rec.device_return(owner, point, now=utcnow(), **kw)
    return desk


def _agent_posts(client, device_return, step, **fields):
    response = client.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/{step}",
        data={"csrf_token": csrf_token(client), **fields},
    )
    assert response.status_code == 302
    return response


def _received_wiped_recycled(client, owner, desk, method="software_overwrite"):
    """A laptop taken in, wiped with a certificate, then recycled; each notice delivered."""
    laptop = desk.declare(owner, device_type="laptop", wipe_requested=True)
    _agent_posts(client, laptop, "receive")
    _agent_posts(
        client, laptop, "wipe", method=method, wipe_date=local_today(),
        certificate_number="CERT-2026-118",
    )  # fmt: skip
    _agent_posts(client, laptop, "outcome", outcome="recycled", recipient="Ecologic")
    jobs.deliver_due()
    return laptop


def _inbox(user) -> list[Delivery]:
    return db.session.scalars(
        select(Delivery)
        .where(Delivery.user_id == user.id, Delivery.channel == "inbox")
        .order_by(Delivery.id)
    ).all()


def _mailed_subjects(smtp, user) -> list[str]:
    return [str(message["Subject"]) for to, message in smtp.messages if to == user.email]


@pytest.mark.parametrize(
    ("locale", "device", "steps"),
    [
        ("fr", f"Votre ordinateur portable ({{receipt}}){NBSP}: ", (
            "appareil reçu au point de collecte",
            "données effacées (certificat CERT-2026-118)",
            "appareil recyclé",
        )),
        ("en", "Your laptop ({receipt}): ", (
            "received at the collection point",
            "data wiped (certificate CERT-2026-118)",
            "recycled",
        )),
    ],
)  # fmt: skip
def test_each_custody_email_names_the_step_and_the_receipt(
    client, make, desk, smtp, locale, device, steps
):
    owner = make.user(locale=locale, email_opt_in=True)
    laptop = _received_wiped_recycled(client, owner, desk)
    named = device.format(receipt=laptop.receipt_number)
    assert _mailed_subjects(smtp, owner) == [named + step for step in steps]


def test_the_inbox_lists_the_three_notices_with_different_subjects(client, make, desk, smtp):
    owner = make.user(locale="fr", email_opt_in=False)
    laptop = _received_wiped_recycled(client, owner, desk)
    login(client, owner)
    page = html.unescape(client.get("/messaging/").get_data(as_text=True))
    for step in ("appareil reçu au point de collecte", "données effacées", "appareil recyclé"):
        assert f"Votre ordinateur portable ({laptop.receipt_number}){NBSP}: {step}" in page
    assert "Des nouvelles de l'appareil que vous avez déclaré" not in page


def test_the_french_notices_name_the_point_the_method_and_the_outcome_in_sentences(
    client, make, desk, smtp
):
    owner = make.user(locale="fr", email_opt_in=True)
    laptop = _received_wiped_recycled(client, owner, desk)
    received, wiped, recycled = (d.body for d in _inbox(owner))
    assert (
        f"Ordinateur portable (reçu {laptop.receipt_number}){NBSP}: un agent a confirmé sa "
        "réception au point de collecte Cité municipale – Bordeaux le " in received
    )
    assert f", certificat CERT-2026-118. Méthode{NBSP}: réécriture logicielle (outil " in wiped
    assert (
        f"Ordinateur portable (reçu {laptop.receipt_number}){NBSP}: l'appareil a été recyclé, "
        "remis à Ecologic. Merci pour votre geste." in recycled
    )
    emailed = [m.get_body(("plain",)).get_content() for to, m in smtp.messages]
    assert "l'appareil a été recyclé, remis à Ecologic." in emailed[-1]


def test_the_english_notices_read_as_sentences(client, make, desk, smtp):
    owner = make.user(locale="en", email_opt_in=False)
    laptop = _received_wiped_recycled(client, owner, desk, method="crypto_erase")
    _received, wiped, recycled = (d.body for d in _inbox(owner))
    assert ", certificate CERT-2026-118. Method: cryptographic erase." in wiped
    assert (
        f"Laptop (receipt {laptop.receipt_number}): the device was recycled, handed over "
        "to Ecologic. Thank you for bringing it back." in recycled
    )


def test_a_device_that_never_came_is_said_declared_at_the_collection_point(
    client,
    make,
    desk,
    rec,  # noqa: F811
):
    owner = make.user(locale="fr", email_opt_in=False)
    tablet = rec.device_return(owner, desk.point, "tablet", now=utcnow() - timedelta(days=30))
    recycling.close_not_brought(tablet, desk.agent, utcnow(), waiting_days=7)
    db.session.commit()
    jobs.deliver_due()
    [notice] = _inbox(owner)
    assert (
        "que vous avez déclaré au point de collecte Cité municipale – Bordeaux "
        "(4 rue Claude-Bonnier) n'est jamais arrivé" in notice.body
    )
    assert notice.subject == (
        f"Votre tablette ({tablet.receipt_number}){NBSP}: déclaration close, "
        "l'appareil n'est jamais arrivé"
    )


def test_an_unedited_custody_template_of_before_takes_the_new_subjects(app, make):
    texts = {f: BUILTIN_TEMPLATES["device-custody"][f] for f in ("body_fr", "body_en")}
    before = MessageTemplate(
        key="device-custody", name="x", builtin=True, **texts,
        subject_fr="Des nouvelles de l'appareil que vous avez déclaré",
        subject_en="News of the device you declared",
    )  # fmt: skip
    db.session.add(before)
    db.session.commit()
    with app.test_request_context():
        assert "device-custody" in ensure_builtin_templates()
    db.session.commit()
    db.session.expire_all()
    template = db.session.get(MessageTemplate, before.id)
    assert "custody_subject" in template.subject_fr and "custody_subject" in template.subject_en
