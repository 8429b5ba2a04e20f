"""The log form's unit hint follows the chosen action through htmx: without scripts nothing
follows it, and the first action's unit stayed under the field whatever was chosen."""

import pytest
from playwright.sync_api import expect

from tests.cleanup.test_routes import running
from tests.conftest import browser_sign_in


def _open_the_campaign(browser, live_server, make, campaign, scripts: bool):
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=scripts)
    page = context.new_page()
    page.set_default_timeout(10_000)
    browser_sign_in(page, make.user(locale="en"))
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    return context, page


@pytest.mark.browser
def test_without_scripts_the_hint_names_no_unit_the_choice_would_not_follow(
    browser, live_server, make, make_campaign
):
    campaign = running(make_campaign)
    context, page = _open_the_campaign(browser, live_server, make, campaign, scripts=False)
    try:
        page.select_option("#action_type", "unsubscribe")
        hint = page.locator("#quantity-hint")
        expect(hint).to_have_text(
            "Each action gives its unit in brackets. Points are whole, rounded down for each entry.",
            use_inner_text=True,
        )
        expect(page.locator("#action_type option:checked")).to_contain_text("(items)")
    finally:
        context.close()


@pytest.mark.browser
def test_with_scripts_the_hint_names_the_unit_of_the_chosen_action(
    browser, live_server, make, make_campaign
):
    campaign = running(make_campaign)
    context, page = _open_the_campaign(browser, live_server, make, campaign, scripts=True)
    try:
        hint = page.locator("#quantity-hint")
        expect(hint).to_contain_text(
            "Unit of the chosen action: GB (gigabytes). ", use_inner_text=True
        )
        page.select_option("#action_type", "unsubscribe")
        expect(hint).to_contain_text("Unit of the chosen action: items. ", use_inner_text=True)
        # A log swaps the whole block in again: the hint still names the unit.
        page.fill("#quantity", "3")
        page.get_by_role("button", name="Log it").click()
        expect(page.locator("#progress-status")).to_contain_text("Logged")
        expect(hint).to_contain_text("Unit of the chosen action: items. ", use_inner_text=True)
    finally:
        context.close()
