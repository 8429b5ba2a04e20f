"""Recycling → messaging and clean-up, for declarations whose device does not come:

- an admin closes a point temporarily: the owners of the declarations still waiting there
  get one notice each (their devices, the admin's note, the nearest other open point that
  takes each device, what they can do), in their language; reopening tells nobody;
- an agent closes a declaration whose device never came: its owner is told, in their
  language, and the clean-up entry waiting for the device leaves the running campaign.
"""

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cleanup.models import CleanupAction
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Delivery, Dispatch
from app.recycling import services
from tests.conftest import csrf_token, login

SUBJECT_FR = "Des nouvelles de l'appareil que vous avez déclaré"


@pytest.fixture
def places(make, rec, config):
    """Mairie de Pessac (to close), Mairie de Talence nearby (laptops and tablets), a
    closed point nearer still, and Mairie de Bassens further away (printers too)."""
    config(MAIL_WORKING_HOURS="24/7", RECYCLING_REMINDER_DAYS=7)
    pessac = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    talence = make.commune(name="Talence", latitude=44.808, longitude=-0.589)
    bassens = make.commune(name="Bassens", latitude=44.902, longitude=-0.517)
    places.pessac = rec.point(
        commune=pessac, name="Mairie de Pessac", address="Place de la Ve République",
        accepted_types="laptop,tablet,printer",
    )  # fmt: skip
    places.agent = rec.agent(places.pessac)
    rec.point(commune=pessac, name="Annexe fermée", address="Rue close", active=False,
              latitude=44.807, longitude=-0.630)  # fmt: skip
    places.talence = rec.point(commune=talence, name="Mairie de Talence", address="Rue du Professeur Arnozan",
              accepted_types="laptop,tablet")  # fmt: skip
    rec.point(commune=bassens, name="Mairie de Bassens", address="Rue du Dr Roux",
              accepted_types="laptop,printer")  # fmt: skip
    return places


def _close_point(client, make, point, note=""):
    login(client, make.user(roles=("admin",), locale="en"))
    response = client.post(
        f"/recycling/admin/points/{point.id}/close",
        data={"csrf_token": csrf_token(client), "closure_note": note},
    )
    assert response.status_code == 302
    return response


