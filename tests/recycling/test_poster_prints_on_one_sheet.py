"""The A4 poster, printed by chromium as the page asks (A4, 10 mm margins), fits on one
sheet whatever the point: the demo's longest name, address, hours and list of devices
(the wipe line included), and names and addresses as long as the form allows."""

import re

import pytest

from app.recycling.seed import ALL_TYPES, HOURS
from tests.conftest import browser_sign_in

# The demo's longest commune name, and its point's name and address.
LONGEST_COMMUNE = "Saint-Louis-de-Montferrand"
LONGEST_NAME = f"Centre technique municipal – {LONGEST_COMMUNE}"
LONGEST_ADDRESS = f"28 avenue de la République, {LONGEST_COMMUNE}"
# Mondays, Wednesdays and Fridays: seven lines of hours in each language.
MOST_LINES = "Mo,We,Fr 09:00-12:30,14:00-17:00; PH off"


def _sheets(page, point) -> int:
    """How many A4 sheets chromium prints the point's poster on."""
    page.goto(f"/recycling/points/{point.id}/poster")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    return len(re.findall(rb"/Type\s*/Page\b", pdf))  # each sheet, not the /Pages tree


@pytest.mark.browser
def test_the_poster_of_each_of_the_demo_s_longest_points_prints_on_one_sheet(page, make, rec):
    commune = make.commune(name=LONGEST_COMMUNE)
    points = {
        hours: rec.point(
            commune=commune,
            name=LONGEST_NAME,
            address=LONGEST_ADDRESS,
            opening_hours=hours,
            accepted_types=",".join(ALL_TYPES),
        )
        for hours in (*HOURS, MOST_LINES)
    }
    browser_sign_in(page, make.user(commune=commune))
    sheets = {hours: _sheets(page, point) for hours, point in points.items()}
    assert sheets == dict.fromkeys(points, 1)


@pytest.mark.browser
def test_a_poster_with_the_longest_name_and_address_allowed_prints_on_one_sheet(page, make, rec):
    """120 characters of name, 250 of address, seven lines of hours: the QR code stays
    large enough to scan (it gives up some of its 70 mm only if the words need them)."""
    commune = make.commune(name=LONGEST_COMMUNE)
    point = rec.point(
        commune=commune,
        name=(LONGEST_NAME + " – bâtiment annexe, rez-de-chaussée, porte B ")[:120].ljust(120, "x"),
        address=(LONGEST_ADDRESS + ", " + "allée des Platanes, " * 12)[:250],
        opening_hours=MOST_LINES,
        accepted_types=",".join(ALL_TYPES),
    )
    browser_sign_in(page, make.user(commune=commune))
    assert _sheets(page, point) == 1
    # As printed: the sheet's width and height inside its margins (190 x 277 mm).
    page.set_viewport_size({"width": 718, "height": 1047})
    page.emulate_media(media="print")
    qr = page.locator(".poster-qr svg").bounding_box()
    assert qr["height"] > 150  # still a code a phone reads at arm's length (40 mm and more)
    assert abs(qr["width"] - qr["height"]) < 2  # square, not squeezed


@pytest.mark.browser
def test_the_poster_of_a_closed_point_with_a_long_note_prints_on_one_sheet(page, make, rec):
    commune = make.commune(name=LONGEST_COMMUNE)
    point = rec.point(
        commune=commune, name=LONGEST_NAME, address=LONGEST_ADDRESS, active=False,
        closure_note=("Fermé pour travaux de mise en accessibilité jusqu'au printemps ; " * 4)[:250],
    )  # fmt: skip
    browser_sign_in(page, make.user(commune=commune))
    assert _sheets(page, point) == 1
