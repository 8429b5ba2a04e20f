"""At 400 % zoom (a 320 × 256 window), with WCAG's text spacing and forced colours (a
low-vision review, 7 December): a declaration sent empty focused the first device type
while « Choisissez un type d'appareil. » stood 430 px lower, under all the types, and
only red marked the group as refused."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEXT_SPACING, browser_sign_in

SPACED_AS_IT_LOADS = f"""document.addEventListener("DOMContentLoaded", () => {{
  const style = document.createElement("style");
  style.textContent = {TEXT_SPACING!r};
  document.head.append(style);
}});"""


@pytest.mark.browser
def test_an_empty_declaration_says_why_in_view_with_the_focused_type(spaced_page, make, rec):
    page = spaced_page
    point = rec.point(name="Point Bègles", opening_hours="24/7")
    browser_sign_in(page, make.user(locale="fr"))
    page.set_viewport_size({"width": 320, "height": 256})
    page.emulate_media(forced_colors="active")
    # The reader's spacing on every page as it loads, as an extension applies it.
    page.add_init_script(SPACED_AS_IT_LOADS)
    page.goto(f"/recycling/returns/new?point={point.id}", wait_until="load")
    page.locator("form.return-form button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    first = page.locator("input[name=device_type]").first
    error = page.locator("#device_type-error")
    expect(first).to_be_focused()
    assert first.evaluate("el => getComputedStyle(el).letterSpacing") != "normal"
    expect(error).to_have_text("Choisissez un type d'appareil.")
    # Between the legend and the types, read first in the group's description.
    assert error.evaluate(
        "el => el.previousElementSibling.tagName === 'LEGEND'"
        " && el.nextElementSibling.classList.contains('tile')"
    )
    expect(page.locator("#device-types")).to_have_attribute("aria-describedby", "device_type-error")
    expect(error).to_be_in_viewport(ratio=1)
    expect(first).to_be_in_viewport(ratio=1)
    # Forced colours keep a sign before the words and the group's double border.
    assert "\u26a0" in error.evaluate("el => getComputedStyle(el, '::before').content")
    group = page.locator("#device-types")
    assert group.evaluate("el => getComputedStyle(el).borderTopStyle") == "double"
