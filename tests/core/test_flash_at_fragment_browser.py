"""A message flashed before a redirect to a form's section (an address with a #fragment)
is read out and seen where the page lands.

The browser's jump to the section, once the page had loaded, took the focus off the
message back to <body>, said nothing, and at 200 % zoom left the message out of sight at
the top of the page.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser

ANNOUNCED = "() => document.getElementById('announcer').textContent.trim()"
FOCUSED = "() => document.activeElement === document.body ? 'BODY' : document.activeElement.id"
IN_VIEW = """(text) => {
  const el = [...document.querySelectorAll('main .flash')].find(e => e.textContent.includes(text));
  if (!el) return false;
  const box = el.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def _zoomed(page) -> None:
    """A 1280 × 800 screen at 200 % zoom: 640 × 400 CSS pixels."""
    page.set_viewport_size({"width": 640, "height": 400})


def _lands_with_its_message(page, fragment: str, words: str) -> None:
    page.wait_for_url(f"**#{fragment}")
    page.wait_for_function(f"() => ({ANNOUNCED})().includes({words!r})")
    page.wait_for_timeout(300)  # past the browser's own jump to the fragment
    assert page.evaluate(FOCUSED) not in ("BODY", "")
    assert page.evaluate(IN_VIEW, words)


def test_a_new_pseudonym_is_announced_and_seen_at_the_preferences(page, make):
    person = make.user(leaderboard_visibility="pseudonym")
    browser_sign_in(page, person)
    _zoomed(page)
    page.goto("/auth/profile")
    page.get_by_role("button", name="Tirer un nouveau pseudonyme").click()
    _lands_with_its_message(page, "prefs-title", "Votre nouveau pseudonyme")
    assert page.evaluate(FOCUSED) == "prefs-title"


def test_a_saved_guide_is_announced_and_seen_at_the_guide(page, make):
    browser_sign_in(page, make.user(roles=("organiser",)))
    _zoomed(page)
    page.goto("/cleanup/guides/delete-mail/edit")
    page.get_by_role("button", name="Enregistrer le guide").click()
    _lands_with_its_message(page, "guide-delete-mail", "Le guide est enregistré.")
    expect(page.locator("#guide-delete-mail")).to_be_focused()
