"""What staff wrote about a device return goes with its owner's erasure: an undone
receipt's reason and an outcome's note, on the custody steps, in the API and in the audit
log (whose events stay). No signature covers a note, so every step still verifies; an
agent's erasure, or anyone else's, leaves the notes."""

import csv
import html
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.privacy_services import erase_user
from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.conftest import login

REASON = "Camille Martin (bureau 214) a apporté le portable personnel de son conjoint"
OUTCOME_NOTE = "Écran fêlé par Camille Martin, donné à une association"


@pytest.fixture
def world(make, rec):
    """Camille Martin's laptop received then undone, with a reason naming her, and her
    tablet given away with a note naming her; another person's receipt undone too."""
    now = utcnow() - timedelta(hours=2)
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point)
    camille = make.user(display_name="Camille Martin", email="camille.martin@example.org")
    other = make.user(display_name="Dominique Petit")
    admin = make.user(roles=("employee", "admin"), locale="en")

    laptop = rec.device_return(camille, point, now=now)
    services.confirm_receipt(laptop, agent, now + timedelta(minutes=1))
    services.undo_receipt(laptop, agent, REASON, now + timedelta(minutes=2))
    tablet = rec.device_return(camille, point, "tablet", now=now, wipe_requested=False,
                               data_wiped=True)  # fmt: skip
    services.confirm_receipt(tablet, agent, now + timedelta(minutes=1))
    services.record_outcome(
        tablet, agent, "donated", now + timedelta(minutes=3), OUTCOME_NOTE, "Emmaüs Connect"
    )
    others = rec.device_return(other, point, now=now)
    services.confirm_receipt(others, agent, now + timedelta(minutes=1))
    services.undo_receipt(others, agent, "Mauvaise ligne", now + timedelta(minutes=2))
    db.session.commit()
    return SimpleNamespace(
        camille=camille, other=other, agent=agent, admin=admin, now=now,
        laptop=laptop.receipt_number, tablet=tablet.receipt_number, others=others.receipt_number,
    )  # fmt: skip


def _erase(user) -> None:
    erase_user(user, utcnow())
    db.session.commit()
    db.session.expire_all()


def _return(receipt) -> DeviceReturn:
    return db.session.scalar(select(DeviceReturn).where(DeviceReturn.receipt_number == receipt))


def _notes(*receipts) -> list[str]:
    return db.session.scalars(
        select(CustodyStep.note)
        .join(DeviceReturn)
        .where(DeviceReturn.receipt_number.in_(receipts), CustodyStep.note != "")
        .order_by(CustodyStep.id)
    ).all()


def _audit_texts(client) -> str:
    """The audit CSV's details, then what the log finds searching for "Camille"."""
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").text)))
    page = client.get("/admin/audit?text=Camille").get_data(as_text=True)
    return " ".join(row[5] for row in rows[1:]) + html.unescape(page)


NOTHING_FOUND = "No event matches these filters."


def test_the_owners_erasure_empties_every_note_of_their_returns(world):
    assert _notes(world.laptop, world.tablet) == [REASON, OUTCOME_NOTE]
    _erase(world.camille)
    assert _notes(world.laptop, world.tablet) == []


def _api_notes(client, receipt) -> list[str | None]:
    steps = client.get(f"/api/v1/device-returns/{receipt}").get_json()["custody"]
    return [step["note"] for step in steps]


def test_the_api_no_longer_gives_the_reason(client, world):
    login(client, world.admin)
    assert _api_notes(client, world.laptop) == [None, None, REASON]
    _erase(world.camille)
    assert _api_notes(client, world.laptop) == [None, None, None]
    assert _api_notes(client, world.tablet) == [None, None, None]


def test_every_step_still_verifies_after_the_erasure(world):
    _erase(world.camille)
    for receipt in (world.laptop, world.tablet):
        steps = _return(receipt).steps
        assert len(steps) >= 3
        assert all(services.step_is_authentic(receipt, step) for step in steps)


def test_the_audit_log_keeps_the_events_without_the_reason(client, world):
    login(client, world.admin)
    assert NOTHING_FOUND not in _audit_texts(client)
    _erase(world.camille)
    texts = _audit_texts(client)
    assert "bureau 214" not in texts and NOTHING_FOUND in texts
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.summary)
        .where(AuditEvent.object_id.in_((world.laptop, world.tablet)))
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(event) for event in events] == [
        ("receive", ""),
        ("cancel", "text erased"),
        ("receive", ""),
        ("outcome", "donated"),
    ]


def test_the_receipt_page_says_the_reason_was_erased(client, world):
    login(client, world.admin)
    _erase(world.camille)
    page = html.unescape(client.get(f"/recycling/returns/{world.laptop}").get_data(as_text=True))
    assert "Reason: Text erased with the person's data" in page
    assert "bureau 214" not in page
    assert "Signature does not match" not in page and "Signature verified" in page


def test_the_agents_page_no_longer_shows_the_outcome_note(client, world):
    login(client, world.agent)
    _erase(world.camille)
    response = client.get(f"/recycling/agent/returns/{world.tablet}")
    assert response.status_code == 200
    assert "Camille" not in html.unescape(response.get_data(as_text=True))


def test_erasing_someone_else_leaves_the_notes(client, world):
    _erase(world.other)
    assert _notes(world.laptop, world.tablet) == [REASON, OUTCOME_NOTE]
    login(client, world.admin)
    assert "bureau 214" in _audit_texts(client)
    assert _notes(world.others) == []


def test_the_agents_erasure_keeps_their_notes_without_their_name(world):
    """The notes speak of the owner and the device, not of the agent who wrote them."""
    _erase(world.agent)
    steps = _return(world.laptop).steps
    assert (steps[-1].note, steps[-1].actor_name) == (REASON, "")
    assert services.step_is_authentic(world.laptop, steps[-1])
