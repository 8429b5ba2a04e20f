"""Issue 5's journey across domains in a real browser: find the nearest point, open its
QR link, return a device, an agent confirms it, and the clean-up score moves."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from tests.conftest import browser_sign_in, confirm_receipt_in_a_browser

_sign_in = browser_sign_in


@pytest.mark.browser
@pytest.mark.journey
def test_a_returned_device_moves_my_campaign_score(browser, live_server, page, make, rec,
                                                   make_campaign):  # fmt: skip
    now = utcnow()
    campaign = make_campaign(name_fr="Grand ménage", starts_at=now - timedelta(days=1),
                             ends_at=now + timedelta(days=10))  # fmt: skip
    home = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    far = make.commune(name="Ambès", latitude=45.011, longitude=-0.532)
    rec.point(commune=far, name="Point Ambès", opening_hours="24/7")
    near = rec.point(commune=home, name="Point Pessac", opening_hours="24/7")
    agent = rec.agent(near)
    owner = make.user(commune=home)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    _sign_in(page, owner)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    expect(page.get_by_test_id("my-points")).to_have_text("0")

    # Nearest point first, then its poster's QR link, opened as a phone camera would.
    page.goto("/recycling/")
    assert page.locator(".point-list h3").first.inner_text() == "Point Pessac"
    page.goto(f"/recycling/points/{near.id}/poster")
    parts = urlsplit(page.locator(".poster-link code").inner_text())
    page.goto(f"{parts.path}?{parts.query}")
    assert page.locator("select[name=collection_point_id]").input_value() == str(near.id)
    page.check("input[name=device_type][value=smartphone]")
    page.check("input[name=condition][value=broken]")
    page.check("input[name=wipe_requested]")
    # Not taking part yet: the return counts in the campaign only once ticked, by its label.
    page.get_by_label("Compter ce dépôt dans « Grand ménage »", exact=False).check()
    page.click("form.return-form button[type=submit]")
    page.wait_for_url("**/recycling/returns/RC-*")
    receipt = page.url.rsplit("/", 1)[1]

    confirm_receipt_in_a_browser(browser, live_server, agent, receipt)

    page.reload()
    assert "Reçu par un agent" in page.locator(".return-status").inner_text()
    # The score moved: on the campaign page and on the home dashboard.
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    expect(page.get_by_test_id("my-points")).to_have_text("100")
    assert page.get_by_test_id("my-rank").inner_text().startswith("1")
    page.goto("/")
    assert "100" in page.locator("main").inner_text()
    assert "Grand ménage" in page.locator("main").inner_text()
