"""In a browser: a map point's tooltip vanished when
the pointer moved onto it, ignored Escape, let a neighbouring marker show through it and
drew its arrow as a black square in forced colours (WCAG 1.4.13); at 320 px with text
spacing the return form's point menu cut its chosen point; at 360 px with 200 % text a
long term of the statistics page pushed it sideways."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEXT_SPACING, browser_sign_in

TOOLTIP = "#points-map .leaflet-tooltip-pane .leaflet-tooltip"  # a point's, on hover


@pytest.fixture
def map_page(page, make, rec):
    """The list of points with its map shown: one point, in Pessac."""
    pessac = make.commune(name="Pessac", latitude=44.806, longitude=-0.631)
    rec.point(commune=pessac, name="Mairie de Pessac", opening_hours="24/7")
    browser_sign_in(page, make.user(commune=pessac))
    page.goto("/recycling/")
    page.click("#show-map")
    page.wait_for_selector("#points-map.is-ready path.leaflet-interactive")
    return page


def _hover_marker(page):
    marker = page.locator("#points-map path.leaflet-interactive").first
    marker.hover()
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_be_visible()
    return tooltip


@pytest.mark.browser
def test_a_points_tooltip_stays_while_the_pointer_moves_onto_it(map_page):
    tooltip = _hover_marker(map_page)
    expect(tooltip).to_contain_text("Mairie de Pessac")
    box = tooltip.bounding_box()
    map_page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=8)
    map_page.wait_for_timeout(600)  # longer than the grace after leaving the marker
    expect(tooltip).to_be_visible()
    # Leaving both, it goes.
    map_page.mouse.move(5, 5, steps=4)
    expect(map_page.locator(TOOLTIP)).to_have_count(0)


@pytest.mark.browser
def test_escape_dismisses_a_points_tooltip_without_moving_the_pointer(map_page):
    _hover_marker(map_page)
    map_page.keyboard.press("Escape")
    expect(map_page.locator(TOOLTIP)).to_have_count(0)


@pytest.mark.browser
def test_a_points_tooltip_is_opaque_and_its_arrow_hidden_in_forced_colours(map_page):
    tooltip = _hover_marker(map_page)
    assert tooltip.evaluate("el => getComputedStyle(el).opacity") == "1"
    arrow = "el => getComputedStyle(el, '::before').display"
    assert tooltip.evaluate(arrow) != "none"
    map_page.emulate_media(forced_colors="active")
    assert tooltip.evaluate(arrow) == "none"


@pytest.mark.browser
def test_at_320_px_with_text_spacing_the_chosen_point_is_read_whole(spaced_page, make, rec):
    page = spaced_page
    bordeaux = make.commune(name="Bordeaux", latitude=44.837, longitude=-0.579)
    point = rec.point(commune=bordeaux, name="Cité municipale – Bordeaux", opening_hours="24/7")
    browser_sign_in(page, make.user(commune=bordeaux))
    page.goto(f"/recycling/returns/new?point={point.id}")
    page.add_style_tag(content=TEXT_SPACING)
    menu = page.locator("form.return-form select[name=collection_point_id]")
    expect(menu.locator("option:checked")).to_have_text("Cité municipale – Bordeaux")
    measured = menu.evaluate(
        """(select) => {
          const style = getComputedStyle(select);
          const room = select.clientWidth - parseFloat(style.paddingLeft)
                       - parseFloat(style.paddingRight);
          // The chosen text as drawn, spacing included, on one line.
          const probe = document.createElement("span");
          probe.style.cssText = "position:absolute;white-space:nowrap;font:" + style.font;
          probe.textContent = select.options[select.selectedIndex].text;
          document.body.appendChild(probe);
          const text = probe.getBoundingClientRect().width;
          probe.remove();
          return {text: text, room: room, height: select.clientHeight,
                  line: parseFloat(style.fontSize) * 1.5,
                  width: select.getBoundingClientRect().width,
                  form: select.closest("form").getBoundingClientRect().width};
        }"""
    )
    assert measured["width"] >= measured["form"] - 1  # the whole width of the form
    assert measured["text"] > measured["room"]  # longer than one line of it…
    assert measured["height"] >= 2 * measured["line"]  # …so drawn on two, not cut


@pytest.mark.browser
def test_at_360_px_with_200_percent_text_the_statistics_do_not_scroll_sideways(spaced_page, make):
    page = spaced_page
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, make.user(roles=("employee", "admin")))
    page.goto("/recycling/admin/statistics")
    page.add_style_tag(content="html { font-size: 200% !important; }")
    term = page.locator("dt", has_text="reconditionnement").first
    expect(term).to_be_visible()
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, view: window.innerWidth})"
    )
    assert widths["page"] <= widths["view"], widths
