"""An employee's receipt said « Chaîne de traçabilité » and « Signature vérifiée » under
each step: an auditor's words. Its owner now reads what happened to their device, step by
step, and once that each step is signed; a step's check is said, in plain words, only
when it fails. The point's agents and admins keep the chain of custody's own words."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.extensions import db
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import login
from tests.recycling.conftest import NOW


def _words(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def received(make, rec):
    """A French employee's laptop, received by an agent of its point."""
    point = rec.point()
    agent = rec.agent(point)
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, point, now=NOW)
    services.confirm_receipt(device_return, agent, NOW + timedelta(hours=1))
    db.session.commit()
    return owner, agent, device_return


def _receipt(client, device_return) -> str:
    db.session.expire_all()
    return _words(client.get(f"/recycling/returns/{device_return.receipt_number}"))


def test_its_owner_reads_what_happened_to_the_device_in_plain_words(client, received):
    owner, agent, device_return = received
    login(client, owner)
    page = _receipt(client, device_return)
    assert "Ce qu'il est advenu de votre appareil, étape par étape" in page
    assert (
        "Chaque étape est signée par la personne qui l'a faite\u00a0: si quelqu'un modifiait "
        "ce suivi après coup, cela se verrait ici." in page
    )
    assert "traçabilité" not in page and "Signature" not in page
    assert f"signé par {agent.display_name}" in page  # who did the step, still


@pytest.mark.parametrize("who", ["agent", "admin"])
def test_staff_keep_the_chain_of_custody_s_words(client, make, received, who):
    _owner, agent, device_return = received
    reader = agent if who == "agent" else make.user(roles=("employee", "admin"), locale="fr")
    login(client, reader)
    page = _receipt(client, device_return)
    assert "Chaîne de traçabilité" in page and page.count("Signature vérifiée") == 2
    assert "advenu de votre appareil" not in page
    desk = _words(client.get(f"/recycling/agent/returns/{device_return.receipt_number}"))
    assert "Chaîne de traçabilité" in desk and "Signature vérifiée" in desk


def test_a_step_changed_afterwards_is_said_plainly_to_its_owner(client, received):
    owner, agent, device_return = received
    db.session.execute(
        update(CustodyStep).where(CustodyStep.actor_id == agent.id).values(actor_name="Autre")
    )
    db.session.commit()
    login(client, owner)
    page = _receipt(client, device_return)
    assert "Attention\u00a0: ce suivi a été modifié après coup." in page
    assert "Cette étape a été modifiée après coup." in page.split("signé par Autre")[1]
    assert "Signature" not in page


def test_a_deleted_step_is_said_plainly_to_its_owner(client, make, rec):
    point = rec.point()
    first, second = rec.agent(point), rec.agent(point)
    owner = make.user(locale="fr")
    device_return = rec.device_return(owner, point, now=NOW)
    services.confirm_receipt(device_return, first, NOW + timedelta(hours=1))
    services.undo_receipt(device_return, first, "Mauvaise ligne", NOW + timedelta(hours=2))
    services.confirm_receipt(device_return, second, NOW + timedelta(hours=3))
    db.session.execute(delete(CustodyStep).where(CustodyStep.step == "receipt_undo"))
    db.session.commit()
    login(client, owner)
    page = _receipt(client, device_return)
    assert "1 étape avant celle-ci a été supprimée." in page


def test_a_last_step_deleted_is_said_plainly_to_its_owner(client, received):
    owner, _agent, device_return = received
    last = db.session.scalars(select(CustodyStep).order_by(CustodyStep.id.desc())).first()
    db.session.delete(last)
    db.session.commit()
    login(client, owner)
    page = _receipt(client, device_return)
    assert (
        "La dernière étape, «\u00a0Reçu par un agent\u00a0», manque à ce suivi\u00a0: "
        "elle a été supprimée." in page
    )


def test_a_last_step_deleted_and_the_status_set_back_is_said_plainly(client, received):
    owner, _agent, device_return = received
    last = db.session.scalars(select(CustodyStep).order_by(CustodyStep.id.desc())).first()
    db.session.delete(last)
    db.session.execute(
        update(DeviceReturn).where(DeviceReturn.id == device_return.id).values(status="declared")
    )
    db.session.commit()
    login(client, owner)
    page = _receipt(client, device_return)
    assert (
        "La dernière étape de ce suivi a été supprimée et le statut de votre appareil remis "
        "en arrière." in page
    )
