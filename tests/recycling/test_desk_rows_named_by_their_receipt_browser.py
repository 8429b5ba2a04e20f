"""The desk's row controls are named with their receipt number ("Confirmer la réception
RC-…", "Étape suivante RC-…"): a screen reader's list of buttons or links tells the rows
apart. The number comes from the row's header (aria-labelledby), not from a hidden copy
in each control: the desk is at its DOM budget, and 25 rows of hidden spans tipped it
past grade A."""

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from app.extensions import db
from app.recycling import services
from tests.conftest import browser_sign_in
from tests.recycling.conftest import RecyclingFactories


@pytest.fixture
def desk(page, make):
    rec = RecyclingFactories(make)
    point = rec.point(name="Point Floirac", opening_hours="24/7")
    agent = rec.agent(point)
    owner = make.user(locale="fr")
    declared = rec.device_return(owner, point, now=utcnow())
    received = rec.device_return(owner, point, "monitor", now=utcnow())
    services.confirm_receipt(received, agent, utcnow())
    db.session.commit()
    browser_sign_in(page, agent)
    return declared.receipt_number, received.receipt_number


def test_each_rows_control_says_its_receipt_number(page, desk):
    declared, received = desk
    page.goto("/recycling/agent?status=all", wait_until="load")
    expect(page.get_by_role("button", name=f"Confirmer la réception {declared}")).to_be_visible()
    expect(page.get_by_role("link", name=f"Étape suivante {received}")).to_be_visible()
    assert page.locator(".row-action .visually-hidden").count() == 0
