"""The demo's returns were declared at 2 a.m. and received before their point opened
(« Reçu par un agent · 20 oct. 2025, 6 h 52 » at a point opening at 8:30): an agent
showing the desk, or a head of department the statistics, saw a portal that invents.
Every step of a seeded return happens on a weekday, in office hours (Paris)."""

from datetime import UTC, time

from sqlalchemy import select

from app.core.time import local_zone, utcnow
from app.extensions import db
from app.recycling.models import CustodyStep, DeviceReturn
from tests.snapshots import demo_seeded_once


def _out_of_hours(moments) -> list:
    today = utcnow().astimezone(local_zone()).date()
    wrong = []
    for at in moments:
        local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(local_zone())
        if local.date() == today:
            continue  # a declaration of this morning before the seed ran
        if local.weekday() >= 5 or not time(9) <= local.time() <= time(18):
            wrong.append(local.isoformat())
    return wrong


def test_every_seeded_step_of_a_return_is_in_office_hours(app):
    demo_seeded_once(app, 60)
    declared = db.session.scalars(select(DeviceReturn.declared_at)).all()
    steps = db.session.scalars(select(CustodyStep.at)).all()
    assert len(declared) > 100 and len(steps) > 100
    assert _out_of_hours(declared) == []
    assert _out_of_hours(steps) == []
