"""Fixtures of the recycling tests: a fixed clock, collection points and returns."""

import itertools
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.cleanup.models import CleanupCampaign
from app.extensions import db
from app.recycling import services
from app.recycling.models import CollectionPoint, PointAgent
from tests.conftest import login

# Wednesday 25 November 2026, 10:00 in Paris.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; PH off"
_n = itertools.count(1)


class RecyclingFactories:
    def __init__(self, make):
        self.make = make

    def point(self, commune=None, agents=(), **overrides) -> CollectionPoint:
        n = next(_n)
        commune = commune or self.make.commune()
        values = {
            "name": f"Point {n}",
            "address": f"{n} place de la Mairie",
            "latitude": commune.latitude,
            "longitude": commune.longitude,
            "opening_hours": HOURS,
            "accepted_types": "laptop,desktop,monitor,smartphone,tablet,printer,accessory",
            "directions_fr": "Accueil",
            "directions_en": "Reception",
            "active": True,
            "closure_note": "",
            "created_at": NOW,
        }
        values.update(overrides)
        point = CollectionPoint(commune=commune, **values)
        point.agent_rows = [PointAgent(user_id=a.id) for a in agents]
        db.session.add(point)
        db.session.commit()
        return point

    def agent(self, *points, **overrides):
        user = self.make.user(roles=("employee", "agent"), **overrides)
        for point in points:
            db.session.add(PointAgent(point_id=point.id, user_id=user.id))
        db.session.commit()
        return user

    def device_return(self, user, point, device_type="laptop", now=NOW, **kwargs):
        kwargs.setdefault("condition", "working")
        kwargs.setdefault("wipe_requested", True)
        # As a person ticking, on the form, every campaign offered to count it in (one
        # not taking part yet counts it nowhere else): `count_in=()` for an unticked form.
        kwargs.setdefault("count_in", tuple(db.session.scalars(select(CleanupCampaign.id))))
        device_return, _created = services.register_device_return(
            user, point, device_type, kwargs.pop("condition"), now, **kwargs
        )
        db.session.commit()
        return device_return


@pytest.fixture
def rec(make) -> RecyclingFactories:
    return RecyclingFactories(make)


@pytest.fixture
def waiting(make, rec):
    """A French employee's declared laptop, and an agent of its point: (owner, agent,
    return). A test file may define its own `waiting`."""
    point = rec.point(name="Point Cenon", opening_hours="24/7")
    owner = make.user(locale="fr")
    agent = rec.agent(point)
    return owner, agent, rec.device_return(owner, point)


def local_today() -> str:
    """Today in the portal's time zone, as a date field writes it: what a wipe dated today
    means (after 23:00 UTC in winter, Paris is already on the next day)."""
    return datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()


def error_at(page: str, field: str) -> str:
    """The message a page shows at a form field ('' when it has none)."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def point_data(client, make):
    """An English admin signed in, and the data of a point that could be saved."""
    agent = make.user(roles=("agent",))
    login(client, make.user(roles=("admin",), locale="en"))
    commune = make.commune(name="Bassens", latitude=44.9017, longitude=-0.5167)
    return {"name": "Mairie de Bassens", "commune_id": commune.id, "address": "Rue du Dr Roux",
            "latitude": "44.90", "longitude": "-0.52", "opening_hours": "Mo-Fr 09:00-12:00",
            "accepted_types": ["laptop"], "agent_ids": [agent.id]}  # fmt: skip
