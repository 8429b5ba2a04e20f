"""What a reader's own settings change, in a real browser. Reflow with the text spacing
of WCAG 1.4.12 (RGAA 10.11, 10.12): at 320 px wide nothing of the signed-in header runs
past the viewport. Reduced motion: the compare page still says that its table scrolls."""

import pytest
from playwright.sync_api import expect

from tests.catalogue.conftest import make_item  # noqa: F401
from tests.conftest import TEXT_SPACING, browser_sign_in

pytestmark = pytest.mark.browser

# The WCAG 1.4.12 test: line height 1.5, paragraph spacing 2 em, letter spacing 0.12 em,
# word spacing 0.16 em, set on everything with priority.

OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  signOut: document.querySelector('.header-tools form:last-child button')
    .getBoundingClientRect().right - document.documentElement.clientWidth,
})"""


def test_the_signed_in_header_wraps_at_320_px_with_text_spacing(spaced_page, make):
    page = spaced_page
    browser_sign_in(page, make.user())
    page.goto("/")
    assert page.get_attribute("html", "lang") == "fr"
    page.add_style_tag(content=TEXT_SPACING)
    overflow = page.evaluate(OVERFLOW)
    assert overflow["signOut"] <= 0, "« Se déconnecter » runs past the viewport"
    assert overflow["page"] <= 0, "the page scrolls sideways"


@pytest.fixture
def still_phone(browser, live_server):
    """A French tab on a 375 px phone whose reader asked for reduced motion."""
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        viewport={"width": 375, "height": 812},
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _compare(page, make, make_item, names):  # noqa: F811
    """The compare page of items named `names`, signed in in French."""
    items = [make_item(name_fr=name, name_en=name, embodied_kgco2e=1234.5) for name in names]
    browser_sign_in(page, make.user(locale="fr"))
    page.goto("/catalogue/compare?" + "&".join(f"ids={item.id}" for item in items))
    assert page.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")
    return page.locator(".compare-scroll")


HINT = "Faites défiler latéralement pour voir tous les articles."


def test_with_reduced_motion_four_compared_items_still_say_they_scroll(
    still_phone,
    make,
    make_item,  # noqa: F811
):
    """The hint's visibility follows a scroll-driven animation, which the reduced-motion
    rule (`animation: none`) turned off: the table scrolled, and nothing said so."""
    names = ("Ordinateur portable neuf", "Tablette durcie", "Écran 27 pouces", "Serveur")
    box = _compare(still_phone, make, make_item, names)
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table does scroll
    expect(still_phone.get_by_text(HINT)).to_be_visible()


def test_with_reduced_motion_two_items_that_fit_say_nothing_of_scrolling(
    still_phone,
    make,
    make_item,  # noqa: F811
):
    box = _compare(still_phone, make, make_item, ("Écran", "Tablette"))
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    expect(still_phone.get_by_text(HINT)).to_be_hidden()
