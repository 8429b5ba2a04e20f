"""An empty required field of the profile is refused by the portal, at the field, in the
page's language: its forms carry `novalidate`, so the browser's own tooltip (in the
browser's language, tied to nothing) never stands in for it."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login


@pytest.mark.browser
def test_an_empty_token_name_gets_the_portals_message_at_the_field_and_the_focus(page, make):
    browser_sign_in(page, make.user())
    page.goto("/auth/profile")
    page.get_by_text("Pour les développeurs\u00a0: jetons d'API personnels").click()  # folded
    page.get_by_role("button", name="Créer un jeton").click()
    expect(page).to_have_title(re.compile(r"^Erreur\u00a0: "))
    name = page.get_by_label("Nom du jeton")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    # Described first, as it is shown: between the label and the field, before its hint.
    error = page.locator("#" + name.get_attribute("aria-describedby").split()[0])
    expect(error).to_have_text("Donnez un nom au jeton.")


def test_every_profile_form_with_a_required_field_leaves_it_to_the_portal(client, make):
    login(client, make.user())
    page = client.get("/auth/profile").get_data(as_text=True)
    for ending in ("preferences", "erasure", "password", "tokens"):
        tag = re.search(rf'<form method="post" action="/auth/profile/{ending}"[^>]*>', page)
        assert tag and "novalidate" in tag.group(0), ending
