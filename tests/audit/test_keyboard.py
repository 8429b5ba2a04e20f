"""Keyboard use of the core pages: a skip link first, every control reachable with Tab,
and a focus indicator you can see."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.catalogue.models import CatalogueItem
from app.extensions import db
from bench.pages import EMPLOYEE, _campaign, _equipment
from tests.audit.conftest import WIDER_THAN_VIEWPORT, sign_in_with_a_cookie

pytestmark = [pytest.mark.browser, pytest.mark.audit]
CORE_PAGES = ["/", "/auth/profile", "/privacy"]

# The controls a keyboard user must reach: one stop per radio group, as browsers do.
INTERACTIVE = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const seen = new Set();
  const found = [];
  document.querySelectorAll(selector).forEach((el, i) => {
    if (el.disabled || el.getAttribute('tabindex') === '-1') return;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return;
    // Inside a closed <details> (a read message), only its summary is there to reach:
    // it opens the rest.
    const closed = el.closest('details:not([open])');
    if (closed && el.parentElement !== closed) return;
    if (el.type === 'radio') {
      if (seen.has(el.name)) return;
      seen.add(el.name);
    }
    el.dataset.kbd = String(i);
    found.push({key: String(i), html: el.outerHTML.slice(0, 120), radio: el.type === 'radio' ? el.name : null});
  });
  return found;
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  // The colour the ring is drawn on: what lies under its right edge on screen.
  const ring = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) / 2;
  const x = Math.min(box.right + ring, window.innerWidth - 1), y = box.top + box.height / 2;
  let background = [255, 255, 255];
  for (const under of document.elementsFromPoint(x, y)) {
    if (under === el || el.contains(under)) continue;
    const c = rgb(getComputedStyle(under).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { background = c.slice(0, 3); break; }
  }
  const [l1, l2] = [luminance(rgb(style.outlineColor).slice(0, 3)), luminance(background)];
  return {
    contrast: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05),
    key: el.dataset.kbd || null,
    radio: el.type === 'radio' ? el.name : null,
    id: el.id,
    cls: el.className,
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0,
    html: el.outerHTML.slice(0, 120),
  };
}"""


@pytest.fixture
def signed_in_page(page, demo_data):
    sign_in_with_a_cookie(page, EMPLOYEE, "fr")
    return page


@pytest.mark.parametrize("path", CORE_PAGES)
def test_skip_link_comes_first_and_moves_focus_to_main(signed_in_page, path):
    page = signed_in_page
    page.goto(path)
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert "skip-link" in first["cls"], first["html"]
    assert first["onScreen"] and first["outline"], "the skip link must show when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


# The key pages of each domain, where an employee acts (their `{placeholders}` as in
# bench/pages.py).
DOMAIN_PAGES = [
    "/catalogue/",
    "/catalogue/items/{item}",
    "/cleanup/campaigns/{campaign}",
    "/cleanup/campaigns/{campaign}/leaderboard",
    "/recycling/",
    "/recycling/returns/new",
    "/messaging/",
]


@pytest.mark.parametrize("path", ["/auth/sign-in", *CORE_PAGES, *DOMAIN_PAGES])
def test_every_control_is_reached_with_tab_and_shows_its_focus(page, demo_data, path):
    if path != "/auth/sign-in":
        sign_in_with_a_cookie(page, EMPLOYEE, "fr")
    page.goto(path.format(campaign=_campaign(db.session), item=_equipment(db.session)))
    expected = page.evaluate(INTERACTIVE)
    reached, groups, invisible = set(), set(), []
    for _ in range(len(expected) + 3):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["key"] is None:  # the page itself, once Tab went past the last control
            continue
        reached.add(focused["key"])
        groups.add(focused["radio"])
        # WCAG 2.4.7, and 3:1 against what surrounds it (1.4.11) so the ring stands out.
        visible = (focused["outline"] and focused["contrast"] >= 3) or focused["shadow"]
        if not visible or not focused["onScreen"]:
            invisible.append(f"{focused['html']} (contrast {focused['contrast']:.1f})")
    # A radio group is one Tab stop (its checked option), so groups are checked by name.
    missed = [
        e["html"]
        for e in expected
        if (e["radio"] not in groups if e["radio"] else e["key"] not in reached)
    ]
    assert len(expected) > 2
    assert not missed, f"not reachable with Tab on {path}: {missed}"
    assert not invisible, f"no visible focus on {path}: {invisible}"


def _four_equipment_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(CatalogueItem.id)
            .where(CatalogueItem.kind == "equipment")
            .order_by(CatalogueItem.id)
            .limit(4)
        )
    )


def test_a_table_wider_than_a_phone_scrolls_in_its_own_named_box(signed_in_page):
    """At 320 px four compared items scroll sideways in their box, not the page: the box
    then takes the focus (arrow keys scroll it) and is named after the table's caption.
    At a desktop's width it fits and is no extra Tab stop."""
    page = signed_in_page
    page.goto("/catalogue/compare?" + "&".join(f"ids={i}" for i in _four_equipment_ids()))
    box = page.locator("main .table-scroll").first
    box.wait_for()
    assert box.get_attribute("tabindex") is None
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_function("() => document.querySelector('main .table-scroll').tabIndex === 0")
    assert box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label") == box.locator("caption").inner_text().strip()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('main .table-scroll').scrollLeft > 0")


