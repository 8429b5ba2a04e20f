"""Trust fixtures: a stand-in domain that registers personal data, API tokens."""

from dataclasses import dataclass

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update

from app.auth import services as auth_services
from app.auth.models import TokenScope
from app.core.privacy import PersonalData
from app.extensions import db
from tests.messaging.conftest import smtp  # noqa: F401 - the sign-in link's mail server

fake_metadata = MetaData()
fake_actions = Table(
    "trust_test_action",
    fake_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=True),  # no FK: the test owns this table
    Column("department_id", Integer, nullable=True),
    Column("campaign", String(20)),
    Column("quantity", Integer),
    Column("note", String(200)),
)


@dataclass
class FakeDomain:
    """A domain holding 'actions': exported per person, erased by unlinking the person."""

    def add(self, user, quantity: int, campaign: str = "c1", note: str = "") -> None:
        db.session.execute(
            insert(fake_actions).values(
                user_id=user.id,
                department_id=user.department_id,
                campaign=campaign,
                quantity=quantity,
                note=note,
            )
        )
        db.session.commit()

    def export(self, user):
        rows = db.session.execute(
            select(fake_actions.c.campaign, fake_actions.c.quantity, fake_actions.c.note)
            .where(fake_actions.c.user_id == user.id)
            .order_by(fake_actions.c.id)
        )
        return [{"campaign": c, "quantity": q, "note": n} for c, q, n in rows]

    def erase(self, user, now) -> None:
        # The action stays (totals keep it); what links it to the person goes.
        db.session.execute(
            update(fake_actions)
            .where(fake_actions.c.user_id == user.id)
            .values(user_id=None, note="")
        )
        db.session.flush()

    def totals(self) -> dict:
        """Team and campaign totals, the aggregates that must not move."""
        by_team = db.session.execute(
            select(fake_actions.c.department_id, func.sum(fake_actions.c.quantity))
            .group_by(fake_actions.c.department_id)
            .order_by(fake_actions.c.department_id)
        ).all()
        by_campaign = db.session.execute(
            select(fake_actions.c.campaign, func.sum(fake_actions.c.quantity))
            .group_by(fake_actions.c.campaign)
            .order_by(fake_actions.c.campaign)
        ).all()
        return {"team": [tuple(r) for r in by_team], "campaign": [tuple(r) for r in by_campaign]}


@pytest.fixture
def fake_domain(app):
    """Register the stand-in 'actions' section for this test only."""
    fake_metadata.create_all(db.engine)
    domain = FakeDomain()
    registry = app.extensions.setdefault("empreinte.personal_data", {})
    previous = registry.get("actions")
    registry["actions"] = PersonalData("actions", domain.export, domain.erase)
    yield domain
    if previous is None:
        registry.pop("actions", None)
    else:
        registry["actions"] = previous
    db.session.rollback()
    fake_metadata.drop_all(db.engine)


@pytest.fixture
def token_for():
    """token_for(user, scope="read_write") -> a raw bearer token; one that writes unless
    told otherwise, as these tests send writes through the API."""

    def make_token(user, scope: str = TokenScope.READ_WRITE) -> str:
        _token, raw = auth_services.create_api_token(user, "test", scope=scope)
        db.session.commit()
        return raw

    return make_token
