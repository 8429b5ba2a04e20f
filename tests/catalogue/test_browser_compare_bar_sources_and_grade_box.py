"""In a browser: Compare's sources on a phone, the
sticky compare bar with large text, the budget form's department at 320 px, and the
grade's box in forced colours."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEXT_SPACING, browser_sign_in

# WCAG 1.4.12's text spacing, as the bookmarklet testers use applies it.


@pytest.mark.browser
def test_on_a_phone_compare_breaks_the_sources_only_between_words(page, make, make_item):
    """360 px, four items, English: each word of the Source row is drawn on one line
    (« referenc/e » was cut in two)."""
    me = make.user(locale="en")
    items = [
        make_item(
            name_en=f"Laptop {n}",
            source="Manufacturer environmental reference sheet, independently reviewed",
        )
        for n in range(4)
    ]
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, me)
    page.goto("/catalogue/compare?" + "&".join(f"ids={i.id}" for i in items))
    cells = page.locator("td.source")
    expect(cells).to_have_count(4)
    words_cut = cells.first.evaluate(
        """() => [...document.querySelectorAll("td.source")].flatMap((cell) => {
          const text = cell.firstChild, cut = [];
          for (const match of text.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(text, match.index);
            range.setEnd(text, match.index + match[0].length);
            const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (lines.size > 1) cut.push(match[0]);
          }
          return cut;
        })"""
    )
    assert words_cut == []


# Each item focused by Tab from the box just ticked to the end of the list: whether it is
# drawn under the compare bar (the browser scrolls a focused element to the screen's middle).
UNDER_THE_BAR = """() => {
  const bar = document.getElementById("compare-bar").getBoundingClientRect();
  const box = document.activeElement.getBoundingClientRect();
  return {bar: [bar.top, bar.bottom], focused: [box.top, box.bottom],
          under: bar.top < box.bottom && box.top < bar.bottom};
}"""


def _tabbing_down_the_list(page, first: str, rows: int) -> list[dict]:
    page.get_by_role("checkbox", name=first).check()
    expect(page.locator("#compare-bar")).not_to_have_attribute("data-ticked", "0")
    seen = []
    for _n in range(2 * rows - 1):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(UNDER_THE_BAR))
    return seen


@pytest.mark.browser
def test_with_large_text_the_compare_bar_leaves_the_focused_item_in_view(page, make, make_item):
    """360×640 with a 32 px default font (200 %): once an item was ticked, the bar took
    305 of 640 px at the top and the next item focused was drawn under it."""
    me = make.user(locale="en")
    for n in range(6):
        make_item(name_en=f"Laptop {n:02}")
    page.set_viewport_size({"width": 360, "height": 640})
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32}})
    browser_sign_in(page, me)
    page.goto("/catalogue/?sort=name")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    seen = _tabbing_down_the_list(page, "Compare Laptop 00", 6)
    assert [s for s in seen if s["under"]] == []


@pytest.mark.browser
def test_at_normal_size_the_compare_bar_stays_clear_of_the_focused_item(page, make, make_item):
    """360×640 at the usual 16 px: the bar stays at the top while the list scrolls, and
    no focused item is drawn under it."""
    me = make.user(locale="fr")
    for n in range(10):
        make_item(name_fr=f"Portable {n:02}")
    page.set_viewport_size({"width": 360, "height": 640})
    browser_sign_in(page, me)
    page.goto("/catalogue/?sort=name")
    seen = _tabbing_down_the_list(page, "Comparer Portable 00", 10)
    assert seen[-1]["bar"][0] <= 1  # still at the top of the screen once scrolled
    assert [s for s in seen if s["under"]] == []
    # A row scrolled to (a link to it, the browser's search) is kept clear of it too:
    # 4.5rem (72 px) was less than the bar (86 px).
    padding = page.evaluate(
        "parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop)"
    )
    assert padding >= seen[-1]["bar"][1] - seen[-1]["bar"][0]


@pytest.mark.browser
def test_at_320_px_with_text_spacing_the_budget_department_is_read_whole(spaced_page, make):
    """« Direction de l'audit interne » was cut at the select's edge; the clean-up log
    form's menu wraps its chosen text, and so does this one."""
    page = spaced_page
    admin = make.user(roles=("admin",), locale="fr")
    make.department(name_fr="Direction de l'audit interne", name_en="Internal audit department")
    page.set_viewport_size({"width": 320, "height": 740})
    browser_sign_in(page, admin)
    page.goto("/catalogue/budgets")
    page.add_style_tag(content=TEXT_SPACING)
    menu = page.locator("select[name=department_id]")
    menu.select_option(label="Direction de l'audit interne")
    drawn = menu.evaluate(
        """(select) => {
          const style = getComputedStyle(select);
          const context = document.createElement("canvas").getContext("2d");
          context.font = style.font;
          context.letterSpacing = style.letterSpacing;
          context.wordSpacing = style.wordSpacing;
          const text = select.options[select.selectedIndex].text;
          const room = select.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          // The lines the select draws: 1 when its line height does not say ("normal").
          const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
          const inner = select.clientHeight - parseFloat(style.paddingTop)
            - parseFloat(style.paddingBottom);
          const lines = Math.max(1, Math.round(inner / lineHeight));
          return {text: context.measureText(text).width, room: room, lines: lines,
                  right: select.getBoundingClientRect().right};
        }"""
    )
    assert drawn["right"] <= 320, drawn
    assert drawn["text"] <= drawn["room"] * drawn["lines"], drawn


@pytest.mark.browser
def test_in_forced_colours_a_grade_keeps_its_box(page, make, make_item):
    """Windows' contrast themes drop backgrounds: a grade drawn by its background alone
    lost its box; a border the theme paints keeps it."""
    me = make.user(locale="en")
    item = make_item(name_en="Laptop")
    page.emulate_media(forced_colors="active")
    browser_sign_in(page, me)
    page.goto(f"/catalogue/items/{item.id}")
    border = page.locator(".grade").first.evaluate(
        "(grade) => [getComputedStyle(grade).borderTopStyle,"
        " parseFloat(getComputedStyle(grade).borderTopWidth)]"
    )
    assert border[0] == "solid" and border[1] >= 1, border
