"""The collection points' map on a phone: one finger over it scrolls the page (two move
and zoom the map, a hint says so), and a button brings the map back to all the points."""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    """A French tab on a touch phone, 375 × 740."""
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_map(phone, make, rec):
    """The list of points with its map shown, scrolled so the map tops the screen."""
    pessac = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    for n in range(6):
        rec.point(commune=pessac, name=f"Point Pessac {n}", opening_hours="24/7",
                  latitude=44.806 + n / 100)  # fmt: skip
    browser_sign_in(phone, make.user(commune=pessac))
    phone.goto("/recycling/")
    phone.click("#show-map")
    phone.wait_for_selector("#points-map.is-ready path.leaflet-interactive")
    phone.evaluate("window.scrollTo(0, document.getElementById('points-map').offsetTop - 40)")
    return phone


def _swipe_up(page, fingers=1):
    """Fingers put down in the middle of the map, moved 150 px up, lifted: real touch
    events, so the browser applies the map's touch-action as it does under a finger."""
    box = page.locator("#points-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7
    cdp = page.context.new_cdp_session(page)

    def points(dy):
        return [{"x": x + 40 * i, "y": y + dy, "id": i} for i in range(fingers)]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for step in range(1, 11):
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(-15 * step)}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(400)


def _map_view(page):
    """Where the first point's marker stands within the map's frame."""
    box = page.locator("#points-map").bounding_box()
    marker = page.locator("#points-map path.leaflet-interactive").first.bounding_box()
    return round(marker["x"] - box["x"]), round(marker["y"] - box["y"])


def _markers_inside_the_map(page):
    """How many of the points' markers lie within the map's frame."""
    box = page.locator("#points-map").bounding_box()
    inside = 0
    for marker in page.locator("#points-map path.leaflet-interactive").all():
        m = marker.bounding_box()
        if m and box["x"] <= m["x"] and m["x"] + m["width"] <= box["x"] + box["width"] and \
                box["y"] <= m["y"] and m["y"] + m["height"] <= box["y"] + box["height"]:  # fmt: skip
            inside += 1
    return inside


@pytest.mark.browser
def test_one_finger_over_the_map_scrolls_the_page(phone_map):
    before = phone_map.evaluate("window.scrollY")
    view = _map_view(phone_map)
    _swipe_up(phone_map)
    assert phone_map.evaluate("window.scrollY") > before + 50
    assert _map_view(phone_map) == view  # the map itself did not move


@pytest.mark.browser
def test_one_finger_over_the_map_shows_how_to_move_it(phone_map):
    _swipe_up(phone_map)
    hint = phone_map.locator("#points-map .map-gesture-hint")
    expect(hint).to_be_visible()
    expect(hint).to_have_text("Utilisez deux doigts pour déplacer la carte")
    expect(hint).to_be_hidden()  # it fades on its own


@pytest.mark.browser
def test_two_fingers_move_the_map_not_the_page(phone_map):
    before = phone_map.evaluate("window.scrollY")
    view = _map_view(phone_map)
    _swipe_up(phone_map, fingers=2)
    assert _map_view(phone_map) != view
    assert phone_map.evaluate("window.scrollY") == before


@pytest.mark.browser
def test_the_keyboard_brings_the_map_back_to_all_the_points(phone_map):
    assert _markers_inside_the_map(phone_map) == 6
    zoom_in = phone_map.get_by_role("button", name="Zoom avant")
    for _ in range(3):
        zoom_in.click()
        phone_map.wait_for_timeout(350)
    assert _markers_inside_the_map(phone_map) < 6
    phone_map.get_by_role("button", name="Recentrer la carte").focus()
    phone_map.keyboard.press("Enter")
    phone_map.wait_for_timeout(600)
    assert _markers_inside_the_map(phone_map) == 6
