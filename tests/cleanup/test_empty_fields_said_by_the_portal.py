"""An empty required field of a campaign's page is refused by the portal, at the field,
in the page's language: the forms carry `novalidate`, so the browser's own tooltip (in
the browser's language, tied to nothing) never stands in for it."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.time import utcnow
from tests.conftest import browser_sign_in, login


def _running(make_campaign, **overrides):
    """A campaign running now, from an hour ago to two days ahead."""
    now = utcnow()
    return make_campaign(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2), **overrides
    )


@pytest.mark.browser
def test_an_empty_quantity_gets_the_portals_message_at_the_field_and_the_focus(
    page, make, make_campaign
):
    campaign = _running(make_campaign)
    browser_sign_in(page, make.user())
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    page.select_option("select[name=action_type]", "delete-mail")
    page.locator("#log-submit").click()
    quantity = page.locator("form.cleanup-log input[name=quantity]")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_be_focused()
    # Described first, as it is shown: before the unit's hint.
    error = page.locator("#" + quantity.get_attribute("aria-describedby").split()[0])
    expect(error).to_have_text("Ce champ est obligatoire.")


def test_the_log_and_extend_forms_leave_empty_fields_to_the_portal(client, make, make_campaign):
    organiser = make.user(roles=("organiser",))
    campaign = _running(make_campaign, organiser=organiser)
    login(client, organiser)
    page = client.get(f"/cleanup/campaigns/{campaign.id}").get_data(as_text=True)
    for action in ("/actions", "/extend"):
        start = page.index(f'action="/cleanup/campaigns/{campaign.id}{action}')
        assert "novalidate" in page[start : page.index(">", start)], action
