"""The data migration 20261205_recycling_owner_names: custody steps recorded before
5 December named the device's owner on their own steps (declared, withdrawn); after the
upgrade no step names the owner, and every step of every chain still verifies."""

from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, update

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.recycling import services
from app.recycling.models import OWNER_STEPS, CustodyStep, DeviceReturn
from tests.databases import (
    add_columns_of_later_revisions,
    fresh_postgresql_database,
    runs_on_postgresql,
)
from tests.factories import Factories
from tests.recycling.conftest import NOW, RecyclingFactories

BEFORE = "20261204_cleanup_corrections"
REVISION = "20261205_recycling_owner_names"


@pytest.fixture
def old_portal(tmp_path):
    """A portal's database at the revision before this one, in its app context."""
    if runs_on_postgresql():
        with fresh_postgresql_database("empreinte_owner_names") as url:
            yield from _portal_at(url, BEFORE)
    else:
        yield from _portal_at(f"sqlite:///{tmp_path / 'owner-names.db'}", BEFORE)


def _portal_at(url: str, revision: str):
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with portal.app_context():
        upgrade(revision=revision)
        # Today's code records the returns below: the later revisions' columns it reads.
        add_columns_of_later_revisions(db.engine)
        yield portal
        db.session.remove()
        db.engine.dispose()


def _returns_as_recorded_before_5_december() -> str:
    """A return received by an agent, one withdrawn by its owner; the owner's own steps
    carrying the owner's name, as the code before 5 December stored it (with the same
    signature: it never covered the name). Returns the agent's name, which stays."""
    make = Factories()
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = rec.agent(point)
    received = rec.device_return(make.user(display_name="Alice Martin"), point)
    services.confirm_receipt(received, agent, NOW + timedelta(hours=1))
    withdrawn = rec.device_return(make.user(display_name="Bruno Petit"), point)
    services.withdraw_return(withdrawn.user, withdrawn, NOW + timedelta(hours=2))
    db.session.commit()
    for device_return in (received, withdrawn):
        for step in device_return.steps:  # signed as then: neither name nor place
            step.signed_as = 1
            step.signature = services.sign_step(device_return.receipt_number, step)
        db.session.execute(
            update(CustodyStep)
            .where(CustodyStep.return_id == device_return.id, CustodyStep.step.in_(OWNER_STEPS))
            .values(actor_name=device_return.user.display_name)
        )
    db.session.commit()
    return agent.display_name


def test_the_upgrade_takes_the_owners_name_off_and_every_chain_still_verifies(old_portal):
    agent_name = _returns_as_recorded_before_5_december()
    upgrade(revision=REVISION)
    db.session.expire_all()
    rows = db.session.execute(
        select(CustodyStep, DeviceReturn.receipt_number).join(DeviceReturn)
    ).all()
    names = sorted((step.step, step.actor_name) for step, _ in rows)
    assert names == sorted(
        [("declared", ""), ("declared", ""), ("withdrawn", ""), ("received", agent_name)]
    )
    assert all(services.step_is_authentic(receipt, step) for step, receipt in rows)
