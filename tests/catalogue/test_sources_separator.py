"""An item's several sources are listed as its reader writes a list: "A; B" in English,
« A ; B » (a no-break space before « ; », as elsewhere in the catalogue) in French."""

import re

from tests.conftest import login


def _sources_on_page(client, item) -> str:
    page = client.get(f"/catalogue/items/{item.id}").get_data(as_text=True)
    # Without the link on the name of the source it leads to (Boavizta API here).
    return re.sub(r"<[^>]+>", "", re.search(r'<p class="source">(.*?)</p>', page, re.S)[1])


def _part_typed_part_reference(make_item):
    """Typed embodied figures and the reference's electricity: two sources."""
    return make_item(source="Fabricant 2024", embodied_kgco2e=150.0, use_kwh_per_year=None)


def test_english_lists_the_sources_with_a_semicolon(client, make, make_item):
    item = _part_typed_part_reference(make_item)
    login(client, make.user(locale="en"))
    shown = _sources_on_page(client, item)
    assert shown.startswith("Fabricant 2024; Boavizta API ")
    assert "\u00a0" not in shown


def test_french_puts_a_narrow_no_break_space_before_each_semicolon(client, make, make_item):
    item = _part_typed_part_reference(make_item)
    login(client, make.user(locale="fr"))
    shown = _sources_on_page(client, item)
    assert shown.startswith("Fabricant 2024\u00a0; Boavizta API ")
    assert "); ADEME" not in shown and ")\u00a0; ADEME" in shown


def test_a_source_typed_the_french_way_keeps_its_own_space(client, make, make_item):
    item = make_item(source="Fabricant 2024 ; fiche produit")
    login(client, make.user(locale="fr"))
    assert _sources_on_page(client, item) == "Fabricant 2024 ; fiche produit"
