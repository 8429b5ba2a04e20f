"""The migration 20261207_recycling_signed_chain, downgraded then upgraded again: the
downgrade drops `signed_as` and keeps the signatures, so the upgrade reads which payload
each step's signature covers. Before, it took payload 1 for every step, and every step
signed since (payload 2) looked altered: 3,005 of 3,005 on the demo's database."""

from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.recycling import services
from app.recycling.models import CustodyStep, DeviceReturn
from tests.databases import fresh_postgresql_database, runs_on_postgresql
from tests.factories import Factories
from tests.recycling.conftest import NOW, RecyclingFactories

BELOW = "20261207_auth_token_scope"


@pytest.fixture
def portal(tmp_path):
    """A portal's database migrated to the heads, in its app context."""
    if runs_on_postgresql():
        with fresh_postgresql_database("empreinte_signed_chain") as url:
            yield from _portal_at(url)
    else:
        yield from _portal_at(f"sqlite:///{tmp_path / 'signed-chain.db'}")


def _portal_at(url: str):
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with portal.app_context():
        upgrade(revision="heads")
        yield portal
        db.session.remove()
        db.engine.dispose()


def _returns() -> dict[str, int]:
    """Returns by what their chain holds, recorded by today's code (payload 2), plus one
    signed before 7 December (payload 1) and one whose step was altered since."""
    make = Factories()
    rec = RecyclingFactories(make)
    point = rec.point()
    agent = rec.agent(point)
    full = rec.device_return(make.user(), point)
    services.confirm_receipt(full, agent, NOW + timedelta(hours=1))
    services.record_wipe(
        full, agent, "software_overwrite", NOW.date(), "CERT-1", NOW + timedelta(hours=2)
    )
    # Reused: no hand-over, which a downgrade below 20261218_recycling_handover drops.
    services.record_outcome(full, agent, "reused", NOW + timedelta(hours=3))
    withdrawn = rec.device_return(make.user(), point)
    services.withdraw_return(withdrawn.user, withdrawn, NOW + timedelta(hours=1))
    old = rec.device_return(make.user(), point)
    services.confirm_receipt(old, agent, NOW + timedelta(hours=1))
    altered = rec.device_return(make.user(), point)
    services.confirm_receipt(altered, agent, NOW + timedelta(hours=1))
    db.session.commit()
    for step in old.steps:  # as signed before 7 December: neither name nor place
        step.signed_as = 1
        step.signature = services.sign_step(old.receipt_number, step)
    db.session.commit()
    db.session.execute(  # someone renames the agent in the database afterwards
        update(CustodyStep)
        .where(CustodyStep.return_id == altered.id, CustodyStep.step == "received")
        .values(actor_name="Quelqu'un d'autre")
    )
    db.session.commit()
    return {"full": full.id, "withdrawn": withdrawn.id, "old": old.id, "altered": altered.id}


def _broken_and_formats(ids: dict[str, int]) -> dict[str, tuple[bool, list[int]]]:
    db.session.expire_all()
    found = {}
    for name, return_id in ids.items():
        device_return = db.session.get(DeviceReturn, return_id)
        formats = [step.signed_as for step in device_return.steps]
        found[name] = (services.check_custody(device_return).broken, formats)
    return found


def test_a_downgrade_then_an_upgrade_leaves_every_chain_as_it_was(portal):
    ids = _returns()
    before = _broken_and_formats(ids)
    assert {name: broken for name, (broken, _) in before.items()} == {
        "full": False,
        "withdrawn": False,
        "old": False,
        "altered": True,
    }
    db.session.remove()

    downgrade(revision=BELOW)
    upgrade(revision="heads")

    assert _broken_and_formats(ids) == before
    assert (
        db.session.scalar(
            select(CustodyStep.signed_as).where(CustodyStep.return_id == ids["full"]).limit(1)
        )
        == 2
    )
