"""The migration 20261220_recycling_embodied: the returns given an outcome
before it are filled in once with today's figure of their type; those still waiting for
one keep none (theirs is stored when it is recorded)."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.recycling import services
from app.recycling.models import DeviceReturn
from tests.databases import (
    add_columns_of_later_revisions,
    fresh_postgresql_database,
    runs_on_postgresql,
)
from tests.factories import Factories
from tests.recycling.conftest import NOW, RecyclingFactories
from tests.recycling.test_avoided_footprint_of_new_models_only import _model

BEFORE = "20261219_messaging_other_text"
REVISION = "20261220_recycling_embodied"


@pytest.fixture
def old_portal(tmp_path):
    """A portal's database at the revision before this one, in its app context."""
    if runs_on_postgresql():
        with fresh_postgresql_database("empreinte_embodied") as url:
            yield from _portal_at(url)
    else:
        yield from _portal_at(f"sqlite:///{tmp_path / 'embodied.db'}")


def _portal_at(url: str):
    portal = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with portal.app_context():
        upgrade(revision=BEFORE)
        add_columns_of_later_revisions(db.engine)  # today's code records the rows below
        yield portal
        db.session.remove()
        db.engine.dispose()


def test_the_upgrade_fills_in_today_s_figure_for_past_outcomes_only(old_portal):
    make = Factories()
    rec = RecyclingFactories(make)
    _model("printer", "Multifonction A3", "Shared A3 printer", 900)
    point = rec.point()
    agent = rec.agent(point)
    reused, _waiting = (
        rec.device_return(make.user(), point, "printer", asset_tag=tag, wipe_requested=False,
                          data_wiped=True)
        for tag in ("P-1", "P-2")
    )  # fmt: skip
    services.confirm_receipt(reused, agent, NOW)
    services.record_outcome(reused, agent, "reused", NOW)
    db.session.commit()
    # As the code before stored them: no figure.
    db.session.execute(text("ALTER TABLE recycling_device_return DROP COLUMN embodied_kgco2e"))
    db.session.commit()
    upgrade(revision=REVISION)
    db.session.expire_all()
    stored = dict(
        db.session.execute(select(DeviceReturn.asset_tag, DeviceReturn.embodied_kgco2e)).all()
    )
    assert stored == {"P-1": 900.0, "P-2": None}
