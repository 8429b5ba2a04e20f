"""Signing in with an e-mailed link, in chromium, with the keyboard only."""

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_person_without_a_password_signs_in_with_the_link_from_their_mailbox(page, make, smtp):
    make.user(password=None, display_name="Noé Garnier", email="noe@example.org")
    page.goto("/auth/sign-in")
    page.get_by_label("Votre e-mail professionnel").focus()
    page.keyboard.type("noe@example.org")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    expect(page.get_by_role("status").filter(has_text="noe@example.org")).to_be_visible()
    # The e-mail leaves once the page has been answered: wait for it as a person would.
    deadline = time.monotonic() + 10
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [(to, message)] = smtp.messages
    assert to == "noe@example.org"
    url = re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
    page.goto(urlsplit(url).path)
    expect(
        page.get_by_text("Vous allez vous connecter en tant que noe@example.org.")
    ).to_be_visible()
    page.get_by_role("button", name="Se connecter").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("main")).to_contain_text("Noé")
