"""A label's letter compares an item with the others of its category: the listing, the
item page and the comparison say so (review: « E C A B » above 58,9 | 59,8 | 25,2 | 21,6
read as a ranking, and the listing said only « de A (le plus léger) à G »)."""

import html

from tests.conftest import login


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).text)


def test_the_listing_says_letters_compare_within_a_category_in_french(client, make, make_item):
    login(client, make.user(locale="fr"))
    make_item()
    page = _page(client, "/catalogue/")
    assert (
        "de A (le plus léger) à G (le plus lourd) parmi les articles de la même catégorie" in page
    )


def test_the_listing_says_letters_compare_within_a_category_in_english(client, make, make_item):
    login(client, make.user(locale="en"))
    make_item()
    page = _page(client, "/catalogue/")
    assert "from A (lightest) to G (heaviest) among the items of the same category" in page


def test_a_laptops_page_says_its_letter_compares_it_with_other_laptops(client, make, make_item):
    login(client, make.user(locale="en"))
    item = make_item(category="laptop")
    page = _page(client, f"/catalogue/items/{item.id}")
    assert f"The letter {item.grade} compares this item with other laptops only" in page


def test_a_phones_page_names_its_category_in_french(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(category="smartphone", embodied_kgco2e=40)
    page = _page(client, f"/catalogue/items/{item.id}")
    assert f"La lettre {item.grade} compare cet article aux autres smartphones seulement" in page


def test_a_services_page_names_its_category(client, make, make_item):
    login(client, make.user(locale="fr"))
    item = make_item(kind="service", category="email")
    page = _page(client, f"/catalogue/items/{item.id}")
    assert "aux autres services de messagerie seulement" in page


def test_the_comparison_says_letters_of_different_categories_do_not_compare(
    client, make, make_item
):
    login(client, make.user(locale="en"))
    laptop, phone = make_item(category="laptop"), make_item(category="smartphone")
    page = _page(client, f"/catalogue/compare?ids={laptop.id}&ids={phone.id}")
    assert "Each letter compares an item with the others of its category" in page
