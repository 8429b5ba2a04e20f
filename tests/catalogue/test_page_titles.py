"""The catalogue listing's title names the search, the filters and the page (RGAA 8.6),
on the whole page and in the htmx answer whose URL goes into the history."""

import re

import pytest
from playwright.sync_api import expect

from app.catalogue import queries
from tests.conftest import browser_sign_in, login

HX = {"HX-Request": "true"}


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)


def test_a_search_names_its_words_in_the_page_title(client, make, make_item):
    login(client, make.user(locale="fr"))
    make_item(name_fr="Portable", name_en="Laptop")
    page = client.get("/catalogue/?q=laptop")
    assert _title(page) == "Résultats pour «\u00a0laptop\u00a0» – Catalogue · Empreinte"


def test_the_page_past_the_first_is_in_the_title(client, make, make_item, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 1)
    login(client, make.user(locale="en"))
    make_item(name_en="Laptop one")
    make_item(name_en="Laptop two")
    page = client.get("/catalogue/?q=laptop&page=2")
    assert _title(page) == "Results for “laptop” – Catalogue, page 2 · Empreinte"


def test_filters_alone_say_the_results_are_filtered(client, make, make_item):
    login(client, make.user(locale="en"))
    make_item(name_en="Laptop")
    page = client.get("/catalogue/?kind=service")
    assert _title(page) == "Filtered results – Catalogue · Empreinte"


def test_the_htmx_answer_of_a_search_carries_its_title(client, make, make_item):
    """htmx takes a top-level <title> out of the swap and makes it the document's title."""
    login(client, make.user(locale="en"))
    make_item(name_en="Laptop")
    fragment = client.get("/catalogue/?q=laptop", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert fragment.startswith("<title>Results for “laptop” – Catalogue · Empreinte</title>")


def test_two_searches_answered_from_the_cache_keep_their_own_titles(client, make, make_item):
    login(client, make.user(locale="en"))
    make_item(name_en="Laptop")
    for _ in range(2):  # the second time from the cache
        assert "“laptop”" in _title(client.get("/catalogue/?q=laptop"))
        assert "“screen”" in _title(client.get("/catalogue/?q=screen"))
    assert _title(client.get("/catalogue/")) == "Catalogue · Empreinte"


@pytest.mark.browser
def test_in_a_browser_a_live_search_changes_the_documents_title(page, make, make_item):
    """The URL htmx pushes into the history and the title read for it agree."""
    employee = make.user(locale="fr", email="searches-title@example.org")
    make_item(name_fr="Portable", name_en="Laptop")
    browser_sign_in(page, employee.email)
    page.goto("/catalogue/", wait_until="load")
    page.get_by_role("searchbox").fill("laptop")
    expect(page).to_have_url(re.compile(r"q=laptop"))
    expect(page).to_have_title("Résultats pour «\u00a0laptop\u00a0» – Catalogue · Empreinte")


def test_the_listing_with_every_filter_at_its_default_is_no_filtered_result(client, make):
    """The live search sends every filter, at its default when untouched, and a sort
    only orders: the title stays « Catalogue »."""
    login(client, make.user(locale="fr"))
    query = "/catalogue/?q=&kind=&category=&grade=&status=available&sort=name"
    page = client.get(query).get_data(as_text=True)
    assert "<title>Catalogue · Empreinte</title>" in page
    filtered = client.get("/catalogue/?status=all").get_data(as_text=True)
    assert "<title>Résultats filtrés – Catalogue · Empreinte</title>" in filtered
