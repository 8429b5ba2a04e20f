"""The comparison on a 375 px phone, in French: its column headings wrap between whole
words (« Ultraport/able », « reconditi/onné » were cut where they fitted), and nothing
widens the page: what does not fit scrolls in its labelled region."""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in

# The demo's items 1, 6, 7 and 2 (app/catalogue/seed.py), as the review compared them.
NAMES = [
    "Ultraportable 13 pouces",
    "Ultraportable 13 pouces reconditionné",
    "Portable 14 pouces reconditionné",
    "Portable standard 14 pouces",
]

# Each word of each column heading: on how many lines it is drawn, how wide it is drawn
# whole (white-space: nowrap, same font), and the room a column could have: the width of
# the region the table scrolls in (a column narrower than a word that fits there was
# squeezed by the table's layout, and cut the word).
WORDS = """() => [...document.querySelectorAll('.compare-table thead th a')].flatMap((link) => {
  const text = link.firstChild;
  const room = link.closest('.table-scroll').clientWidth;
  const words = [];
  for (const match of text.data.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    const whole = document.createElement('span');
    whole.style.whiteSpace = 'nowrap';
    whole.textContent = match[0];
    link.append(whole);
    words.push({word: match[0], lines: lines.size, width: whole.getBoundingClientRect().width,
                room});
    whole.remove();
  }
  return words;
})"""


@pytest.fixture
def compared(page, make, make_item):
    """The four items compared on a 375 px phone, in French."""
    employee = make.user(locale="fr", email="compares-words@example.org")
    items = [make_item(name_fr=name, name_en=name) for name in NAMES]
    page.set_viewport_size({"width": 375, "height": 812})
    browser_sign_in(page, employee.email)
    query = "&".join(f"ids={item.id}" for item in items)
    page.goto(f"/catalogue/compare?{query}", wait_until="load")
    expect(page.get_by_role("columnheader")).to_have_count(5)
    return page


@pytest.mark.browser
def test_compared_names_break_only_between_words_that_fit_their_column(compared):
    words = compared.evaluate(WORDS)
    cut = [w for w in words if w["lines"] > 1 and w["width"] <= w["room"] + 0.5]
    assert len(words) == 15 and cut == [], cut


@pytest.mark.browser
def test_the_comparison_scrolls_in_its_region_and_never_widens_the_page(compared):
    widths = compared.evaluate(
        "() => ({page: document.documentElement.scrollWidth, view: window.innerWidth})"
    )
    assert widths["page"] <= widths["view"], widths
    region = compared.get_by_role("region", name="Articles comparés côte à côte")
    expect(region).to_be_visible()
