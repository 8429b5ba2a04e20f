"""RGAA: each catalogue row is headed by its item's name, so going
down the label or footprint column a screen reader says whose figure it is."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in, login


def test_each_listing_row_is_headed_by_its_items_name(client, make, make_item):
    item = make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor")
    login(client, make.user(locale="fr"))
    page = client.get("/catalogue/").get_data(as_text=True)
    assert re.search(
        rf'<th scope="row"[^>]*><a href="/catalogue/items/{item.id}">Écran 24 pouces</a>', page
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [1200, 390])
def test_the_row_headers_look_like_the_other_cells(page, make, make_item, width):
    """A name in a header cell stays in the cells' weight, size and background."""
    make_item(name_fr="Écran 24 pouces", name_en="24-inch monitor")
    employee = make.user(locale="fr")
    page.set_viewport_size({"width": width, "height": 844})
    browser_sign_in(page, employee.email)
    page.goto("/catalogue/")
    expect(page.get_by_role("rowheader", name="Écran 24 pouces")).to_have_count(1)
    looks = page.locator(".catalogue-table tbody tr").first.evaluate(
        "(row) => ['th', 'td.num'].map((sel) => {"
        " const s = getComputedStyle(row.querySelector(sel));"
        " return [s.fontWeight, s.fontSize, s.backgroundColor]; })"
    )
    assert looks[0] == looks[1], looks
