"""Switching language keeps what the person typed: the page comes back in the other
language with the fields as they were (portal.js, through sessionStorage), whether the
form was just filled in or refused and shown again. Passwords are never kept."""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.recycling.conftest import RecyclingFactories

pytestmark = pytest.mark.browser


def _kept_copies(page) -> int:
    return page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('empreinte:typed:')).length"
    )


def test_a_return_form_filled_in_comes_back_filled_in_french(page, make):
    point = RecyclingFactories(make).point(name="Point Talence", opening_hours="24/7")
    browser_sign_in(page, make.user(locale="en"))
    page.goto(f"/recycling/returns/new?point={point.id}", wait_until="load")
    page.check("input[name=device_type][value=laptop]")
    page.fill("input[name=asset_tag]", "BM-LAP-0042")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Déclarer un dépôt")).to_be_visible()
    expect(page.locator("input[name=device_type][value=laptop]")).to_be_checked()
    expect(page.locator("input[name=asset_tag]")).to_have_value("BM-LAP-0042")
    assert _kept_copies(page) == 0  # put back once, then cleared


def test_a_refused_return_form_keeps_its_answers_across_the_switch(page, make):
    point = RecyclingFactories(make).point(name="Point Bègles", opening_hours="24/7")
    browser_sign_in(page, make.user(locale="en"))
    page.goto(f"/recycling/returns/new?point={point.id}", wait_until="load")
    page.check("input[name=device_type][value=smartphone]")
    page.fill("input[name=asset_tag]", "BM-TEL-7")
    page.click("form.return-form button[type=submit]")  # no condition: refused
    expect(page.locator(".error-summary")).to_be_visible()

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("input[name=device_type][value=smartphone]")).to_be_checked()
    expect(page.locator("input[name=asset_tag]")).to_have_value("BM-TEL-7")
    # Nothing else moved the focus: the page starts from the top as any page does.
    assert page.evaluate("document.activeElement === document.body")


def test_a_password_typed_is_not_kept(page, make):
    browser_sign_in(page, make.user(locale="en"))
    page.goto("/auth/profile", wait_until="load")
    page.fill("input[name=current_password]", "correct horse battery")
    page.fill("input[name=new_password]", "a brand new passphrase")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("input[name=current_password]")).to_have_value("")
    expect(page.locator("input[name=new_password]")).to_have_value("")
    # The language the profile now shows is the one just chosen, not the one before.
    expect(page.locator("input[name=locale][value=fr]")).to_be_checked()


def test_a_refused_campaign_form_keeps_what_the_organiser_typed(page, make):
    browser_sign_in(page, make.user(roles=("organiser",), locale="en"))
    page.goto("/cleanup/campaigns/new", wait_until="load")
    page.fill("input[name=name_en]", "Big clean-up")
    page.fill("textarea[name=description_en]", "Empty your inbox, one folder at a time.")
    page.locator("main form button[type=submit]").first.click()  # no French name: refused
    expect(page.locator("[aria-invalid='true']").first).to_be_attached()

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("input[name=name_en]")).to_have_value("Big clean-up")
    expect(page.locator("textarea[name=description_en]")).to_have_value(
        "Empty your inbox, one folder at a time."
    )
