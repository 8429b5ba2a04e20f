"""« kg CO₂e » said in plain words, with an everyday scale and its source, where labels
first appear (listing, item page, method page); the method page opens in plain words and
its bounds table is named above its scroll box; on a phone the listing's filters fold,
the first result in view."""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login

DEFINITION = "CO₂e\u00a0: les gaz à effet de serre, comptés en équivalent CO₂."
SCALE = (
    "Pour se repérer\u00a0: 1\u00a0kg\u00a0CO₂e, c'est à peu près ce qu'émet une voiture "
    "moyenne sur 5\u00a0km (ADEME, Base Empreinte\u00a0: environ 0,2\u00a0kg\u00a0CO₂e par km)."
)


def _text(page: str) -> str:
    """The page's words as read: tags out, spaces between words as one."""
    return re.sub(r"[ \n\t]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _french(client, make):
    login(client, make.user(locale="fr"))


def test_the_listing_says_what_kg_co2e_means_in_a_disclosure(client, make, make_item):
    _french(client, make)
    make_item(name_fr="Smartphone standard", category="smartphone")
    page = client.get("/catalogue/").text
    folded = page.split('<details class="hint co2e-words">', 1)[1].split("</details>", 1)[0]
    assert "Que veut dire «\u00a0kg CO₂e\u00a0»\u00a0?" in html.unescape(folded)
    assert DEFINITION in _text(folded) and SCALE in _text(folded)


@pytest.mark.parametrize("kind", ["equipment", "service"])
def test_an_item_page_says_what_kg_co2e_means_under_its_first_figure(client, make, make_item, kind):
    _french(client, make)
    item = make_item(kind=kind)
    words = _text(client.get(f"/catalogue/items/{item.id}").text)
    label = words.index("Étiquette " + item.grade + "\u00a0:")
    assert words.index(DEFINITION) > label
    assert SCALE in words


def test_the_method_page_opens_in_plain_words(client, make):
    _french(client, make)
    words = _text(client.get("/catalogue/method").text)
    summary = words.index("En bref\u00a0: chaque article reçoit une lettre")
    assert summary < words.index(DEFINITION) < words.index(SCALE) < words.index("boaviztapi")


def test_the_method_page_names_its_bounds_table_above_its_scroll_box(client, make):
    """A caption is as wide as its table: in the box a phone scrolls, it was cut mid-word."""
    _french(client, make)
    page = client.get("/catalogue/method").text
    heading = re.search(r'<h2 id="bounds-h"[^>]*>([^<]+)</h2>\s*<div class="table-scroll">', page)
    assert heading and "Borne haute de chaque étiquette" in html.unescape(heading.group(1))
    assert '<table aria-labelledby="bounds-h">' in page and "<caption" not in page


@pytest.mark.parametrize(
    ("query", "unfolded"),
    [
        ({}, False),
        ({"q": "portable"}, False),
        ({"category": "smartphone"}, True),
        ({"status": "all"}, True),
        ({"sort": "footprint"}, True),
        ({"grade": "Z"}, True),  # refused: its error in view
    ],
)
def test_the_filters_unfold_when_one_is_set(client, make, query, unfolded):
    _french(client, make)
    page = client.get("/catalogue/", query_string=query).text
    tag = re.search(r'<details class="catalogue-filters" data-open-wide( open)?>', page)
    assert tag and bool(tag.group(1)) == unfolded
    assert "<summary>Filtres et tri</summary>" in page


@pytest.fixture
def long_catalogue(make_item):
    make_item(category="smartphone", name_fr="Smartphone standard", name_en="Smartphone")
    for n in range(3):
        make_item(
            kind="service", category="collaboration", name_fr=f"Agenda partagé – Direction {n}"
        )


@pytest.mark.browser
def test_on_a_phone_the_first_result_is_in_view_and_the_filters_unfold(page, make, long_catalogue):
    """At 360 px the five filters, one under the other, stood between the search and the
    first result (pushed to y ≈ 1270); folded, the result follows the search and its
    button, equipment first, and the filters unfold at a tap."""
    browser_sign_in(page, make.user(locale="fr", email="phone-filters@example.org"))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/catalogue/", wait_until="load")
    first = page.locator(".catalogue-table tbody tr").first
    expect(first).to_contain_text("Smartphone standard")
    search = page.get_by_role("searchbox").bounding_box()
    assert first.bounding_box()["y"] - (search["y"] + search["height"]) < 300
    category = page.get_by_label("Catégorie", exact=True)
    expect(category).to_be_hidden()
    page.get_by_text("Filtres et tri").click()
    expect(category).to_be_visible()
    category.select_option("smartphone")  # the live search applies it
    expect(page.locator(".result-count")).to_contain_text("1 article trouvé")


@pytest.mark.browser
def test_on_a_wide_screen_the_filters_stand_unfolded(page, make, long_catalogue):
    browser_sign_in(page, make.user(locale="fr", email="wide-filters@example.org"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/catalogue/", wait_until="load")
    expect(page.get_by_label("Catégorie", exact=True)).to_be_visible()
    expect(page.get_by_text("Filtres et tri")).to_be_hidden()
    # Open, as it is seen: said so to assistive technologies, reached with Tab.
    expect(page.locator("details.catalogue-filters")).to_have_attribute("open", "")
    # In the search's row, as before.
    search = page.get_by_role("searchbox").bounding_box()
    kind = page.get_by_label("Type", exact=True).bounding_box()
    assert abs(kind["y"] + kind["height"] - search["y"] - search["height"]) < 2, (search, kind)