def _table_fitting_a_phone(page, path: str) -> None:
    """Open `path` at 320 px: its table fits its box, which is then no extra Tab stop."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    box = page.locator("main .table-scroll").first
    box.wait_for()
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    assert box.get_attribute("tabindex") is None


def test_on_a_phone_each_catalogue_item_shows_its_yearly_footprint_in_full(signed_in_page):
    """At 320 px each item is a block: its box, label and name, then its category and
    yearly footprint named and in view, with no sideways scrolling (the footprint sat half
    behind a scroll, the category was left out)."""
    page = signed_in_page
    _table_fitting_a_phone(page, "/catalogue/")
    rows = page.locator("main table tbody tr")
    assert rows.count() > 5
    for index in range(rows.count()):
        footprint = rows.nth(index).locator("td.num")
        bounds = footprint.bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 320
        assert "CO₂e" in footprint.inner_text()
        assert rows.nth(index).locator("td.category").is_visible()  # nothing left out
    label = rows.first.locator("td.num").evaluate("td => getComputedStyle(td, '::before').content")
    assert "Empreinte annuelle" in label or "Yearly footprint" in label


def test_on_a_phone_the_budgets_read_without_scrolling_sideways(signed_in_page):
    """Each department's budget a block at 320 px, its share used and status in view."""
    page = signed_in_page
    _table_fitting_a_phone(page, "/catalogue/budgets")
    cells = page.locator("main table tbody tr").first.locator("td")
    for index in range(cells.count()):
        bounds = cells.nth(index).bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 320


def test_on_a_phone_the_campaigns_list_reads_without_scrolling_sideways(signed_in_page):
    """Each campaign a block at 320 px: its name, its dates named, its state."""
    page = signed_in_page
    _table_fitting_a_phone(page, "/cleanup/")
    dates = page.locator("main table tbody tr").first.locator("td[data-label]")
    assert dates.evaluate("td => getComputedStyle(td, '::before').content") in (
        '"Dates\xa0: "',
        '"Dates: "',
    )


def test_on_a_phone_each_entry_is_a_block_with_its_correction_in_view(signed_in_page):
    """A person logs from a phone: their entries stack, each value named, the correction
    and deletion buttons in view without scrolling sideways."""
    page = signed_in_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/cleanup/campaigns/{_campaign(db.session)}")
    page.select_option("#action_type", "delete-mail")
    page.fill("#quantity", "0.5")
    with page.expect_response(lambda r: r.request.method == "POST" and "/actions" in r.url):
        page.click("#log-submit")
    # The entry arrives by an htmx swap: wait until it has settled, then read the new row
    # (an entry logged earlier may stand first in the table before the swap).
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    entry = page.locator("#my-progress table.cleanup-entries tbody tr").first
    entry.wait_for()
    box = page.locator("#my-progress .table-scroll")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    assert box.get_attribute("tabindex") is None  # nothing to scroll: no extra Tab stop
    # Each value is named on a phone: the cell's label is drawn before it.
    page.wait_for_function(
        "() => [...document.querySelectorAll("
        "'#my-progress table.cleanup-entries tbody tr:first-child td[data-label]')]"
        ".some(td => /Quantité|Quantity/.test(getComputedStyle(td, '::before').content))"
    )
    for button in ("button[id^=correct-]", "button[id^=delete-]"):
        bounds = entry.locator(button).bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 320


def test_on_a_phone_the_individual_leaderboard_fits_without_scrolling(signed_in_page):
    """At 320 px (a phone, or 400 % zoom) the ranking of people reads without scrolling
    sideways, even inside its box: rank, name, points and badges in view, with the
    longest names people have in the first rows."""
    page = signed_in_page
    path = f"/cleanup/campaigns/{_campaign(db.session)}/leaderboard"
    page.goto(path)
    # The widest names people have: long family names, shown by those who chose to.
    shown = page.locator("main table tbody th").all_inner_texts()[:3]
    long_names = ("Vandenberghe Maximilienne", "Kerdraon-Lestrohan Apolline", "Duchesne 9990")
    for name, long_name in zip(shown, long_names, strict=True):
        person = db.session.scalar(
            select(User).where((User.pseudonym == name) | (User.display_name == name))
        )
        person.display_name, person.leaderboard_visibility = long_name, "name"
    db.session.commit()  # the board follows at once
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    assert page.locator("main table tbody th").first.inner_text() == long_names[0]
    box = page.locator("main .table-scroll").first
    box.wait_for()
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    assert box.get_attribute("tabindex") is None


@pytest.mark.parametrize(
    "path", ["/", "/auth/profile", "/catalogue/", "/recycling/returns/new", "/messaging/"]
)
def test_with_text_twice_as_large_a_phone_reads_without_scrolling_sideways(signed_in_page, path):
    """WCAG 1.4.4 and 1.4.10: a phone (360 px) set to 200 % text. The home page's panels
    and the return form's device tiles each asked for a column of at least 16rem or
    9.5rem, which at 32 px a rem is wider than the phone: the page scrolled sideways."""
    page = signed_in_page
    browser_settings = page.context.new_cdp_session(page)
    browser_settings.send("Page.enable")
    browser_settings.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.set_viewport_size({"width": 360, "height": 700})
    page.goto(path)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    assert page.evaluate(WIDER_THAN_VIEWPORT) == []
