"""The map's keyboard stops and the return form following the point picked, in a browser."""

import pytest
from playwright.sync_api import expect

from tests.recycling.test_browser import _sign_in

FOCUSED = """() => { const el = document.activeElement;
    return el ? (el.id || el.tagName + '.' + (el.getAttribute('class') || '')) : ''; }"""


@pytest.mark.browser
def test_the_maps_points_are_no_tab_stops_the_list_is(page, make, rec):
    """The markers said nothing and did nothing on Enter: the keyboard goes from the map
    (its zoom buttons) to the list, which tells the same."""
    home = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    for n in range(3):
        rec.point(commune=home, name=f"Point Pessac {n}", opening_hours="24/7",
                  latitude=44.806 + n / 100)  # fmt: skip
    _sign_in(page, make.user(commune=home))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    markers = page.locator("#points-map path.leaflet-interactive")
    expect(markers).to_have_count(3)
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    assert not [stop for stop in stops if stop.startswith("path")], stops
    # The mouse still brings a point's card.
    markers.first.click()
    expect(page.locator(".point-card:focus")).to_have_count(1)


@pytest.mark.browser
def test_picking_another_point_names_it_and_disables_what_it_does_not_take(page, make, rec):
    home = make.commune(name="Bordeaux", latitude=44.837, longitude=-0.579)
    first = rec.point(commune=home, name="Cité municipale", opening_hours="24/7")
    other = rec.point(commune=home, name="Mairie de Cenon", address="1 avenue Carnot",
                      accepted_types="laptop,monitor", opening_hours="24/7")  # fmt: skip
    _sign_in(page, make.user(commune=home))
    page.goto(f"/recycling/returns/new?point={first.id}")
    intro = page.locator("#point-intro")
    expect(intro).to_contain_text("À Cité municipale")
    expect(page.locator("input[name=device_type][value=printer]")).to_be_enabled()

    page.select_option("select[name=collection_point_id]", str(other.id))
    expect(intro).to_contain_text("À Mairie de Cenon, 1 avenue Carnot.")
    expect(intro).not_to_contain_text("Cité municipale")
    expect(page.locator("input[name=device_type][value=printer]")).to_be_disabled()
    expect(page.locator("input[name=device_type][value=monitor]")).to_be_enabled()

    page.select_option("select[name=collection_point_id]", str(first.id))
    expect(page.locator("input[name=device_type][value=printer]")).to_be_enabled()
