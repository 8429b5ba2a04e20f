"""The templates list on a phone: each template a block, its key and subject named and
whole, its action in view (the key was squeezed to a letter a line, the action clipped)."""

import pytest

from app.extensions import db
from app.messaging.builtins import ensure_builtin_templates
from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser

# The table's width against its box's, and the narrowest key's width, in CSS pixels.
LAYOUT = """() => {
  const table = document.querySelector('main table');
  const keys = Array.from(table.querySelectorAll('tbody code')).map(c => c.getBoundingClientRect().width);
  return {table: table.scrollWidth, box: table.parentElement.clientWidth,
          narrowest_key: Math.min(...keys), page: document.documentElement.scrollWidth,
          viewport: document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_each_template_is_a_block_whose_key_and_action_fit_a_phone(page, make, locale):
    ensure_builtin_templates()
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, make.user(roles=("organiser",), locale=locale))
    page.goto("/messaging/templates")
    layout = page.evaluate(LAYOUT)
    assert layout["table"] <= layout["box"] and layout["page"] <= layout["viewport"], layout
    assert layout["narrowest_key"] > 100, layout  # « campaign-last-48h » on one line
    label = "Key:" if locale == "en" else "Clé\u00a0:"
    assert page.locator("tbody td[data-label]").first.get_attribute("data-label") == label
