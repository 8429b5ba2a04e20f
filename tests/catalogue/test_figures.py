"""One way of writing a footprint figure on every catalogue page (the item page said
« 181 kg CO₂e », the comparison « 181,0 kg CO₂e »), and numbers held to their units by
no-break spaces on the item page."""

from tests.conftest import login

NBSP = "\u00a0"


def _pages(client, make, make_item, **figures):
    """The item page, the comparison (with a second item) and the listing, in French."""
    login(client, make.user(locale="fr"))
    item = make_item(name_fr="Portable chiffré", **figures)
    # A second item of whole figures: a row of the comparison gives every figure the
    # tenth one of them needs (tests/catalogue/test_compare_tick_limit_sources_and_decimals.py).
    other = make_item(name_fr="Autre portable", use_kwh_per_year=0.0)
    return (
        client.get(f"/catalogue/items/{item.id}").text,
        client.get(f"/catalogue/compare?ids={item.id}&ids={other.id}").text,
        client.get("/catalogue/?q=chiffre").text,
    )


def test_a_manufacture_figure_reads_the_same_on_the_item_page_and_the_comparison(
    client, make, make_item
):
    item_page, compare, _listing = _pages(client, make, make_item, embodied_kgco2e=181.0)
    assert f"181{NBSP}kg{NBSP}CO₂e" in item_page and "181 kg\xa0CO₂e" in compare
    assert "181,0" not in compare


def test_a_yearly_footprint_reads_the_same_in_the_listing_the_item_page_and_the_comparison(
    client, make, make_item
):
    # 200 kg over 4 years and no electricity: 50 kg a year, never « 50,0 ».
    pages = _pages(client, make, make_item, embodied_kgco2e=200.0, use_kwh_per_year=0.0)
    item_page, compare, listing = pages
    assert f">50{NBSP}kg{NBSP}CO₂e<" in listing and f"<strong>50{NBSP}kg{NBSP}CO₂e</strong>" in (
        item_page
    )
    assert "<strong>50 kg\xa0CO₂e</strong>" in compare


def test_the_electricity_sentence_holds_each_number_to_its_unit(client, make, make_item):
    item_page, _compare, _listing = _pages(client, make, make_item, use_kwh_per_year=131.4)
    assert f"131,4{NBSP}kWh par an × 0,052{NBSP}kg{NBSP}CO₂e par kWh" in item_page


def test_the_electricity_range_holds_each_number_to_its_unit(client, make, make_item):
    item_page, _compare, _listing = _pages(
        client, make, make_item, use_kwh_per_year=100.0, use_kwh_min=80.0, use_kwh_max=120.5
    )
    assert f"entre 80{NBSP}kWh et 120,5{NBSP}kWh par an" in item_page
