"""Without JavaScript, the collection points page shows no button that needs a script."""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_buttons_that_need_a_script_stay_hidden_without_it(browser, live_server, make, rec):
    """« Show the map » and « Nearest to my position » did nothing without JavaScript: a
    button's display overrode their `hidden` (WCAG 4.1.2)."""
    rec.point(commune=make.commune(), name="Mairie", opening_hours="Mo-Fr 08:30-17:00")
    employee = make.user(locale="fr")
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        browser_sign_in(page, employee.email)
        page.goto("/recycling/")
        expect(page.locator("main").get_by_text("Mairie").first).to_be_visible()
        expect(page.locator("#show-map")).to_be_hidden()
        expect(page.get_by_role("button", name="Afficher la carte")).to_have_count(0)
    finally:
        context.close()
