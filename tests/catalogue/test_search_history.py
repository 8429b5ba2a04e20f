"""The catalogue's search in a browser: typing and choosing change the address without a
Back step for each, sending the search adds one, and the language button keeps what the
address holds by then."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue_page(page, make, make_item):
    """An English employee on the catalogue, reached from home (one step to go back)."""
    make_item(name_en="Rugged tablet", name_fr="Tablette durcie", category="tablet")
    make_item(name_en="Standard laptop", name_fr="Portable standard")
    browser_sign_in(page, make.user(locale="en"))
    page.goto("/catalogue/", wait_until="load")
    return page


def _history_length(page) -> int:
    return page.evaluate("history.length")


def test_typing_and_choosing_replace_the_address_and_searching_adds_one_step(catalogue_page):
    page = catalogue_page
    steps = _history_length(page)
    box = page.get_by_role("searchbox")
    for typed in ("ru", "rug", "rugged"):  # three pauses, each one answered
        box.fill(typed)
        expect(page).to_have_url(re.compile(rf"q={typed}(&|$)"))
    page.get_by_label("Sort by").select_option("-footprint")
    expect(page).to_have_url(re.compile(r"sort=-footprint"))
    assert _history_length(page) == steps

    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Rugged tablet")).to_be_visible()
    page.wait_for_function(f"() => history.length === {steps + 1}")

    page.go_back()  # the step the search added, then the page before the catalogue
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"/catalogue/"))


def test_the_language_button_keeps_the_search_typed(catalogue_page):
    page = catalogue_page
    page.get_by_role("searchbox").fill("rugged")
    expect(page).to_have_url(re.compile(r"q=rugged"))

    page.get_by_role("button", name="Français").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r"/catalogue/\?.*q=rugged"))
    expect(page.get_by_role("searchbox")).to_have_value("rugged")
    expect(page.get_by_role("link", name="Tablette durcie")).to_be_visible()
    expect(page.get_by_role("link", name="Portable standard")).to_have_count(0)
