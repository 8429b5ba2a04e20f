"""A refused quantity, swapped in by htmx while the focus stays on its field, is read out."""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in


@pytest.mark.browser
@pytest.mark.parametrize("send", ["enter", "click"])
def test_a_refused_quantity_is_read_out_after_the_swap(page, make, make_item, send):
    """The field keeps the focus (htmx brings it back with the same id), so its error,
    tied to it, was never said: #announcer says it."""
    employee = make.user(locale="fr", email=f"types-letters-{send}@example.org")
    item = make_item(name_fr="Clavier filaire", name_en="Wired keyboard")
    browser_sign_in(page, employee.email)
    page.goto(f"/catalogue/items/{item.id}", wait_until="load")
    quantity = page.get_by_role("textbox", name="Quantité")
    quantity.fill("abc")
    if send == "enter":
        quantity.press("Enter")
    else:
        page.get_by_role("button", name="Ajouter à ma demande").click()
    expect(quantity).to_have_attribute("aria-invalid", "true")
    error = page.locator("#quantity-error").inner_text().strip()
    assert error
    expect(page.locator("#announcer")).to_have_text(error)
    expect(quantity).to_be_focused()  # where to correct it
