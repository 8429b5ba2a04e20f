"""An agent who confirms the receipt of a declaration already closed as never brought is
told what happened and what can still be done, in their words (not the owner's)."""

import html
from datetime import timedelta

import pytest

from app.core.time import utcnow
from app.extensions import db
from app.recycling.models import PointAgent
from tests.conftest import csrf_token, login


@pytest.fixture
def closed(app, client, make, rec, monkeypatch):
    """A declaration left waiting, then closed as never brought by its point's agent."""
    monkeypatch.setitem(app.config, "RECYCLING_REMINDER_DAYS", 7)
    point = rec.point(name="Mairie de Pessac", address="Place de la Ve République")
    declared = utcnow() - timedelta(days=15)
    laptop = rec.device_return(make.user(locale="fr"), point, now=declared)

    def agent(locale):
        person = make.user(roles=("employee", "agent"), locale=locale)
        db.session.add(PointAgent(point_id=point.id, user_id=person.id))
        db.session.commit()
        login(client, person)
        return person

    agent("en")
    client.post(
        f"/recycling/agent/returns/{laptop.receipt_number}/not-brought",
        data={"csrf_token": csrf_token(client)},
    )
    closed.laptop, closed.agent = laptop, agent
    return closed


def _receive(client, receipt, **headers) -> str:
    response = client.post(
        f"/recycling/agent/returns/{receipt}/receive",
        data={"csrf_token": csrf_token(client)},
        headers=headers,
        follow_redirects=True,
    )
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("fragment", [False, True], ids=["page", "htmx"])
def test_the_agent_is_told_the_owner_can_declare_it_again(client, closed, fragment):
    receipt = closed.laptop.receipt_number
    shown = _receive(client, receipt, **({"HX-Request": "true"} if fragment else {}))
    assert (
        "This declaration was closed because the device never came: it cannot be received. "
        "If the device is here now, its owner can declare it again at an open collection "
        "point." in shown
    )
    assert "its owner declares it again" not in shown


def test_the_french_agent_reads_it_in_french(client, closed):
    closed.agent("fr")
    shown = _receive(client, closed.laptop.receipt_number)
    assert (
        "Cette déclaration a été close car l'appareil n'est jamais arrivé\u00a0: il ne peut "
        "pas être réceptionné. Si l'appareil est là maintenant, son propriétaire peut le "
        "déclarer à nouveau à un point de collecte ouvert." in shown
    )
