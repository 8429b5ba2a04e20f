"""The map of the points for someone with low vision: in forced colours (Windows high
contrast, dark) an open point's green disc lay on a base the browser greyed, about 2:1
(WCAG 1.4.11 asks 3:1); with large text the sticky map grew taller than the window and
its southern points could not be seen beside the list (1.4.4, 1.4.10)."""

import base64

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in

# The colours drawn at page points, read from a screenshot (what the person sees).
PIXELS = """async ([png, spots]) => {
    const image = new Image();
    image.src = "data:image/png;base64," + png;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width; canvas.height = image.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    return spots.map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
}"""


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def three_points(make, rec):
    communes = [
        make.commune(name="Pessac", latitude=44.806, longitude=-0.631),
        make.commune(name="Talence", latitude=44.808, longitude=-0.588),
        make.commune(name="Mérignac", latitude=44.838, longitude=-0.646),
    ]
    for commune in communes:
        rec.point(commune=commune, name=f"Mairie de {commune.name}", opening_hours="24/7")
    return communes


@pytest.mark.browser
def test_in_forced_colours_an_open_point_stands_out_from_the_map(page, make, three_points):
    page.set_viewport_size({"width": 1280, "height": 1300})  # the whole map in view
    page.emulate_media(forced_colors="active", color_scheme="dark")
    browser_sign_in(page, make.user(commune=three_points[0]))
    page.goto("/recycling/")
    page.click("#show-map")
    markers = page.locator("#points-map path.leaflet-interactive")
    expect(markers).to_have_count(3)
    page.wait_for_timeout(400)  # the fit's animation
    spots = []
    for box in (markers.nth(i).bounding_box() for i in range(3)):
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        spots += [(x, y), (x, box["y"] - 4)]  # its fill, and the map just above it
    colours = page.evaluate(
        PIXELS,
        [
            base64.b64encode(page.screenshot(caret="initial", path="/tmp/forced.png")).decode(),
            [[round(x), round(y)] for x, y in spots],
        ],
    )
    ratios = [_contrast(colours[i], colours[i + 1]) for i in range(0, len(colours), 2)]
    assert min(ratios) >= 3, (ratios, colours)


@pytest.mark.browser
def test_with_large_text_the_sticky_map_fits_the_window(page, make, three_points):
    page.set_viewport_size({"width": 1280, "height": 720})
    browser_sign_in(page, make.user(commune=three_points[0]))
    page.goto("/recycling/")
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # the browser's text size
    page.click("#show-map")
    expect(page.locator("#points-map path.leaflet-interactive")).to_have_count(3)
    box = page.locator("#points-map").bounding_box()
    assert box["height"] <= 720, box
