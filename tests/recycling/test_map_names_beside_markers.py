"""The communes' names on the map of the points never lie under a marker, their own
point's included (« ègles » for Bègles on a desktop, « Mérigna » on a phone), and a name
shown is shown whole: one that has no room is hidden, never cut by the map's edge."""

import random

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.models import Commune
from app.core.reference import sync_communes
from app.extensions import db
from tests.conftest import browser_sign_in
from tests.recycling.conftest import NOW

# The names shown and the markers drawn (Leaflet empties the paths out of view), in the
# page's pixels; a name hidden on purpose is left out.
LAYOUT = """() => {
    const box = el => { const b = el.getBoundingClientRect();
                        return {left: b.left, top: b.top, right: b.right, bottom: b.bottom,
                                width: b.width}; };
    const labels = Array.from(document.querySelectorAll('#points-map .commune-label'))
        .filter(el => getComputedStyle(el).visibility !== 'hidden')
        .map(el => Object.assign(box(el), {name: el.textContent}));
    const markers = Array.from(document.querySelectorAll('#points-map path.leaflet-interactive'))
        .map(box).filter(b => b.width > 0);
    return {map: box(document.getElementById('points-map')), labels: labels, markers: markers};
}"""


def _meet(a, b) -> bool:
    return (
        a["left"] < b["right"] and b["left"] < a["right"]
        and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    )  # fmt: skip


def _inside(a, frame) -> bool:
    return (
        a["left"] >= frame["left"] and a["right"] <= frame["right"]
        and a["top"] >= frame["top"] and a["bottom"] <= frame["bottom"]
    )  # fmt: skip


def _faults(layout) -> dict:
    """The names over a marker, and those cut by the map's edge."""
    return {
        "under a marker": sorted(
            label["name"] for label in layout["labels"]
            if any(_meet(label, marker) for marker in layout["markers"])
        ),
        "cut": sorted(label["name"] for label in layout["labels"]
                      if not _inside(label, layout["map"])),
    }  # fmt: skip


NO_FAULT = {"under a marker": [], "cut": []}


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_no_commune_name_lies_under_a_marker_nor_past_the_map_s_edge(page, make, rec, size):
    """As in the demo: the 28 communes, each with a point a few hundred metres from its
    centre, seen by someone in Mérignac (the first page: the ten nearest points)."""
    sync_communes(NOW)
    db.session.commit()
    rng = random.Random(7)
    communes = {c.name: c for c in db.session.scalars(select(Commune).order_by(Commune.name))}
    for commune in communes.values():
        rec.point(
            commune=commune, name=f"Mairie – {commune.name}", opening_hours="24/7",
            latitude=commune.latitude + rng.uniform(-0.004, 0.004),
            longitude=commune.longitude + rng.uniform(-0.004, 0.004),
        )  # fmt: skip
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_sign_in(page, make.user(commune=communes["Mérignac"], with_department=False))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    expect(page.locator("#points-map path.leaflet-interactive")).to_have_count(10)
    expect(page.locator("#points-map .commune-label")).to_have_count(28)
    layout = page.evaluate(LAYOUT)
    assert _faults(layout) == NO_FAULT
    shown = {label["name"] for label in layout["labels"]}
    assert len(shown) >= 8, shown  # most of the map is still named
    assert {"Mérignac", "Pessac", "Bordeaux"} <= shown  # beside their markers, not hidden

    page.get_by_role("button", name="Zoom avant").click()
    closer = layout
    for _ in range(50):  # the zoom is animated, and its end places the names again
        page.wait_for_timeout(100)
        before, closer = closer, page.evaluate(LAYOUT)
        if closer["markers"] != layout["markers"] and closer == before:
            break
    assert closer["markers"] != layout["markers"]
    assert _faults(closer) == NO_FAULT


@pytest.mark.browser
def test_the_names_are_placed_once_leaflet_s_stylesheet_has_come_even_late(page, make, rec):
    """On a slow line Leaflet's stylesheet may come after its script: names placed before
    it applies were measured unstyled, all found clashing, and all hidden for good."""
    sync_communes(NOW)
    db.session.commit()
    communes = {c.name: c for c in db.session.scalars(select(Commune).order_by(Commune.name))}
    for commune in communes.values():
        rec.point(commune=commune, name=f"Mairie – {commune.name}", opening_hours="24/7",
                  latitude=commune.latitude, longitude=commune.longitude)  # fmt: skip

    def late_stylesheet(route):
        page.wait_for_timeout(600)
        route.continue_()

    page.route("**/leaflet.css*", late_stylesheet)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, make.user(commune=communes["Mérignac"], with_department=False))
    page.goto("/recycling/")
    page.get_by_role("button", name="Afficher la carte").click()
    expect(page.locator("#points-map .commune-label")).to_have_count(28)
    page.wait_for_timeout(1000)
    layout = page.evaluate(LAYOUT)
    assert _faults(layout) == NO_FAULT
    assert len({label["name"] for label in layout["labels"]}) >= 8
