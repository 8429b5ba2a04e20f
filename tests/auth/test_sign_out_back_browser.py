"""Signing out of a browser: Back shows no private page (chromium)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser


def test_back_after_signing_out_shows_no_private_page(page, make):
    person = make.user(display_name="Inès Roux")
    browser_sign_in(page, person)
    page.goto("/auth/profile")
    expect(page.get_by_role("heading", name="Appareils connectés")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter", exact=True).click()
    expect(page.get_by_text("Déconnexion effectuée sur cet appareil.")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Se connecter", exact=True)).to_be_visible()
    assert "/auth/sign-in" in page.url
    expect(page.get_by_text(person.email)).to_have_count(0)
