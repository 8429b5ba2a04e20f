"""A declaration is one transaction: rolled back, it leaves nothing behind.

Its insert runs in a savepoint (the asset tag's unique key decides between concurrent
submissions). With Python's sqlite3, a SAVEPOINT sent outside a transaction opened
one of its own, and its RELEASE committed the declaration at once: a failure after
it (the clean-up entry it scores, the request's commit) left the return stored."""

from sqlalchemy import func, select

from app.extensions import db
from app.recycling import services
from app.recycling.models import DeviceReturn
from tests.recycling.conftest import NOW


def _returns() -> int:
    return db.session.scalar(select(func.count(DeviceReturn.id)))


def test_a_declaration_rolled_back_leaves_no_return(make, rec):
    person, point = make.user(), rec.point()
    db.session.commit()
    before = _returns()
    services.register_device_return(
        person, point, "laptop", "working", NOW, asset_tag="RB-1", wipe_requested=True
    )
    db.session.rollback()
    assert _returns() == before
    # And declared again, it is a new declaration, not the first one found.
    _again, created = services.register_device_return(
        person, point, "laptop", "working", NOW, asset_tag="RB-1", wipe_requested=True
    )
    db.session.commit()
    assert created and _returns() == before + 1