def _reopen_point(client, point):
    response = client.post(
        f"/recycling/admin/points/{point.id}/reopen", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302


def _inbox(user) -> list[str]:
    """The notices in the person's inbox (a running campaign's messages left out)."""
    return db.session.scalars(
        select(Delivery.body)
        .join(Dispatch, Dispatch.id == Delivery.dispatch_id)
        .where(Delivery.user_id == user.id, Delivery.channel == "inbox")
        .where(Dispatch.audience_key == "person")
        .order_by(Delivery.id)
    ).all()


def _declared(rec, owner, point, device_type, days=1, **kwargs):
    return rec.device_return(
        owner, point, device_type=device_type, now=utcnow() - timedelta(days=days), **kwargs
    )


def test_each_owner_hears_once_of_the_closure_in_french(client, make, rec, places, smtp):
    owner = make.user(locale="fr", email_opt_in=True)
    laptop = _declared(rec, owner, places.pessac, "laptop", days=3)
    printer = _declared(rec, owner, places.pessac, "printer", days=2, wipe_requested=False,
                        data_wiped=True)  # fmt: skip
    _close_point(client, make, places.pessac, note="Travaux jusqu'au 15 juin")
    jobs.deliver_due()

    [body] = _inbox(owner)
    assert body.startswith(f"Bonjour {owner.first_name},\n\n")
    assert (
        "Le point de collecte «\u00a0Mairie de Pessac\u00a0» (Place de la Ve République) est "
        "fermé temporairement\u00a0: Travaux jusqu'au 15 juin\n\n"
    ) in body
    assert "Vous y avez déclaré 2 appareils qu'aucun agent n'a encore reçus\u00a0:\n" in body
    assert (
        f"– Ordinateur portable (reçu {laptop.receipt_number})\u00a0: le point de collecte "
        "ouvert le plus proche qui l'accepte est «\u00a0Mairie de Talence\u00a0» (Rue du "
        "Professeur Arnozan).\n"
    ) in body
    assert (
        f"– Imprimante (reçu {printer.receipt_number})\u00a0: le point de collecte ouvert le "
        "plus proche qui l'accepte est «\u00a0Mairie de Bassens\u00a0» (Rue du Dr Roux)."
    ) in body
    assert "Annexe fermée" not in body  # nearer, but closed too
    assert (
        "Pour en apporter un à un autre point de collecte ouvert, retirez sa déclaration "
        "depuis son reçu, puis déclarez l'appareil à ce point."
    ) in body
    assert "Vos dépôts et leurs reçus\u00a0: " in body and "/recycling/my-returns" in body

    [(to, message)] = smtp.messages
    assert (to, str(message["Subject"])) == (owner.email, SUBJECT_FR)
    assert "Travaux jusqu'au 15 juin" in message.get_body(("plain",)).get_content()

    login(client, owner)
    inbox = html.unescape(client.get("/messaging/").get_data(as_text=True))
    assert "Mairie de Talence" in inbox


def test_an_english_owner_reads_it_in_english_with_the_receipt(client, make, rec, places):
    owner = make.user(locale="en", email_opt_in=False)
    tablet = _declared(rec, owner, places.pessac, "tablet")
    _close_point(client, make, places.pessac)
    jobs.deliver_due()
    [body] = _inbox(owner)
    assert (
        "The collection point “Mairie de Pessac” (Place de la Ve République) is temporarily "
        "closed.\n\nYou declared a device there that no agent has received yet:\n"
        f"– Tablet (receipt {tablet.receipt_number}): the nearest open collection point that "
        "accepts it is “Mairie de Talence” (Rue du Professeur Arnozan).\n\n"
        "To bring it to another open collection point, withdraw the declaration from your "
        "receipt, then declare the device at that point. If you are keeping the device after "
        "all, simply withdraw the declaration. Otherwise it stays expected at this point "
        "until it reopens."
    ) in body
    assert "\n\nYour receipt and the chain of custody: " in body
    assert body.endswith(f"/recycling/returns/{tablet.receipt_number}")


def test_a_device_no_other_open_point_takes_is_said(client, make, rec, places):
    owner = make.user(locale="en")
    places.pessac.accepted_types = "laptop,tablet,printer,smartphone"
    db.session.commit()
    phone = _declared(rec, owner, places.pessac, "smartphone", wipe_requested=False,
                      data_wiped=True)  # fmt: skip
    _close_point(client, make, places.pessac)
    jobs.deliver_due()
    [body] = _inbox(owner)
    assert (
        f"– Smartphone (receipt {phone.receipt_number}): no other open collection point "
        "accepts it for now."
    ) in body


def test_nobody_else_is_told_and_reopening_tells_nobody(client, make, rec, places):
    waiting = make.user(locale="en")
    _declared(rec, waiting, places.pessac, "laptop")
    handed_in = make.user(locale="en")
    received = _declared(rec, handed_in, places.pessac, "laptop")
    services.confirm_receipt(received, rec.agent(places.pessac), utcnow())
    withdrawn_by = make.user(locale="en")
    withdrawn = _declared(rec, withdrawn_by, places.pessac, "tablet")
    services.withdraw_return(withdrawn_by, withdrawn, utcnow())
    elsewhere = make.user(locale="en")
    _declared(rec, elsewhere, places.talence, "laptop")
    db.session.commit()

    _close_point(client, make, places.pessac, note="Inventaire")
    jobs.deliver_due()
    closures = lambda user: [b for b in _inbox(user) if "temporarily closed" in b]  # noqa: E731
    assert len(closures(waiting)) == 1
    assert closures(handed_in) == [] and closures(withdrawn_by) == [] and closures(elsewhere) == []

    # Closing it again (a second tab, a new note) is no new closure; reopening says nothing.
    _close_point(client, make, places.pessac, note="Inventaire prolongé")
    _reopen_point(client, places.pessac)
    jobs.deliver_due()
    assert len(closures(waiting)) == 1

    # A later closure is one more: its owner hears of it again.
    _close_point(client, make, places.pessac)
    jobs.deliver_due()
    assert len(closures(waiting)) == 2


def test_closing_a_point_nobody_is_bringing_a_device_to_sends_nothing(client, make, places):
    _close_point(client, make, places.pessac, note="Travaux")
    assert db.session.scalar(select(func.count(Dispatch.id))) == 0


def test_more_than_ten_devices_are_counted_not_listed(client, make, rec, places):
    owner = make.user(locale="en")
    for n in range(12):
        _declared(rec, owner, places.pessac, "laptop", days=1 + n / 100)
    _close_point(client, make, places.pessac)
    jobs.deliver_due()
    [body] = _inbox(owner)
    assert "You declared 12 devices there that no agent has received yet:" in body
    assert body.count("– Laptop (receipt ") == 10
    assert "– and 2 other devices." in body


# --- an agent closes a declaration whose device never came ------------------------------


def _running_campaign(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(days=20), ends_at=now + timedelta(days=10))


def _agent_closes(app, places, device_return):
    agent_client = app.test_client()
    login(agent_client, places.agent)
    response = agent_client.post(
        f"/recycling/agent/returns/{device_return.receipt_number}/not-brought",
        data={"csrf_token": csrf_token(agent_client)},
    )
    assert response.status_code == 302


def _entries(device_return) -> int:
    return db.session.scalar(
        select(func.count(CleanupAction.id)).where(
            CleanupAction.source_key == f"device-return:{device_return.id}"
        )
    )


def test_the_owner_hears_the_device_never_came_and_the_points_are_taken_back(
    app, make, rec, places, make_campaign, smtp
):
    _running_campaign(make_campaign)
    owner = make.user(locale="fr", email_opt_in=True)
    laptop = _declared(rec, owner, places.pessac, "laptop", days=9)
    assert _entries(laptop) == 1  # waiting in the campaign for the device
    laptop.reminded_at = laptop.declared_at + timedelta(days=7)
    db.session.commit()

    _agent_closes(app, places, laptop)
    assert _entries(laptop) == 0
    jobs.deliver_due()
    [body] = _inbox(owner)
    assert (
        f"L'appareil «\u00a0Ordinateur portable\u00a0» (reçu {laptop.receipt_number}) que vous "
        "avez déclaré au point de collecte Mairie de Pessac (Place de la Ve République) n'est jamais arrivé\u00a0: "
        "un agent du point a clos la déclaration le "
    ) in body
    assert "Pour le remettre plus tard, déclarez-le à nouveau." in body
    assert f"/recycling/returns/{laptop.receipt_number}" in body
    subjects = [str(m["Subject"]) for to, m in smtp.messages if to == owner.email]
    assert (
        f"Votre ordinateur portable ({laptop.receipt_number})\u00a0: déclaration close, "
        "l'appareil n'est jamais arrivé"
    ) in subjects


def test_an_english_owner_hears_it_in_english(app, make, rec, places):
    owner = make.user(locale="en")
    tablet = _declared(rec, owner, places.pessac, "tablet", days=15)  # no reminder: 2 weeks
    _agent_closes(app, places, tablet)
    jobs.deliver_due()
    [body] = _inbox(owner)
    assert (
        f"The device (Tablet, receipt {tablet.receipt_number}) you declared for Mairie de "
        "Pessac (Place de la Ve République) never came: an agent of the point closed the "
        "declaration on "
    ) in body
    assert "To hand it in later, declare it again." in body


def test_a_refused_closure_tells_nobody_and_keeps_the_points(app, make, rec, places, make_campaign):
    _running_campaign(make_campaign)
    owner = make.user(locale="en")
    recent = _declared(rec, owner, places.pessac, "laptop", days=3)
    _agent_closes(app, places, recent)
    assert _entries(recent) == 1
    notices = select(func.count(Dispatch.id)).where(Dispatch.audience_key == "person")
    assert db.session.scalar(notices) == 0
