"""At 400 % zoom (a 320 × 256 window), with WCAG's text spacing and forced colours (a
low-vision review, 7 December): a refused entry's message sat 200 px below its focused
field, out of sight, and its red was all that marked it; "Show my place" focused a row
whose ring the table's scrolling box cut and whose mark forced colours dropped; a table
widened by text spacing applied after the page loaded could not be scrolled with the
keyboard."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.cleanup import services
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import TEXT_SPACING, browser_sign_in

ZOOMED = {"width": 320, "height": 256}  # 1,280 × 1,024 at 400 %

# Where an element is drawn: its box in the window's coordinates.
BOX = "el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def _running(make_campaign):
    now = utcnow()
    return make_campaign(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))


def _zoomed(page):
    """The tab at 400 %, in forced colours, with text spacing once the page has loaded."""
    page.set_viewport_size(ZOOMED)
    page.emulate_media(forced_colors="active")
    page.add_style_tag(content=TEXT_SPACING)


@pytest.mark.browser
def test_a_refused_entry_is_said_in_view_with_its_focused_field(spaced_page, make, make_campaign):
    page = spaced_page
    campaign = _running(make_campaign)
    me = make.user()
    for _ in range(4):  # a list of entries below the form, as after a few days
        services.log_action(me, campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    browser_sign_in(page, me)
    page.goto(f"/cleanup/campaigns/{campaign.id}")
    _zoomed(page)
    page.locator("#log-submit").focus()
    page.keyboard.press("Enter")  # « Combien ? » left empty
    quantity = page.locator("form.cleanup-log input[name=quantity]")
    error = page.locator("#quantity-error")
    expect(error).to_have_text("Ce champ est obligatoire.")
    expect(quantity).to_be_focused()
    expect(quantity).to_have_attribute("aria-describedby", "quantity-error quantity-hint")
    # Both wholly in the window: the message was below the field's long unit hint.
    expect(error).to_be_in_viewport(ratio=1)
    expect(quantity).to_be_in_viewport(ratio=1)
    # Not told by red alone, which forced colours drop: a sign before the words, and a
    # double border around the field.
    assert "\u26a0" in error.evaluate("el => getComputedStyle(el, '::before').content")
    assert quantity.evaluate("el => getComputedStyle(el).borderTopStyle") == "double"


@pytest.mark.browser
def test_my_row_is_marked_and_ringed_inside_its_box_in_forced_colours(
    spaced_page, make, make_campaign
):
    page = spaced_page
    campaign = _running(make_campaign)
    now = utcnow()
    ahead = [make.user(leaderboard_visibility="name") for _ in range(8)]
    for rank, person in enumerate(ahead):
        services.log_action(person, campaign, "delete-mail", 20 - rank, now)
    me = make.user(leaderboard_visibility="name", display_name="Bruno Petit")
    services.log_action(me, campaign, "delete-mail", 1, now)
    db.session.commit()
    browser_sign_in(page, me)
    page.set_viewport_size(ZOOMED)
    page.emulate_media(forced_colors="active")
    page.goto(f"/cleanup/campaigns/{campaign.id}/leaderboard")
    page.get_by_role("link", name="Voir ma place").click()
    page.wait_for_url("**me=1#my-row")
    row = page.locator("#my-row")
    expect(row).to_be_focused()
    expect(row).to_be_in_viewport(ratio=1)
    left, top, right, bottom = row.evaluate(BOX)
    box_left, box_top, box_right, box_bottom = page.locator(".table-scroll").evaluate(BOX)
    # The ring is drawn inside the row, and the row inside its scrolling box and the
    # window: nothing of it is cut. It was 3 px outside, on the window's top edge.
    ring = row.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), parseFloat(s.outlineOffset)]; }"
    )
    assert ring[0] != "none" and ring[1] >= 2 and ring[1] + ring[2] <= 0
    assert box_left <= left and right <= box_right and box_top <= top and bottom <= box_bottom
    assert top > 0 and bottom <= ZOOMED["height"]
    # Marked by a border forced colours keep, all around the row (its background and
    # shadows are dropped there).
    edges = row.evaluate(
        """el => {
          const cells = [...el.cells], first = getComputedStyle(cells[0]),
                last = getComputedStyle(cells[cells.length - 1]);
          return [first.borderTopStyle, parseFloat(first.borderTopWidth),
                  first.borderBottomStyle, first.borderLeftStyle, last.borderRightStyle];
        }"""
    )
    assert edges[1] >= 2 and set(edges[:1] + edges[2:]) == {"solid"}


@pytest.mark.browser
def test_a_table_widened_by_text_spacing_after_load_scrolls_from_the_keyboard(
    spaced_page, make, make_campaign
):
    page = spaced_page
    campaign = _running(make_campaign)
    me = make.user(leaderboard_visibility="name", display_name="Bruno Petit")
    services.log_action(me, campaign, "delete-mail", 1, utcnow())
    db.session.commit()
    browser_sign_in(page, me)
    page.set_viewport_size(ZOOMED)
    page.goto(f"/cleanup/campaigns/{campaign.id}/leaderboard")
    box = page.locator(".table-scroll")
    # It fits as the page loads: no extra Tab stop.
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    expect(box).not_to_have_attribute("role", "region")
    expect(box).to_have_js_property("tabIndex", -1)
    # The reader's spacing makes its headings wider than the window (no resize event).
    page.add_style_tag(content=TEXT_SPACING)
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_attribute("tabindex", "0")
    expect(box).to_have_accessible_name("Individus")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth + 1")
    # Reached with Tab from the page's heading, it scrolls to its cut last column with
    # the arrow keys.
    page.locator("h1").click()
    for _ in range(15):
        page.keyboard.press("Tab")
        if box.evaluate("el => el === document.activeElement"):
            break
    expect(box).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(box).not_to_have_js_property("scrollLeft", 0)
