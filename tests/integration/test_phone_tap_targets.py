"""On a phone (375 px), a newcomer's most tapped links were 18–23 px tall: the home panels'
"Browse the catalogue" and "Open my inbox", an item's "Technical reference, for experts"
and the leaderboard's tabs (40 px apart). They are 44 px targets now, as buttons are."""

from datetime import timedelta

import pytest

from app.core.time import utcnow
from tests.catalogue.conftest import make_item  # noqa: F401
from tests.cleanup.conftest import make_campaign  # noqa: F401
from tests.conftest import browser_sign_in

PHONE = {"width": 375, "height": 740}


def _height(locator) -> float:
    return locator.bounding_box()["height"]


@pytest.mark.browser
def test_home_panel_links_are_44_px_tall_on_a_phone(page, make):
    person = make.user(locale="en")
    page.set_viewport_size(PHONE)
    browser_sign_in(page, person)
    page.goto("/")
    for name in ("Browse the catalogue", "Open my inbox"):
        assert _height(page.get_by_role("link", name=name, exact=True)) >= 44, name


@pytest.mark.browser
def test_an_items_technical_reference_is_44_px_tall_on_a_phone(page, make, make_item):  # noqa: F811
    item = make_item(source="Boavizta API 2.5.0 (boaviztapi, laptop-default)")
    page.set_viewport_size(PHONE)
    browser_sign_in(page, make.user(locale="en"))
    page.goto(f"/catalogue/items/{item.id}")
    summary = page.locator("summary", has_text="Technical reference, for experts").first
    assert _height(summary) >= 44


@pytest.mark.browser
def test_leaderboard_tabs_are_44_px_tall_on_a_phone(page, make, make_campaign):  # noqa: F811
    now = utcnow()
    campaign = make_campaign(starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=5))
    page.set_viewport_size(PHONE)
    browser_sign_in(page, make.user(locale="en"))
    page.goto(f"/cleanup/campaigns/{campaign.id}/leaderboard")
    tabs = page.locator("#leaderboard-tabs a")
    assert tabs.count() >= 2
    assert min(_height(tabs.nth(i)) for i in range(tabs.count())) >= 44
