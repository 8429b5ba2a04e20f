"""A device received, its receipt undone, then received again: its owner is told of each
receipt, where the one notice per return and step left the second untold; the same
step's signal sent twice still tells them once."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.core.signals import custody_step_recorded
from app.core.time import utcnow
from app.extensions import db
from app.messaging import jobs
from app.messaging.models import Dispatch
from app.recycling import services as recycling
from tests.messaging.conftest import inbox_of
from tests.recycling.conftest import rec  # noqa: F401 - collection points and returns

RECEIVED = "un agent a confirmé sa réception au point de collecte Mairie de Pessac"


def _received_notices(device_return) -> int:
    return sum(
        1
        for dispatch in db.session.scalars(select(Dispatch))
        if dispatch.context.get("return_id") == device_return.id
        and dispatch.context.get("step") == "received"
    )


def _received_twice(make, rec):  # noqa: F811
    """A laptop received, its receipt undone, then received again by the same agent."""
    owner = make.user(locale="fr")
    point = rec.point(name="Mairie de Pessac")
    agent = rec.agent(point)
    start = utcnow() - timedelta(hours=3)
    laptop = rec.device_return(owner, point, now=start)
    recycling.confirm_receipt(laptop, agent, start + timedelta(hours=1))
    recycling.undo_receipt(laptop, agent, "Wrong row", start + timedelta(hours=2))
    recycling.confirm_receipt(laptop, agent, start + timedelta(hours=3))
    db.session.commit()
    return owner, laptop


def test_a_device_received_again_after_an_undo_tells_its_owner_twice(make, rec):  # noqa: F811
    owner, laptop = _received_twice(make, rec)
    jobs.deliver_due()
    bodies = [message.body for message in inbox_of(owner)]
    assert sum(RECEIVED in body for body in bodies) == 2
    assert _received_notices(laptop) == 2


def test_the_same_receipts_signal_sent_again_tells_nobody_twice(make, rec):  # noqa: F811
    _owner, laptop = _received_twice(make, rec)
    custody_step_recorded.send(
        current_app._get_current_object(), device_return=laptop, step="received", now=utcnow()
    )
    db.session.commit()
    assert _received_notices(laptop) == 2
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 3  # and the undo
